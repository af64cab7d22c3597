// List cursors are the sort key of the last item returned, base64url-encoded so that clients
// treat them as opaque. A cursor that does not decode is a client error, reported by the caller.

export class InvalidCursorError extends Error {}

export function encodeCursor(key: string | number): string {
  return Buffer.from(typeof key === 'number' ? `n:${key}` : `s:${key}`).toString('base64url');
}

function decode(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new InvalidCursorError('cursor is not one hookd gave out');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export function decodeStringCursor(cursor: string): string {
  const text = decode(cursor);
  if (!text.startsWith('s:')) throw new InvalidCursorError('cursor is not one hookd gave out');
  return text.slice(2);
}

export function decodeNumberCursor(cursor: string): number {
  const text = decode(cursor);
  const value = Number(text.slice(2));
  if (!text.startsWith('n:') || !Number.isSafeInteger(value)) {
    throw new InvalidCursorError('cursor is not one hookd gave out');
  }
  return value;
}

/** Rows are fetched with limit + 1 so that the page knows whether another follows. */
export function pageFrom<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => string | number,
): { items: Item[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
