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
import { CallbackSecrets } from './delivery/callback-secrets.js';
import { generateSecret } from './domain/signing.js';
import { BrokerSender } from './delivery/destinations/broker-sender.js';
import { HttpSender } from './delivery/sender.js';
import type { Resolver } from './delivery/dns-guard.js';
import { AutoDisableSweep } from './maintenance/auto-disable.js';
import { RetentionSweep } from './maintenance/retention.js';
import { RollupShardMerge } from './maintenance/rollup-merge.js';
import { DeliveryWorker } from './delivery/worker.js';
import { OperationalEvents } from './ingest/operational-events.js';
import { isOperationalType } from './domain/subscriptions.js';
import { Operations } from './operations/operations.js';
import { OperationTimeoutSweep } from './operations/timeout-sweep.js';
import { Publisher } from './ingest/publisher.js';
import { DatabaseQueue } from './queue/delivery-queue.js';
import { resolveSealingKey, type SealingKey } from './encryption-key-file.js';
import { openAdminKeyOutlet, printingOutlet, type AdminKeyOutlet } from './first-admin-key.js';
import { createLogger, resolveLogFormat } from './log.js';
import { logDeliveryRecorded } from './observability/delivery-log.js';
import { HookdMetrics } from './observability/metrics.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { databaseFailure, listenFailure, StartupFailure } from './startup-failure.js';
import { USER_AGENT } from './version.js';

// Starting and stopping one hookd node: open and migrate the store, bind the HTTP port, make sure
// an admin key exists, then start the worker as the role asks.

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
  rollupMerge: RollupShardMerge | null;
  /** Resolves once the worker's claim loop has run and waits (at once on api nodes): see DeliveryWorker.claimLoopRan. */
  claimLoopRan(): Promise<void>;
  /** Deliveries the worker holds: waiting in its lanes, in flight, or with results being written. */
  workerLoad(): number;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /**
   * Where the generated admin key is printed. By default: stderr when it is a terminal, else a 0600
   * file whose path is logged (first-admin-key.ts); never the log.
   */
  print?: (line: string) => void;
  /**
   * How often an idle worker looks at the queue when nothing woke it (1 s by default). Tests set it
   * far out to prove that new work is started by the wake-ups, not found by polling.
   */
  idlePollMs?: number;
  /** The DNS whose answers the URL guard checks at connect time (the system's by default). */
  resolve?: Resolver;
}

/**
 * The admin key of HOOKD_ADMIN_KEY is stored (hashed) before the port is bound, so that it works
 * from the first request a client sends once /ready answers.
 */
async function storeConfiguredAdminKey(store: Store, config: Config, clock: Clock): Promise<void> {
  if (config.adminKey !== null) {
    const keyHash = hashApiKey(config.adminKey);
    if ((await store.findKeyByHash(keyHash)) !== null) return;
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
  }
}

/**
 * With no HOOKD_ADMIN_KEY, an empty database gets an admin key generated once the port is bound
 * (a node that cannot start makes none), handed to the outlet (opened first: first-admin-key.ts).
 */
