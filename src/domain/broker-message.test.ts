import { describe, expect, it } from 'vitest';
import { brokerMessage, recordedTarget, UnsendableTargetError } from './broker-message.js';
import type { OutgoingRequest, TemplateContext } from './request.js';

const request: OutgoingRequest = {
  method: 'POST',
  url: 'nats://nats.example.com:4222',
  headers: { 'webhook-id': 'msg_1', 'content-type': 'application/json' },
  body: '{"type":"order.created"}',
};
const context = (): TemplateContext => ({
  event: { id: 'evt_1', type: 'order.created', occurredAt: '2026-01-01T00:00:00.000Z', accountId: null, correlationId: null },
  data: { shop: 'paris', name: 'two words' },
  endpoint: { id: 'ep_1', title: '' },
});

describe('brokerMessage', () => {
  it('is the request published to the rendered target', () => {
    const message = brokerMessage(request, { type: 'rabbitmq', exchange: 'hooks', routingKey: 'shop.{{data.shop}}.{{event.type}}', password: null }, context);
    expect(message).toEqual({ exchange: 'hooks', target: 'shop.paris.order.created', headers: request.headers, body: request.body, verb: 'PUBLISH' });
    expect(recordedTarget('amqp://u@mq:5672', message)).toBe('amqp://u@mq:5672#hooks/shop.paris.order.created');
    const entry = brokerMessage(request, { type: 'redis', stream: 'hooks', maxLen: 5, password: null }, context);
    expect(entry).toMatchObject({ exchange: null, target: 'hooks', verb: 'XADD' });
    expect(recordedTarget('redis://cache:6379/0', entry)).toBe('redis://cache:6379/0#hooks');
  });

  it('refuses a target the broker would refuse', () => {
    const nats = (subject: string) => () => brokerMessage(request, { type: 'nats', subject, password: null }, context);
    expect(nats('hooks.{{data.name}}')).toThrow(UnsendableTargetError);
    expect(nats('hooks.*')).toThrow(UnsendableTargetError);
    expect(nats('hooks..x')).toThrow(UnsendableTargetError);
    expect(nats('hooks.{{event.type}}')().target).toBe('hooks.order.created');
    expect(() => brokerMessage(request, { type: 'redis', stream: '{{data.missing}}', maxLen: 5, password: null }, context)).toThrow(UnsendableTargetError);
    expect(() => brokerMessage(request, { type: 'rabbitmq', exchange: '', routingKey: 'k'.repeat(256), password: null }, context)).toThrow(UnsendableTargetError);
  });
});
