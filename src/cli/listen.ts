import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hookd, signWebhook, WebhookVerificationError } from '@hookd/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { usageError } from './client-options.js';
import { EndpointNames, type EndpointOfWebhook } from './endpoint-names.js';
import { forwardWebhook, type ForwardOutcome } from './forward.js';
import { integerBetween } from './option-parsers.js';
import { formatWebhook, verificationOf, type ReceivedWebhook, type Verification } from './received-webhook.js';
import { painterFor, statusStyle, type Paint } from './style.js';

// hookd listen: a local receiver for trying hookd out. It prints every webhook it gets, says which
// endpoint sent it (given a key to ask hookd) and whether its signature verifies, and answers with
// the status chosen (a list plays in turn, so a receiver that fails twice and then recovers is one
// flag away) — or, with --forward-to, hands it to a local app and relays the app's answer.

interface ListenFlags {
  port: number;
  host: string;
  secret?: string[];
  status: number[];
  delayMs: number;
  forwardTo?: URL;
  url: string;
  key?: string;
  json?: boolean;
}

/** Bodies past this are refused with 413; hookd's largest is well under it. */
const BODY_MAX_BYTES = 5 * 1024 * 1024;

type Answer = { kind: 'chosen'; status: number } | { kind: 'refused'; status: 401; reason: string } | { kind: 'forwarded'; outcome: ForwardOutcome };