async function generateFirstAdminKey(store: Store, config: Config, clock: Clock, openOutlet: () => AdminKeyOutlet): Promise<string | null> {
  if (config.adminKey !== null || (await store.countLiveKeys('admin')) > 0) return null;
  const outlet = openOutlet();
  const { clearKey } = await createApiKey(store, clock, { kind: 'admin', accountId: null, name: 'generated on first start', expiresAt: null });
  outlet(clearKey);
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

/**
 * Says where the key came from when it matters to the operator, then seals what a start without a
 * key (or an older version, or an old key) left stale. A value sealed with a key that is not
 * configured — the key file lost or replaced — stops the start: the secrets cannot be read.
 */
async function sealStaleSecretsAtStart(store: Store, sealingKey: SealingKey, log: Logger): Promise<void> {
  if (sealingKey.source === 'file-created') {
    log.warn({ path: sealingKey.file }, 'generated the key that seals secrets at rest: back this file up with the database, a backup without it cannot be used');
  }
  if (sealingKey.source === 'none') {
    log.warn('secrets are stored in the clear (HOOKD_INSECURE_PLAINTEXT_SECRETS): anyone who reads the database or a dump can sign as hookd and call your receivers; set HOOKD_ENCRYPTION_KEY');
  }
  try {
    const sealed = await store.sealStaleSecrets();
    if (sealed.endpoints + sealed.accounts + sealed.settings > 0) log.info(sealed, 'sealed secrets stored in the clear or under an old key');
  } catch (error) {
    if (error instanceof SecretBoxError) {
      const where = sealingKey.file === null ? 'HOOKD_ENCRYPTION_KEY' : `the key file ${sealingKey.file} (or HOOKD_ENCRYPTION_KEY)`;
      throw new StartupFailure(`${error.message}: restore ${where} from your backup, or add the old key to HOOKD_ENCRYPTION_OLD_KEYS`);
    }
    throw databaseFailure(error, sealingKey.config.databaseUrl);
  }
}

/** A start-up step on the database: its failure is one line naming HOOKD_DATABASE_URL. */
async function inDatabase<T>(config: Config, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw databaseFailure(error, config.databaseUrl);
  }
}

/** Opens the store and brings its schema up to date; a failure is one line naming HOOKD_DATABASE_URL. */
export async function prepareStore(config: Config, clock: Clock = systemClock): Promise<Store> {
  const box = secretBoxOf(config);
  let store: Store | null = null;
  try {
    store = openStore(config.databaseUrl, box);
    await store.migrate();
    await store.upsertBuiltInEventTypes(BUILT_IN_EVENT_TYPES.map((type) => ({ ...type, createdAt: clock.now(), updatedAt: clock.now() })));
    return store;
  } catch (error) {
    await store?.close().catch(() => undefined);
    throw databaseFailure(error, config.databaseUrl);
  }
}

/**
 * Starts in an order that never acts before it can serve: the database is opened and migrated,
 * the port bound, and only then is the worker started. A node that cannot bind its port (a second
 * `hookd serve` on a port in use) therefore exits without having claimed or sent anything.
 */
