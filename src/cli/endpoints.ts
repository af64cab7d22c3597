import type { CreateEndpointInput, Endpoint, Hookd } from '@hookd/sdk';
import { Option, type Command } from 'commander';
import { usageError, withClient, withClientOptions, type ClientFlags } from './client-options.js';
import { integerBetween, parseJson, parseList, parseSince } from './option-parsers.js';
import { describeCounts, watchOutcomes, type TrackedDelivery } from './outcome-watch.js';
import { painterFor } from './style.js';
import { renderTable } from './table.js';

// hookd endpoints create | list | recover: subscriptions from the command line.

interface CreateFlags extends ClientFlags {
  /** The endpoint's URL (hookd's own is --hookd-url here). */
  url: string;
  eventTypes?: string[];
  account?: string;
  title?: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'GET';
  header?: string[];
  secret?: string;
  inactive?: boolean;
  data?: unknown;
  json?: boolean;
}

interface ListFlags extends ClientFlags {
  account?: string;
  eventType?: string;
  limit: number;
  json?: boolean;
}

interface RecoverFlags extends ClientFlags {
  since: Date;
  wait: boolean;
}

export function registerEndpointCommands(program: Command): void {
  const endpoints = program.command('endpoints').description('create, list and recover endpoints on a running hookd');

  withClientOptions(
    endpoints
      .command('create')
      .description('subscribe a URL to event types; prints its signing secret once')
      .requiredOption('--url <url>', 'where deliveries go, e.g. http://127.0.0.1:9000/webhooks')
      .option('--event-types <types>', 'comma-separated types or patterns (call.*); default: all', parseList)
      .option('--account <id>', 'hear only this account’s events (default: every account’s)')
      .option('--title <title>', 'a name people recognise')
      .addOption(new Option('--method <method>', 'HTTP method').choices(['POST', 'PUT', 'PATCH', 'GET']))
      .option('--header <name:value>', 'a custom header (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
      .option('--secret <whsec>', 'a signing secret of your own (default: generated)')
      .option('--inactive', 'create it switched off')
      .addOption(new Option('--data <json>', 'any other fields of the endpoint as JSON (retry, body, filter, destination …), or @file.json').argParser(parseJson))
      .option('--json', 'print the endpoint as JSON'),
    '--hookd-url',
  ).action(
    withClient(async (hookd: Hookd, flags: CreateFlags) => {
      const definition = { ...(objectOption(flags.data) as Partial<CreateEndpointInput>), url: flags.url };
      if (flags.eventTypes !== undefined) definition.eventTypes = flags.eventTypes;
      if (flags.account !== undefined) definition.accountId = flags.account;
      if (flags.title !== undefined) definition.title = flags.title;
      if (flags.method !== undefined) definition.method = flags.method;
      if (flags.secret !== undefined) definition.secret = flags.secret;
      if (flags.inactive) definition.active = false;
      if (flags.header !== undefined) definition.headers = { ...definition.headers, ...parseHeaders(flags.header) };
      const created = await hookd.endpoints.create(definition);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(created)}\n`);
        return;
      }
      const paint = painterFor(process.stdout);
      process.stdout.write(`${paint('bold', `created ${created.id}`)}\n`);
      const details = renderTable(
        ['url', created.url],
        [
          ['event types', typesOf(created)],
          ...(created.destination.type === 'http' ? [] : [['destination', JSON.stringify(created.destination)] as [string, string]]),
          ['account', created.accountId ?? '(every account)'],
          ['active', String(created.active)],
          ['secret', `${created.secret}  ${paint('gray', '(shown once: hookd listen --secret <it> checks signatures)')}`],
        ],
      );
      process.stdout.write(details.replace(/^(?=.)/gm, '  '));
    }),
  );

  withClientOptions(
    endpoints
      .command('list')
      .description('the endpoints, newest first')
      .option('--account <id>', 'only this account’s')
      .option('--event-type <type>', 'only those that hear this type')
      .addOption(new Option('--limit <n>', 'at most this many').argParser(integerBetween(1, 100_000)).default(100))
      .option('--json', 'print a JSON array'),
  ).action(
    withClient(async (hookd: Hookd, flags: ListFlags) => {
      const found: Endpoint[] = [];
      for await (const endpoint of hookd.endpoints.list({ accountId: flags.account, eventType: flags.eventType, limit: Math.min(250, flags.limit + 1) })) {
        if (found.length === flags.limit) {
          process.stderr.write(`hookd: more than ${flags.limit} endpoints; showing the newest ${flags.limit} (--limit)\n`);
          break;
        }
        found.push(endpoint);
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(found)}\n`);
        return;
      }
      if (found.length === 0) {
        process.stdout.write('no endpoints\n');
        return;
      }
      const paint = painterFor(process.stdout);
      const rows = found.map((endpoint) => [
        endpoint.id,
        endpoint.active ? paint('green', 'active') : paint('red', endpoint.disabledReason === null ? 'disabled' : `disabled (${endpoint.disabledReason})`),
        endpoint.accountId ?? '-',
        typesOf(endpoint),
        // A broker destination says so where an HTTP one would show a method other than POST.
        `${endpoint.destination.type !== 'http' ? `${endpoint.destination.type} ` : endpoint.method === 'POST' ? '' : `${endpoint.method} `}${endpoint.url}${endpoint.title === '' ? '' : `  ${paint('gray', endpoint.title)}`}`,
      ]);
      process.stdout.write(renderTable(['ID', 'STATE', 'ACCOUNT', 'EVENT TYPES', 'URL'], rows));
    }),
  );

  withClientOptions(
    endpoints
      .command('recover')
      .description('after an outage: give every failed delivery since then one new attempt, and watch their outcomes')
      .argument('<id>', 'the endpoint')
      .addOption(new Option('--since <time>', 'failed deliveries created since (2h, 30m, 1d or an ISO time)').argParser((value) => parseSince(value)).makeOptionMandatory())
      .option('--no-wait', 'do not watch the deliveries reach an outcome (default: watch them)'),
  ).action(
    withClient(async (hookd: Hookd, flags: RecoverFlags, id: string) => {
      const endpoint = await hookd.endpoints.get(id);
      if (!endpoint.active) {
        process.stderr.write(`hookd: ${id} is disabled (${endpoint.disabledReason ?? 'manual'}); its recovered deliveries will fail again until it is active\n`);
      }
      // The deliveries the recover will pick up, so their outcomes can be followed: it answers a count only.
      const failed: TrackedDelivery[] = [];
      for await (const delivery of hookd.deliveries.list({ endpointId: id, status: 'failed', limit: 250 })) {
        if (Date.parse(delivery.createdAt) < flags.since.getTime()) break;
        failed.push({ id: delivery.id, attemptsBefore: delivery.attempts });
      }
      const { requeued } = await hookd.endpoints.recover(id, { since: flags.since });
      const summary = `recovered ${requeued} failed ${requeued === 1 ? 'delivery' : 'deliveries'} of ${id} since ${flags.since.toISOString()}`;
      if (!flags.wait || requeued === 0 || failed.length === 0) {
        process.stdout.write(`${summary}\n`);
        return;
      }
      const report = await watchOutcomes(hookd, failed, { label: 'deliveries attempted' });
      process.stdout.write(`${summary}: ${describeCounts(report.counts) || 'none attempted yet'}\n`);
    }),
  );
}

function typesOf(endpoint: Endpoint): string {
  return endpoint.eventTypes.length === 0 ? '*' : endpoint.eventTypes.join(',');
}

function objectOption(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) usageError('--data must be a JSON object');
  return value as Record<string, unknown>;
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) usageError(`--header ${JSON.stringify(line)}: expected name:value`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}
