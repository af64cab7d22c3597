import { RE2JS } from 're2js';

// Event-type schemas run their `pattern`s on every publisher payload, on the event loop, over
// strings of up to 256 KiB. JavaScript's backtracking engine cannot be interrupted, and refusing
// "catastrophic" patterns on save (regex-safety.ts) is not enough for a bound: `^a*a*a*a*a*$`
// passes any nesting check and takes minutes on 300 characters, and an unanchored `a+x` is
// quadratic. So payload patterns run on RE2's algorithm (re2js, pure JavaScript), whose time is
// linear in the input whatever the pattern.
//
// What RE2 gives up: look-arounds and back-references, which cannot be matched in linear time.
// Such patterns are refused on save. Character classes keep their JavaScript meaning except `\s`,
// which is ASCII whitespace in RE2 (no-break and other Unicode spaces do not match), and `.`,
// which also matches `\r`, `\u2028` and `\u2029`.

export interface LinearRegExp {
  test(text: string): boolean;
  /** The pattern as a regex literal: ajv keys its compiled patterns by it. */
  toString(): string;
}

/** Compiles an ECMAScript pattern (the syntax JSON Schema uses) to RE2. Throws when RE2 cannot run it. */
export function linearRegExp(pattern: string): LinearRegExp {
  const compiled = RE2JS.compile(RE2JS.translateRegExp(pattern));
  return { test: (text) => compiled.test(text), toString: () => `/${pattern}/u` };
}

/**
 * Why the pattern cannot be matched in linear time (or is not a pattern at all), or null when it can.
 * Asked before a schema is compiled, so the error names the pattern's own field.
 */
export function linearRegExpProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  try {
    linearRegExp(pattern);
    return null;
  } catch {
    return 'uses a look-around or a back-reference, which cannot be matched in time linear in the input; payload patterns are matched with RE2 syntax';
  }
}

/** The engine ajv compiles `pattern` and `patternProperties` with (its `code.regExp` option). */
export const linearRegExpEngine = Object.assign((pattern: string) => linearRegExp(pattern), {
  // Only read by ajv's standalone code generation, which hookd does not use.
  code: 'linearRegExp',
});
