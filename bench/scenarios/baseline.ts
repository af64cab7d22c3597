import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BaselineJob, BaselineResult } from '../baseline-sender.js';
import type { BenchContext } from '../context.js';

// 1. The machine's limit for "send a webhook": pre-built signed requests straight to the receiver.

export interface BaselineFigures {
  concurrency: number;
  requests: number;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
}

async function sendFromOwnProcess(job: BaselineJob): Promise<BaselineResult> {
  const child = fork(fileURLToPath(new URL('../baseline-sender.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (result: BaselineResult) => resolve(result));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`baseline sender exited with ${code}`))));
    child.send(job);
  });
}

/** At the concurrency hookd uses for the same work (see run.ts). */
export async function measureBaseline(ctx: BenchContext, concurrency: number): Promise<BaselineFigures> {
  const url = ctx.receiver.url('count', `baseline${concurrency}`);
  // Warm the sender's and receiver's code paths first.
  await sendFromOwnProcess({ url, count: Math.min(2000, ctx.sizes.baselineRequests), concurrency });
  await ctx.receiver.reset();
  const result = await sendFromOwnProcess({ url, count: ctx.sizes.baselineRequests, concurrency });
  if (result.failed > 0) throw new Error(`baseline: ${result.failed} of ${result.sent} requests failed`);
  const received = await ctx.receiver.waitFor([`baseline${concurrency}`], result.sent);
  if (received[0]!.unsigned > 0) throw new Error('baseline: requests arrived unsigned');
  return {
    concurrency,
    requests: result.sent,
    requestsPerSecond: result.sent / ((result.last - result.first) / 1000),
    cpuMicrosPerRequest: result.cpuMicrosPerRequest,
  };
}
