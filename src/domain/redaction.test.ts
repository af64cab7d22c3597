import { describe, expect, it } from 'vitest';
import { recordedResponseHeaders, redactHeaders, redactUrl } from './redaction.js';

describe('what the attempt log keeps of a request', () => {
  it('redacts credential headers and keeps the rest', () => {
    expect(redactHeaders({ Authorization: 'Bearer x', 'X-Api-Key': 'k', 'X-Tenant': 'acme' })).toEqual({ Authorization: '[redacted]', 'X-Api-Key': '[redacted]', 'X-Tenant': 'acme' });
  });

  it.each([
    ['https://crm.example.com/hooks?api_key=k1&call=c-42', 'https://crm.example.com/hooks?api_key=%5Bredacted%5D&call=c-42'],
    ['https://crm.example.com/hooks?token=a&token=b', 'https://crm.example.com/hooks?token=%5Bredacted%5D'],
    ['https://crm.example.com/hooks?call=c-42', 'https://crm.example.com/hooks?call=c-42'],
    ['https://crm.example.com/hooks', 'https://crm.example.com/hooks'],
    ['not a url', 'not a url'],
  ])('records %s as %s', (url, recorded) => {
    expect(redactUrl(url)).toBe(recorded);
  });
});

describe('what the attempt log keeps of a response', () => {
  it('keeps the receiver\'s headers and leaves out the connection\'s own', () => {
    const headers = { date: 'Mon, 30 Nov 2026 17:49:35 GMT', connection: 'keep-alive', 'keep-alive': 'timeout=60', 'content-length': '0', 'Transfer-Encoding': 'chunked', 'retry-after': '5', 'x-request-id': 'r1' };
    expect(recordedResponseHeaders(headers)).toEqual({ date: 'Mon, 30 Nov 2026 17:49:35 GMT', 'content-length': '0', 'retry-after': '5', 'x-request-id': 'r1' });
  });
});