export function registerListenCommand(program: Command): void {
  program
    .command('listen')
    .description('a local webhook receiver: prints each request and the endpoint that sent it, verifies its signature, answers the status you choose or forwards it to your app')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free one)').argParser(integerBetween(0, 65_535)).default(9000))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--secret <whsec>', 'the endpoint’s signing secret, or its whpk_ public key when it signs with ed25519, to verify signatures (repeatable during a rotation)')
        .env('HOOKD_WEBHOOK_SECRET')
        .argParser((value: string, previous: string[] = []) => [...previous, checkedSecret(value)]),
    )
    .addOption(new Option('--status <codes>', 'the status to answer; a list (503,503,200) is played in turn, its last repeating').argParser(statusList).default([200], '200'))
    .addOption(new Option('--delay-ms <ms>', 'wait this long before answering').argParser(integerBetween(0, 600_000)).default(0))
    .addOption(
      new Option('--forward-to <url>', 'send each verified webhook on to this URL (your app) and answer hookd with its response')
        .argParser(forwardUrl)
        .conflicts(['status', 'delayMs']),
    )
    .addOption(new Option('--url <url>', 'the hookd that sends, asked which endpoint sent each webhook (with --key)').env('HOOKD_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--key <key>', 'an API key of that hookd, to name the sending endpoint').env('HOOKD_KEY'))
    .option('--json', 'one JSON object per request, for scripts')
    .action(async (flags: ListenFlags) => {
      const secrets = flags.secret ?? [];
      const paint = painterFor(process.stdout);
      const names = namesFrom(flags);
      let received = 0;
      let verified = 0;

      const server = createServer((req, res) => {
        readBody(req, async (body) => {
          if (body === null) {
            res.writeHead(413, { 'content-type': 'text/plain' }).end('body too large\n');
            return;
          }
          const request: ReceivedWebhook = { receivedAt: new Date(), method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, body };
          const verification = verificationOf(request, secrets);
          const turn = received;
          received += 1;
          if (verification.checked && verification.verified) verified += 1;
          const [from, answer] = await Promise.all([
            names?.of(header(req, 'webhook-id')) ?? Promise.resolve(null),
            answerFor(request, verification, flags, turn),
          ]);
          process.stdout.write(flags.json ? `${asJson(request, verification, from, answer)}\n` : `${formatWebhook(request, verification, paint, from)}\n  ${describeAnswer(answer, flags, paint)}\n\n`);
          const send = () => respond(res, answer);
          if (answer.kind === 'chosen' && flags.delayMs > 0) setTimeout(send, flags.delayMs);
          else send();
        });
      });
      server.on('clientError', (_error, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) =>
          error.code === 'EADDRINUSE' || error.code === 'EACCES' ? usageError(`cannot listen on ${flags.host}:${flags.port}: ${error.code}`) : reject(error),
        );
        server.listen(flags.port, flags.host, resolve);
      });
      const { port } = server.address() as AddressInfo;
      const url = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${port}`;
      const checking = secrets.length === 0 ? 'not checking signatures (no --secret)' : `checking signatures with ${secrets.length === 1 ? 'the secret' : `${secrets.length} secrets`}`;
      const answering = flags.forwardTo !== undefined ? `forwarding to ${flags.forwardTo.toString()}` : `answering ${flags.status.join(', ')}`;
      const naming = names === null ? 'not naming endpoints (no --key)' : `naming endpoints from ${flags.url}`;
      process.stderr.write(`hookd listen: receiving webhooks on ${url} — ${answering}; ${checking}; ${naming}. Ctrl-C to stop.\n`);

      const stop = () => {
        server.closeAllConnections();
        server.close(() => {
          process.stderr.write(`hookd listen: received ${received} ${received === 1 ? 'webhook' : 'webhooks'}${secrets.length === 0 ? '' : `, ${verified} verified`}\n`);
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function namesFrom(flags: ListenFlags): EndpointNames | null {
  if (flags.key === undefined || flags.key === '') return null;
  try {
    return new EndpointNames(new Hookd({ url: flags.url, key: flags.key }));
  } catch (error) {
    usageError(`--url: ${(error as Error).message}`);
  }
}

/** A webhook whose signature was checked and failed is not passed to the app: it would refuse it too. */
async function answerFor(request: ReceivedWebhook, verification: Verification, flags: ListenFlags, turn: number): Promise<Answer> {
  if (flags.forwardTo === undefined) return { kind: 'chosen', status: flags.status[Math.min(turn, flags.status.length - 1)]! };
  if (verification.checked && !verification.verified) return { kind: 'refused', status: 401, reason: verification.message };
  return { kind: 'forwarded', outcome: await forwardWebhook(flags.forwardTo, request) };
}

function respond(res: ServerResponse, answer: Answer): void {
  if (answer.kind === 'forwarded' && answer.outcome.ok) {
    res.writeHead(answer.outcome.status, answer.outcome.headers).end(answer.outcome.body);
    return;
  }
  const status = statusOf(answer);
  const text =
    answer.kind === 'refused'
      ? `hookd listen did not forward: signature not verified (${answer.reason})\n`
      : answer.kind === 'forwarded' && !answer.outcome.ok
        ? `hookd listen could not reach the app: ${answer.outcome.error}\n`
        : status >= 200 && status < 300
          ? 'ok\n'
          : `hookd listen answered ${status}\n`;
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

/** The status hookd gets: the one chosen, 401 for a forged webhook, the app's, or 502 when the app is down. */
function statusOf(answer: Answer): number {
  if (answer.kind !== 'forwarded') return answer.status;
  return answer.outcome.ok ? answer.outcome.status : 502;
}

function describeAnswer(answer: Answer, flags: ListenFlags, paint: Paint): string {
  const status = statusOf(answer);
  const shown = paint(['bold', statusStyle(status)], String(status));
  switch (answer.kind) {
    case 'chosen':
      return `→ ${shown}${flags.delayMs > 0 ? ` in ${flags.delayMs} ms` : ''}`;
    case 'refused':
      return `→ ${shown} not forwarded: the signature does not verify`;
    case 'forwarded':
      return answer.outcome.ok
        ? `→ forwarded to ${flags.forwardTo!.toString()}: ${shown} in ${answer.outcome.durationMs} ms, relayed to hookd`
        : `→ forwarded to ${flags.forwardTo!.toString()}: ${paint('red', answer.outcome.error)}; answered hookd ${shown}`;
  }
}

function asJson(request: ReceivedWebhook, verification: Verification, from: EndpointOfWebhook | null, answer: Answer): string {
  const { receivedAt, body, ...rest } = request;
  const endpoint = from === null ? null : from.known ? from.endpoint : { unknown: from.reason };
  const forwarded =
    answer.kind !== 'forwarded' ? null : answer.outcome.ok ? { status: answer.outcome.status, durationMs: answer.outcome.durationMs } : { error: answer.outcome.error, durationMs: answer.outcome.durationMs };
  return JSON.stringify({ receivedAt: receivedAt.toISOString(), ...rest, body: body.toString('utf8'), endpoint, verification, status: statusOf(answer), forwarded });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or null once it passes the cap (the rest is not kept). */
function readBody(req: IncomingMessage, done: (body: Buffer | null) => Promise<void>): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= BODY_MAX_BYTES) chunks.push(chunk);
  });
  req.on('end', () => void done(size > BODY_MAX_BYTES ? null : Buffer.concat(chunks)));
}

function checkedSecret(value: string): string {
  // An ed25519 endpoint's public key (GET /v1/public-keys/{id}) verifies its v1a signatures.
  if (value.startsWith('whpk_')) {
    const key = value.slice('whpk_'.length);
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32) return value;
    throw new InvalidArgumentError('expected whpk_ followed by the base64 of 32 bytes, as GET /v1/public-keys/{id} shows it');
  }
  try {
    signWebhook(value, 'msg_check', 0, '');
    return value;
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new InvalidArgumentError('expected whsec_ followed by base64, as hookd shows it (or an ed25519 endpoint\'s whpk_ public key)');
    throw error;
  }
}

function statusList(value: string): number[] {
  const codes = value.split(',').map((code) => Number(code.trim()));
  if (codes.some((code) => !Number.isInteger(code) || code < 200 || code > 599)) {
    throw new InvalidArgumentError('expected HTTP statuses from 200 to 599, comma-separated');
  }
  return codes;
}

function forwardUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:3000/webhooks');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http or https URL');
  return url;
}
