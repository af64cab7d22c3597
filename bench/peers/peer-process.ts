import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PacedRun } from '../pacing.js';
import { cpuSeconds } from '../proc-stats.js';
import type { PeerReply, PeerRequest } from './peer-protocol.js';
import type { PeerSetup } from './peer-sender.js';

// The bench's handle on a peer's process: start it with its queue's connection, hand it events,
// read its CPU time from /proc like hookd's, stop it.

/** Peers still running, killed if the bench itself exits early. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class PeerProcess {
  private readonly pending: Array<(reply: PeerReply) => void> = [];
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: PeerReply) => this.pending.shift()?.(reply));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        running.delete(child);
        // Whoever waits for an answer learns that none will come.
        for (const answer of this.pending.splice(0)) answer({ type: 'failed', message: `peer process exited with ${code}` });
        resolve(code);
      }),
    );
  }

  static async start(setup: PeerSetup): Promise<PeerProcess> {
    const child = fork(fileURLToPath(new URL('./peer-main.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    running.add(child);
    const peer = new PeerProcess(child);
    try {
      await peer.ask({ type: 'start', setup });
    } catch (error) {
      await peer.stop();
      throw error;
    }
    return peer;
  }

  private async ask(request: PeerRequest): Promise<PeerReply> {
    const reply = await new Promise<PeerReply>((resolve) => {
      this.pending.push(resolve);
      this.child.send(request);
    });
    if (reply.type === 'failed') throw new Error(`peer ${request.type}: ${reply.message}`);
    return reply;
  }

  async enqueueBatches(url: string, firstSeq: number, count: number, batchSize: number, callers: number): Promise<void> {
    await this.ask({ type: 'enqueueBatches', url, firstSeq, count, batchSize, callers });
  }

  async enqueuePaced(url: string, firstSeq: number, ratePerSecond: number, durationMs: number): Promise<PacedRun> {
    const reply = await this.ask({ type: 'enqueuePaced', url, firstSeq, ratePerSecond, durationMs });
    if (reply.type !== 'paced') throw new Error('peer: unexpected reply');
    return { sentAt: new Map(reply.sentAt), returnedAt: new Map(reply.returnedAt), skipped: reply.skipped };
  }

  cpuSeconds(): number | null {
    return cpuSeconds(this.child.pid!);
  }

  /** Lets the peer stop its workers and close its connections; SIGKILL after 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.ask({ type: 'stop' }).catch(() => undefined);
    if (this.child.connected) this.child.disconnect();
    await this.exited;
    clearTimeout(timer);
  }
}
