// Which regular expressions can backtrack catastrophically. An event type's JSON Schema `pattern`
// runs on every publisher payload of that type, on the event loop: `^(a+)+$` against 30 a's and a
// b blocks the process for seconds. JavaScript's engine cannot be interrupted, so such patterns are
// refused when the schema is saved.
//
// The check parses the pattern (the `u`-flag syntax ajv compiles with) into a small tree and looks
// for the two shapes that make the number of ways to match grow with the input:
// - nested quantifiers: a variable-count or optional part inside other repetitions, where the
//   counts multiplied are unbounded or large (`(a+)+`, `(a*)*`, `(.*a){20}`, `(a?[ab])*`,
//   `(([ab]{1,3}){1,3}){1,3}`);
// - overlapping alternatives under a large repetition (all enclosing ones multiplied): two branches that can start with the same
//   character (`(a|a)*`, `(\w|\d)+`).
// It is deliberately conservative: only the simplest delimited repetitions (slugs, dotted names:
// `^[a-z0-9]+(-[a-z0-9]+)*$`) are recognised as safe; other nested repetitions are refused with a
// message saying how to rewrite them. Fixed counts (`(\d{3}-){2}`) and small bounds
// (`(\d{1,3}\.){3}`) pass.

type Node =
  | { kind: 'char'; source: string }
  | { kind: 'assert' }
  | { kind: 'look'; body: Node }
  | { kind: 'group'; body: Node }
  | { kind: 'alt'; branches: Node[] }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number };

/**
 * How many times a part may be repeated, all enclosing repetitions multiplied, before a choice inside
 * it counts as unbounded: (x|x){20} is already a million paths, and three nested {1,3} gave minutes.
 */
const LARGE_REPEAT = 16;

class PatternParser {
  private readonly chars: string[];
  private at = 0;

  constructor(pattern: string) {
    this.chars = [...pattern];
  }

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.chars.length) throw new SyntaxError('unbalanced )');
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.at + offset];
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.chars.length && this.peek() !== '|' && this.peek() !== ')') {
      items.push(this.quantified(this.term()));
    }
    return { kind: 'seq', items };
  }

  private term(): Node {
    const c = this.chars[this.at++]!;
    if (c === '(') return this.group();
    if (c === '[') return { kind: 'char', source: '[' + this.until(']') };
    if (c === '\\') return this.escape();
    if (c === '^' || c === '$') return { kind: 'assert' };
    if (c === '.') return { kind: 'char', source: '.' };
    return { kind: 'char', source: /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c };
  }

  private group(): Node {
    let look = false;
    if (this.peek() === '?') {
      const next = this.peek(1);
      if (next === ':') this.at += 2;
      else if (next === '=' || next === '!') {
        this.at += 2;
        look = true;
      } else if (next === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
        this.at += 3;
        look = true;
      } else if (next === '<') {
        this.at += 2;
        this.until('>');
      }
    }
    const body = this.alternation();
    if (this.chars[this.at++] !== ')') throw new SyntaxError('unterminated group');
    return look ? { kind: 'look', body } : { kind: 'group', body };
  }

  /** The text up to and including `end`, skipping escaped characters. */
  private until(end: string): string {
    let text = '';
    while (this.at < this.chars.length) {
      const c = this.chars[this.at++]!;
      text += c;
      if (c === '\\') text += this.chars[this.at++] ?? '';
      else if (c === end) return text;
    }
    throw new SyntaxError(`missing ${end}`);
  }

  private escape(): Node {
    const c = this.chars[this.at++] ?? '';
    if (c === 'b' || c === 'B') return { kind: 'assert' };
    // A back-reference can match anything its group matched: counted as any character.
    if (/[1-9]/.test(c)) {
      while (/\d/.test(this.peek() ?? '')) this.at++;
      return { kind: 'char', source: '[^]' };
    }
    if (c === 'k') {
      this.until('>');
      return { kind: 'char', source: '[^]' };
    }
    if ((c === 'u' || c === 'p' || c === 'P') && this.peek() === '{') return { kind: 'char', source: '\\' + c + this.until('}') };
    const length = c === 'u' ? 4 : c === 'x' ? 2 : c === 'c' ? 1 : 0;
    const tail = this.chars.slice(this.at, this.at + length).join('');
    this.at += length;
    return { kind: 'char', source: '\\' + c + tail };
  }

  private quantified(body: Node): Node {
    let node = body;
    for (;;) {
      const c = this.peek();
      let bounds: [number, number] | null = null;
      if (c === '*') bounds = [0, Infinity];
      else if (c === '+') bounds = [1, Infinity];
      else if (c === '?') bounds = [0, 1];
      if (bounds !== null) this.at++;
      else if (c === '{') {
        const match = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.at, this.at + 24).join(''));
        if (match === null) return node;
        this.at += [...match[0]].length;
        const min = Number(match[1]);
        bounds = [min, match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3])];
      } else return node;
      if (this.peek() === '?') this.at++; // lazy: the same paths, tried in another order
      node = { kind: 'repeat', body: node, min: bounds[0], max: bounds[1] };
    }
  }
}

