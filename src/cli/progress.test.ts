import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

/** A stream that records what is written, posing as a terminal or not. */
function screen(tty: boolean, columns = 80) {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk.toString());
        done();
      },
    }),
    { isTTY: tty, columns },
  );
  return { stream, writes };
}

describe('Progress', () => {
  it('redraws one line in place on a terminal, at most every 80 ms, and ends it on finish', () => {
    let now = 0;
    const { stream, writes } = screen(true);
    const progress = new Progress({ label: 'replaying events', total: 4, stream, now: () => now });
    expect(writes).toEqual([`\r\u001b[2Kreplaying events [${'░'.repeat(30)}] 0/4  0%`]);

    now = 10;
    progress.update(1);
    expect(writes).toHaveLength(1); // too soon to redraw
    now = 1000;
    progress.increment(1, '2 succeeded');
    expect(writes.at(-1)).toBe(`\r\u001b[2Kreplaying events [${'█'.repeat(15)}${'░'.repeat(15)}] 2/4  50%  2.0/s  2 succeeded`);

    progress.finish('all done');
    expect(writes.slice(-3)).toEqual([`\r\u001b[2Kreplaying events [${'█'.repeat(15)}${'░'.repeat(15)}] 2/4  50%  2.0/s  2 succeeded`, '\n', 'all done\n']);
    progress.update(4);
    expect(writes.at(-1)).toBe('all done\n');
  });

  it('never wraps: the bar shrinks and the line is cut to the terminal', () => {
    const { stream, writes } = screen(true, 40);
    new Progress({ label: 'deliveries attempted', total: 1000, stream, now: () => 0 });
    const line = writes[0]!.replace('\r\u001b[2K', '');
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line).toContain(`[${'░'.repeat(10)}]`);
  });

  it('writes plain lines when not a terminal: one now and then, one at the end', () => {
    let now = 0;
    const { stream, writes } = screen(false);
    const progress = new Progress({ label: 'deliveries attempted', total: 10, stream, now: () => now, plainEveryMs: 1000 });
    expect(writes).toEqual([]);
    now = 500;
    progress.update(3);
    expect(writes).toEqual([]);
    now = 1500;
    progress.update(5, '5 succeeded');
    expect(writes).toEqual(['deliveries attempted: 5/10 (5 succeeded)\n']);
    now = 2000;
    progress.update(10, '10 succeeded');
    progress.finish();
    expect(writes.slice(1)).toEqual(['deliveries attempted: 10/10 in 2.0 s (10 succeeded)\n']);
    expect(writes.join('')).not.toContain('\u001b');
  });

  it('keeps counts within the total, which may be set later', () => {
    const { stream, writes } = screen(false);
    const progress = new Progress({ label: 'bench', total: 0, stream, now: () => 0 });
    progress.setTotal(3);
    progress.update(7);
    progress.finish();
    expect(writes).toEqual(['bench: 3/3 in 0.0 s\n']);
  });
});
