// One connection per broker URL, shared by the endpoints that publish there, and closed once no
// endpoint does: an endpoint given another URL (or password), deleted or disabled lets go of its
// own, and so does one that has not published for a while. A connection that fails is dropped,
// and the next attempt opens a new one: broker clients are made not to reconnect on their own, so
// a broker that is down is each attempt's own failure (connection refused) rather than a publish
// waiting in a client's buffer. A connection on which an attempt timed out is discarded too: a
// half-open connection (the broker gone without a word, the heartbeat not due yet) would otherwise
// time out every attempt of every endpoint that shares it.

/**
 * An endpoint that has not published for this long lets go of its connection: one deleted,
 * disabled or changed through another node's API is never seen so here.
 */
const IDLE_RELEASE_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 60_000;

/** How long a connection no longer used may take to say goodbye to its broker before it is cut. */
const CLOSE_GRACE_MS = 2000;

export interface PooledConnection {
  /** Called once when the connection is lost or closed by the broker: it leaves the pool. */
  onLost(listener: () => void): void;
  close(): Promise<void>;
  /** Ends the connection now, without waiting for the broker (which may be gone). */
  destroy(): void;
}

export class BrokerPool<C extends PooledConnection> {
  /** By connect URL (with its password: a new password is a new connection). */
  private readonly connections = new Map<string, Promise<C>>();
  /** The URL each endpoint last published to, and when. */
  private readonly urlOf = new Map<string, string>();
  private readonly lastUsed = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly idle: { releaseMs: number; sweepEveryMs: number } = { releaseMs: IDLE_RELEASE_MS, sweepEveryMs: SWEEP_EVERY_MS }) {}

  /** The connection for `url`, opened with `open` if there is none, on behalf of `endpointId`. */
  connection(endpointId: string, url: string, open: () => Promise<C>): Promise<C> {
    const before = this.urlOf.get(endpointId);
    this.lastUsed.set(endpointId, performance.now());
    this.sweeper ??= setInterval(() => this.releaseIdle(), this.idle.sweepEveryMs).unref();
    if (before !== url) {
      this.urlOf.set(endpointId, url);
      if (before !== undefined) this.closeUnused(before);
    }
    let pending = this.connections.get(url);
    if (pending === undefined) {
      pending = open();
      this.connections.set(url, pending);
      pending.then(
        (connection) => connection.onLost(() => this.drop(url, pending!)),
        // A connection that could not be opened is not kept: the next attempt tries again.
        () => this.drop(url, pending!),
      );
    }
    return pending;
  }

  /** The endpoint no longer publishes (deleted, disabled, now an HTTP one). */
  forget(endpointId: string): void {
    const url = this.urlOf.get(endpointId);
    if (url === undefined) return;
    this.urlOf.delete(endpointId);
    this.lastUsed.delete(endpointId);
    this.closeUnused(url);
  }

  /**
   * The connection `pending` (as `connection` returned it) is not to be trusted any more: it leaves
   * the pool and is cut, now or once it opens. Publishes in flight on it fail and are retried.
   * Once only: the other attempts that timed out on it find it gone already.
   */
  discard(url: string, pending: Promise<C>): void {
    if (this.connections.get(url) !== pending) return;
    this.connections.delete(url);
    pending.then(
      (connection) => connection.destroy(),
      () => undefined,
    );
  }

  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    const all = [...this.connections.values()];
    this.connections.clear();
    this.urlOf.clear();
    this.lastUsed.clear();
    await Promise.all(all.map((pending) => closeQuietly(pending)));
  }

  private releaseIdle(): void {
    const now = performance.now();
    for (const [endpointId, used] of this.lastUsed) if (now - used > this.idle.releaseMs) this.forget(endpointId);
  }

  private closeUnused(url: string): void {
    for (const used of this.urlOf.values()) if (used === url) return;
    const pending = this.connections.get(url);
    if (pending === undefined) return;
    this.connections.delete(url);
    void closeQuietly(pending);
  }

  private drop(url: string, pending: Promise<C>): void {
    if (this.connections.get(url) === pending) this.connections.delete(url);
  }
}

/**
 * Closing is best effort: a connection that failed or is already gone has nothing to close, and
 * one whose broker does not answer the goodbye (a half-open connection) is cut after a grace time.
 */
async function closeQuietly<C extends PooledConnection>(pending: Promise<C>): Promise<void> {
  let connection: C;
  try {
    connection = await pending;
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
  });
  try {
    await Promise.race([connection.close().catch(() => undefined), grace]);
  } finally {
    clearTimeout(timer);
    connection.destroy();
  }
}
