import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from './errors.js';

// The JSON body parser, stricter than the default on purpose:
// - invalid UTF-8 is refused (the default decoder would silently turn it into U+FFFD and store
//   something the client never sent);
// - nesting deeper than MAX_JSON_DEPTH is refused before parsing, so a body of a million `[`
//   cannot exhaust the parser's stack;
// - `__proto__` and `constructor.prototype` keys are refused (prototype poisoning), as Fastify's
//   own parser does;
// - numbers too large for a double (`1e309`) are refused rather than stored as Infinity.

export const MAX_JSON_DEPTH = 64;

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's JSON text as received, on routes whose config sets `keepJsonText`; null elsewhere. */
    jsonText: string | null;
  }
  interface FastifyContextConfig {
    /** Keep the body's text as `request.jsonText`: for routes that store parts of it exactly as sent. */
    keepJsonText?: boolean;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bodyError(message: string): ApiError {
  return new ApiError('validation_failed', message, [{ field: '/', in: 'body', message }]);
}

/** Nesting depth of JSON text, counting only brackets outside strings. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: jump to its closing quote, the first one after an even run of backslashes.
      for (;;) {
        const quote = text.indexOf('"', i + 1);
        if (quote < 0) return deepest;
        let before = quote - 1;
        while (text.charCodeAt(before) === 92) before--;
        i = quote;
        if ((quote - 1 - before) % 2 === 0) break;
      }
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Refuses what must never be stored: poisoned keys and numbers beyond a double. A walk over the
 * parsed value rather than a JSON.parse reviver, which takes V8's slow path and costs several
 * times the parse itself (the depth is already bounded, so the recursion is too).
 */
function rejectUnsafeValues(key: string, value: unknown): void {
  if (typeof value === 'number') {
    // `1e309` parses as Infinity, which would be stored and sent as `null`: the data would change.
    if (!Number.isFinite(value)) throw bodyError(`the number of "${key}" is too large to represent`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) rejectUnsafeValues(String(i), value[i]);
    return;
  }
  // JSON.parse makes `__proto__` an own key: harmless here, but not once copied or merged.
  for (const name of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[name];
    if (name === '__proto__') throw bodyError('the key "__proto__" is not allowed');
    if (name === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) {
      throw bodyError('the key "constructor.prototype" is not allowed');
    }
    rejectUnsafeValues(name, child);
  }
}

export function parseJsonBody(raw: Buffer): unknown {
  return parseJson(raw).value;
}

/** The body's text (decoded) and its value, or the error that refuses it. */
function parseJson(raw: Buffer): { text: string; value: unknown } {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw bodyError('the body is not valid UTF-8');
  }
  if (text.trim() === '') throw bodyError('the JSON body is empty');
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw bodyError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bodyError('the body is not valid JSON');
  }
  rejectUnsafeValues('', value);
  return { text, value };
}

/** The app's only body parser (not encapsulated: it parses the bodies of every plugin's routes). */
export const jsonBody = fp(
  async (app) => {
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.decorateRequest('jsonText', null);
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done) => {
      try {
        const { text, value } = parseJson(body);
        if (request.routeOptions.config.keepJsonText === true) request.jsonText = text;
        done(null, value);
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  },
  { name: 'hookd-json-body' },
);
