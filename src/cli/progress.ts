// A progress bar for long command-line work (replaying events, recovering deliveries, a benchmark):
// redrawn in place on a terminal; on anything else (a pipe, a CI log) a plain line now and then and
// one at the end, so logs stay readable. It knows nothing of what it counts.

export interface ProgressOptions {
  /** What is being counted: "replaying events", "deliveries attempted". */
  label: string;
  total: number;
  /** Where to draw. Default stderr, so the command's output on stdout stays clean. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** How often a non-terminal gets a line while work goes on. Default 10 s. */
  plainEveryMs?: number;
  /** The clock, for rates and throttling. */
  now?: () => number;
}

/** Terminal redraws at most this often, so a tight loop does not spend its time drawing. */
const REDRAW_EVERY_MS = 80;
const BAR_MAX = 30;
const BAR_MIN = 10;

export class Progress {
  readonly #label: string;
  readonly #stream: NonNullable<ProgressOptions['stream']>;
  readonly #tty: boolean;
  readonly #plainEveryMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  #total: number;
  #done = 0;
  #note = '';
  #drawnAt = Number.NEGATIVE_INFINITY;
  #finished = false;

  constructor(options: ProgressOptions) {
    this.#label = options.label;
    this.#total = Math.max(0, options.total);
    this.#stream = options.stream ?? process.stderr;
    this.#tty = this.#stream.isTTY === true;
    this.#plainEveryMs = options.plainEveryMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    if (this.#tty) this.#draw();
    else this.#drawnAt = this.#startedAt;
  }

  /** Sets how much is done, with an optional short note ("12 succeeded · 1 failed"). */
  update(done: number, note?: string): void {
    this.#done = Math.min(Math.max(0, done), this.#total);
    if (note !== undefined) this.#note = note;
    const now = this.#now();
    if (this.#finished) return;
    if (this.#tty ? now - this.#drawnAt >= REDRAW_EVERY_MS : now - this.#drawnAt >= this.#plainEveryMs) this.#draw();
  }

  increment(by = 1, note?: string): void {
    this.update(this.#done + by, note);
  }

  /** When the amount of work becomes known or grows. */
  setTotal(total: number): void {
    this.#total = Math.max(0, total);
    this.update(this.#done);
  }

  /** Draws the final state and ends the line; a summary, if given, follows on a line of its own. */
  finish(summary?: string): void {
    if (this.#finished) return;
    this.#finished = true;
    const elapsed = formatSeconds(this.#now() - this.#startedAt);
    if (this.#tty) {
      this.#draw();
      this.#stream.write('\n');
    } else {
      this.#stream.write(`${this.#label}: ${this.#done}/${this.#total} in ${elapsed}${this.#note === '' ? '' : ` (${this.#note})`}\n`);
    }
    if (summary !== undefined) this.#stream.write(`${summary}\n`);
  }

  #draw(): void {
    this.#drawnAt = this.#now();
    const counts = `${this.#done}/${this.#total}`;
    if (!this.#tty) {
      this.#stream.write(`${this.#label}: ${counts}${this.#note === '' ? '' : ` (${this.#note})`}\n`);
      return;
    }
    const fraction = this.#total === 0 ? 1 : this.#done / this.#total;
    const elapsedMs = this.#drawnAt - this.#startedAt;
    const rate = elapsedMs > 500 ? `${(this.#done / (elapsedMs / 1000)).toFixed(1)}/s` : '';
    const tail = [counts, `${Math.floor(fraction * 100)}%`, rate, this.#note].filter((part) => part !== '').join('  ');
    const columns = this.#stream.columns || 80;
    const width = Math.max(BAR_MIN, Math.min(BAR_MAX, columns - this.#label.length - tail.length - 6));
    const filled = Math.round(fraction * width);
    const line = `${this.#label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${tail}`;
    // \r and erase-line redraw in place; the line is cut to the terminal so it never wraps.
    this.#stream.write(`\r\u001b[2K${line.slice(0, Math.max(0, columns - 1))}`);
  }
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
