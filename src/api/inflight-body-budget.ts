import { Transform } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from './errors.js';

// A cap on the bytes of request bodies held at once (HOOKD_MAX_INFLIGHT_BODY_BYTES): each route's
// bodyLimit bounds one request, this bounds them together, so a few concurrent maximum batches
// cannot take the process's memory. A body is counted from its first byte until its response is
// finished or its connection closed — the parsed value lives through the handler too — and is
// released exactly once, whichever happens, so an aborted upload never keeps its share.

export class InflightBodyBudget {
  private used = 0;
  constructor(readonly limitBytes: number) {}

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  get usedBytes(): number {
    return this.used;
  }
}

function overBudget(): ApiError {
  return new ApiError('service_unavailable', 'too many request bodies are being received at once; retry shortly');
}

export interface InflightBodyBudgetOptions {
  budget: InflightBodyBudget;
}

/** Not encapsulated: it counts the bodies of every plugin's routes. */
export const inflightBodyBudget = fp<InflightBodyBudgetOptions>(
  async (app, { budget }) => {
    app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply, payload) => {
      const declared = request.headers['content-length'];
      const chunked = request.headers['transfer-encoding'] !== undefined;
      if (declared === undefined && !chunked) return payload;
      const contentLength = Number(declared);
      // Over the route's own limit: the parser answers 413 without reading it, so it costs nothing.
      if (contentLength > request.routeOptions.bodyLimit) return payload;

      let held = 0;
      reply.raw.once('close', () => budget.release(held));
      if (!chunked && Number.isSafeInteger(contentLength)) {
        if (!budget.tryReserve(contentLength)) throw overBudget();
        held = contentLength;
        return payload;
      }
      // No length announced: counted as the bytes arrive.
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (!budget.tryReserve(chunk.length)) return callback(overBudget());
          held += chunk.length;
          counted.receivedEncodedLength = held;
          callback(null, chunk);
        },
      }) as Transform & { receivedEncodedLength: number };
      counted.receivedEncodedLength = 0;
      payload.on('error', (error) => counted.destroy(error));
      return payload.pipe(counted);
    });
  },
  { name: 'hookd-inflight-body-budget' },
);
