-- Fair shares between accounts: the worker claims each account's due deliveries separately
-- (oldest due first within the account), so one account's backlog cannot keep the others'
-- deliveries from being claimed. This index finds the accounts with pending work without reading
-- their rows (a skip scan: one index descent per account) and each account's due deliveries in
-- order. Provider-level deliveries (no account) are one account, the key ''.
CREATE INDEX deliveries_due_by_account ON deliveries ((coalesce(account_id, '')), next_attempt_at) WHERE status = 'pending';
