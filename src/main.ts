#!/usr/bin/env node
import { Command } from 'commander';
import { registerEndpointCommands } from './cli/endpoints.js';
import { registerEventCommands } from './cli/events.js';
import { registerEventTypeCommands } from './cli/event-types.js';
import { optionDescriptionWithDefault } from './cli/help.js';
import { registerListenCommand } from './cli/listen.js';
import { registerServerCommands } from './cli/server-commands.js';
import { registerTailCommand } from './cli/tail.js';
import { VERSION } from './version.js';

// The hookd command line: serve, migrate, keys, secrets (src/cli/server-commands.ts); and for
// developers event-types, events, endpoints, tail and listen, which talk to a running hookd
// through the SDK.

const program = new Command()
  .name('hookd')
  .description('Self-hosted webhooks: ingest events, fan out, sign, deliver, retry.')
  .version(VERSION)
  // Set before the commands are added: each inherits it.
  .configureHelp({ optionDescription: optionDescriptionWithDefault });

registerServerCommands(program);
registerEventTypeCommands(program);
registerEventCommands(program);
registerEndpointCommands(program);
registerTailCommand(program);
registerListenCommand(program);

await program.parseAsync(process.argv);
