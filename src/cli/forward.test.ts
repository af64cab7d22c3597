import { describe, expect, it } from 'vitest';
import { forwardUrlOf, messageHeaders } from './forward.js';

describe('forwarding a webhook', () => {
  it('goes to the URL given, with the query string the webhook came with', () => {
    const app = new URL('http://127.0.0.1:3000/webhooks');
    expect(forwardUrlOf(app, '/in')).toBe('http://127.0.0.1:3000/webhooks');
    expect(forwardUrlOf(app, '/in?invoice=7&paid=true')).toBe('http://127.0.0.1:3000/webhooks?invoice=7&paid=true');
    expect(forwardUrlOf(new URL('http://127.0.0.1:3000/hooks?tenant=a'), '/in?invoice=7')).toBe('http://127.0.0.1:3000/hooks?tenant=a&invoice=7');
  });

  it('carries the message headers, signature included, and none of the hop', () => {
    expect(
      messageHeaders({ host: '127.0.0.1:9000', connection: 'keep-alive', 'content-length': '2', 'webhook-signature': 'v1,abc', 'content-type': 'application/json', 'x-custom': 'kept' }),
    ).toEqual({ 'webhook-signature': 'v1,abc', 'content-type': 'application/json', 'x-custom': 'kept' });
  });
});
