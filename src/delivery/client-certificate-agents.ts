import type { Agent } from 'undici';
import type { ClientCertificate } from './sender.js';

// mTLS endpoints each get connections of their own: a connection made with one endpoint's client
// certificate must never carry another endpoint's request to the same origin. One undici agent per
// endpoint, replaced (and the old one closed) when its credentials change, closed when the
// endpoint is deleted or disabled, and closed after a while without use (an endpoint deleted on
// another node is never seen deleted here).

/** The TLS options an agent's connections are made with. */
export interface ClientTls {
  cert: string;
  key: string;
  ca?: string;
}

const IDLE_CLOSE_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 60_000;

interface Held {
  version: string;
  agent: Agent;
  lastUsed: number;
}

export class ClientCertificateAgents {
  private readonly held = new Map<string, Held>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly createAgent: (tls: ClientTls) => Agent) {}

  agentFor(certificate: ClientCertificate): Agent {
    const now = performance.now();
    const current = this.held.get(certificate.endpointId);
    if (current !== undefined && current.version === certificate.version) {
      current.lastUsed = now;
      return current.agent;
    }
    if (current !== undefined) void current.agent.close();
    const { certPem: cert, keyPem: key, caPem: ca } = certificate;
    const agent = this.createAgent(ca === undefined ? { cert, key } : { cert, key, ca });
    this.held.set(certificate.endpointId, { version: certificate.version, agent, lastUsed: now });
    this.sweeper ??= setInterval(() => this.closeIdle(), SWEEP_EVERY_MS).unref();
    return agent;
  }

  forget(endpointId: string): void {
    const held = this.held.get(endpointId);
    if (held === undefined) return;
    this.held.delete(endpointId);
    // close() lets requests in flight finish.
    void held.agent.close();
  }

  private closeIdle(): void {
    const now = performance.now();
    for (const [endpointId, held] of this.held) if (now - held.lastUsed > IDLE_CLOSE_MS) this.forget(endpointId);
  }

  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    const agents = [...this.held.values()].map((held) => held.agent.close());
    this.held.clear();
    await Promise.all(agents);
  }
}
