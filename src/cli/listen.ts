import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook, WebhookVerificationError } from '@hookd/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { usageError } from './client-options.js';
import { integerBetween } from './option-parsers.js';
import { formatWebhook, verificationOf, type ReceivedWebhook } from './received-webhook.js';
import { painterFor, statusStyle } from './style.js';

// hookd listen: a local receiver for trying hookd out. It prints every webhook it gets, says whether
// its signature verifies, and answers with the status chosen (a list plays in turn, so a receiver
// that fails twice and then recovers is one flag away).

interface ListenFlags {
  port: number;
  host: string;
  secret?: string[];
  status: number[];
  delayMs: number;
  json?: boolean;
}

/** Bodies past this are refused with 413; hookd's largest is well under it. */
const BODY_MAX_BYTES = 5 * 1024 * 1024;

export function registerListenCommand(program: Command): void {
  program
    .command('listen')
    .description('a local webhook receiver: prints each request, verifies its signature, answers the status you choose')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free one)').argParser(integerBetween(0, 65_535)).default(9000))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--secret <whsec>', 'the endpoint’s signing secret, to verify signatures (repeatable during a rotation)')
        .env('HOOKD_WEBHOOK_SECRET')
        .argParser((value: string, previous: string[] = []) => [...previous, checkedSecret(value)]),
    )
    .addOption(new Option('--status <codes>', 'the status to answer; a list (503,503,200) is played in turn, its last repeating').argParser(statusList).default([200], '200'))
    .addOption(new Option('--delay-ms <ms>', 'wait this long before answering').argParser(integerBetween(0, 600_000)).default(0))
    .option('--json', 'one JSON object per request, for scripts')
    .action(async (flags: ListenFlags) => {
      const secrets = flags.secret ?? [];
      const paint = painterFor(process.stdout);
      let received = 0;
      let verified = 0;

      const server = createServer((req, res) => {
        readBody(req, (body) => {
          if (body === null) {
            res.writeHead(413, { 'content-type': 'text/plain' }).end('body too large\n');
            return;
          }
          const request: ReceivedWebhook = { receivedAt: new Date(), method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, body };
          const verification = verificationOf(request, secrets);
          const status = flags.status[Math.min(received, flags.status.length - 1)]!;
          received += 1;
          if (verification.checked && verification.verified) verified += 1;
          if (flags.json) {
            const { receivedAt, body: bytes, ...rest } = request;
            process.stdout.write(`${JSON.stringify({ receivedAt: receivedAt.toISOString(), ...rest, body: bytes.toString('utf8'), verification, status })}\n`);
          } else {
            const answering = `→ ${paint(['bold', statusStyle(status)], String(status))}${flags.delayMs > 0 ? ` in ${flags.delayMs} ms` : ''}`;
            process.stdout.write(`${formatWebhook(request, verification, paint)}\n  ${answering}\n\n`);
          }
          setTimeout(() => answer(res, status), flags.delayMs);
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
      process.stderr.write(`hookd listen: receiving webhooks on ${url} — answering ${flags.status.join(', ')}; ${checking}. Ctrl-C to stop.\n`);

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

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 200 && status < 300 ? 'ok\n' : `hookd listen answered ${status}\n`);
}

/** The body, or null once it passes the cap (the rest is not kept). */
function readBody(req: IncomingMessage, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= BODY_MAX_BYTES) chunks.push(chunk);
  });
  req.on('end', () => done(size > BODY_MAX_BYTES ? null : Buffer.concat(chunks)));
}

function checkedSecret(value: string): string {
  try {
    signWebhook(value, 'msg_check', 0, '');
    return value;
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new InvalidArgumentError('expected whsec_ followed by base64, as hookd shows it');
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
