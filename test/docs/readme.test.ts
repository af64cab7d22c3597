import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startServer, type TestServer } from '../support/server.js';

// The README's endpoint definitions are copy-paste examples: each must be accepted as it stands.

const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');

/** The JSON objects of the README's jsonc blocks, comments stripped, one per top-level object. */
function endpointDefinitions(): Array<Record<string, unknown>> {
  const blocks = [...readme.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const definitions: Array<Record<string, unknown>> = [];
  for (const block of blocks) {
    const text = block
      .split('\n')
      // A comment starts at `//` after white space (never the `//` of a URL, which follows `:`).
      .map((line) => line.replace(/(^|\s)\/\/.*$/, ''))
      .join('\n')
      .trim();
    // Blocks hold one or more objects separated by blank lines.
    for (const chunk of text.split(/\n\s*\n/)) {
      if (chunk.trim() !== '') definitions.push(JSON.parse(chunk) as Record<string, unknown>);
    }
  }
  return definitions;
}

describe('README examples', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ HOOKD_ALLOW_PRIVATE_URLS: 'false' });
    for (const name of ['call.incoming', 'ticket.update', 'media.update', 'conversation.update', 'inbound_fax']) {
      await server.request('POST', '/v1/event-types', { name });
    }
  });
  afterAll(async () => server?.close());

  const definitions = endpointDefinitions();

  it('has endpoint recipes to check', () => {
    expect(definitions.length).toBeGreaterThanOrEqual(5);
  });

  it.each(definitions.map((definition, index) => [index, definition] as const))('recipe %i is a valid endpoint', async (_index, definition) => {
    const response = await server.request('POST', '/v1/endpoints', definition);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  });
});
