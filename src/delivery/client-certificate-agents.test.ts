import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { ClientCertificateAgents, type ClientTls } from './client-certificate-agents.js';

// One agent per endpoint and credentials version: reused while they stay, replaced (the old one
// closed) when they change, closed when the endpoint is forgotten.

const certificate = (endpointId: string, version: string) => ({ endpointId, version, certPem: `cert ${version}`, keyPem: `key ${version}` });

describe('client-certificate agents', () => {
  it('reuses, replaces and closes each endpoint agent', async () => {
    const made: Array<{ tls: ClientTls; agent: Agent }> = [];
    const agents = new ClientCertificateAgents((tls) => {
      const agent = new Agent();
      made.push({ tls, agent });
      return agent;
    });
    const first = agents.agentFor(certificate('ep_a', 'v1'));
    expect(agents.agentFor(certificate('ep_a', 'v1'))).toBe(first);
    expect(made.map((m) => m.tls)).toEqual([{ cert: 'cert v1', key: 'key v1' }]);

    const other = agents.agentFor({ ...certificate('ep_b', 'v1'), caPem: 'ca' });
    expect(other).not.toBe(first);
    expect(made[1]!.tls).toEqual({ cert: 'cert v1', key: 'key v1', ca: 'ca' });

    const replaced = agents.agentFor(certificate('ep_a', 'v2'));
    expect(replaced).not.toBe(first);
    expect(first.closed).toBe(true);
    expect(other.closed).toBe(false);

    agents.forget('ep_b');
    expect(other.closed).toBe(true);
    await agents.close();
    expect(replaced.closed).toBe(true);
  });
});
