import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSender, RESPONSE_BODY_KEPT_BYTES } from './sender.js';

// The sender against a real HTTP server on loopback: what it keeps of an answer, and how an attempt
// ends when the receiver misbehaves in each phase (no timing is asserted, only outcomes).

let server: Server;
let base: string;
const sockets = new Set<Socket>();
const stalled = new Set<ServerResponse>();
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      switch (req.url) {
        case '/huge':
          // Far past what the sender drains: it must stop reading and still report the answer.
          res.writeHead(200, { 'content-type': 'text/plain' });
          writeMegabytes(res, 4);
          return;
        case '/stall-body':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('partial');
          stalled.add(res);
          return;
        case '/hang':
          stalled.add(res);
          return;
        case '/repeated':
          res.setHeader('x-seen', ['one', 'two']);
          res.writeHead(201);
          res.end('created');
          return;
        case '/early-hints':
          res.writeEarlyHints({ link: '</style.css>; rel=preload' });
          res.writeHead(204);
          res.end();
          return;
        default:
          res.writeHead(200);
          res.end();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function writeMegabytes(res: ServerResponse, megabytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'z');
  let left = (megabytes * 1024 * 1024) / chunk.length;
  const more = (): void => {
    while (left > 0) {
      left -= 1;
      if (!res.write(chunk)) {
        res.once('drain', more);
        return;
      }
    }
    res.end();
  };
  res.on('error', () => undefined);
  more();
}

function post(path: string) {
  return { method: 'POST' as const, url: `${base}${path}`, headers: { 'content-type': 'application/json' }, body: '{}' };
}

describe('HttpSender', () => {
  const sender = new HttpSender({ allowPrivateUrls: true, connectionsPerOrigin: 8 });
  afterAll(() => sender.close());

  it('keeps the status, the headers (repeated ones joined) and the body', async () => {
    const sent = await sender.send(post('/repeated'), 5000);
    expect(sent).toMatchObject({ statusCode: 201, error: null, responseBody: 'created' });
    expect(sent.responseHeaders['x-seen']).toBe('one, two');
  });

  it('answers with the final status after informational ones', async () => {
    const sent = await sender.send(post('/early-hints'), 5000);
    expect(sent).toMatchObject({ statusCode: 204, error: null, responseBody: null });
  });

  it('stops reading a huge body: the answer counts, with its first 4 KiB', async () => {
    const sent = await sender.send(post('/huge'), 10_000);
    expect(sent.statusCode).toBe(200);
    expect(sent.error).toBeNull();
    expect(sent.responseBody).toBe('z'.repeat(RESPONSE_BODY_KEPT_BYTES));
  });

  it('ends an attempt whose headers never come, and one whose body stops, as timeouts', async () => {
    const [hang, stall] = await Promise.all([sender.send(post('/hang'), 300), sender.send(post('/stall-body'), 300)]);
    expect(hang).toMatchObject({ statusCode: null, error: 'timeout', responseBody: null });
    expect(stall).toMatchObject({ statusCode: null, error: 'timeout', responseBody: null });
  });

  it('keeps its connections alive for the attempts that follow', async () => {
    // The pool first reconnects the connections that the tests above dropped.
    for (let i = 0; i < 10; i++) await sender.send(post('/ok'), 5000);
    const before = connections;
    for (let i = 0; i < 20; i++) expect((await sender.send(post('/ok'), 5000)).statusCode).toBe(200);
    expect(connections).toBe(before);
  });

  it('reports a refused connection and a URL the guard refuses as errors, never throws', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await sender.send({ ...post('/'), url: `http://127.0.0.1:${port}/` }, 5000)).error).toBe('connection_refused');
    const guarded = new HttpSender({ allowPrivateUrls: false, connectionsPerOrigin: 1 });
    expect((await guarded.send(post('/ok'), 5000)).error).toBe('url_not_allowed');
    await guarded.close();
  });
});
