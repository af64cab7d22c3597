import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl } from './redaction.js';

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
