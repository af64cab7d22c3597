import { REQUEST_BODY_KEPT_CHARS } from './redaction.js';
import { standardBody } from './request.js';
import type { HookEvent } from './types.js';

// Most request bodies are the event itself (the standard envelope, or the raw payload): the same
// bytes on every attempt of every delivery of that event, and already stored once with the event.
// Such a body is recorded as where it comes from, not as a copy, and rebuilt when an attempt is
// read (issue 19: the copies were a third of the database). A templated body depends on the
// endpoint's configuration at the time, so it is still stored with its attempt.

export type RequestBodySource = 'standard' | 'raw';

/** Which rendering of the event `body` is, if any. */
export function requestBodySource(body: string | null, event: HookEvent): RequestBodySource | null {
  if (body === null) return null;
  if (body === event.payload) return 'raw';
  if (body === standardBody(event)) return 'standard';
  return null;
}

/** The body as the attempt log keeps it (its first 4 KiB), rebuilt from the event it came from. */
export function rebuiltRequestBody(source: RequestBodySource, event: Pick<HookEvent, 'type' | 'occurredAt' | 'payload'>): string {
  const body = source === 'raw' ? event.payload : standardBody(event);
  return body.slice(0, REQUEST_BODY_KEPT_CHARS);
}
