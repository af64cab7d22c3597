import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Progress } from '../src/cli/progress.js';
import { loadConfig } from '../src/config.js';
import { benchPostgres, type BenchPostgres } from './bench-postgres.js';
import type { BenchContext, DeliveryMeasurement, HookdRun } from './context.js';
import type { Backend } from './database.js';
import { tuningFromEnvironment } from './hookd-process.js';
import { peerLatencyFigures, peerThroughputFigures } from './peers/peer-figures.js';
import { PEERS, peerLabel } from './peers/peer-sender.js';
import { ReceiverProcess } from './receiver-client.js';
import { describeMachine, figure, table, type Figure, type Machine } from './report.js';
import { measureWithBacklog } from './scenarios/backlog.js';
import { measureFifo } from './scenarios/fifo.js';
import { measureBaseline, type BaselineFigures } from './scenarios/baseline.js';
import { measureBrokerDestination, measureHttpDestination, type DestinationFigures } from './scenarios/destinations.js';
import { BROKER_LABELS, reachableBrokers } from './broker-counters.js';
import { measureIngest, type IngestFigures } from './scenarios/ingest.js';
import { measureLatency, type LatencyFigures } from './scenarios/latency.js';
import { measureNodes } from './scenarios/nodes.js';
import { measureNoisyNeighbour } from './scenarios/noisy-neighbour.js';
import { measureNoisyTenant, type TenantHalf } from './scenarios/noisy-tenant.js';
import { measureSoak, soakBroken, type SoakFigures, type SoakOptions } from './scenarios/soak.js';
import { measureThroughput } from './scenarios/throughput.js';
import { soakTable } from './soak/report.js';
import { FIFO_KEYS, FULL, QUICK } from './sizes.js';

// Stopped by a signal (Ctrl-C, kill), the bench exits through process.exit, so that its exit
// handlers stop what it started: hookd processes, peers, a PostgreSQL server of its own. Without
// this they outlived it and loaded the machine under the next run.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code));

// `npm run bench [-- --quick] [--backend sqlite|postgres] [--peers] [--json file] [--only a,b] [--cpu-prof dir]`
// `npm run bench -- --soak <minutes> [--soak-rate 300] [--backend sqlite|postgres] [--json file]`
// `--own-postgres` (PostgreSQL runs): on a server of the run's own, configured as docs/scaling.md
// recommends (bench-postgres.ts). A PostgreSQL soak does so unless HOOKD_BENCH_POSTGRES_URL names a
// server: the machine's has autovacuum off, which a long run would measure instead of hookd.
//
// Measures hookd against the machine it runs on, in one run: every speed is also given as a ratio
// to a baseline measured in the same run, so that figures from a busy or a quiet machine compare.
// Missed targets are reported, not failed: the exit code is non-zero only when the harness
// breaks (deliveries missing, a request refused, a process dying).
//
// --peers also measures, beside the throughput and latency runs, the webhook senders a team would
// build instead on graphile-worker (same PostgreSQL) and BullMQ (the machine's Redis), and gives
// hookd's ratios to them (scenarios/peers.ts).
//
// The nodes scenario (PostgreSQL only, scenarios/nodes.ts) runs worker nodes side by side on one
// database: 1 and then 2 delivering, and a third joining mid-run.
//
// The destinations scenario (scenarios/destinations.ts) delivers to one endpoint over HTTP, then
// to one on each broker of the machine (RabbitMQ, NATS JetStream, Redis Streams); a broker that
// cannot be reached is left out of the run, said on stderr and under the table.
//
// --soak runs the soak alone (scenarios/soak.ts): a mixed workload for that many minutes, read
// minute by minute, with the trend of each series and its verdicts at the end.

