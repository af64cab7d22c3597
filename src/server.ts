import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApiKey } from './api/keys.js';
import { CALLBACK_SECRET_SETTING } from './api/settings.js';
import { buildApp } from './app.js';
import { ConfigError, type Config } from './config.js';
import { parseEncryptionKey, SecretBox, SecretBoxError } from './domain/secret-box.js';
import { systemClock, type Clock } from './domain/clock.js';
import { hashApiKey } from './domain/keys.js';
import { BUILT_IN_EVENT_TYPES } from './domain/operational-events.js';
import { generateSecret } from './domain/signing.js';
import { HttpSender } from './delivery/sender.js';
import type { Resolver } from './delivery/dns-guard.js';
import { AutoDisableSweep } from './maintenance/auto-disable.js';
import { RetentionSweep } from './maintenance/retention.js';
import { DeliveryWorker } from './delivery/worker.js';
import { OperationalEvents } from './ingest/operational-events.js';
import { Operations } from './operations/operations.js';
import { OperationTimeoutSweep } from './operations/timeout-sweep.js';
import { Publisher } from './ingest/publisher.js';
import { DatabaseQueue } from './queue/delivery-queue.js';
import { createLogger } from './log.js';
import { logDeliveryRecorded } from './observability/delivery-log.js';
import { HookdMetrics } from './observability/metrics.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { USER_AGENT } from './version.js';

// Starting and stopping one hookd node: open and migrate the store, make sure an admin key
// exists, start the worker and the HTTP server as the role asks.

export interface RunningHookd {
  /** http://host:port */
  url: string;
  port: number;
  store: Store;
  /** The admin key generated on first start of an empty database (also printed once). */
  generatedAdminKey: string | null;
  /** The maintenance sweeps of a worker node (null on api nodes), for tests to run at once. */
  autoDisable: AutoDisableSweep | null;
  retention: RetentionSweep | null;
  /** Resolves once the worker's claim loop has run and waits (at once on api nodes): see DeliveryWorker.claimLoopRan. */
  claimLoopRan(): Promise<void>;
  /** Deliveries the worker holds: waiting in its lanes, in flight, or with results being written. */
  workerLoad(): number;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Where the generated admin key is printed (stdout by default; never the log). */
  print?: (line: string) => void;
  /**
   * How often an idle worker looks at the queue when nothing woke it (1 s by default). Tests set it
   * far out to prove that new work is started by the wake-ups, not found by polling.
   */
  idlePollMs?: number;
  /** The DNS whose answers the URL guard checks at connect time (the system's by default). */
  resolve?: Resolver;
}

async function ensureAdminKey(store: Store, config: Config, clock: Clock): Promise<string | null> {
  if (config.adminKey !== null) {
    const keyHash = hashApiKey(config.adminKey);
    if ((await store.findKeyByHash(keyHash)) !== null) return null;
    try {
      await store.createKey({
        id: `key_env_${keyHash.slice(0, 16)}`,
        kind: 'admin',
        accountId: null,
        name: 'HOOKD_ADMIN_KEY',
        keyHash,
        createdAt: clock.now(),
        expiresAt: null,
        rateLimitPerSecond: null,
      });
    } catch (error) {
      // Several nodes starting at once with the same key: one of them stored it first.
      if ((await store.findKeyByHash(keyHash)) === null) throw error;
    }
    return null;
  }
  if ((await store.countLiveKeys('admin')) > 0) return null;
  const { clearKey } = await createApiKey(store, clock, { kind: 'admin', accountId: null, name: 'generated on first start', expiresAt: null });
  return clearKey;
}

/** The secret box of the configuration; a malformed key stops the start with a clear message. */
export function secretBoxOf(config: Config): SecretBox {
  try {
    return new SecretBox({
      current: config.encryptionKey === null ? null : parseEncryptionKey(config.encryptionKey, 'HOOKD_ENCRYPTION_KEY'),
      old: (config.encryptionOldKeys ?? '')
        .split(',')
        .filter((key) => key.trim() !== '')
        .map((key) => parseEncryptionKey(key, 'HOOKD_ENCRYPTION_OLD_KEYS')),
    });
  } catch (error) {
    if (error instanceof SecretBoxError) throw new ConfigError(error.message);
    throw error;
  }
}

