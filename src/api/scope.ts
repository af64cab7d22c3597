import type { Principal } from './auth.js';
import { ApiError, notFound } from './errors.js';

// Tenant isolation in one place. An account key sees only its own account's resources; anything
// else is answered exactly as if it did not exist (404), so ids of other tenants leak nothing.

/** The account a list must be confined to, or undefined for admins. */
export function listScope(principal: Principal): string | undefined {
  return principal.kind === 'account' ? (principal.accountId ?? '') : undefined;
}

export function assertVisible(principal: Principal, resourceAccountId: string | null, what: string): void {
  if (principal.kind === 'account' && resourceAccountId !== principal.accountId) throw notFound(what);
}

/** The accountId a resource created by this principal gets: account keys may only name their own. */
export function ownAccountId(principal: Principal, requested: string | null | undefined): string | null {
  if (principal.kind !== 'account') return requested ?? null;
  if (requested !== undefined && requested !== principal.accountId) {
    throw new ApiError('forbidden', 'an account key may only use its own accountId');
  }
  return principal.accountId;
}
