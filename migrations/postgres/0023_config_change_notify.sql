-- Tells every node when cached config changes (src/store/postgres/config-cache.ts): each node keeps
-- the API keys, event types, accounts and candidate endpoints that ingest reads on every request,
-- and forgets them on a NOTIFY on hookd_config. The node that made a change forgets at once
-- (src/store/postgres/config-writes.ts); these triggers reach the others, whoever made the change
-- (another node, an operator's SQL).
--
-- Row triggers, so that a statement that changes nothing notifies nobody. Notifications are sent
-- at commit, and the same one sent several times in a transaction is sent once.
--
-- The lines drawn are config-writes.ts's: the delivery path's pause, breaker, concurrency, rate and
-- health columns of endpoints, a key's last_used_at and an account's callback secret are not read
-- through the cache (most are written every few attempts); changing them alone notifies nobody. Only found rows are cached,
-- so a new key, type or account needs no notification; a new endpoint does (its account's
-- candidates change).
CREATE FUNCTION hookd_notify_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hookd_config', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER endpoints_config_added_or_removed AFTER INSERT OR DELETE ON endpoints
  FOR EACH ROW EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER endpoints_config_changed AFTER UPDATE ON endpoints FOR EACH ROW
  WHEN ((to_jsonb(OLD) - ARRAY['paused_until', 'pause_reason', 'breaker_failures', 'breaker_cooldown_ms', 'concurrency_limit',
          'concurrency_successes', 'rate_next_at', 'failing_since', 'failure_count'])
    IS DISTINCT FROM (to_jsonb(NEW) - ARRAY['paused_until', 'pause_reason', 'breaker_failures', 'breaker_cooldown_ms',
          'concurrency_limit', 'concurrency_successes', 'rate_next_at', 'failing_since', 'failure_count']))
  EXECUTE FUNCTION hookd_notify_config();

CREATE TRIGGER api_keys_config_removed AFTER DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER api_keys_config_changed AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
  EXECUTE FUNCTION hookd_notify_config();

CREATE TRIGGER event_types_config_removed AFTER DELETE ON event_types FOR EACH ROW EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER event_types_config_changed AFTER UPDATE ON event_types FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION hookd_notify_config();

-- An account's callback secret is sealed apart and never part of a cached account.
CREATE TRIGGER accounts_config_removed AFTER DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER accounts_config_changed AFTER UPDATE ON accounts FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'callback_secret') IS DISTINCT FROM (to_jsonb(NEW) - 'callback_secret'))
  EXECUTE FUNCTION hookd_notify_config();

-- TRUNCATE fires no row triggers: one for the statement.
CREATE TRIGGER endpoints_config_truncated AFTER TRUNCATE ON endpoints FOR EACH STATEMENT EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER api_keys_config_truncated AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER event_types_config_truncated AFTER TRUNCATE ON event_types FOR EACH STATEMENT EXECUTE FUNCTION hookd_notify_config();
CREATE TRIGGER accounts_config_truncated AFTER TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION hookd_notify_config();
