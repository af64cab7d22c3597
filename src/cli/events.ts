import type { Hookd, SendEventInput } from '@hookd/sdk';
import { Option, type Command } from 'commander';
import { usageError, withClient, withClientOptions, type ClientFlags } from './client-options.js';
import { forEachConcurrently } from './concurrency.js';
import { Progress } from './progress.js';
import { describeCounts, watchOutcomes, type TrackedDelivery } from './outcome-watch.js';
import { integerBetween, parseJson, parseList, parseSince } from './option-parsers.js';

// hookd events send: post one event from the command line.
// hookd events replay: send chosen events again, as new deliveries, and watch their outcomes.

interface SendFlags extends ClientFlags {
  data: unknown;
  account?: string;
  id?: string;
  correlationId?: string;
  callbackUrl?: string;
  occurredAt?: string;
  json?: boolean;
}

interface ReplayFlags extends ClientFlags {
  type?: string;
  account?: string;
  since?: Date;
  until?: Date;
  endpoint?: string[];
  limit: number;
  wait: boolean;
}

const REPLAYS_AT_ONCE = 4;

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('post and replay events on a running hookd');

  withClientOptions(
    events
      .command('send')
      .description('post an event: hookd stores it and delivers it to every endpoint subscribed to its type')
      .argument('<type>', 'the event type, e.g. invoice.paid')
      .addOption(new Option('--data <json>', 'the payload as JSON, or @file.json').argParser(parseJson).default({}, '{}'))
      .option('--account <id>', 'the account it belongs to (its endpoints hear it, besides provider-wide ones)')
      .option('--id <id>', 'your own event id: sending it again within 24 h does nothing new')
      .option('--correlation-id <id>', 'sent to receivers as webhook-correlation-id, and searchable')
      .option('--callback-url <url>', 'also deliver this one event to that URL, no subscription needed')
      .option('--occurred-at <time>', 'when it happened, an ISO time (default: now)')
      .option('--json', 'print hookd’s answer as JSON'),
  ).action(
    withClient(async (hookd: Hookd, flags: SendFlags, type: string) => {
      const input: SendEventInput = { type, payload: flags.data };
      if (flags.account !== undefined) input.accountId = flags.account;
      if (flags.id !== undefined) input.id = flags.id;
      if (flags.correlationId !== undefined) input.correlationId = flags.correlationId;
      if (flags.callbackUrl !== undefined) input.callbackUrl = flags.callbackUrl;
      if (flags.occurredAt !== undefined) input.occurredAt = flags.occurredAt;
      const accepted = await hookd.events.send(input);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(accepted)}\n`);
        return;
      }
      const plural = accepted.deliveries === 1 ? 'delivery' : 'deliveries';
      process.stdout.write(`sent ${accepted.id} (${accepted.type}) → ${accepted.deliveries} ${plural}\n`);
      if (accepted.deliveries === 0) process.stderr.write(`hookd: no endpoint is subscribed to ${accepted.type}${accepted.accountId ? ` for account ${accepted.accountId}` : ''}\n`);
    }),
  );

  withClientOptions(
    events
      .command('replay')
      .description('send events again as new deliveries (new webhook-ids), with a progress bar')
      .argument('[ids...]', 'the events to replay; or choose them with --since/--type/--account')
      .addOption(new Option('--since <time>', 'events created since (2h, 30m, 1d or an ISO time)').argParser((value) => parseSince(value)))
      .addOption(new Option('--until <time>', 'and before (same forms)').argParser((value) => parseSince(value)))
      .option('--type <type>', 'only events of this type')
      .option('--account <id>', 'only events of this account')
      .option('--endpoint <ids>', 'only to these endpoints (comma-separated; default: every endpoint subscribed now)', parseList)
      .addOption(new Option('--limit <n>', 'replay at most this many events').argParser(integerBetween(1, 100_000)).default(1000))
      .option('--no-wait', 'do not watch the new deliveries reach an outcome (default: watch them)'),
  ).action(
    withClient(async (hookd: Hookd, flags: ReplayFlags, ids: string[]) => {
      if (ids.length === 0 && flags.since === undefined) usageError('name the events to replay, or choose them with --since (and --type, --account)');
      const chosen = ids.length > 0 ? ids : await selectEvents(hookd, flags);
      if (chosen.length === 0) {
        process.stdout.write('no events match\n');
        return;
      }

      const replaying = new Progress({ label: 'replaying events', total: chosen.length });
      const created: TrackedDelivery[] = [];
      let done = 0;
      await forEachConcurrently(chosen, REPLAYS_AT_ONCE, async (id) => {
        const replayed = await hookd.events.replay(id, flags.endpoint === undefined ? {} : { endpointIds: flags.endpoint });
        created.push(...replayed.deliveries.map((delivery) => ({ id: delivery.id, attemptsBefore: 0 })));
        done += 1;
        replaying.update(done, `${created.length} new deliveries`);
      });
      replaying.finish();

      const summary = `replayed ${chosen.length} events as ${created.length} new deliveries`;
      if (!flags.wait || created.length === 0) {
        process.stdout.write(`${summary}\n`);
        return;
      }
      const report = await watchOutcomes(hookd, created, { label: 'deliveries attempted' });
      process.stdout.write(`${summary}: ${describeCounts(report.counts) || 'none attempted yet'}\n`);
    }),
  );
}

/** The ids of the events matching the filters, oldest first (replayed in the order they happened). */
async function selectEvents(hookd: Hookd, flags: ReplayFlags): Promise<string[]> {
  const ids: string[] = [];
  const query = { type: flags.type, accountId: flags.account, since: flags.since, until: flags.until, limit: 250 };
  for await (const event of hookd.events.list(query)) {
    if (ids.length === flags.limit) {
      process.stderr.write(`hookd: more than ${flags.limit} events match; replaying the newest ${flags.limit} (--limit)\n`);
      break;
    }
    ids.push(event.id);
  }
  return ids.reverse();
}
