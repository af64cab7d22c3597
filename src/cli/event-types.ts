import type { CreateEventTypeInput, EventType, Hookd } from '@hookd/sdk';
import { Option, type Command } from 'commander';
import { withClient, withClientOptions, type ClientFlags } from './client-options.js';
import { parseJson } from './option-parsers.js';
import { painterFor } from './style.js';
import { renderTable } from './table.js';

// hookd event-types create | list: the catalog, so that trying hookd out needs no curl.

interface CreateFlags extends ClientFlags {
  description?: string;
  category?: string;
  example?: unknown;
  json?: boolean;
}

interface ListFlags extends ClientFlags {
  category?: string;
  json?: boolean;
}

export function registerEventTypeCommands(program: Command): void {
  const eventTypes = program.command('event-types').description('the event type catalog of a running hookd');

  withClientOptions(
    eventTypes
      .command('create')
      .description('add a type to the catalog (events and subscriptions must name catalog types)')
      .argument('<name>', 'e.g. invoice.paid')
      .option('--description <text>', 'what it means, for the people who subscribe')
      .option('--category <name>', 'a group for listing')
      .addOption(new Option('--example <json>', 'an example payload (its fields become the type’s parameters), or @file.json').argParser(parseJson))
      .option('--json', 'print the type as JSON'),
  ).action(
    withClient(async (hookd: Hookd, flags: CreateFlags, name: string) => {
      const input: CreateEventTypeInput = { name };
      if (flags.description !== undefined) input.description = flags.description;
      if (flags.category !== undefined) input.category = flags.category;
      if (flags.example !== undefined) input.examples = [flags.example];
      const created = await hookd.eventTypes.create(input);
      process.stdout.write(flags.json ? `${JSON.stringify(created)}\n` : `created event type ${created.name}\n`);
    }),
  );

  withClientOptions(
    eventTypes
      .command('list')
      .description('the catalog, by name')
      .option('--category <name>', 'only this category')
      .option('--json', 'print a JSON array'),
  ).action(
    withClient(async (hookd: Hookd, flags: ListFlags) => {
      const found: EventType[] = [];
      for await (const type of hookd.eventTypes.list({ category: flags.category, limit: 250 })) found.push(type);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(found)}\n`);
        return;
      }
      const paint = painterFor(process.stdout);
      const rows = found.map((type) => [type.name, type.category ?? '-', type.parameters.map((parameter) => parameter.path).join(',') || '-', paint('gray', type.description)]);
      process.stdout.write(renderTable(['NAME', 'CATEGORY', 'PARAMETERS', 'DESCRIPTION'], rows));
    }),
  );
}