export async function startHookd(given: Config, options: StartOptions = {}): Promise<RunningHookd> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(given.logLevel, undefined, resolveLogFormat(given.logFormat));
  const sealingKey = resolveSealingKey(given);
  const config = sealingKey.config;
  const store = await prepareStore(config, clock);
  const queue = new DatabaseQueue(store);
  const publisher = new Publisher(store, queue, clock);
  let worker: DeliveryWorker | null = null;
  let sender: HttpSender | null = null;
  let brokers: BrokerSender | null = null;
  let app: FastifyInstance | null = null;
  let generatedAdminKey: string | null;
  let callbackSecrets: CallbackSecrets;
  const metrics = new HookdMetrics({
    store,
    clock,
    role: config.role,
    workerConcurrency: config.role === 'api' ? null : config.workerConcurrency,
    workerLoad: () => worker?.load ?? 0,
    workerTaken: () => worker?.deliveriesTaken ?? { handOff: 0, claim: 0, retry: 0 },
    onQueueError: (error) => log.warn({ err: error }, 'metrics could not read the queue'),
  });
  publisher.onIngested((outcomes) => metrics.eventsIngested(outcomes));
  const operational = new OperationalEvents(publisher, clock, (error) => log.error({ err: error }, 'publishing an operational event failed'));
  const operations = new Operations(store, publisher, clock);

  const print = options.print;
  const outlet = print !== undefined ? () => printingOutlet(print) : () => openAdminKeyOutlet(config, log);
  try {
    await sealStaleSecretsAtStart(store, sealingKey, log);
    const providerSecret = await inDatabase(config, () => store.initSetting(CALLBACK_SECRET_SETTING, generateSecret()));
    // One cache per node, shared by the API and the worker.
    callbackSecrets = new CallbackSecrets(store, providerSecret);
    await inDatabase(config, () => storeConfiguredAdminKey(store, config, clock));
    app = await buildApp({
      config,
      store,
      clock,
      publisher,
      log,
      callbackSecrets,
      operations,
      metrics,
      operational,
      // The worker starts after the API: until then (and on an API-only node) there is nothing to let go of.
      onEndpointChanged: (endpointId) => {
        sender?.forgetEndpoint(endpointId);
        brokers?.forgetEndpoint(endpointId);
      },
    });
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      throw listenFailure(error, config.host, config.port);
    }
    generatedAdminKey = await inDatabase(config, () => generateFirstAdminKey(store, config, clock, outlet));
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  // A check that cannot read the settings is no reason not to start.
  for (const warning of await store.configurationWarnings().catch(() => [])) log.warn({ setting: warning.setting }, warning.message);
  if (config.allowPrivateUrls) {
    log.warn('the URL guard is off (HOOKD_ALLOW_PRIVATE_URLS): webhooks may be sent to loopback, private and cloud-metadata addresses; never run like this where endpoint URLs come from others');
  }

  let autoDisable: AutoDisableSweep | null = null;
  let retention: RetentionSweep | null = null;
  let rollupMerge: RollupShardMerge | null = null;
  let operationSweep: OperationTimeoutSweep | null = null;
  if (config.role !== 'api') {
    sender = new HttpSender({ allowPrivateUrls: config.allowPrivateUrls, connectionsPerOrigin: config.workerConcurrency, resolve: options.resolve });
    brokers = new BrokerSender({ allowPrivateUrls: config.allowPrivateUrls, resolve: options.resolve });
    const startedWorker = new DeliveryWorker({
      queue,
      targets: store,
      sender,
      brokers,
      clock,
      random: Math.random,
      log,
      concurrency: config.workerConcurrency,
      endpointConcurrency: config.endpointConcurrency,
      leaseMs: config.leaseSeconds * 1000,
      idlePollMs: options.idlePollMs,
      userAgent: USER_AGENT,
      callbackSecrets,
      onRecorded: (delivery, record) => {
        metrics.deliveryRecorded(delivery, record);
        logDeliveryRecorded(log, delivery, record);
        operational.deliveryRecorded(delivery, record);
      },
      onEndpointChange: (endpoint, change, cause) => {
        // Like every operational event: a delivery of a hookd.* event never causes another.
        if (isOperationalType(cause.eventType)) return;
        if (change.kind === 'paused') operational.endpointPaused(endpoint, change.until, change.reason);
        else operational.endpointResumed(endpoint, 'receiver');
      },
    });
    worker = startedWorker;
    startedWorker.start();
    autoDisable = new AutoDisableSweep(store, clock, log, (endpoint) => operational.endpointDisabled(endpoint), config.autoDisableAfter);
    autoDisable.start();
    retention = new RetentionSweep(store, clock, log, config.retentionDays);
    retention.start();
    rollupMerge = new RollupShardMerge(store, clock, log);
    rollupMerge.start();
    operationSweep = new OperationTimeoutSweep(operations, log);
    operationSweep.start();
  }

  const listening: FastifyInstance = app;
  const address = listening.server.address();
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
    rollupMerge,
    claimLoopRan: () => worker?.claimLoopRan() ?? Promise.resolve(),
    workerLoad: () => worker?.load ?? 0,
    close() {
      closing ??= (async () => {
        autoDisable?.stop();
        retention?.stop();
        rollupMerge?.stop();
        await listening.close();
        await operationSweep?.stop();
        await worker?.stop();
        await sender?.close();
        await brokers?.close();
        await store.close();
        log.info('hookd stopped');
      })();
      return closing;
    },
  };
}
