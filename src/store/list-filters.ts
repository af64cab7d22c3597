// The WHERE clause of a list query, naming only the filters given. A filter written
// `(? IS NULL OR column = ?)` cannot use an index on SQLite, which plans a statement once for any
// values: a list filtered by a column its index would find in a few rows walked the table in page
// order instead, for as long as the page was not full — to the end of the history when it never
// fills (issue 19: one event's deliveries). With only the conditions given, the planner sees each
// filter's index; a list without filters reads the newest rows in key order and stops at the page.

/** One condition with the values it binds, in order. */
export interface Condition {
  sql: string;
  params: unknown[];
}

/** `column op ?` when the value is given, nothing when it is not. */
export function compared(column: string, op: '=' | '<' | '>=', value: string | number | undefined | null): Condition | null {
  return value === undefined || value === null ? null : { sql: `${column} ${op} ?`, params: [value] };
}

/** `WHERE` and the given conditions joined by AND; empty without any. */
export function whereOf(conditions: ReadonlyArray<Condition | null>): Condition {
  const given = conditions.filter((condition): condition is Condition => condition !== null);
  if (given.length === 0) return { sql: '', params: [] };
  return { sql: `WHERE ${given.map((c) => `(${c.sql})`).join(' AND ')}`, params: given.flatMap((c) => c.params) };
}
