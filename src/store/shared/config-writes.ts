// Which statements change what the config cache (config-cache.ts) holds: an API key by its hash, an
// event type by name, an account by id, and each account's candidate endpoints. This node learns of
// its own changes from the statements it runs, at once; other nodes' come by NOTIFY from triggers
// (migrations/postgres/0023) that draw the same lines.
//
// Conservative by construction: a statement that writes one of these tables counts as a change
// unless it is one of the writes known to leave every cached answer as it was. A false "change"
// only costs a cache miss; a missed one would serve an old answer.

/** Per table: columns whose writes are operational state, never part of a cached answer's use. */
export const OPERATIONAL_COLUMNS: Record<CachedTable, ReadonlySet<string>> = {
  // Pause, breaker, adaptive concurrency, rate slots and health: written on the delivery path;
  // routing (the only use of cached endpoints) reads none of them.
  endpoints: new Set([
    'paused_until',
    'pause_reason',
    'breaker_failures',
    'breaker_cooldown_ms',
    'concurrency_limit',
    'concurrency_successes',
    'rate_next_at',
    'failing_since',
    'failure_count',
  ]),
  api_keys: new Set(['last_used_at']),
  event_types: new Set(),
  // Sealed apart, never part of an Account (KeyStore.getAccountCallbackSecret).
  accounts: new Set(['callback_secret']),
};

export type CachedTable = 'endpoints' | 'api_keys' | 'event_types' | 'accounts';

/** The tables whose rows the cache answers from. */
export const CACHED_TABLES: readonly CachedTable[] = ['endpoints', 'api_keys', 'event_types', 'accounts'];

/** `DO UPDATE` (an upsert's) and `FOR UPDATE` (a row lock) are not statements of their own. */
const ANY_WRITE = /(?<!\b(?:DO|FOR)\s+)\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\w+/gi;
/**
 * Every write and the name it writes. The plain forms (INSERT, UPDATE, DELETE of a bare name) are
 * read in detail; the others (MERGE, TRUNCATE, COPY, ONLY, a schema or quotes, and SQLite's
 * `INSERT OR …`, `REPLACE`, `UPDATE OR …`) count as changes.
 */
const WRITE =
  /\b(INSERT\s+OR\s+\w+\s+INTO|REPLACE\s+INTO|UPDATE\s+OR\s+\w+|INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?|COPY)\s+(ONLY\s+)?([\w".]+)/gi;
const PLAIN_VERBS = ['INSERT INTO', 'UPDATE', 'DELETE FROM'];

const classified = new Map<string, boolean>();

/** Whether running `sql` may change an answer the config cache holds. Memoized per statement text. */
export function changesCachedConfig(sql: string): boolean {
  let changes = classified.get(sql);
  if (changes === undefined) {
    changes = classify(sql);
    classified.set(sql, changes);
  }
  return changes;
}

/**
 * Text the classifier does not read: a block comment, or `--` inside a quoted string (stripping
 * it as a comment would cut the rest of the line). A write to a cached table with either counts as
 * a change.
 */
const UNREADABLE = /\/\*|'(?:[^']|'')*--/;

function classify(text: string): boolean {
  // Comments could hide or fake a clause; quoted text is left as it is (assignedColumns skips it).
  const sql = text.replace(/--[^\n]*/g, ' ');
  for (const match of sql.matchAll(WRITE)) {
    const verb = match[1]!.toUpperCase().replace(/\s+/g, ' ');
    const name = match[3]!;
    const table = name.replace(/"/g, '').split('.').pop()!.toLowerCase() as CachedTable;
    if (!CACHED_TABLES.includes(table)) continue;
    if (UNREADABLE.test(text)) return true;
    if (!PLAIN_VERBS.includes(verb) || match[2] !== undefined || /[".]/.test(name)) return true;
    if (verb === 'DELETE FROM') return true;
    const segment = segmentAfter(sql, match.index + match[0].length);
    if (verb === 'INSERT INTO') {
      // A new endpoint joins its account's candidates. A new key, type or account cannot change a
      // cached answer (only found rows are cached) unless an upsert rewrites an existing row.
      if (table === 'endpoints' || /\bDO\s+UPDATE\b/i.test(segment)) return true;
      continue;
    }
    const assigned = assignedColumns(segment);
    if (assigned === null || assigned.some((column) => !OPERATIONAL_COLUMNS[table].has(column))) return true;
  }
  return false;
}

/** The statement's text from `from` up to the next write (a CTE's next statement) or its end. */
function segmentAfter(sql: string, from: number): string {
  ANY_WRITE.lastIndex = from;
  const next = ANY_WRITE.exec(sql);
  return sql.slice(from, next === null ? sql.length : next.index);
}

/**
 * The columns an UPDATE's SET clause assigns (`[alias] SET a = …, b = …`), split at the commas
 * outside parentheses and CASE … END. Null when the clause cannot be read: counted as a change.
 */
export function assignedColumns(update: string): string[] | null {
  const set = /^\s*(?:\w+\s+)?SET\s/i.exec(update);
  if (set === null) return null;
  const columns: string[] = [];
  let depth = 0;
  let start = set[0].length;
  // `IS [NOT] DISTINCT FROM` is one token, so that its FROM does not end the clause.
  const tokens = /\(|\)|,|'(?:[^']|'')*'|\bCASE\b|\bEND\b|\bWHERE\b|\bDISTINCT\s+FROM\b|\bFROM\b|\bRETURNING\b/gi;
  tokens.lastIndex = start;
  const take = (end: number): boolean => {
    const assignment = /^\s*(\w+)\s*=/.exec(update.slice(start, end));
    if (assignment === null) return false;
    columns.push(assignment[1]!.toLowerCase());
    return true;
  };
  for (let token = tokens.exec(update); token !== null; token = tokens.exec(update)) {
    const word = token[0].toUpperCase();
    if (word === '(' || word === 'CASE') depth++;
    else if (word === ')' || word === 'END') depth--;
    else if (depth === 0 && word === ',') {
      if (!take(token.index)) return null;
      start = token.index + 1;
    } else if (depth === 0 && (word === 'WHERE' || word === 'FROM' || word === 'RETURNING')) {
      return take(token.index) ? columns : null;
    }
  }
  return take(update.length) ? columns : null;
}
