import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';

// The bench's output: one row per figure, with the target where it has one, as a table
// on stdout and as JSON (every figure and the raw measurements) for --json.

export interface Target {
  /** `min`: the value must be at least `limit`; `max`: at most. */
  kind: 'min' | 'max';
  limit: number;
}

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  target?: Target;
  /** Set when there is a target. */
  met?: boolean;
  /** Shown after the value, e.g. the absolute figure behind a ratio. */
  note?: string;
}

export function figure(id: string, label: string, value: number, unit: string, target?: Target, note?: string): Figure {
  const met = target === undefined ? undefined : target.kind === 'min' ? value >= target.limit : value <= target.limit;
  return { id, label, value, unit, target, met, note };
}

export interface Machine {
  date: string;
  commit: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    if (dirty) commit += '+changes';
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    date: new Date().toISOString(),
    commit,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === '×') return `${value.toFixed(2)}×`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'µs') return `${value.toFixed(0)} µs`;
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

function formatTarget(target: Target | undefined, unit: string): string {
  if (target === undefined) return '';
  return `${target.kind === 'min' ? '≥' : '≤'} ${formatValue(target.limit, unit)}`;
}

export function table(title: string, figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.label,
    formatValue(f.value, f.unit) + (f.note === undefined ? '' : `  (${f.note})`),
    formatTarget(f.target, f.unit),
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
  ]);
  const header = ['figure', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [title, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
