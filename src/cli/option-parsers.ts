import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

// Turning option text into values, with messages that say what was expected. Commander reports an
// InvalidArgumentError naming the option and exits.

/** JSON text, or `@path` for the JSON in a file. */
export function parseJson(value: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(`cannot read ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON: ${(error as Error).message}`);
  }
}

/** A comma-separated list (`a,b`); repeating the option adds to it. */
export function parseList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}

/** A whole number within bounds. */
export function integerBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return parsed;
  };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a person types after an outage: `2h`, `30m`, `1d`, `90s` ago, or an ISO time. */
export function parseSince(text: string, nowMs: number = Date.now()): Date {
  const relative = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (relative !== null) return new Date(nowMs - Number(relative[1]) * UNIT_MS[relative[2]!]!);
  const absolute = Date.parse(text);
  if (Number.isNaN(absolute) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new InvalidArgumentError('expected a duration ago (90s, 30m, 2h, 1d) or an ISO time (2026-11-22T10:00:00Z)');
  }
  return new Date(absolute);
}
