// Where a value sits in the JSON text it was parsed from. hookd keeps an event's payload as the
// exact text the publisher sent (whitespace, number spelling, integers beyond 2^53, key order);
// JSON.parse keeps none of that, so the payload's source is cut out of the request body instead.
//
// The scanner runs only on text JSON.parse has already accepted: it need not report syntax errors,
// only walk structure. It mirrors JSON.parse where that matters: a key repeated in an object takes
// its last value, and keys are compared after their escapes are decoded (`"pay\u006Coad"`).

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * A copy of `text.slice(start, end)` that does not hold on to `text`. V8 makes a slice a view of its
 * parent: one event's payload kept in memory (a hand-off to the worker) would keep its whole batch's
 * body alive, up to the batch limit, until it is delivered. UTF-16 round-trips every code unit.
 */
function detachedSlice(text: string, start: number, end: number): string {
  return Buffer.from(text.slice(start, end), 'utf16le').toString('utf16le');
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

class Scanner {
  constructor(private readonly text: string) {}

  skipWhitespace(at: number): number {
    while (at < this.text.length && isWhitespace(this.text.charCodeAt(at))) at++;
    return at;
  }

  /** The index after the string starting at `at` (its opening quote). */
  stringEnd(at: number): number {
    let quote = at;
    for (;;) {
      quote = this.text.indexOf('"', quote + 1);
      if (quote < 0) return this.text.length;
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
    }
  }

  /** The index after the value starting at `at`. */
  valueEnd(at: number): number {
    const c = this.text.charCodeAt(at);
    if (c === QUOTE) return this.stringEnd(at);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0;
      for (let i = at; i < this.text.length; i++) {
        const d = this.text.charCodeAt(i);
        if (d === QUOTE) i = this.stringEnd(i) - 1;
        else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
        else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return i + 1;
      }
      return this.text.length;
    }
    // A number, true, false or null: it runs to the next delimiter.
    let i = at;
    while (i < this.text.length) {
      const d = this.text.charCodeAt(i);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isWhitespace(d)) break;
      i++;
    }
    return i;
  }

  /** Calls `member` with each key (decoded) and the span of its value, in order; `at` is the `{`. */
  members(at: number, member: (key: string, start: number, end: number) => void): void {
    let i = this.skipWhitespace(at + 1);
    if (this.text.charCodeAt(i) === CLOSE_BRACE) return;
    while (i < this.text.length) {
      const keyEnd = this.stringEnd(i);
      const raw = this.text.slice(i + 1, keyEnd - 1);
      const key = raw.includes('\\') ? (JSON.parse(this.text.slice(i, keyEnd)) as string) : raw;
      i = this.skipWhitespace(keyEnd);
      if (this.text.charCodeAt(i) !== COLON) return;
      const start = this.skipWhitespace(i + 1);
      const end = this.valueEnd(start);
      member(key, start, end);
      i = this.skipWhitespace(end);
      if (this.text.charCodeAt(i) !== COMMA) return;
      i = this.skipWhitespace(i + 1);
    }
  }

  /** Calls `item` with the span of each element, in order; `at` is the `[`. */
  items(at: number, item: (start: number, end: number) => void): void {
    let i = this.skipWhitespace(at + 1);
    if (this.text.charCodeAt(i) === CLOSE_BRACKET) return;
    while (i < this.text.length) {
      const end = this.valueEnd(i);
      item(i, end);
      i = this.skipWhitespace(end);
      if (this.text.charCodeAt(i) !== COMMA) return;
      i = this.skipWhitespace(i + 1);
    }
  }

  /** The source of member `key` of the object starting at `at` (the last one if repeated), or undefined. */
  memberSource(at: number, key: string): string | undefined {
    if (this.text.charCodeAt(at) !== OPEN_BRACE) return undefined;
    let found: string | undefined;
    this.members(at, (name, start, end) => {
      if (name === key) found = detachedSlice(this.text, start, end);
    });
    return found;
  }
}

/**
 * The exact source text of member `key` of the top-level object in `text` (JSON that JSON.parse
 * accepted), or undefined when there is none: `{"payload": 1.0E+2}` → `1.0E+2`.
 */
export function memberSource(text: string, key: string): string | undefined {
  const scanner = new Scanner(text);
  return scanner.memberSource(scanner.skipWhitespace(0), key);
}

/**
 * For each element of the top-level object's array member `arrayKey`, the exact source text of its
 * member `key` (undefined where an element has none): for a batch, each event's payload.
 */
export function itemMemberSources(text: string, arrayKey: string, key: string): (string | undefined)[] {
  const scanner = new Scanner(text);
  const top = scanner.skipWhitespace(0);
  let sources: (string | undefined)[] = [];
  if (text.charCodeAt(top) !== OPEN_BRACE) return sources;
  scanner.members(top, (name, start) => {
    if (name !== arrayKey) return;
    // A repeated array member replaces the earlier one, as in JSON.parse.
    sources = [];
    if (text.charCodeAt(start) !== OPEN_BRACKET) return;
    scanner.items(start, (itemStart) => sources.push(scanner.memberSource(itemStart, key)));
  });
  return sources;
}
