import { describe, expect, it } from 'vitest';
import { compileTemplate, lookupPath, TemplateOutputTooLargeError, TemplateSyntaxError } from './templates.js';

const context = {
  event: { id: 'evt_1', type: 'call.started' },
  data: { callId: 42, from: '+33 1', tags: ['a', 'b'], items: [{ id: 'x' }], nested: { deep: { value: true } }, empty: null },
};

describe('templates', () => {
  it.each([
    ['Call {{data.callId}}', 'Call 42'],
    ['{{ data.from }}', '+33 1'],
    ['{{data.nested.deep.value}}', 'true'],
    ['{{data.items.0.id}}', 'x'],
    ['{{data.missing}}|{{data.empty}}|', '||'],
    ['{{data.tags}}', '["a","b"]'],
    ['{{data.nested | json}}', '{"deep":{"value":true}}'],
    ['{{ data.from | json }}', '"+33 1"'],
    ['{{data.callId|json}}', '42'],
    ['q={{data.from | urlencode}}', 'q=%2B33%201'],
    ['{{event.type}}/{{event.id}}', 'call.started/evt_1'],
    ['no tags at all }} here', 'no tags at all }} here'],
  ])('%s renders %s', (source, expected) => {
    expect(compileTemplate(source).render(context)).toBe(expected);
  });

  it('url-encodes reserved and non-ASCII characters', () => {
    expect(compileTemplate('{{data.v | urlencode}}').render({ data: { v: 'a b&c=d/é' } })).toBe('a%20b%26c%3Dd%2F%C3%A9');
  });

  it.each([
    ['{{data.x', 'never closed'],
    ['{{}}', 'empty'],
    ['{{ }}', 'empty'],
    ['{{ data.x | nope }}', 'unknown filter'],
    ['{{ data..x }}', 'not a path'],
    ['{{ data.x | json | urlencode }}', 'one filter'],
    ['{{ data.x; process.exit() }}', 'not a path'],
    ["{{ constructor.constructor('return process')() }}", 'not a path'],
    ['{{ {{data.x}} }}', 'inside'],
  ])('refuses %s', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate(source)).toThrow(message);
  });

  it('says where a syntax error is', () => {
    expect(() => compileTemplate('Hello {{data.x')).toThrow('at character 6');
  });

  it('refuses paths deeper than 32 segments and templates over 16 KiB', () => {
    expect(() => compileTemplate(`{{${Array(33).fill('a').join('.')}}}`)).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate(`{{${Array(32).fill('a').join('.')}}}`)).not.toThrow();
    expect(() => compileTemplate('x'.repeat(16 * 1024 + 1))).toThrow(TemplateSyntaxError);
  });

  it('never reaches prototypes, constructors or inherited properties', () => {
    const render = (source: string, value: unknown) => compileTemplate(source).render(value);
    expect(render('{{__proto__.polluted}}', {})).toBe('');
    expect(render('{{data.constructor.name}}', { data: {} })).toBe('');
    expect(render('{{data.toString}}', { data: {} })).toBe('');
    expect(render('{{data.length}}', { data: 'abc' })).toBe('');
    // JSON.parse makes __proto__ an own key; it is still never walked.
    const parsed = JSON.parse('{"data":{"__proto__":{"x":"leak"}}}');
    expect(render('{{data.__proto__.x}}', parsed)).toBe('');
    expect(lookupPath(parsed, 'data.__proto__')).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('x');
  });

  it('stops rendering past the output cap instead of building a huge string', () => {
    const big = 'x'.repeat(10 * 1024);
    const template = compileTemplate(Array(10).fill('{{data.big}}').join(''));
    expect(() => template.render({ data: { big } })).toThrow(TemplateOutputTooLargeError);
    expect(template.render({ data: { big } }, { maxOutputBytes: 200 * 1024 })).toHaveLength(100 * 1024);
  });

  it('lists the paths a template uses', () => {
    expect(compileTemplate('{{data.a}} {{ event.type | json }}').paths).toEqual(['data.a', 'event.type']);
  });
});
