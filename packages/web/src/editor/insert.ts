// The field picker's edit: a `{{data.path}}` placeholder put where the cursor is.

export function placeholder(path: string): string {
  return `{{${path}}}`;
}

/** Replaces the selection [start, end) of `text` with `snippet`; the caret lands after it. */
export function insertAt(text: string, start: number | null, end: number | null, snippet: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start ?? text.length, text.length));
  const to = Math.max(from, Math.min(end ?? from, text.length));
  return { text: text.slice(0, from) + snippet + text.slice(to), caret: from + snippet.length };
}

/** Adds a payload path to the json body's fields once. */
export function addField(fields: string[], path: string): string[] {
  return fields.some((field) => field === path || field.startsWith(path + ':')) ? fields : [...fields, path];
}
