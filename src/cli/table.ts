import { visibleLength } from './style.js';

// A plain text table for lists a person reads (`hookd endpoints list`): columns padded to their
// widest cell, the last column left ragged so long URLs are not padded.

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
