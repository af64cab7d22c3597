import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A real HTTP receiver on loopback for integration tests. Each path can be scripted to answer a
// status, answer slowly, hang, or drop the connection; every request is recorded.

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /**
   * When it was received and when its answer was written, on one counter of the receiver's events:
   * what happened before what, exactly, where two times in one millisecond would not say.
   */
  receivedOrder: number;
  /** Null until answered (and for ever when the reply is `close` or `hang`). */
  answeredOrder: number | null;
}

export type Reply =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Destroy the socket without answering. */
  | 'close'
  /** Never answer (the sender's timeout must end it). */
  | 'hang';

type Script = Reply[] | ((request: ReceivedRequest, index: number) => Reply);

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests to one path (without query). */
  requestsTo(path: string): ReceivedRequest[];
  /** Scripts a path: an array is played in order and its last reply repeats. Unscripted paths answer 200. */
  script(path: string, script: Script): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, Script>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let events = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '/',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
        receivedOrder: ++events,
        answeredOrder: null,
      };
      requests.push(received);
      const index = counts.get(path) ?? 0;
      counts.set(path, index + 1);
      const script = scripts.get(path);
      let reply: Reply = { status: 200, body: 'ok' };
      if (typeof script === 'function') reply = script(received, index);
      else if (script !== undefined && script.length > 0) reply = script[Math.min(index, script.length - 1)]!;
      if (reply === 'close') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      const { status, body = '', headers = {}, delayMs = 0 } = reply;
      const send = () => {
        received.answeredOrder = ++events;
        res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (path) => requests.filter((request) => request.path === path),
    script: (path, script) => {
      scripts.set(path, script);
      counts.set(path, 0);
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
