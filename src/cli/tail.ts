import { HookdConnectionError, type Hookd } from '@hookd/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { withClient, withClientOptions, type ClientFlags } from './client-options.js';
import { DeliveryFeed, FEED_OUTCOMES, timeOf, type FeedEntry, type FeedOutcome } from './delivery-feed.js';
import { integerBetween, parseSince } from './option-parsers.js';
import { clockTime, painterFor, type Paint, type TextStyle } from './style.js';

// hookd tail: show the latest deliveries, then follow them live, one line per attempt, coloured by
// outcome, until Ctrl-C. History first, like `tail` itself: someone who just sent an event and
// then starts tailing wants to see what became of it.

interface TailFlags extends ClientFlags {
  endpoint?: string;
  status?: FeedOutcome[];
  since?: Date;
  last: number;
  intervalMs: number;
  json?: boolean;
}

export function registerTailCommand(program: Command): void {
  withClientOptions(
    program
      .command('tail')
      .description('show the latest deliveries, then follow them live: one line per attempt, coloured by outcome (Ctrl-C to stop)')
      .addOption(new Option('--endpoint <id>', 'only this endpoint’s deliveries').default(undefined, 'every endpoint'))
      .addOption(
        new Option('--status <outcomes>', `only these outcomes, comma-separated: ${FEED_OUTCOMES.join(', ')}`).argParser((value: string, previous: FeedOutcome[] = []) => [
          ...previous,
          ...value.split(',').map(outcomeNamed),
        ]).default(undefined, 'all'),
      )
      .addOption(new Option('--last <n>', 'first show the attempts of the last n deliveries (0: only what happens from now)').argParser(integerBetween(0, 1000)).default(20))
      .addOption(new Option('--since <time>', 'first show every delivery since then instead (2h, 30m, or an ISO time)').argParser((value) => parseSince(value)))
      .addOption(new Option('--interval-ms <ms>', 'how often to ask hookd').argParser(integerBetween(100, 60_000)).default(1000))
      .option('--json', 'one JSON object per line, for scripts'),
  ).action(
    withClient(async (hookd: Hookd, flags: TailFlags) => {
      const paint = painterFor(process.stdout);
      const show = (entries: FeedEntry[]) => {
        for (const entry of entries) {
          if (flags.status !== undefined && !flags.status.includes(entry.outcome)) continue;
          process.stdout.write(`${flags.json ? JSON.stringify(asRecord(entry)) : formatEntry(entry, paint)}\n`);
        }
      };

      let stopped = false;
      let wake: () => void = () => undefined;
      process.once('SIGINT', () => {
        stopped = true;
        wake();
      });

      const feed = new DeliveryFeed(hookd, { endpointId: flags.endpoint });
      show(await feed.start(flags.since !== undefined ? { since: flags.since } : { last: flags.last }));
      process.stderr.write(`hookd: following deliveries on ${hookd.url}${flags.endpoint ? ` to ${flags.endpoint}` : ''} (Ctrl-C to stop)\n`);
      let unreachable = false;
      while (!stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, flags.intervalMs);
        });
        if (stopped) break;
        try {
          show(await feed.poll());
          if (unreachable) process.stderr.write('hookd: reachable again\n');
          unreachable = false;
        } catch (error) {
          // hookd restarting is no reason to stop following; anything else (a revoked key) is.
          if (!(error instanceof HookdConnectionError)) throw error;
          if (!unreachable) process.stderr.write(`hookd: ${error.message}; still trying\n`);
          unreachable = true;
        }
      }
    }),
  );
}

const OUTCOME_STYLE: Record<FeedOutcome, TextStyle> = {
  succeeded: 'green',
  retrying: 'yellow',
  failed: 'red',
  dropped: 'red',
  canceled: 'gray',
  aborted: 'gray',
  waiting: 'cyan',
};

function outcomeNamed(name: string): FeedOutcome {
  const outcome = FEED_OUTCOMES.find((candidate) => candidate === name.trim());
  if (outcome === undefined) throw new InvalidArgumentError(`${JSON.stringify(name)} is not one of ${FEED_OUTCOMES.join(', ')}`);
  return outcome;
}

/** `08:00:01.234  200  succeeded  invoice.paid  dlv_…  ep_…  POST http://…  12 ms  #1` */
function formatEntry(entry: FeedEntry, paint: Paint): string {
  const { delivery, attempt } = entry;
  const colour = OUTCOME_STYLE[entry.outcome];
  const result = attempt === null ? '—' : attempt.statusCode !== null ? String(attempt.statusCode) : (attempt.error ?? 'error');
  const parts = [
    paint('gray', clockTime(new Date(timeOf(entry)))),
    paint(['bold', colour], result.padEnd(3)),
    paint(colour, entry.outcome.padEnd(9)),
    delivery.eventType,
    delivery.id,
    delivery.endpointId ?? 'callback',
    delivery.url,
  ];
  if (attempt !== null) parts.push(paint('gray', `${attempt.durationMs} ms  #${entry.attemptNumber}`));
  if (entry.outcome === 'waiting') parts.push(paint('cyan', `behind ${delivery.blockedBy}`));
  else if (attempt === null && delivery.lastError !== null) parts.push(paint('gray', delivery.lastError));
  if (entry.outcome === 'retrying' && delivery.nextAttemptAt !== null && delivery.status === 'pending') {
    parts.push(paint('yellow', `next ${clockTime(new Date(delivery.nextAttemptAt))}`));
  }
  return parts.join('  ');
}

function asRecord(entry: FeedEntry) {
  const { delivery, attempt } = entry;
  return {
    at: attempt?.startedAt ?? delivery.completedAt,
    outcome: entry.outcome,
    statusCode: attempt?.statusCode ?? null,
    error: attempt === null ? delivery.lastError : attempt.error,
    durationMs: attempt?.durationMs ?? null,
    attempt: entry.attemptNumber,
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    endpointId: delivery.endpointId,
    url: delivery.url,
    nextAttemptAt: entry.outcome === 'retrying' ? delivery.nextAttemptAt : null,
    blockedBy: entry.outcome === 'waiting' ? delivery.blockedBy : null,
  };
}
