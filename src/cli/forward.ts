import type { IncomingHttpHeaders } from 'node:http';
import type { ReceivedWebhook } from './received-webhook.js';

// `hookd listen --forward-to <url>`: hand each webhook to an app running locally and give hookd
// the app's own answer, as Stripe's CLI does. The app sees the request as hookd sent it — same
// method, body bytes and headers, signature included — so its verification code runs unchanged;
// hookd records the app's status, headers and body as the attempt's outcome.

/** Headers that describe one hop, not the message: never carried across. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer']);
/** The app has this long to answer, as hookd's own longest attempt timeout allows. */
const FORWARD_TIMEOUT_MS = 60_000;

export interface ForwardedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  durationMs: number;
}

export type ForwardOutcome = ({ ok: true } & ForwardedAnswer) | { ok: false; error: string; durationMs: number };

/** The URL given, with the query string the webhook came with (a GET's fields travel there). */
export function forwardUrlOf(forwardTo: URL, target: string): string {
  const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  if (query === '') return forwardTo.toString();
  const url = new URL(forwardTo);
  url.search = url.search === '' ? query : `${url.search.slice(1)}&${query}`;
  return url.toString();
}

export function messageHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

export async function forwardWebhook(forwardTo: URL, webhook: ReceivedWebhook): Promise<ForwardOutcome> {
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  try {
    // Loaded on the first forward: every other command would pay for it at start.
    const { request } = await import('undici');
    const answer = await request(forwardUrlOf(forwardTo, webhook.target), {
      method: webhook.method as 'POST',
      headers: messageHeaders(webhook.headers),
      body: webhook.method === 'GET' || webhook.method === 'HEAD' ? undefined : webhook.body,
      headersTimeout: FORWARD_TIMEOUT_MS,
      bodyTimeout: FORWARD_TIMEOUT_MS,
    });
    // Raw bytes as the app sent them (undici's request does not decode a content-encoding).
    const body = Buffer.from(await answer.body.arrayBuffer());
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    return { ok: true, status: answer.statusCode, headers, body, durationMs: durationMs() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const cause = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    return { ok: false, error: cause ?? code ?? (error as Error).message, durationMs: durationMs() };
  }
}
