import { HookdError } from '@hookd/sdk/client';
import type { Problem } from './form-model.js';

// The server's URL guard refuses private and loopback addresses (SSRF) with 422 url_not_allowed.
// Its reason ("resolves to a loopback address") does not say what to do about it: the operator
// can turn the guard off with HOOKD_ALLOW_PRIVATE_URLS; a customer in the portal cannot, and is
// only told to use a public address.

export function refusalHint(admin: boolean): string {
  return admin
    ? 'Private and loopback addresses are refused. To deliver to them (development, receivers on your own network), start hookd with HOOKD_ALLOW_PRIVATE_URLS=true.'
    : 'Use a public address: private and loopback addresses are refused.';
}

/**
 * An API error's field problems, `prefix` taken off their pointers (the preview nests the
 * definition under /endpoint), with the refusal of a URL explained.
 */
export function problemsFromError(error: unknown, options: { admin: boolean; prefix?: string }): Problem[] {
  if (!(error instanceof HookdError)) return [];
  const prefix = options.prefix ?? '';
  return error.details
    .filter((detail) => detail.field.startsWith(prefix + '/'))
    .map((detail) => {
      const field = detail.field.slice(prefix.length);
      const refused = error.code === 'url_not_allowed' && field === '/url';
      return { field, message: refused ? `is not allowed: ${detail.message}. ${refusalHint(options.admin)}` : detail.message };
    });
}
