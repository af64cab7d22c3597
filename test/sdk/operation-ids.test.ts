import { Hookd } from '@hookd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

// The SDK's method names are the API's operationIds: `endpoints.rotateSecret` is
// `hookd.endpoints.rotateSecret(…)`, `me` is `hookd.me()`. Both directions are checked against the
// server's own /openapi.json, and each method is called to prove it sends that operation's request.

interface Operation {
  operationId: string;
  method: string;
  path: string;
}

type Method = (...args: unknown[]) => unknown;

/** The SDK function an operationId names, bound to its resource, or undefined. */
function sdkMethod(hookd: Hookd, operationId: string): Method | undefined {
  const [first, second] = operationId.split('.');
  const owner: Record<string, unknown> = second === undefined ? (hookd as never) : ((hookd as never)[first!] ?? {});
  const fn = owner[second ?? first!];
  return typeof fn === 'function' ? (fn as Method).bind(owner) : undefined;
}

/** Every public method of the SDK as `resource.method`, or `method` for those of the client itself. */
function sdkMethodNames(hookd: Hookd): string[] {
  const methodsOf = (object: object) =>
    Object.entries(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(object)))
      .filter(([name, descriptor]) => name !== 'constructor' && typeof descriptor.value === 'function')
      .map(([name]) => name);
  const resources = Object.entries(hookd).filter(([, value]) => typeof value === 'object' && value !== null);
  return [
    ...methodsOf(hookd),
    ...resources.flatMap(([resource, value]) => methodsOf(value as object).map((name) => `${resource}.${name}`)),
  ].sort();
}

describe('SDK methods and operationIds', () => {
  let server: TestServer;
  let operations: Operation[];
  beforeAll(async () => {
    server = await startServer();
    const document = (await server.request('GET', '/openapi.json', undefined, null)).body as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ operationId: operation.operationId ?? '', method, path })),
    );
  });
  afterAll(async () => server?.close());

  it('gives every operation a unique operationId', () => {
    expect(operations.length).toBeGreaterThanOrEqual(39);
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.filter((id) => !/^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)?$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has one SDK method per operationId and no method without one', () => {
    const hookd = new Hookd({ url: server.url, key: server.adminKey });
    expect(sdkMethodNames(hookd)).toEqual(operations.map((operation) => operation.operationId).sort());
  });

  it('sends the request of its operation from each SDK method', async () => {
    const sent: Array<{ method: string; path: string }> = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      sent.push({ method: (init?.method ?? 'GET').toLowerCase(), path: new URL(String(input)).pathname });
      return new Response(JSON.stringify({ data: [], nextCursor: null }), { headers: { 'content-type': 'application/json' } });
    };
    const hookd = new Hookd({ url: server.url, key: server.adminKey, fetch: recordingFetch });
    for (const operation of operations) {
      const method = sdkMethod(hookd, operation.operationId)!;
      const pathParams = operation.path.match(/\{\w+\}/g)?.length ?? 0;
      // Path parameters first, then an empty input for each further required parameter (an empty
      // array stands for a list of events as well as for an empty object).
      const args = [...Array.from({ length: pathParams }, () => 'x_1'), ...Array.from({ length: Math.max(0, method.length - pathParams) }, () => [])];
      sent.length = 0;
      await method(...args);
      const template = new RegExp(`^${operation.path.replace(/\{\w+\}/g, '[^/]+')}$`);
      expect(sent, operation.operationId).toHaveLength(1);
      expect(sent[0]!.method, operation.operationId).toBe(operation.method);
      expect(sent[0]!.path, operation.operationId).toMatch(template);
    }
  });
});