/** The most times the innermost of these repetitions can run: the product of their maxima. */
const timesRepeated = (repeats: readonly Repeat[]) => repeats.reduce((product, repeat) => product * repeat.max, 1);

function nullable(node: Node): boolean {
  switch (node.kind) {
    case 'char':
      return false;
    case 'assert':
    case 'look':
      return true;
    case 'group':
      return nullable(node.body);
    case 'alt':
      return node.branches.some(nullable);
    case 'seq':
      return node.items.every(nullable);
    case 'repeat':
      return node.min === 0 || nullable(node.body);
  }
}

/** The single-character matchers a match of the node can begin with. */
function firstChars(node: Node): string[] {
  switch (node.kind) {
    case 'char':
      return [node.source];
    case 'assert':
    case 'look':
      return [];
    case 'group':
    case 'repeat':
      return firstChars(node.body);
    case 'alt':
      return node.branches.flatMap(firstChars);
    case 'seq': {
      const out: string[] = [];
      for (const item of node.items) {
        out.push(...firstChars(item));
        if (!nullable(item)) break;
      }
      return out;
    }
  }
}

// Two matchers overlap when some character matches both. Tried on a sample: all of Latin-1 and a
// few characters from further out, enough to tell classes such as \w, \d, [a-f], . and \p{L} apart.
const SAMPLE = [
  ...Array.from({ length: 256 }, (_, code) => String.fromCodePoint(code)),
  ...['ā', 'ſ', 'K', 'Ω', 'я', '中', '\u2028', '\u3000', '😀'],
];
const matchers = new Map<string, RegExp>();

function matcher(source: string): RegExp {
  let re = matchers.get(source);
  if (re === undefined) {
    re = new RegExp(`^(?:${source})$`, 'u');
    matchers.set(source, re);
  }
  return re;
}

function overlap(a: string[], b: string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  return SAMPLE.some((c) => a.some((s) => matcher(s).test(c)) && b.some((s) => matcher(s).test(c)));
}

type Repeat = Extract<Node, { kind: 'repeat' }>;

/**
 * A repetition of "delimiter + run" or "run + delimiter", where the run is one character class
 * that cannot match the delimiter: `(-[a-z0-9]+)*`, `(\.[a-z]+)*`, `(\d+,)*`. Every delimiter in the
 * input starts (or ends) an iteration, so the input splits into iterations one way only, and a
 * shorter run leaves no way on but out of the repetition: no exponential blow-up. Anything richer
 * (`(a+\.a+)*`, whose runs meet across iterations) stays refused.
 */
function isDelimitedRepetition(repeat: Repeat): boolean {
  let body = repeat.body;
  while (body.kind === 'group') body = body.body;
  if (body.kind !== 'seq' || body.items.length !== 2) return false;
  const [first, second] = body.items as [Node, Node];
  const [delimiter, run] = first.kind === 'char' ? [first, second] : [second, first];
  if (delimiter.kind !== 'char' || run.kind !== 'repeat' || run.body.kind !== 'char') return false;
  return !overlap([delimiter.source], [run.body.source]);
}

function findRisk(node: Node, enclosing: Repeat[]): string | null {
  switch (node.kind) {
    case 'char':
    case 'assert':
      return null;
    case 'look':
    case 'group':
      return findRisk(node.body, enclosing);
    case 'seq':
      for (const item of node.items) {
        const risk = findRisk(item, enclosing);
        if (risk !== null) return risk;
      }
      return null;
    case 'alt': {
      if (timesRepeated(enclosing) > LARGE_REPEAT) {
        const starts = node.branches.map(firstChars);
        for (let i = 0; i < starts.length; i++) {
          for (let j = i + 1; j < starts.length; j++) {
            if (overlap(starts[i]!, starts[j]!)) {
              return 'alternatives that can match the same text are repeated; make the alternatives distinct';
            }
          }
        }
      }
      for (const branch of node.branches) {
        const risk = findRisk(branch, enclosing);
        if (risk !== null) return risk;
      }
      return null;
    }
    case 'repeat': {
      // Optional parts count too: in (a?[ab])* "aa" is one iteration or two.
      const variable = node.min !== node.max;
      if (variable && enclosing.length > 0 && timesRepeated(enclosing) * node.max > LARGE_REPEAT) {
        return 'an optional or repeated part is nested inside another repetition; repeat a single quantifier, e.g. ^a+$ instead of ^(a+)+$';
      }
      const repeats = node.max > 1 && !isDelimitedRepetition(node);
      return findRisk(node.body, repeats ? [...enclosing, node] : enclosing);
    }
  }
}

/**
 * Why the pattern can backtrack catastrophically, or null when it cannot (or does not compile:
 * the schema compiler reports that).
 */
export function backtrackingRisk(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return null;
  }
  let tree: Node;
  try {
    tree = new PatternParser(pattern).parse();
  } catch {
    return null;
  }
  return findRisk(tree, []);
}
