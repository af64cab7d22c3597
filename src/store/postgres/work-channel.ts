import pg from 'pg';
import type { ConfigListener } from '../shared/config-cache.js';

// Wakes workers on every node when deliveries become due now, instead of each node polling
// often. Ingest sends NOTIFY after its commit (work-announcer.ts) and the FIFO chains inside
// theirs (fifo-chains.ts), so listeners hear of work only once it is committed. One dedicated
// connection per node LISTENs, and reconnects by itself (with backoff) when the database goes
// away; workers still poll slowly meanwhile, so nothing waits forever.
// The same connection hears of config changes (CONFIG_CHANNEL) for the config cache.

/** The NOTIFY channel. */
export const WORK_CHANNEL = 'hookd_work';
/** Sent by triggers when an endpoint, API key, event type or account changes (migrations/postgres/0023). */
export const CONFIG_CHANNEL = 'hookd_config';
const MAX_RECONNECT_DELAY_MS = 5000;


export class WorkChannel {
  private readonly listeners = new Set<() => void>();
  private readonly configListeners = new Set<ConfigListener>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private reconnectDelayMs = 100;

  constructor(private readonly connectionString: string) {}

  /**
   * `listener` is called for every NOTIFY of new work, and once as soon as it listens (work may
   * have come before): at the connection, or at once when the connection is up already (the config
   * cache may have opened it first).
   */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.client !== null) queueMicrotask(() => this.listeners.has(listener) && listener());
    void this.ensureListening();
    return () => this.listeners.delete(listener);
  }

  watchConfig(listener: ConfigListener): () => void {
    this.configListeners.add(listener);
    if (this.client !== null) listener.listening(true);
    void this.ensureListening();
    return () => this.configListeners.delete(listener);
  }

  private ensureListening(): Promise<void> {
    if (this.closed || this.client !== null) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    // A database host that drops packets must not hold a start or a close (CLI commands open this
    // too) for the system's TCP timeout, nor leave a half-open socket unnoticed: the config cache
    // trusts this connection to hear every change.
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5000, keepAlive: true });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    client.on('notification', (message) => {
      if (message.channel === CONFIG_CHANNEL) {
        for (const listener of this.configListeners) listener.changed();
      } else {
        for (const listener of this.listeners) listener();
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WORK_CHANNEL}; LISTEN ${CONFIG_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.reconnectDelayMs = 100;
      for (const listener of this.configListeners) listener.listening(true);
      // Work may have arrived while no one listened.
      for (const listener of this.listeners) listener();
    } catch {
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    for (const listener of this.configListeners) listener.listening(false);
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || (this.listeners.size === 0 && this.configListeners.size === 0)) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, MAX_RECONNECT_DELAY_MS);
    setTimeout(() => void this.ensureListening(), delay).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = null;
    for (const listener of this.configListeners) listener.listening(false);
    await client?.end().catch(() => undefined);
  }
}
