import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { AttemptErrorCode } from '../domain/outcome.js';
import type { OutgoingRequest } from '../domain/request.js';
import { ClientCertificateAgents } from './client-certificate-agents.js';
import { assertHostAllowed, createDnsGuardedLookup, type Resolver } from './dns-guard.js';

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

/** An endpoint's client certificate (auth `mtls`): connections with it are the endpoint's own. */
export interface ClientCertificate {
  endpointId: string;
  /** credentialsVersion of the auth: a new one replaces the endpoint's connections. */
  version: string;
  certPem: string;
  keyPem: string;
  caPem?: string;
}

export interface SendOptions {
  clientCertificate?: ClientCertificate;
  /** What is kept of the response body (default the contract's 4 KiB; token responses need more). */
  keepResponseBytes?: number;
}

export interface HttpSenderOptions {
  allowPrivateUrls: boolean;
  /**
   * Connections per origin. At least the worker's whole concurrency: several endpoints often
   * share a host, and a per-host cap tighter than that would let one hanging endpoint queue the
   * others of its host behind it. Per-endpoint limits are the worker's lanes' job.
   */
  connectionsPerOrigin: number;
  /** The DNS whose answers the guard checks (the system's by default; tests answer names themselves). */
  resolve?: Resolver;
}

export class HttpSender {
  private readonly agent: Agent;
  private readonly allowPrivateUrls: boolean;
  private readonly certificateAgents: ClientCertificateAgents;
  /** Where each URL sends to, parsed and checked once (endpoints send to the same URL again and again). */
  private readonly destinations = new Map<string, Destination>();

  constructor(options: HttpSenderOptions) {
    this.allowPrivateUrls = options.allowPrivateUrls;
    // The guarded lookup checks every address a name resolves to and connects only to one it
    // checked: a receiver's DNS cannot point us at an internal address between check and connect.
    // Client-certificate agents use it too.
    const lookup = createDnsGuardedLookup({ allowPrivate: options.allowPrivateUrls, resolve: options.resolve });
    this.agent = new Agent({ connections: options.connectionsPerOrigin, keepAliveTimeout: 30_000, connect: { lookup } });
    this.certificateAgents = new ClientCertificateAgents((tls) =>
      new Agent({ connections: options.connectionsPerOrigin, keepAliveTimeout: 30_000, connect: { lookup, ...tls } }),
    );
  }

  /** An endpoint is gone or changed: its client-certificate connections are closed. */
  forgetEndpoint(endpointId: string): void {
    this.certificateAgents.forget(endpointId);
  }

  send(request: OutgoingRequest, timeoutMs: number, options: SendOptions = {}): Promise<SendResult> {
    const started = performance.now();
    let destination: Destination;
    try {
      destination = this.destinationOf(request.url);
    } catch (error) {
      return Promise.resolve(failure(classifyError(error), started));
    }
    return new Promise((resolve) => {
      // undici's dispatch with a handler of our own rather than request(): no AbortSignal, response
      // stream or async iterator per attempt, which cost more than the rest of the sending.
      const attempt = new Attempt(started, timeoutMs, options.keepResponseBytes ?? RESPONSE_BODY_KEPT_BYTES, resolve);
      const dispatcher = options.clientCertificate === undefined ? this.agent : this.certificateAgents.agentFor(options.clientCertificate);
      dispatcher.dispatch(
        {
          origin: destination.origin,
          path: destination.path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? undefined,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        attempt,
      );
    });
  }

  private destinationOf(url: string): Destination {
    let destination = this.destinations.get(url);
    if (destination === undefined) {
      const parsed = new URL(url);
      // Literal IP hosts never reach the lookup, so they are checked here.
      assertHostAllowed(parsed.hostname, this.allowPrivateUrls);
      destination = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      if (this.destinations.size >= DESTINATIONS_KEPT) this.destinations.clear();
      this.destinations.set(url, destination);
    }
    return destination;
  }

  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.certificateAgents.close()]);
  }
}

/** Parsed URLs remembered at most (templated query strings make every URL of an endpoint differ). */
const DESTINATIONS_KEPT = 2000;

/** Response headers as undici parses them: a repeated header is an array. */
type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

interface Destination {
  origin: string;
  path: string;
}

class AttemptTimeout extends Error {
  constructor() {
    super('the attempt timed out');
  }
}

/**
 * One attempt's undici handler: keeps the status, the headers and the first bytes of the body, and
 * ends the attempt at its deadline whatever phase it is in. It settles exactly once.
 */
class Attempt implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private settled = false;
  private statusCode = 0;
  private responseHeaders: Record<string, string> = {};
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private readBytes = 0;

  constructor(
    private readonly started: number,
    timeoutMs: number,
    private readonly keepBytes: number,
    private readonly settle: (result: SendResult) => void,
  ) {
    this.timer = setTimeout(() => this.timeOut(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The deadline passed while the request waited for a connection.
    if (this.timedOut) controller.abort(new AttemptTimeout());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx are informational: the real answer follows.
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.responseHeaders = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.readBytes += chunk.length;
    if (this.keptBytes < this.keepBytes) {
      const part = chunk.subarray(0, this.keepBytes - this.keptBytes);
      this.kept.push(part);
      this.keptBytes += part.length;
    }
    if (this.readBytes > RESPONSE_DRAIN_LIMIT_BYTES) {
      // Enough: the answer is what was read so far, and the connection is dropped.
      this.answered();
      controller.abort(new Error('response body too large to drain'));
    }
  }

  onResponseEnd(): void {
    this.answered();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(failure(this.timedOut ? 'timeout' : classifyError(error), this.started));
  }

  private timeOut(): void {
    this.timedOut = true;
    this.controller?.abort(new AttemptTimeout());
    this.finish(failure('timeout', this.started));
  }

  private answered(): void {
    // A cut may split a UTF-8 sequence; the replacement character marks it rather than failing.
    const responseBody = this.keptBytes === 0 ? null : Buffer.concat(this.kept).toString('utf8');
    this.finish({
      statusCode: this.statusCode,
      error: null,
      responseHeaders: this.responseHeaders,
      responseBody,
      durationMs: elapsedSince(this.started),
    });
  }

  private finish(result: SendResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.settle(result);
  }
}

function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}

function failure(error: AttemptErrorCode, started: number): SendResult {
  return { statusCode: null, error, responseHeaders: {}, responseBody: null, durationMs: elapsedSince(started) };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
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
