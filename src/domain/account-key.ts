/**
 * The key deliveries are shared fairly under (src/delivery/admission.ts): their account, with
 * provider-level deliveries (no account) counted as one account of their own. The SQL that
 * groups them says `coalesce(account_id, '')`.
 */
export function accountKey(accountId: string | null): string {
  return accountId ?? '';
}

/** How many deliveries each account has among `items`. */
export function countByAccount(items: Array<{ accountId: string | null }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(accountKey(item.accountId), (counts.get(accountKey(item.accountId)) ?? 0) + 1);
  return counts;
}
