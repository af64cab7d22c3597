// Which day partitions of attempts to create and which to drop: pure arithmetic over UTC days in
// unix milliseconds (the unit of started_at), kept apart from the SQL so that it is tested alone.

export const DAY_MS = 86_400_000;

/** The start of the UTC day of `at`. */
export function dayStart(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/** The starts of the UTC day of `now` and of the `daysAhead` days after it. */
export function daysToPrepare(now: number, daysAhead: number): number[] {
  const today = dayStart(now);
  return Array.from({ length: daysAhead + 1 }, (_, ahead) => today + ahead * DAY_MS);
}

export interface PartitionBound {
  /** The partition, as PostgreSQL names it (`regclass` text: quoted where it needs to be). */
  name: string;
  /** pg_get_expr of its bound: `FOR VALUES FROM ('…') TO ('…')`, or `DEFAULT`. */
  bound: string;
}

/**
 * The partitions whose every row started before `cutoff`: those whose range ends at or before it.
 * The day that holds the cutoff is kept whole (its rows outlive the window by less than a day), and
 * so is the default partition, which has no range (its old rows are deleted one by one).
 */
export function partitionsEndingBy(partitions: readonly PartitionBound[], cutoff: number): string[] {
  return partitions.flatMap(({ name, bound }) => {
    const end = /\bTO \('?(-?\d+)'?\)/.exec(bound);
    return end !== null && Number(end[1]) <= cutoff ? [name] : [];
  });
}
