import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileTemplate,
  lookupPath,
  renderTemplateString,
  TemplateOutputTooLargeError,
  TemplateSyntaxError,
  templatePaths,
} from './templates.js';

const context = {
  event: { id: 'evt_1', type: 'call.started' },
  data: {
    callId: 42,
    from: '+33 1',
    answered: false,
    tags: ['a', 'b'],
    items: [{ id: 'x' }, { id: 'y' }],
    nested: { deep: { value: true } },
    empty: null,
    'dash-key': 'd',
    under_score: 'u',
  },
};

const render = (source: string, value: unknown = context) => compileTemplate(source).render(value);

function syntaxErrorOf(source: string): TemplateSyntaxError {
  try {
    compileTemplate(source);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return error;
    throw error;
  }
  throw new Error(`${source} compiled`);
}

describe('a template renders', () => {
  it.each([
    // paths
    ['{{data.callId}}', '42'],
    ['{{data.nested.deep.value}}', 'true'],
    ['{{data.answered}}', 'false'],
    ['{{data.items.0.id}}/{{data.items.1.id}}', 'x/y'],
    ['{{data.dash-key}}{{data.under_score}}', 'du'],
    // missing and null
    ['[{{data.missing}}][{{data.empty}}][{{nothing.at.all}}][{{data.items.9.id}}]', '[][][][]'],
    // objects and arrays without a filter are JSON
    ['{{data.tags}}', '["a","b"]'],
    ['{{data.nested}}', '{"deep":{"value":true}}'],
    // the json filter
    ['{{data.nested | json}}', '{"deep":{"value":true}}'],
    ['{{ data.from | json }}', '"+33 1"'],
    ['{{data.callId|json}}', '42'],
    ['{{data.empty | json}}', 'null'],
    ['{{data.missing | json}}', ''],
    // the urlencode filter
    ['q={{data.from | urlencode}}', 'q=%2B33%201'],
    ['{{data.tags | urlencode}}', '%5B%22a%22%2C%22b%22%5D'],
    ['{{data.missing | urlencode}}', ''],
    // whitespace variants
    ['{{data.callId}}', '42'],
    ['{{ data.callId }}', '42'],
    ['{{   data.callId\t}}', '42'],
    ['{{\ndata.callId\n|\njson\n}}', '42'],
    ['{{data.callId|json}}', '42'],
    // literal text around tags and several tags
    ['Call {{data.callId}} from {{data.from}}.', 'Call 42 from +33 1.'],
    ['{{event.type}}/{{event.id}}?n={{data.callId}}', 'call.started/evt_1?n=42'],
    ['{"call":{{data.callId}},"tags":{{data.tags | json}}}', '{"call":42,"tags":["a","b"]}'],
    // a lone }} and single braces are text
    ['no tags at all }} here', 'no tags at all }} here'],
    ['{ data.callId } {{data.callId}}}', '{ data.callId } 42}'],
    ['', ''],
  ])('%j as %j', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it('url-encodes reserved and non-ASCII characters', () => {
    expect(render('{{data.v | urlencode}}', { data: { v: 'a b&c=d/é' } })).toBe('a%20b%26c%3Dd%2F%C3%A9');
  });

  it('url-encodes a lone surrogate from a JSON payload as U+FFFD instead of failing the send', () => {
    const data = JSON.parse('{"v":"a\\ud800b"}') as unknown;
    expect(render('{{data.v | urlencode}}', { data })).toBe('a%EF%BF%BDb');
  });

  it('renders values that are not JSON data as empty, never as "undefined"', () => {
    const odd = { data: { fn: () => 1, symbol: Symbol('s'), undef: undefined } };
    expect(render('[{{data.fn}}][{{data.symbol | json}}][{{data.undef}}][{{data.fn | urlencode}}]', odd)).toBe('[][][][]');
  });

  it('compiles once and renders many contexts without keeping state between them', () => {
    const template = compileTemplate('#{{data.n}}');
    expect([1, 2, 3].map((n) => template.render({ data: { n } }))).toEqual(['#1', '#2', '#3']);
    expect(template.render(undefined)).toBe('#');
    expect(template.render('not an object')).toBe('#');
  });

  it('offers a one-off render and the list of distinct paths a template uses', () => {
    expect(renderTemplateString('{{event.type}}', context)).toBe('call.started');
    expect(templatePaths('{{data.a}} {{ event.type | json }} {{data.a|urlencode}}')).toEqual(['data.a', 'event.type']);
    expect(compileTemplate('plain').paths).toEqual([]);
  });
});

describe('a template that does not parse', () => {
  it.each([
    ['{{data.x', 'never closed', 0],
    ['Hello {{data.x', 'never closed', 6],
    ['{{}}', 'empty tag', 2],
    ['{{ }}', 'empty tag', 3],
    ['{{ | json }}', 'empty tag', 3],
    ['{{ data.x | nope }}', 'unknown filter "nope"', 12],
    ['{{ data.x | }}', 'filter name is missing', 12],
    ['{{ data.x | json | urlencode }}', 'one filter', 17],
    ['{{ data..x }}', 'empty segment', 8],
    ['{{ .data }}', 'empty segment', 3],
    ['{{ data. }}', 'empty segment', 8],
    ['{{ data.x; process.exit() }}', '";" is not allowed', 9],
    ["{{ constructor.constructor('return process')() }}", '"(" is not allowed', 26],
    ['{{ data x }}', '" " is not allowed', 7],
    ['{{ data.é }}', '"é" is not allowed', 8],
    ['{{ data.x }', 'never closed', 0],
    ['{{ {{data.x}} }}', 'cannot nest', 0],
    ['ok {{data.a}} {{ a } {{b}}', 'cannot nest', 14],
  ])('%j is refused: %s, at character %i', (source, message, offset) => {
    const error = syntaxErrorOf(source);
    expect(error.message).toContain(message);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(`at character ${offset}`);
    expect(error.name).toBe('TemplateSyntaxError');
  });

  it('refuses paths deeper than 32 segments', () => {
    const path = (segments: number) => Array.from({ length: segments }, (_, i) => `s${i}`).join('.');
    expect(syntaxErrorOf(`{{${path(33)}}}`).message).toContain('at most 32 segments');
    expect(compileTemplate(`{{${path(32)}}}`).paths).toEqual([path(32)]);
  });

  it('refuses templates over 16 KiB, counted in UTF-8 bytes', () => {
    expect(() => compileTemplate('x'.repeat(16 * 1024))).not.toThrow();
    expect(syntaxErrorOf('x'.repeat(16 * 1024 + 1)).offset).toBe(16 * 1024);
    // 8193 two-byte characters are 16386 bytes: the character at offset 8192 crosses the limit.
    expect(syntaxErrorOf('é'.repeat(8193)).offset).toBe(8192);
  });

  it('echoes at most a short excerpt of the template in the message', () => {
    expect(syntaxErrorOf(`{{ ${'a'.repeat(500)}! }}`).message.length).toBeLessThan(200);
  });
});

describe('a hostile template or payload', () => {
  const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
  let before: string[][] = [];
  let globalsBefore: string[] = [];
  beforeAll(() => {
    before = prototypes.map((proto) => Reflect.ownKeys(proto).map(String));
    globalsBefore = Reflect.ownKeys(globalThis).map(String);
  });
  afterAll(() => {
    // Nothing rendered above may have added to or replaced anything shared.
    expect(prototypes.map((proto) => Reflect.ownKeys(proto).map(String))).toEqual(before);
    expect(Reflect.ownKeys(globalThis).map(String)).toEqual(globalsBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each([
    ['{{__proto__.polluted}}'],
    ['{{__proto__}}'],
    ['{{constructor}}'],
    ['{{constructor.name}}'],
    ['{{data.constructor.name}}'],
    ['{{data.constructor.constructor}}'],
    ['{{data.__proto__ | json}}'],
    ['{{data.toString}}'],
    ['{{data.hasOwnProperty | json}}'],
    ['{{data.tags.length}}'],
    ['{{data.tags.01}}'],
    ['{{data.tags.constructor.name}}'],
    ['{{data.from.length}}'],
    ['{{data.from.0}}'],
    ['{{data.fn.prototype}}'],
  ])('%s renders empty', (source) => {
    const hostileContext = { ...context, data: { ...context.data, fn: function named() {} } };
    expect(render(source, hostileContext)).toBe('');
  });

  it('never walks a __proto__ key, even the own one JSON.parse creates', () => {
    const parsed = JSON.parse('{"data":{"__proto__":{"polluted":"leak","x":1},"ok":1}}') as unknown;
    expect(Object.hasOwn(lookupPath(parsed, 'data') as object, '__proto__')).toBe(true);
    expect(render('[{{data.__proto__.polluted}}][{{data.__proto__ | json}}][{{data.ok}}]', parsed)).toBe('[][][1]');
    expect(lookupPath(parsed, 'data.__proto__')).toBeUndefined();
    expect(render('{{data | json}}', parsed)).toBe('{"__proto__":{"polluted":"leak","x":1},"ok":1}');
  });

  it('never reads inherited properties of a context built from a class', () => {
    class Secretive {
      own = 'mine';
      get inherited(): string {
        throw new Error('a getter on the prototype ran');
      }
    }
    expect(render('{{data.own}}|{{data.inherited}}', { data: new Secretive() })).toBe('mine|');
  });

  it('leaves the context it renders unchanged', () => {
    const data = JSON.parse('{"a":{"b":[1,2]}}') as unknown;
    const copy = structuredClone(data);
    render('{{data.a.b.0}}{{data.a | json}}{{data.__proto__.x}}{{data.a.constructor}}', { data });
    expect(data).toEqual(copy);
  });

  it('stops past the output cap instead of building a huge string or truncating', () => {
    const big = 'x'.repeat(10 * 1024);
    const template = compileTemplate(Array(1000).fill('{{data.big}}').join(''));
    const error = (() => {
      try {
        template.render({ data: { big } });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(TemplateOutputTooLargeError);
    expect(error).toMatchObject({ name: 'TemplateOutputTooLargeError', limitBytes: 64 * 1024 });
  });

  it('counts the cap in UTF-8 bytes and lets the caller choose it', () => {
    const template = compileTemplate('{{data.v}}');
    // 40 Ki characters of 2 bytes: under the 64 KiB cap in characters, over it in bytes.
    const wide = { data: { v: 'é'.repeat(40 * 1024) } };
    expect(() => template.render(wide)).toThrow(TemplateOutputTooLargeError);
    expect(template.render(wide, { maxOutputBytes: 80 * 1024 })).toHaveLength(40 * 1024);
    expect(template.render({ data: { v: 'abcd' } }, { maxOutputBytes: 4 })).toBe('abcd');
    expect(() => template.render({ data: { v: 'abcde' } }, { maxOutputBytes: 4 })).toThrow(TemplateOutputTooLargeError);
    expect(() => compileTemplate('literal text').render({}, { maxOutputBytes: 3 })).toThrow(TemplateOutputTooLargeError);
  });

  it('refuses a cap that would switch the cap off', () => {
    expect(() => compileTemplate('x').render({}, { maxOutputBytes: Number.NaN })).toThrow(RangeError);
    expect(() => compileTemplate('x').render({}, { maxOutputBytes: -1 })).toThrow(RangeError);
  });
});

describe('lookupPath', () => {
  it.each([
    ['data.items.1.id', 'y'],
    ['data.tags', ['a', 'b']],
    ['data.empty', null],
    ['data.missing', undefined],
    ['data.tags.2', undefined],
    ['data.tags.length', undefined],
    ['data.callId.x', undefined],
    ['data.constructor', undefined],
    ['', undefined],
  ])('finds %j as %j', (path, expected) => {
    expect(lookupPath(context, path)).toEqual(expected);
  });

  it('takes a path already split into segments', () => {
    expect(lookupPath(context, ['data', 'nested', 'deep', 'value'])).toBe(true);
  });
});
