import { createServer, connect, type Server, type Socket } from 'node:net';

// A loopback TCP proxy between hookd and one of the machine's brokers, so a test can take the
// broker away from hookd without touching the broker itself (other tests share it): drop every
// open connection, refuse new ones for a while, or stall the open ones — sockets left open that
// carry nothing more, as after a network partition nobody has noticed yet.

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Connections open through the proxy now. */
  openConnections(): number;
  /** Connections accepted and piped to the broker since the start. */
  acceptedConnections(): number;
  /** Destroys every open connection (both sides), as a broker restart would. */
  dropAll(): void;
  /** While refusing, the port is not listened on: connecting to it is refused (ECONNREFUSED). */
  refuse(refusing: boolean): Promise<void>;
  /** The open connections carry nothing more and are never closed; new ones work as before. */
  stallAll(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Pair>();
  const stalled = new Set<Pair>();
  let accepted = 0;

  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    open.add(pair);
    const end = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    openConnections: () => open.size,
    acceptedConnections: () => accepted,
    dropAll() {
      for (const pair of [...open]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
    },
    async refuse(refusing) {
      // Closing the listener keeps the open connections (dropAll ends those); listening again takes the same port.
      // (close() stops listening at once; its callback would wait for the open connections to end.)
      if (refusing) server.close();
      else await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    stallAll() {
      for (const pair of open) {
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        // Read nothing more from either side: what is sent waits in the kernel's buffers, unanswered.
        pair.client.pause();
        pair.upstream.pause();
        stalled.add(pair);
      }
      // They stay open (and counted) until the proxy closes.
    },
    async close() {
      for (const pair of [...open, ...stalled]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
