import { describe, expect, it } from 'vitest';
import { DAY_MS, dayStart, daysToPrepare, partitionsEndingBy } from './partition-days.js';

const NOV_30 = Date.UTC(2026, 10, 30);

describe('attempt partition days', () => {
  it('start at midnight UTC of the day of a time', () => {
    expect(dayStart(NOV_30)).toBe(NOV_30);
    expect(dayStart(NOV_30 + DAY_MS - 1)).toBe(NOV_30);
    expect(dayStart(NOV_30 + DAY_MS)).toBe(NOV_30 + DAY_MS);
  });

  it('are prepared from today to the days ahead asked for', () => {
    expect(daysToPrepare(NOV_30 + 13 * 3_600_000, 2)).toEqual([NOV_30, NOV_30 + DAY_MS, NOV_30 + 2 * DAY_MS]);
    expect(daysToPrepare(NOV_30, 0)).toEqual([NOV_30]);
  });

  it('are dropped only when their whole range ends by the cutoff, never the default partition', () => {
    const day = (start: number) => ({ name: `attempts_${start}`, bound: `FOR VALUES FROM ('${start}') TO ('${start + DAY_MS}')` });
    const partitions = [day(NOV_30 - 2 * DAY_MS), day(NOV_30 - DAY_MS), day(NOV_30), { name: 'attempts_default', bound: 'DEFAULT' }];
    expect(partitionsEndingBy(partitions, NOV_30)).toEqual([`attempts_${NOV_30 - 2 * DAY_MS}`, `attempts_${NOV_30 - DAY_MS}`]);
    expect(partitionsEndingBy(partitions, NOV_30 - 1)).toEqual([`attempts_${NOV_30 - 2 * DAY_MS}`]);
    expect(partitionsEndingBy(partitions, NOV_30 + DAY_MS / 2)).toHaveLength(2);
    expect(partitionsEndingBy(partitions, 0)).toEqual([]);
  });

  it('read bounds written without quotes too', () => {
    expect(partitionsEndingBy([{ name: 'p', bound: `FOR VALUES FROM (${NOV_30}) TO (${NOV_30 + DAY_MS})` }], NOV_30 + DAY_MS)).toEqual(['p']);
  });
});
