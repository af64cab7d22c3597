import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { benchNow } from './clock.js';
import { BUSY_RETRY_AFTER_SECONDS, type GroupStats, type ReceiverReply, type ReceiverRequest } from './receiver-protocol.js';

// The webhook receiver of the benchmark, in its own process (forked by receiver-client.ts) so that
// it competes for the CPU like a real receiver on the same machine would. It answers 200 with an
// empty body and keeps only counters, so it costs as little per request as a receiver can.
//
// The first path segment picks the behaviour, the second names the group counted:
//   /count/<group>/…  answer 200, count
//   /lat/<group>/…    answer 200, count, and note when each event (by its payload seq) arrived
//   /hang/<group>/…   never answer (the sender's timeout ends it); counted on arrival
//   /time/<group>/…   answer 200, count events by payload seq (not by webhook-id: a soak's millions
//                     stay a few bits each), and on an event's first arrival note how long after
//                     the payload's `sentAt` it came (the soak's first-attempt latency)
//   /fail/<group>/…   answer 500
//   /busy/<group>/…   answer 429 with Retry-After

interface Group {
  count: number;
  ids: Set<string>;
  unsigned: number;
  first: number | null;
  last: number | null;
  arrivals: Map<number, number>;
  seqs: SeqSet;
}

/** Which seqs a group has received, one bit each. */
class SeqSet {
  private bits = new Uint8Array(1 << 16);
  size = 0;

  /** True when `seq` is new. */
  add(seq: number): boolean {
    const byte = seq >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    if ((this.bits[byte]! & mask) !== 0) return false;
    this.bits[byte]! |= mask;
    this.size += 1;
    return true;
  }
}

const groups = new Map<string, Group>();
const hanging = new Set<ServerResponse>();
const sockets = new Set<Socket>();
const SEQ = /"seq":(\d+)/;
const SENT_AT = /"sentAt":([\d.]+)/;
/** First-arrival latencies of /time/ groups (ms) since the bench last asked for them. */
let firstAttempts: number[] = [];
/** Connections opened to the receiver: a sender that keeps its connections alive opens few. */
let connections = 0;

function groupOf(name: string): Group {
  let group = groups.get(name);
  if (group === undefined) {
    group = { count: 0, ids: new Set(), unsigned: 0, first: null, last: null, arrivals: new Map(), seqs: new SeqSet() };
    groups.set(name, group);
  }
  return group;
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const arrivedAt = benchNow();
  const url = req.url ?? '/';
  const second = url.indexOf('/', 1);
  const third = second < 0 ? -1 : url.indexOf('/', second + 1);
  const mode = url.slice(1, second < 0 ? undefined : second);
  const group = groupOf(second < 0 ? '' : url.slice(second + 1, third < 0 ? undefined : third));
  group.count += 1;
  group.first ??= arrivedAt;
  group.last = arrivedAt;
  const id = req.headers['webhook-id'];
  if (typeof id === 'string' && mode !== 'time') group.ids.add(id);
  if (req.headers['webhook-signature'] === undefined) group.unsigned += 1;

  if (mode === 'hang') {
    req.resume();
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
    return;
  }
  if (mode === 'lat') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seq = SEQ.exec(Buffer.concat(chunks).toString('latin1'));
      if (seq !== null) group.arrivals.set(Number(seq[1]), arrivedAt);
      res.end();
    });
    return;
  }
  if (mode === 'time') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      const seq = SEQ.exec(body);
      const sentAt = SENT_AT.exec(body);
      if (seq !== null && group.seqs.add(Number(seq[1])) && sentAt !== null) firstAttempts.push(arrivedAt - Number(sentAt[1]));
      res.end();
    });
    return;
  }
  req.resume();
  if (mode === 'fail') res.statusCode = 500;
  if (mode === 'busy') {
    res.statusCode = 429;
    res.setHeader('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
  }
  req.on('end', () => res.end());
});
server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  connections += 1;
  socket.on('close', () => sockets.delete(socket));
});

function statsOf(): Record<string, GroupStats> {
  const out: Record<string, GroupStats> = {};
  for (const [name, group] of groups) {
    out[name] = { count: group.count, unique: group.ids.size + group.seqs.size, unsigned: group.unsigned, first: group.first, last: group.last };
  }
  return out;
}

function answer(reply: ReceiverReply): void {
  process.send!(reply);
}

process.on('message', (message: ReceiverRequest) => {
  switch (message.type) {
    case 'stats':
      return answer({ type: 'stats', groups: statsOf(), connections });
    case 'arrivals': {
      const arrivals = groups.get(message.group)?.arrivals ?? new Map<number, number>();
      return answer({ type: 'arrivals', arrivals: [...arrivals] });
    }
    case 'first-attempts': {
      const samples = firstAttempts;
      firstAttempts = [];
      return answer({ type: 'first-attempts', samples });
    }
    case 'reset':
      groups.clear();
      firstAttempts = [];
      connections = 0;
      return answer({ type: 'done' });
    case 'release':
      // Lets the sender's attempts to the hanging endpoint end, so that it shuts down quickly.
      for (const res of hanging) res.destroy();
      hanging.clear();
      return answer({ type: 'done' });
    case 'close':
      for (const socket of sockets) socket.destroy();
      server.close(() => process.exit(0));
      return;
  }
});
// The bench is the only reason to live: if it dies, so does the receiver.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => answer({ type: 'ready', port: (server.address() as AddressInfo).port }));
