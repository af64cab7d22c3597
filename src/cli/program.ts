import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerEndpointCommands } from './endpoints.js';
import { registerEventCommands } from './events.js';
import { registerEventTypeCommands } from './event-types.js';
import { optionDescriptionWithDefault } from './help.js';
import { registerListenCommand } from './listen.js';
import { registerServerCommands } from './server-commands.js';
import { registerTailCommand } from './tail.js';

// The hookd command line: serve, migrate, keys, secrets, backup (server-commands.ts); and for
// developers event-types, events, endpoints, tail and listen, which talk to a running hookd
// through the SDK. Built by a function so that tests can read every command's options.

export function buildProgram(): Command {
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
  return program;
}
