// The template language of headers, query parameters, text bodies and userParams (KOMPaaS
// "available parameters"): `{{ path }}`, `{{ path | json }}`, `{{ path | urlencode }}`. Nothing
// else — templates never execute code. A template is compiled once (when the endpoint is saved, and
// cached by the request builder) into literal and tag parts, and rendered for every delivery by
// concatenation, so the per-delivery cost is a few property reads.

/** Bounds what an endpoint may store; UTF-8 bytes, like every other size in the API. */
export const MAX_TEMPLATE_BYTES = 16 * 1024;
/** Bounds the walk per tag; no real payload is nested deeper. */
export const MAX_PATH_SEGMENTS = 32;
/** Bounds what one template can add to a request: repeated tags must not multiply a payload. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

const FILTERS = ['json', 'urlencode'] as const;
type Filter = (typeof FILTERS)[number];

// Segments that reach an object's prototype chain or its class: always missing. `__proto__` is
// refused even when it is an own key (JSON.parse makes it one), so the rule does not depend on how
// the context was built.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const NOT_PATH_CHARACTER = /[^A-Za-z0-9_.-]/;
// Only canonical indices reach into arrays: `length` is an own property of every array but not
// payload data, and `01` would name the same element twice.
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';

  constructor(
    /** What is wrong, without the position. */
    readonly reason: string,
    /** The character offset in the template source where the problem is. */
    readonly offset: number,
  ) {
    super(`${reason} (at character ${offset})`);
  }
}

/** Thrown by render instead of truncating: a cut-off header or body would be sent as if it were whole. */
export class TemplateOutputTooLargeError extends Error {
  override readonly name = 'TemplateOutputTooLargeError';

  constructor(readonly limitBytes: number) {
    super(`the rendered template is larger than ${limitBytes} bytes`);
  }
}

export interface RenderOptions {
  /** UTF-8 bytes; default 64 KiB. */
  maxOutputBytes?: number;
}

export interface CompiledTemplate {
  readonly source: string;
  /** The distinct paths the template uses, in order of first use (the UI's "available parameters" check). */
  readonly paths: readonly string[];
  render(context: unknown, options?: RenderOptions): string;
}

type Part = { kind: 'text'; text: string } | { kind: 'tag'; path: readonly string[]; filter: Filter | null };

export function compileTemplate(source: string): CompiledTemplate {
  checkSourceSize(source);
  const parts = parseParts(source);
  const paths = Object.freeze([...new Set(parts.flatMap((part) => (part.kind === 'tag' ? [part.path.join('.')] : [])))]);
  return {
    source,
    paths,
    render: (context, options) => renderParts(parts, context, outputCap(options)),
  };
}

export function templatePaths(source: string): readonly string[] {
  return compileTemplate(source).paths;
}

/** Compiles on every call: for one-off renders only; hot paths keep the CompiledTemplate. */
export function renderTemplateString(source: string, context: unknown, options?: RenderOptions): string {
  return compileTemplate(source).render(context, options);
}

/**
 * Walks own data only, so neither a template nor a `json` body field can reach a prototype, an
 * inherited method or a class's getters. Missing is `undefined`.
 */
