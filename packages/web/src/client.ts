import { Hookd, HookdConnectionError, HookdError, type KeyIdentity } from '@hookd/sdk/client';

// The dashboard and the portal talk to hookd through the typed SDK: same origin, the key of this
// tab as the bearer token. Errors are the SDK's (HookdError names the bad fields in `details`).

export function createClient(key: string): Hookd {
  return new Hookd({ url: window.location.origin, key });
}

/** Checks a key without keeping it: who it belongs to, or the API's reason for refusing it. */
export function whoIs(key: string): Promise<KeyIdentity> {
  return createClient(key).me();
}

/** A refused key (revoked, expired): the app signs out and says why. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof HookdError && error.status === 401;
}

/** What to tell the user: the API's message, with the fields it names when the message does not. */
export function errorMessage(error: unknown): string {
  if (error instanceof HookdError) {
    const fields = error.details.filter((d) => d.field !== '/' && !error.message.includes(d.field));
    return fields.length === 0 ? error.message : `${error.message} (${fields.map((d) => `${d.field} ${d.message}`).join('; ')})`;
  }
  if (error instanceof HookdConnectionError) return 'hookd could not be reached; check your connection and try again';
  return error instanceof Error ? error.message : String(error);
}

/** The API's validation details as field problems (JSON pointers), for the form that sent them. */
export function fieldProblems(error: unknown): Array<{ field: string; message: string }> {
  return error instanceof HookdError ? error.details.map((d) => ({ field: d.field, message: d.message })) : [];
}
