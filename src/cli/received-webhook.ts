import type { IncomingHttpHeaders } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '@hookd/sdk';
import type { EndpointOfWebhook } from './endpoint-names.js';
import { clockTime, type Paint } from './style.js';

// What `hookd listen` makes of one request: whether its signature holds, and how to show it to a
// person trying hookd out — the headers that matter, the body pretty-printed.

export interface ReceivedWebhook {
  receivedAt: Date;
  method: string;
  /** Path and query, as sent (for a GET, what the signature covers). */
  target: string;
  headers: IncomingHttpHeaders;
  /** The bytes as received: the signature covers exactly these. */
  body: Buffer;
}

export type Verification = { checked: false } | { checked: true; verified: true } | { checked: true; verified: false; reason: string; message: string };

/** A GET has no body: Standard Webhooks as hookd applies it signs the request target instead. */
export function verificationOf(request: ReceivedWebhook, secrets: readonly string[]): Verification {
  if (secrets.length === 0) return { checked: false };
  try {
    verifyWebhook(secrets, request.headers, request.method === 'GET' ? request.target : request.body);
    return { checked: true, verified: true };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return { checked: true, verified: false, reason: error.reason, message: error.message };
  }
}

/** Headers every request has and nobody is curious about. */
const ROUTINE_HEADERS = new Set(['host', 'connection', 'content-length', 'accept', 'accept-encoding', 'accept-language', 'keep-alive', 'transfer-encoding']);
const WEBHOOK_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'webhook-event-type', 'webhook-correlation-id'];
/** Printed bodies stop here: a terminal is no place for megabytes. */
const BODY_SHOWN_MAX = 64 * 1024;

/** `from`: which endpoint sent it, when hookd was asked (listen --key); null when it was not. */
export function formatWebhook(request: ReceivedWebhook, verification: Verification, paint: Paint, from: EndpointOfWebhook | null = null): string {
  const lines: string[] = [];
  lines.push(paint('bold', `── ${clockTime(request.receivedAt)}  ${request.method} ${request.target}`));
  if (from !== null && from.known) lines.push(`  from ${paint('bold', from.endpoint.title === null ? from.endpoint.id : `“${from.endpoint.title}”`)}${from.endpoint.title === null ? '' : paint('gray', `  ${from.endpoint.id}`)}`);
  else if (from !== null) lines.push(paint('gray', `  from an endpoint hookd did not name: ${from.reason}`));

  const names = Object.keys(request.headers).filter((name) => !ROUTINE_HEADERS.has(name));
  const ordered = [...WEBHOOK_HEADERS.filter((name) => names.includes(name)), ...names.filter((name) => !WEBHOOK_HEADERS.includes(name)).sort()];
  const width = Math.max(0, ...ordered.map((name) => name.length));
  for (const name of ordered) {
    const raw = request.headers[name];
    let value = Array.isArray(raw) ? raw.join(', ') : String(raw);
    if (name === 'webhook-timestamp' && /^\d+$/.test(value)) value += paint('gray', `  (${ageOf(Number(value), request.receivedAt)})`);
    lines.push(`  ${paint('cyan', name.padEnd(width))}  ${value}`);
  }

  if (!verification.checked) lines.push(paint('gray', '  · signature not checked: give --secret whsec_… (or whpk_…) to check it'));
  else if (verification.verified) lines.push(paint('green', '  ✔ signature verified'));
  else lines.push(paint('red', `  ✘ signature NOT verified: ${verification.message}`));

  lines.push(indent(prettyBody(request.body.toString('utf8'))));
  return lines.join('\n');
}

function prettyBody(body: string): string {
  if (body === '') return '(no body)';
  let shown = body;
  try {
    shown = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON (a text body): shown as it came.
  }
  return shown.length > BODY_SHOWN_MAX ? `${shown.slice(0, BODY_SHOWN_MAX)}\n… (${shown.length - BODY_SHOWN_MAX} more characters)` : shown;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function ageOf(timestampSeconds: number, now: Date): string {
  const seconds = Math.round(now.getTime() / 1000 - timestampSeconds);
  return seconds >= 0 ? `${seconds} s ago` : `${-seconds} s ahead`;
}