const SCENARIOS = ['baseline', 'throughput', 'ingest', 'latency', 'noisy', 'tenants', 'backlog', 'nodes', 'fifo', 'destinations'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Scenarios that need PostgreSQL: several nodes on one database. A SQLite run leaves them out unless named in --only, which it refuses. */
const POSTGRES_ONLY: readonly Scenario[] = ['nodes'];
/**
 * Scenarios run only when named in --only: destinations takes about a minute at full size (four
 * hookd processes, one per destination type), too long for every run (docs/performance.md).
 */
const ONLY_WHEN_NAMED: readonly Scenario[] = ['destinations'];

const USAGE = `usage: npm run bench [-- --quick] [--backend sqlite|postgres] [--peers] [--json file] [--only ${SCENARIOS.join(',')}] [--cpu-prof dir]
       npm run bench -- --soak <minutes> [--soak-rate 300] [--backend sqlite|postgres] [--json file]
       --own-postgres: PostgreSQL runs on a server of their own with the recommended autovacuum (a PostgreSQL soak's default)
See docs/performance.md for what each scenario measures.
`;

function parsedArguments() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const OPTIONS = {
  help: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  peers: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'sqlite' },
  json: { type: 'string' },
  only: { type: 'string' },
  'cpu-prof': { type: 'string' },
  soak: { type: 'string' },
  'own-postgres': { type: 'boolean', default: false },
  'soak-rate': { type: 'string', default: '300' },
} as const;

const args = parsedArguments();
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const backend = args.backend as Backend;
if (backend !== 'sqlite' && backend !== 'postgres') fail(`--backend must be sqlite or postgres, got "${args.backend}"`);
const everyScenario = SCENARIOS.filter((name) => (backend === 'postgres' || !POSTGRES_ONLY.includes(name)) && !ONLY_WHEN_NAMED.includes(name));
const only = new Set((args.only ?? everyScenario.join(',')).split(',').map((name) => name.trim()) as Scenario[]);
for (const name of only) {
  if (!SCENARIOS.includes(name)) {
    process.stderr.write(`bench: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})\n`);
    process.exit(2);
  }
  if (backend !== 'postgres' && POSTGRES_ONLY.includes(name)) fail(`the ${name} scenario needs --backend postgres (nodes share one database)`);
}
const soak = args.soak === undefined ? null : { minutes: Number(args.soak), ratePerSecond: Number(args['soak-rate']) };
if (soak !== null) {
  if (!(soak.minutes > 0 && soak.minutes <= 24 * 60)) fail(`--soak must be a number of minutes (0 < m ≤ 1440), got "${args.soak}"`);
  if (!(soak.ratePerSecond > 0 && soak.ratePerSecond <= 100_000)) fail(`--soak-rate must be events per second (0 < r ≤ 100000), got "${args['soak-rate']}"`);
  if (args.quick || args.peers || args.only !== undefined) fail('--soak runs alone: without --quick, --peers or --only');
}
if (args['own-postgres'] && backend !== 'postgres') fail('--own-postgres needs --backend postgres');
const ownPostgres = backend === 'postgres' && (args['own-postgres'] || (soak !== null && process.env.HOOKD_BENCH_POSTGRES_URL === undefined));
const sizes = args.quick ? QUICK : FULL;
// Whatever happens, the bench ends by itself. A soak gets its minutes, as long again (at least 2)
// to drain, and a quarter of an hour for the rest.
const deadline = setTimeout(
  () => {
    process.stderr.write('bench: time limit reached, stopping\n');
    process.exit(1);
  },
  // The peers' runs about double a quick run.
  soak !== null ? (soak.minutes + Math.max(2, soak.minutes) + 15) * 60_000 : args.quick ? (args.peers ? 10 : 5) * 60_000 : 90 * 60_000,
);
deadline.unref();

const MB = 1024 * 1024;

function cpuNote(micros: number | null, per = 'event'): string | undefined {
  return micros === null ? undefined : `CPU ${micros.toFixed(0)} µs per ${per}`;
}