export function lookupPath(value: unknown, path: string | readonly string[]): unknown {
  let current = value;
  for (const segment of typeof path === 'string' ? path.split('.') : path) {
    current = ownChild(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

function ownChild(value: unknown, segment: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  if (FORBIDDEN_SEGMENTS.has(segment)) return undefined;
  if (Array.isArray(value) && !ARRAY_INDEX.test(segment)) return undefined;
  if (!Object.hasOwn(value, segment)) return undefined;
  return (value as Record<string, unknown>)[segment];
}

// ---- parsing ----

function checkSourceSize(source: string): void {
  // A string's length never exceeds its UTF-8 size, so a long one fails without being measured.
  if (source.length > MAX_TEMPLATE_BYTES || Buffer.byteLength(source) > MAX_TEMPLATE_BYTES) {
    throw new TemplateSyntaxError(`a template may be at most ${MAX_TEMPLATE_BYTES} bytes`, offsetPastByteLimit(source, MAX_TEMPLATE_BYTES));
  }
}

/** The offset of the first character whose UTF-8 bytes go past `limit`. Only on the error path. */
function offsetPastByteLimit(text: string, limit: number): number {
  let bytes = 0;
  let offset = 0;
  for (const character of text) {
    bytes += Buffer.byteLength(character);
    if (bytes > limit) return offset;
    offset += character.length;
  }
  return offset;
}

function parseParts(source: string): Part[] {
  const parts: Part[] = [];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    if (open < 0) {
      // There is no escape for a literal `{{`, so a lone `}}` (JSON text, CSS) can stay literal.
      parts.push({ kind: 'text', text: source.slice(position) });
      break;
    }
    if (open > position) parts.push({ kind: 'text', text: source.slice(position, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError('{{ is never closed by }}', open);
    const nested = source.indexOf('{{', open + 2);
    if (nested >= 0 && nested < close) throw new TemplateSyntaxError('{{ is not closed before the next {{ (tags cannot nest)', open);
    parts.push(parseTag(source, open, close));
    position = close + 2;
  }
  return parts;
}

/** `{{ path }}` or `{{ path | filter }}`, whitespace optional; offsets point into the whole source. */
function parseTag(source: string, open: number, close: number): Part {
  const innerStart = open + 2;
  const inner = source.slice(innerStart, close);
  const bar = inner.indexOf('|');
  const pathText = bar < 0 ? inner : inner.slice(0, bar);
  const path = parsePath(pathText, innerStart);
  const filter = bar < 0 ? null : parseFilter(inner.slice(bar + 1), innerStart + bar + 1);
  return { kind: 'tag', path, filter };
}

function parsePath(raw: string, rawOffset: number): string[] {
  const text = raw.trim();
  const offset = rawOffset + leadingWhitespace(raw);
  if (text === '') throw new TemplateSyntaxError('empty tag: a path like data.callId is missing', offset);
  const bad = NOT_PATH_CHARACTER.exec(text);
  if (bad !== null) {
    throw new TemplateSyntaxError(`${quoted(text)} is not a path like data.callId: ${quoted(bad[0])} is not allowed`, offset + bad.index);
  }
  const segments = text.split('.');
  if (segments.length > MAX_PATH_SEGMENTS) {
    throw new TemplateSyntaxError(`a path may have at most ${MAX_PATH_SEGMENTS} segments, this one has ${segments.length}`, offset);
  }
  checkSegments(text, segments, offset);
  return segments;
}

/** Only empty segments are left to find: the characters were checked already. */
function checkSegments(text: string, segments: string[], offset: number): void {
  let segmentOffset = offset;
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      throw new TemplateSyntaxError(`${quoted(text)} is not a path like data.callId: it has an empty segment`, segmentOffset);
    }
    segmentOffset += segment.length + 1;
  }
}

function parseFilter(raw: string, rawOffset: number): Filter {
  const name = raw.trim();
  const offset = rawOffset + leadingWhitespace(raw);
  if (name === '') throw new TemplateSyntaxError('a filter name is missing after |', offset);
  if (name.includes('|')) throw new TemplateSyntaxError('only one filter is allowed', offset + name.indexOf('|'));
  if (!(FILTERS as readonly string[]).includes(name)) {
    throw new TemplateSyntaxError(`unknown filter ${quoted(name)} (known: ${FILTERS.join(', ')})`, offset);
  }
  return name as Filter;
}

function leadingWhitespace(text: string): number {
  return text.length - text.trimStart().length;
}

/** Error messages go back in a 400: keep the echoed template text short. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

// ---- rendering ----

function outputCap(options: RenderOptions | undefined): number {
  const cap = options?.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  // NaN compares false with every length and would silently switch the cap off.
  if (!(cap >= 0)) throw new RangeError(`maxOutputBytes must be a number >= 0, not ${cap}`);
  return cap;
}

function renderParts(parts: readonly Part[], context: unknown, maxOutputBytes: number): string {
  let out = '';
  for (const part of parts) {
    out += part.kind === 'text' ? part.text : renderTag(part.path, part.filter, context);
    // Checked per part, so thousands of tags repeating a large value stop at the cap instead of
    // building a huge string. A string's length never exceeds its UTF-8 size.
    if (out.length > maxOutputBytes) throw new TemplateOutputTooLargeError(maxOutputBytes);
  }
  // Up to 3 UTF-8 bytes per UTF-16 unit: only output near the cap needs measuring.
  if (out.length * 3 > maxOutputBytes && Buffer.byteLength(out) > maxOutputBytes) {
    throw new TemplateOutputTooLargeError(maxOutputBytes);
  }
  return out;
}

function renderTag(path: readonly string[], filter: Filter | null, context: unknown): string {
  const value = lookupPath(context, path);
  if (filter === 'json') return value === undefined ? '' : jsonText(value);
  if (filter === 'urlencode') return urlEncoded(plainText(value));
  return plainText(value);
}

/** Strings as they are, scalars as String(), objects and arrays as JSON; missing and null empty. */
function plainText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? '' : jsonText(value);
    default:
      // undefined (missing), and functions or symbols, which are not data: never the text "undefined".
      return '';
  }
}

function jsonText(value: unknown): string {
  // JSON.stringify answers undefined (despite its type) for functions and symbols.
  return (JSON.stringify(value) as string | undefined) ?? '';
}

function urlEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A JSON payload may carry a lone surrogate ("\ud800"), which encodeURIComponent refuses with a
    // URIError; payload data must not fail a send, so it becomes U+FFFD, as any UTF-8 encoder makes it.
    return encodeURIComponent(text.replace(/\p{Surrogate}/gu, '\uFFFD'));
  }
}
