// The template language of headers, query parameters and text bodies (KOMPaaS "available
// parameters"): `{{ path }}` and `{{ path | json }}` / `{{ path | urlencode }}`. Nothing else —
// templates never execute code. Compiled once into literal and tag parts, rendered by concatenation.

export const MAX_TEMPLATE_LENGTH = 16 * 1024;
export const MAX_PATH_SEGMENTS = 32;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

const FILTERS = ['json', 'urlencode'] as const;
type Filter = (typeof FILTERS)[number];

/** Segments that would reach an object's prototype chain: always missing. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = /^[A-Za-z0-9_-]+$/;

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at character ${offset})`);
  }
}

export class TemplateOutputTooLargeError extends Error {}

type Part = { kind: 'text'; text: string } | { kind: 'tag'; path: string[]; filter: Filter | null };

export interface CompiledTemplate {
  readonly source: string;
  readonly paths: string[];
  render(context: unknown, options?: { maxOutputBytes?: number }): string;
}

function parseTag(inner: string, offset: number): Part {
  const [pathText, filterText, ...extra] = inner.split('|').map((piece) => piece.trim());
  if (extra.length > 0) throw new TemplateSyntaxError('only one filter is allowed', offset);
  if (pathText === undefined || pathText === '') throw new TemplateSyntaxError('empty {{ }}', offset);
  const path = pathText.split('.');
  if (path.length > MAX_PATH_SEGMENTS) throw new TemplateSyntaxError(`a path may have at most ${MAX_PATH_SEGMENTS} segments`, offset);
  for (const segment of path) {
    if (!SEGMENT.test(segment)) throw new TemplateSyntaxError(`"${pathText}" is not a path like data.call.id`, offset);
  }
  let filter: Filter | null = null;
  if (filterText !== undefined) {
    if (!(FILTERS as readonly string[]).includes(filterText)) {
      throw new TemplateSyntaxError(`unknown filter "${filterText}" (json, urlencode)`, offset);
    }
    filter = filterText as Filter;
  }
  return { kind: 'tag', path, filter };
}

export function compileTemplate(source: string): CompiledTemplate {
  if (source.length > MAX_TEMPLATE_LENGTH) {
    throw new TemplateSyntaxError(`a template may be at most ${MAX_TEMPLATE_LENGTH} characters`, MAX_TEMPLATE_LENGTH);
  }
  const parts: Part[] = [];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    if (open < 0) {
      parts.push({ kind: 'text', text: source.slice(position) });
      break;
    }
    if (open > position) parts.push({ kind: 'text', text: source.slice(position, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError('{{ is never closed', open);
    const inner = source.slice(open + 2, close);
    if (inner.includes('{{')) throw new TemplateSyntaxError('{{ inside {{ }}', open);
    parts.push(parseTag(inner, open));
    position = close + 2;
  }
  const paths = parts.flatMap((part) => (part.kind === 'tag' ? [part.path.join('.')] : []));
  return {
    source,
    paths,
    render: (context, options) => render(parts, context, options?.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES),
  };
}

/** Walks own properties only: a template can never reach a prototype, a getter of a class, or code. */
export function lookupPath(value: unknown, path: string | string[]): unknown {
  let current = value;
  for (const segment of typeof path === 'string' ? path.split('.') : path) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return undefined;
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function render(parts: Part[], context: unknown, maxOutputBytes: number): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
    } else {
      const value = lookupPath(context, part.path);
      if (part.filter === 'json') out += value === undefined ? '' : JSON.stringify(value);
      else if (part.filter === 'urlencode') out += encodeURIComponent(stringify(value));
      else out += stringify(value);
    }
    // Characters bound bytes from below; the exact check happens once at the end.
    if (out.length > maxOutputBytes) throw new TemplateOutputTooLargeError(`the rendered template exceeds ${maxOutputBytes} bytes`);
  }
  if (Buffer.byteLength(out) > maxOutputBytes) throw new TemplateOutputTooLargeError(`the rendered template exceeds ${maxOutputBytes} bytes`);
  return out;
}

export function templatePaths(source: string): string[] {
  return compileTemplate(source).paths;
}

export function renderTemplateString(source: string, context: unknown): string {
  return compileTemplate(source).render(context);
}
