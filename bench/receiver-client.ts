import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GroupStats, ReceiverReply, ReceiverRequest } from './receiver-protocol.js';

// The bench's handle on its receiver process: start it, ask it what it received, wait for counts.

export class ReceiverProcess {
  private readonly pending: Array<(reply: ReceiverReply) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (reply: ReceiverReply) => this.pending.shift()?.(reply));
  }

  static async start(): Promise<ReceiverProcess> {
    const child = fork(fileURLToPath(new URL('./receiver.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (reply: ReceiverReply) => (reply.type === 'ready' ? resolve(reply.port) : reject(new Error('receiver: unexpected reply'))));
      child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    });
    return new ReceiverProcess(child, port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** A URL on the receiver: `mode` picks its answer (see receiver.ts). */
  url(mode: 'count' | 'lat' | 'hang' | 'time' | 'fail' | 'busy', group: string, rest = 'hook'): string {
    return `http://127.0.0.1:${this.port}/${mode}/${group}/${rest}`;
  }

  private ask(request: ReceiverRequest): Promise<ReceiverReply> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.send(request);
    });
  }

  async stats(): Promise<Record<string, GroupStats>> {
    const reply = await this.ask({ type: 'stats' });
    if (reply.type !== 'stats') throw new Error('receiver: unexpected reply');
    return reply.groups;
  }

  /** Connections opened to the receiver since the last reset. */
  async connections(): Promise<number> {
    const reply = await this.ask({ type: 'stats' });
    if (reply.type !== 'stats') throw new Error('receiver: unexpected reply');
    return reply.connections;
  }

  async group(name: string): Promise<GroupStats> {
    return (await this.stats())[name] ?? { count: 0, unique: 0, unsigned: 0, first: null, last: null };
  }

  /** When each event of a `lat` group arrived, by its payload seq. */
  async arrivals(group: string): Promise<Map<number, number>> {
    const reply = await this.ask({ type: 'arrivals', group });
    if (reply.type !== 'arrivals') throw new Error('receiver: unexpected reply');
    return new Map(reply.arrivals);
  }

  /** Waits until every one of `seqs` has arrived in a `lat` group; fails like waitFor when nothing new comes. */
  async waitForArrivals(group: string, seqs: number[], stallMs = 30_000): Promise<Map<number, number>> {
    let lastCount = -1;
    let lastProgress = Date.now();
    for (;;) {
      const arrivals = await this.arrivals(group);
      const count = seqs.filter((seq) => arrivals.has(seq)).length;
      if (count === seqs.length) return arrivals;
      if (count !== lastCount) {
        lastCount = count;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > stallMs) {
        throw new Error(`deliveries missing: ${seqs.length - count} of ${seqs.length} events never reached ${group}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** First-arrival latencies (ms) of /time/ groups since the last call. */
  async firstAttempts(): Promise<number[]> {
    const reply = await this.ask({ type: 'first-attempts' });
    if (reply.type !== 'first-attempts') throw new Error('receiver: unexpected reply');
    return reply.samples;
  }

  async reset(): Promise<void> {
    await this.ask({ type: 'reset' });
  }

  async releaseHanging(): Promise<void> {
    await this.ask({ type: 'release' });
  }

  /**
   * Waits until the groups have `expected` distinct webhook-ids each. Fails when nothing new
   * arrives for `stallMs`: deliveries are missing and the harness (or hookd) is broken.
   */
  async waitFor(
    groups: string[],
    expected: number,
    options: { stallMs?: number; onReceived?: (total: number) => void; /** Fails at this Date.now() even while deliveries still come. */ until?: number } = {},
  ): Promise<GroupStats[]> {
    const stallMs = options.stallMs ?? 30_000;
    let lastTotal = -1;
    let lastProgress = Date.now();
    for (;;) {
      const all = await this.stats();
      const current = groups.map((name) => all[name] ?? { count: 0, unique: 0, unsigned: 0, first: null, last: null });
      const total = current.reduce((sum, group) => sum + Math.min(group.unique, expected), 0);
      options.onReceived?.(total);
      if (current.every((group) => group.unique >= expected)) return current;
      if (total !== lastTotal) {
        lastTotal = total;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > stallMs) {
        throw new Error(
          `deliveries missing: groups ${groups.join(',')} have ${current.map((g) => g.unique).join(',')} of ${expected} each, nothing new for ${stallMs / 1000} s`,
        );
      }
      if (options.until !== undefined && Date.now() > options.until) {
        throw new Error(`deliveries missing: groups ${groups.join(',')} have ${current.map((g) => g.unique).join(',')} of ${expected} each when time ran out`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' } satisfies ReceiverRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
