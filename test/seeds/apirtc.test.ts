import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Seed 003 (ApiRTC): a company's webhook URL with an "Activate" checkbox, optional HTTP headers,
// a default user agent, and an event envelope {event, time, object, objectId, props}.

const TICKET_UPDATE = { event: 'update', time: 1575976413, object: 'ticket', objectId: 100, props: { state: 'invited' } };
const CONVERSATION_END = {
  event: 'update',
  time: 1632144306,
  object: 'conversation',
  objectId: '734e3a7b-eb17-4d3f-901d-bcff178b',
  props: { eventType: 'conversationEnded', name: 'TEST', finishedAt: '2021-09-20T13:25:06+00:00' },
};

describe('seed 003: ApiRTC', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer(), startReceiver()]);
    for (const name of ['ticket.update', 'conversation.update']) {
      await server.request('POST', '/v1/event-types', { name, category: 'apirtc', examples: [name.startsWith('ticket') ? TICKET_UPDATE : CONVERSATION_END] });
    }
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('an endpoint whose Activate box is unchecked receives nothing; checking it starts deliveries', async () => {
    const endpoint = await createEndpoint(server, { url: `${receiver.url}/apizeehooks`, eventTypes: ['ticket.update'], active: false, accountId: 'company-1' });
    expect((await postEvent(server, { type: 'ticket.update', payload: TICKET_UPDATE, accountId: 'company-1' })).deliveries).toBe(0);
    await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { active: true });
    expect((await postEvent(server, { type: 'ticket.update', payload: TICKET_UPDATE, accountId: 'company-1' })).deliveries).toBe(1);
    await waitFor(() => receiver.requestsTo('/apizeehooks').length === 1);
    expect(receiver.requestsTo('/apizeehooks')).toHaveLength(1);
  });

  it('sends the raw envelope byte for byte, with custom headers and the default user agent beside them', async () => {
    await createEndpoint(server, {
      url: `${receiver.url}/raw`,
      eventTypes: ['ticket.update', 'conversation.update'],
      headers: { 'X-Company-Token': 'abc123', 'X-Env': 'prod' },
      body: { format: 'raw' },
    });
    await postEvent(server, { type: 'conversation.update', payload: CONVERSATION_END });
    const request = await waitFor(() => receiver.requestsTo('/raw')[0]);
    expect(request.body).toBe(JSON.stringify(CONVERSATION_END));
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-company-token']).toBe('abc123');
    expect(request.headers['x-env']).toBe('prod');
    expect(request.headers['user-agent']).toMatch(/^hookd\//);
    expect(request.headers['webhook-event-type']).toBe('conversation.update');
  });

  it('lets the provider set ApiRTC\'s own user agent', async () => {
    await createEndpoint(server, {
      url: `${receiver.url}/ua`,
      eventTypes: ['ticket.update'],
      headers: { 'User-Agent': 'Cloud Apizee' },
      body: { format: 'raw' },
    });
    await postEvent(server, { type: 'ticket.update', payload: TICKET_UPDATE });
    const request = await waitFor(() => receiver.requestsTo('/ua')[0]);
    expect(request.headers['user-agent']).toBe('Cloud Apizee');
    expect(JSON.parse(request.body)).toEqual(TICKET_UPDATE);
  });
});