/** A figure id's part: `nats` → `Nats`. */
function capitalised(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function writeJson(report: unknown): void {
  if (args.json === undefined) return;
  const path = resolve(args.json);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
}

function tuningNote(): string {
  const tuning = Object.entries(tuningFromEnvironment()).map(([name, value]) => `${name}=${value}`);
  return tuning.length > 0 ? ` — ${tuning.join(' ')}` : '';
}

function machineNote(machine: Machine, started: number): string {
  return `${machine.date} — commit ${machine.commit} — ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node} — ${Math.round((Date.now() - started) / 1000)} s`;
}

/** The soak alone: its table on stdout, its minutes, trends and verdicts in --json. Exits 1 when deliveries were lost. */
async function runSoak(options: SoakOptions, postgres: BenchPostgres): Promise<void> {
  const machine = describeMachine();
  const started = Date.now();
  const receiver = await ReceiverProcess.start();
  let run: HookdRun<SoakFigures>;
  try {
    const ctx: BenchContext = {
      backend,
      sizes,
      receiver,
      cpuProfileDir: args['cpu-prof'] === undefined ? null : resolve(args['cpu-prof']),
      progress: (line) => process.stderr.write(`bench: ${line}\n`),
      bar: (label, total) => new Progress({ label: `bench: ${label}`, total }),
    };
    if (ctx.cpuProfileDir !== null) mkdirSync(ctx.cpuProfileDir, { recursive: true });
    ctx.progress(`soak: ${options.minutes} min at ${options.ratePerSecond} events/s to 20 endpoints (16 healthy, 2 answering 500, 1 answering 429, 1 hanging)`);
    run = await measureSoak(ctx, options);
  } finally {
    await receiver.close();
  }
  const title = `hookd soak — ${backend}${serverNote(postgres)} — ${options.minutes} min at ${options.ratePerSecond} events/s${tuningNote()} — ${machineNote(machine, started)}`;
  process.stdout.write(soakTable(title, run.result) + '\n');
  writeJson({ machine, backend, postgres: serverOf(postgres), scenario: 'soak', tuning: tuningFromEnvironment(), soak: run.result });
  const broken = soakBroken(run.result);
  if (broken !== null) throw new Error(broken);
}

function serverOf(postgres: BenchPostgres): string | undefined {
  return backend === 'postgres' ? postgres.describe : undefined;
}

function serverNote(postgres: BenchPostgres): string {
  return backend === 'postgres' ? ` on ${postgres.describe}` : '';
}

async function main(): Promise<void> {
  const postgres = await benchPostgres(ownPostgres);
  try {
    await (soak !== null ? runSoak(soak, postgres) : runScenarios(postgres));
  } finally {
    postgres.stop();
  }
}

async function runScenarios(postgres: BenchPostgres): Promise<void> {
  // The peers' modules (and their queue libraries) load only with --peers: a plain run, like npm
  // test's --quick, does not pay for them.
  const peers = args.peers ? await import('./scenarios/peers.js') : null;
  if (peers !== null) {
    const missing = await peers.missingPeerServices();
    if (missing !== null) {
      process.stderr.write(`bench: ${missing}\n`);
      process.exit(2);
    }
  }
  const machine = describeMachine();
  const started = Date.now();
  const receiver = await ReceiverProcess.start();
  const cpuProfileDir = args['cpu-prof'] === undefined ? null : resolve(args['cpu-prof']);
  if (cpuProfileDir !== null) mkdirSync(cpuProfileDir, { recursive: true });
  const ctx: BenchContext = {
    backend,
    sizes,
    receiver,
    cpuProfileDir,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
    bar: (label, total) => new Progress({ label: `bench: ${label}`, total }),
  };
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = {};
  const rss: Array<{ run: string; peakRssBytes: number | null }> = [];
  /** What the run left out and why, printed under the table. */
  const notes: string[] = [];
  const keep = <T>(run: string, result: HookdRun<T>): T => {
    rss.push({ run, peakRssBytes: result.peakRssBytes });
    raw[run] = result.result;
    return result.result;
  };

  try {
    // The baseline sends at the concurrency hookd uses (its defaults, or HOOKD_* given to the bench): one endpoint's lane
    // (HOOKD_ENDPOINT_CONCURRENCY) for one endpoint, ten lanes (within HOOKD_WORKER_CONCURRENCY) for ten.
    const settings = loadConfig(tuningFromEnvironment());
    const oneLane = settings.endpointConcurrency;
    const tenLanes = Math.min(settings.workerConcurrency, 10 * settings.endpointConcurrency);
    let baseline1: BaselineFigures | null = null;
    let baseline10: BaselineFigures | null = null;
    if (only.has('baseline') || only.has('throughput')) {
      ctx.progress('baseline: signed 1 KiB POSTs straight to the receiver');
      baseline1 = await measureBaseline(ctx, oneLane);
      baseline10 = await measureBaseline(ctx, tenLanes);
      raw.baseline = { oneEndpointConcurrency: baseline1, tenEndpointConcurrency: baseline10 };
      figures.push(figure('baseline1', `baseline: undici, ${oneLane} in flight`, baseline1.requestsPerSecond, 'req/s', undefined, cpuNote(baseline1.cpuMicrosPerRequest, 'request')));
      figures.push(figure('baseline10', `baseline: undici, ${tenLanes} in flight`, baseline10.requestsPerSecond, 'req/s', undefined, cpuNote(baseline10.cpuMicrosPerRequest, 'request')));
    }

    let oneEndpoint: DeliveryMeasurement | null = null;
    if (only.has('throughput')) {
      ctx.progress(`throughput: ${sizes.oneEndpointEvents} events to 1 endpoint`);
      oneEndpoint = keep('delivery1', await measureThroughput(ctx, 1, sizes.oneEndpointEvents));
      ctx.progress(`throughput: ${sizes.tenEndpointEvents} events to 10 endpoints`);
      const ten = keep('delivery10', await measureThroughput(ctx, 10, sizes.tenEndpointEvents));
      figures.push(
        figure('delivery1', 'delivery, 1 endpoint', oneEndpoint.deliveriesPerSecond, 'deliveries/s'),
        figure('delivery1Ratio', `delivery, 1 endpoint ÷ baseline (${oneLane})`, oneEndpoint.deliveriesPerSecond / baseline1!.requestsPerSecond, '×', {
          kind: 'min',
          limit: 0.5,
        }),
        figure('delivery10', 'delivery, 10 endpoints', ten.deliveriesPerSecond, 'deliveries/s'),
        figure('delivery10Ratio', `delivery, 10 endpoints ÷ baseline (${tenLanes})`, ten.deliveriesPerSecond / baseline10!.requestsPerSecond, '×'),
      );
      if (oneEndpoint.hookdCpuMicrosPerDelivery !== null) {
        // The same comparison in CPU time, which a busy machine disturbs less than wall time.
        figures.push(
          figure('cpuPerDelivery', 'hookd CPU per delivery, 1 endpoint (ingest included)', oneEndpoint.hookdCpuMicrosPerDelivery, 'µs', undefined,
            `${Math.round(1e6 / oneEndpoint.hookdCpuMicrosPerDelivery).toLocaleString('en-US')} per CPU-second`),
          figure('cpuRatio', 'baseline CPU per request ÷ hookd CPU per delivery', baseline1!.cpuMicrosPerRequest / oneEndpoint.hookdCpuMicrosPerDelivery, '×'),
        );
      }
      if (oneEndpoint.databaseCpuMicrosPerDelivery !== null) {
        figures.push(figure('databaseCpuPerDelivery', 'PostgreSQL CPU per delivery, 1 endpoint', oneEndpoint.databaseCpuMicrosPerDelivery, 'µs'));
      }
      if (peers !== null) {
        for (const peer of PEERS) {
          ctx.progress(`throughput: ${sizes.oneEndpointEvents} events to 1 endpoint through the ${peerLabel(peer)} sender, ${oneLane} at once`);
          const measured = await peers.measurePeerThroughput(ctx, peer, oneLane, sizes.oneEndpointEvents);
          raw[`${peer}Delivery1`] = measured;
          figures.push(...peerThroughputFigures(peer, backend, measured, oneEndpoint));
        }
      }
    }

    if (only.has('ingest')) {
      ctx.progress(`ingest: ${sizes.ingestSingles} single posts, ${sizes.ingestBatchEvents} events in batches`);
      const ingest: IngestFigures = keep('ingest', await measureIngest(ctx));
      figures.push(
        figure('ingestSingle', 'ingest, 1 event per request, 64 clients', ingest.singleEventsPerSecond, 'events/s', { kind: 'min', limit: 3000 }, cpuNote(ingest.singleCpuMicrosPerEvent)),
        figure('ingestBatch', `ingest, batches of ${ingest.batchSize}`, ingest.batchEventsPerSecond, 'events/s', { kind: 'min', limit: 20_000 }, cpuNote(ingest.batchCpuMicrosPerEvent)),
      );
    }

    if (only.has('latency')) {
      const rate = Math.max(50, Math.round((oneEndpoint?.deliveriesPerSecond ?? 2000) / 2));
      ctx.progress(`latency: ${rate} events/s for ${sizes.latencyMs / 1000} s`);
      const latency: LatencyFigures = keep('latency', await measureLatency(ctx, rate));
      figures.push(
        figure('latencyP50', 'time to first attempt, p50', latency.p50Ms, 'ms', { kind: 'max', limit: 10 }),
        figure('latencyP99', 'time to first attempt, p99', latency.p99Ms, 'ms', { kind: 'max', limit: 50 }, `at ${Math.round(latency.achievedRatePerSecond)} events/s${latency.cpuMicrosPerEvent === null ? '' : `, CPU ${latency.cpuMicrosPerEvent.toFixed(0)} µs per event`}`),
      );
      if (peers !== null) {
        for (const peer of PEERS) {
          ctx.progress(`latency: ${rate} events/s for ${sizes.latencyMs / 1000} s through the ${peerLabel(peer)} sender`);
          const measured = await peers.measurePeerLatency(ctx, peer, oneLane, rate);
          raw[`${peer}Latency`] = measured;
          figures.push(...peerLatencyFigures(peer, backend, measured, latency));
        }
      }
    }

    if (only.has('noisy')) {
      ctx.progress(`noisy neighbour: ${sizes.noisyEvents} events to 9 healthy endpoints, without and with a hanging one`);
      const { alone, beside } = await measureNoisyNeighbour(ctx);
      keep('healthyAlone', alone);
      keep('healthyBesideHanging', beside);
      figures.push(
        figure('noisyRatio', 'noisy neighbour: healthy throughput kept', beside.result.measurement.deliveriesPerSecond / alone.result.deliveriesPerSecond, '×', {
          kind: 'min',
          limit: 0.9,
        }, `${Math.round(beside.result.measurement.deliveriesPerSecond)} vs ${Math.round(alone.result.deliveriesPerSecond)} deliveries/s`),
      );
    }

    if (only.has('tenants')) {
      ctx.progress(`noisy tenant: a healthy account at 100 events/s for ${sizes.tenantMs / 1000} s alone, then as long beside an account with 20 hanging endpoints and a replay burst`);
      const { alone, beside, noisyRequests } = keep('tenantHealthy', await measureNoisyTenant(ctx));
      const aloneP99 = alone.latency.p99Ms;
      const besideP99 = beside.latency.p99Ms;
      const samples = (half: TenantHalf) => `${half.latency.events} first attempts, load ${half.loadAverage.toFixed(1)}`;
      figures.push(
        figure('tenantAloneP99', 'noisy tenant: healthy account time to first attempt p99, alone', aloneP99, 'ms', undefined, samples(alone)),
        figure('tenantBesideP99', 'noisy tenant: healthy account time to first attempt p99, beside the noisy one', besideP99, 'ms', undefined, `${samples(beside)}; ${noisyRequests} attempts of the noisy account hanging`),
        // Against 1 ms at least: a p99 below it (the delivery beat the 202) would make any ratio meaningless.
        figure('tenantRatio', 'noisy tenant: healthy p99 beside ÷ alone', Math.max(1, besideP99) / Math.max(1, aloneP99), '×', { kind: 'max', limit: 2 }),
      );
    }

    if (only.has('backlog')) {
      ctx.progress(`backlog: ${sizes.backlogEvents} events over ${sizes.backlogSmall} pending`);
      const small = keep('backlogSmall', await measureWithBacklog(ctx, sizes.backlogSmall));
      ctx.progress(`backlog: ${sizes.backlogEvents} events over ${sizes.backlogLarge} pending`);
      const large = keep('backlogLarge', await measureWithBacklog(ctx, sizes.backlogLarge));
      const cost = (m: DeliveryMeasurement) => (m.seconds * 1e6) / m.deliveries;
      const cpu = (m: DeliveryMeasurement) => (m.hookdCpuMicrosPerDelivery === null ? 'n/a' : m.hookdCpuMicrosPerDelivery.toFixed(0));
      figures.push(
        figure('backlogRatio', `backlog: cost per delivery, ${sizes.backlogLarge.toLocaleString('en-US')} ÷ ${sizes.backlogSmall.toLocaleString('en-US')} pending`, cost(large) / cost(small), '×', {
          kind: 'max',
          limit: 1.2,
        }, `${cost(large).toFixed(0)} vs ${cost(small).toFixed(0)} µs; hookd CPU ${cpu(large)} vs ${cpu(small)} µs`),
      );
    }

    if (only.has('nodes')) {
      const nodes = await measureNodes(ctx);
      raw.nodes = nodes;
      const { oneNode, twoNodes, join } = nodes;
      const cpu = (m: DeliveryMeasurement) => (m.hookdCpuMicrosPerDelivery === null ? 'n/a' : `${m.hookdCpuMicrosPerDelivery.toFixed(0)} µs`);
      const database = (m: DeliveryMeasurement) => (m.databaseCpuMicrosPerDelivery === null ? 'n/a' : `${m.databaseCpuMicrosPerDelivery.toFixed(0)} µs`);
      figures.push(
        figure('nodes1', 'nodes: delivery, 1 endpoint, 1 worker node', oneNode.deliveriesPerSecond, 'deliveries/s', undefined,
          `hookd CPU ${cpu(oneNode)}, PostgreSQL CPU ${database(oneNode)} per delivery`),
        figure('nodes2', 'nodes: delivery, 1 endpoint, 2 worker nodes', twoNodes.deliveriesPerSecond, 'deliveries/s', undefined,
          `hookd CPU ${cpu(twoNodes)}, PostgreSQL CPU ${database(twoNodes)} per delivery, ${twoNodes.duplicates} received twice`),
        figure('nodesRatio', 'nodes: 2 worker nodes ÷ 1', twoNodes.deliveriesPerSecond / oneNode.deliveriesPerSecond, '×', { kind: 'min', limit: 1 }),
        figure('nodesJoin', 'nodes: third node, /ready to first attempt', join.readyToFirstAttemptMs ?? Infinity, 'ms', { kind: 'max', limit: 1000 },
          `${join.readyToFirstAttemptMs === null ? 'no attempt within 30 s; ' : ''}started in ${join.startMs.toFixed(0)} ms, made ${join.thirdNodeAttempts} attempts of the ${join.events} deliveries`),
      );
    }

    if (only.has('destinations')) {
      const { reachable, missing } = await reachableBrokers();
      for (const line of missing) {
        notes.push(`destinations: left out ${line}`);
        ctx.progress(`destinations: LEFT OUT ${line}`);
      }
      ctx.progress(`destinations: ${sizes.destinationEvents} events to 1 endpoint over HTTP, then to ${reachable.map((broker) => BROKER_LABELS[broker]).join(', ') || 'no broker'}`);
      const httpRun = await measureHttpDestination(ctx);
      rss.push({ run: 'destination-http', peakRssBytes: httpRun.peakRssBytes });
      const http = httpRun.result;
      const measured: DestinationFigures = { http, brokers: {} };
      figures.push(figure('destHttp', 'destinations: HTTP, 1 endpoint', http.deliveriesPerSecond, 'deliveries/s', undefined, cpuNote(http.hookdCpuMicrosPerDelivery, 'delivery')));
      for (const broker of reachable) {
        const run = await measureBrokerDestination(ctx, broker);
        rss.push({ run: `destination-${broker}`, peakRssBytes: run.peakRssBytes });
        const result = (measured.brokers[broker] = run.result);
        figures.push(
          figure(`dest${capitalised(broker)}`, `destinations: ${BROKER_LABELS[broker]}, 1 endpoint`, result.deliveriesPerSecond, 'deliveries/s', undefined, cpuNote(result.hookdCpuMicrosPerDelivery, 'delivery')),
          figure(`dest${capitalised(broker)}Ratio`, `destinations: ${BROKER_LABELS[broker]} ÷ HTTP`, result.deliveriesPerSecond / http.deliveriesPerSecond, '×'),
        );
      }
      raw.destinations = measured;
    }

    if (only.has('fifo')) {
      ctx.progress(`fifo: ${sizes.fifoEvents} events to 1 endpoint, unordered, then fifo over ${FIFO_KEYS} ordering keys`);
      const runs = await measureFifo(ctx);
      const unordered = keep('fifoUnordered', runs.unordered);
      const fifo = keep('fifoOrdered', runs.fifo);
      const cpu = (m: DeliveryMeasurement) => (m.hookdCpuMicrosPerDelivery === null ? 'n/a' : `${m.hookdCpuMicrosPerDelivery.toFixed(0)} µs`);
      figures.push(
        figure('fifoNone', 'ordering: delivery, 1 endpoint, unordered', unordered.deliveriesPerSecond, 'deliveries/s', undefined, `hookd CPU ${cpu(unordered)} per delivery`),
        figure('fifo', `ordering: delivery, 1 fifo endpoint, ${FIFO_KEYS} keys`, fifo.deliveriesPerSecond, 'deliveries/s', undefined, `hookd CPU ${cpu(fifo)} per delivery`),
        figure('fifoRatio', 'ordering: fifo ÷ unordered', fifo.deliveriesPerSecond / unordered.deliveriesPerSecond, '×'),
      );
    }

    const peaks = rss.flatMap((run) => (run.peakRssBytes === null ? [] : [run.peakRssBytes / MB]));
    if (peaks.length > 0) {
      const worst = rss.reduce((a, b) => ((a.peakRssBytes ?? 0) >= (b.peakRssBytes ?? 0) ? a : b));
      figures.push(figure('peakRss', 'hookd peak RSS, worst run', Math.max(...peaks), 'MB', { kind: 'max', limit: 200 }, worst.run));
    }
  } finally {
    await receiver.close();
  }

  const title = `hookd bench — ${backend}${serverNote(postgres)}${args.quick ? ' — quick' : ''}${args.peers ? ' — with peers' : ''}${tuningNote()} — ${machineNote(machine, started)}`;
  const peakRssLine = rss.length === 0 ? '' : '\nPeak RSS per run: ' + rss.map((r) => `${r.run} ${r.peakRssBytes === null ? 'n/a' : (r.peakRssBytes / MB).toFixed(0) + ' MB'}`).join(', ') + '\n';
  const notesLines = notes.map((note) => `Note: ${note}\n`).join('');
  process.stdout.write(table(title, figures) + '\n' + peakRssLine + notesLines);
  writeJson({ machine, backend, postgres: serverOf(postgres), quick: args.quick, peers: args.peers, tuning: tuningFromEnvironment(), sizes, figures, peakRss: rss, notes, runs: raw });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