export async function prepareStore(config: Config, clock: Clock = systemClock): Promise<Store> {
  const box = secretBoxOf(config);
  const store = openStore(config.databaseUrl, box);
  await store.migrate();
  await store.upsertBuiltInEventTypes(BUILT_IN_EVENT_TYPES.map((type) => ({ ...type, createdAt: clock.now(), updatedAt: clock.now() })));
  return store;
}

export async function startHookd(config: Config, options: StartOptions = {}): Promise<RunningHookd> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const print = options.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const store = await prepareStore(config, clock);
  const generatedAdminKey = await ensureAdminKey(store, config, clock);
  if (generatedAdminKey !== null) {
    print(`hookd: created the first admin key (shown once, keep it safe):\n\n  ${generatedAdminKey}\n`);
  }
  const callbackSecret = await store.initSetting(CALLBACK_SECRET_SETTING, generateSecret());
  const queue = new DatabaseQueue(store);
  const publisher = new Publisher(store, queue, clock);
  let worker: DeliveryWorker | null = null;
  const metrics = new HookdMetrics({
    store,
    clock,
    role: config.role,
    workerConcurrency: config.role === 'api' ? null : config.workerConcurrency,
    workerLoad: () => worker?.load ?? 0,
    onQueueError: (error) => log.warn({ err: error }, 'metrics could not read the queue'),
  });
  publisher.onIngested((outcomes) => metrics.eventsIngested(outcomes));
  const operational = new OperationalEvents(publisher, clock, (error) => log.error({ err: error }, 'publishing an operational event failed'));

  let sender: HttpSender | null = null;
  let autoDisable: AutoDisableSweep | null = null;
  let retention: RetentionSweep | null = null;
  const operations = new Operations(store, publisher, clock);
  let operationSweep: OperationTimeoutSweep | null = null;
  if (config.role !== 'api') {
    sender = new HttpSender({ allowPrivateUrls: config.allowPrivateUrls, connectionsPerOrigin: config.workerConcurrency, resolve: options.resolve });
    worker = new DeliveryWorker({
      queue,
      targets: store,
      sender,
      clock,
      random: Math.random,
      log,
      concurrency: config.workerConcurrency,
      endpointConcurrency: config.endpointConcurrency,
      leaseMs: config.leaseSeconds * 1000,
      idlePollMs: options.idlePollMs,
      userAgent: USER_AGENT,
      callbackSecret,
      onRecorded: (delivery, record) => {
        metrics.deliveryRecorded(delivery, record);
        logDeliveryRecorded(log, delivery, record);
        operational.deliveryRecorded(delivery, record);
      },
    });
    worker.start();
    autoDisable = new AutoDisableSweep(store, clock, log, (endpoint) => operational.endpointDisabled(endpoint));
    autoDisable.start();
    retention = new RetentionSweep(store, clock, log, config.retentionDays);
    retention.start();
    operationSweep = new OperationTimeoutSweep(operations, log);
    operationSweep.start();
  }

  const app: FastifyInstance = await buildApp({
    config,
    store,
    clock,
    publisher,
    log,
    callbackSecret,
    operations,
    metrics,
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info({ port, host: config.host, role: config.role, database: config.databaseUrl.split(':')[0] }, 'hookd listening');

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    generatedAdminKey,
    autoDisable,
    retention,
    claimLoopRan: () => worker?.claimLoopRan() ?? Promise.resolve(),
    workerLoad: () => worker?.load ?? 0,
    close() {
      closing ??= (async () => {
        autoDisable?.stop();
        retention?.stop();
        await app.close();
        await operationSweep?.stop();
        await worker?.stop();
        await sender?.close();
        await store.close();
        log.info('hookd stopped');
      })();
      return closing;
    },
  };
}
