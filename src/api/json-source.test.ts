import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemMemberSources, memberSource } from './json-source.js';

// The scanner is checked against JSON.parse: whatever the spelling of the JSON, the text it cuts
// out is exactly what was written, and parses to the very value JSON.parse put at that place.

/** Chooses from a fixed list of picks, cycling, so that one generated array drives every choice. */
function chooser(picks: number[]): (n: number) => number {
  let next = 0;
  return (n) => picks[next++ % picks.length]! % n;
}

const WHITESPACE = ['', ' ', '\n', '\t', '\r\n  ', '  '];

function spellNumber(n: number, choose: (n: number) => number): string {
  const plain = JSON.stringify(n);
  const spellings = [plain, n.toExponential(), n.toExponential().replace('e', 'E')];
  if (/^-?\d+$/.test(plain)) spellings.push(`${plain}.0`, `${plain}e0`, `${plain}E+00`);
  return spellings[choose(spellings.length)]!;
}

/** A string as JSON text, some characters written as \u escapes. */
function spellString(s: string, choose: (n: number) => number): string {
  if (choose(3) !== 0) return JSON.stringify(s);
  // By UTF-16 unit: an astral character becomes two escapes (a surrogate pair), as JSON allows.
  const escaped = Array.from({ length: s.length }, (_, i) => s[i]!).map((c) => (choose(2) === 0 ? JSON.stringify(c).slice(1, -1) : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return `"${escaped.join('')}"`;
}

/** `value` as JSON text with whitespace, number spellings and escapes chosen by `choose`. */
function spell(value: unknown, choose: (n: number) => number): string {
  const ws = () => WHITESPACE[choose(WHITESPACE.length)]!;
  if (typeof value === 'number') return spellNumber(value, choose);
  if (typeof value === 'string') return spellString(value, choose);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${ws()}${value.map((item) => spell(item, choose)).join(`${ws()},${ws()}`)}${ws()}]`;
  const members = Object.entries(value).map(([key, item]) => `${spellString(key, choose)}${ws()}:${ws()}${spell(item, choose)}`);
  return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
}

/** Integers beyond 2^53 and other spellings JSON.parse cannot give back. */
const bigNumberText = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => n.toString());

const picks = fc.array(fc.nat(), { minLength: 1, maxLength: 200 });

describe('memberSource', () => {
  it('cuts out exactly the text written, which parses to the value JSON.parse put there', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.option(fc.jsonValue(), { nil: undefined }), picks, (payload, other, earlier, choices) => {
        const choose = chooser(choices);
        const written = spell(payload, choose);
        // Decoys: a nested "payload", a string holding one, and perhaps an earlier repeat of the key.
        const members = [
          `"type":${spellString('x"payload":1', choose)}`,
          `"nested":{"payload":${spell(other, choose)}}`,
          ...(earlier === undefined ? [] : [`"payload":${spell(earlier, choose)}`]),
          `"pay\\u006Coad" :${WHITESPACE[choose(WHITESPACE.length)]}${written}`,
          `"after":${spell(other, choose)}`,
        ];
        const text = ` {${members.join(' ,\n')}} `;
        const source = memberSource(text, 'payload');
        expect(source).toBe(written);
        expect(JSON.parse(source!)).toStrictEqual((JSON.parse(text) as { payload: unknown }).payload);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps integers beyond 2^53 and number spellings as written', () => {
    fc.assert(
      fc.property(fc.array(bigNumberText, { minLength: 1, maxLength: 5 }), picks, (numbers, choices) => {
        const choose = chooser(choices);
        const written = `[${numbers.join(WHITESPACE[choose(WHITESPACE.length)] + ',')}, 1.0E+2, 0.10 ]`;
        expect(memberSource(`{"payload":${written}}`, 'payload')).toBe(written);
      }),
    );
  });

  it('is undefined when the key is absent or the top level is not an object', () => {
    expect(memberSource('{"type":"a","data":{"payload":1}}', 'payload')).toBeUndefined();
    expect(memberSource('[{"payload":1}]', 'payload')).toBeUndefined();
    expect(memberSource('{}', 'payload')).toBeUndefined();
    expect(memberSource('"payload"', 'payload')).toBeUndefined();
  });

  it('takes scalars up to their delimiter, and strings whose escapes end in backslashes', () => {
    expect(memberSource('{"payload":12345678901234567890}', 'payload')).toBe('12345678901234567890');
    expect(memberSource('{"payload":-0.0e-0 ,"x":1}', 'payload')).toBe('-0.0e-0');
    expect(memberSource('{"payload":"a\\\\","x":"\\""}', 'payload')).toBe('"a\\\\"');
    expect(memberSource('{"payload":null}', 'payload')).toBe('null');
  });
});

describe('itemMemberSources', () => {
  it('gives each array element\'s member as written, in order, as JSON.parse sees them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.jsonValue(), { nil: undefined }), { maxLength: 8 }),
        fc.option(fc.array(fc.jsonValue(), { maxLength: 3 }), { nil: undefined }),
        picks,
        (payloads, earlierBatch, choices) => {
          const choose = chooser(choices);
          const ws = () => WHITESPACE[choose(WHITESPACE.length)]!;
          const written = payloads.map((payload) => (payload === undefined ? undefined : spell(payload, choose)));
          const items = written.map((text) => `{${ws()}"type":"t"${text === undefined ? '' : `,${ws()}"payload"${ws()}:${ws()}${text}`}${ws()}}`);
          // An earlier "events" member is overridden by the later one, as in JSON.parse.
          const earlier = earlierBatch === undefined ? '' : `"events":[${earlierBatch.map((p) => `{"payload":${spell(p, choose)}}`).join(',')}],`;
          const text = `{${earlier}${ws()}"events"${ws()}:${ws()}[${ws()}${items.join(`${ws()},${ws()}`)}${ws()}]${ws()}}`;
          const sources = itemMemberSources(text, 'events', 'payload');
          expect(sources).toEqual(written);
          const parsed = JSON.parse(text) as { events: { payload?: unknown }[] };
          parsed.events.forEach((event, index) => {
            const source = sources[index];
            expect(source === undefined ? undefined : JSON.parse(source)).toStrictEqual(event.payload);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is empty when the member is not an array, and undefined for elements that are not objects', () => {
    expect(itemMemberSources('{"events":{"payload":1}}', 'events', 'payload')).toEqual([]);
    expect(itemMemberSources('{"events":[1,"x",{"payload":2}]}', 'events', 'payload')).toEqual([undefined, undefined, '2']);
    expect(itemMemberSources('[]', 'events', 'payload')).toEqual([]);
  });
});
