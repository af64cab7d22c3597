import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { AttemptErrorCode } from '../domain/outcome.js';
import type { OutgoingRequest } from '../domain/request.js';
import { assertHostAllowed, createGuardedLookup } from './guarded-lookup.js';

// Sends one attempt over HTTP with undici: pooled keep-alive connections per origin, a hard
// per-attempt timeout, redirects never followed, and the response body read only up to what is
// kept. It never throws for a receiver's misbehaviour: every outcome is data.

/** What is kept of a response body (contract: first 4 KiB). */
export const RESPONSE_BODY_KEPT_BYTES = 4096;
/** Past this, the rest of a response is not read: the connection is dropped instead of drained. */
const RESPONSE_DRAIN_LIMIT_BYTES = 256 * 1024;

export interface SendResult {
  statusCode: number | null;
  error: AttemptErrorCode | null;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
  durationMs: number;
}

export interface HttpSenderOptions {
  allowPrivateUrls: boolean;
  /**
   * Connections per origin. At least the worker's whole concurrency: several endpoints often
   * share a host, and a per-host cap tighter than that would let one hanging endpoint queue the
   * others of its host behind it. Per-endpoint limits are the worker's lanes' job.
   */
  connectionsPerOrigin: number;
}

export class HttpSender {
  private readonly agent: Agent;
  private readonly allowPrivateUrls: boolean;

  constructor(options: HttpSenderOptions) {
    this.allowPrivateUrls = options.allowPrivateUrls;
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      // The guarded lookup checks every address a name resolves to and connects only to one it
      // checked: a receiver's DNS cannot point us at an internal address between check and connect.
      connect: { lookup: createGuardedLookup({ allowPrivate: options.allowPrivateUrls }) },
    });
  }

  async send(request: OutgoingRequest, timeoutMs: number): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const url = new URL(request.url);
      // Literal IP hosts never reach the lookup, so they are checked here.
      assertHostAllowed(url.hostname, this.allowPrivateUrls);
      const response = await this.agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method,
        headers: request.headers,
        body: request.body ?? undefined,
        signal: abort.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const responseBody = await readBody(response.body);
      return {
        statusCode: response.statusCode,
        error: null,
        responseHeaders: flattenHeaders(response.headers),
        responseBody,
        durationMs: elapsed(),
      };
    } catch (error) {
      return {
        statusCode: null,
        error: abort.signal.aborted ? 'timeout' : classifyError(error),
        responseHeaders: {},
        responseBody: null,
        durationMs: elapsed(),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function readBody(body: Dispatcher.ResponseData['body']): Promise<string | null> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let readBytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    readBytes += chunk.length;
    if (keptBytes < RESPONSE_BODY_KEPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_BODY_KEPT_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (readBytes > RESPONSE_DRAIN_LIMIT_BYTES) {
      body.destroy();
      break;
    }
  }
  if (keptBytes === 0) return null;
  // A cut may split a UTF-8 sequence; the replacement character marks it rather than failing.
  return Buffer.concat(kept).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;

export function classifyError(error: unknown): AttemptErrorCode {
  const code = (error as { code?: string } | null)?.code ?? '';
  const cause = (error as { cause?: { code?: string } } | null)?.cause?.code ?? '';
  for (const candidate of [code, cause]) {
    if (candidate === 'URL_NOT_ALLOWED') return 'url_not_allowed';
    if (candidate === 'ECONNREFUSED') return 'connection_refused';
    if (candidate === 'ENOTFOUND' || candidate === 'EAI_AGAIN' || candidate === 'EAI_FAIL') return 'dns';
    if (TLS_CODES.test(candidate)) return 'tls';
    if (
      candidate === 'UND_ERR_HEADERS_TIMEOUT' ||
      candidate === 'UND_ERR_BODY_TIMEOUT' ||
      candidate === 'UND_ERR_CONNECT_TIMEOUT' ||
      candidate === 'ETIMEDOUT'
    ) {
      return 'timeout';
    }
    if (candidate === 'ECONNRESET' || candidate === 'UND_ERR_SOCKET' || candidate === 'EPIPE') return 'connection_reset';
  }
  if (error instanceof undiciErrors.InvalidArgumentError || error instanceof TypeError) return 'invalid_request';
  return 'network';
}
