-- A receiver that answers `webhook-delivery: abort-message` ends its delivery as `aborted`, a final
-- status of its own (README, "Receivers in control"). The status check is widened: added NOT VALID
-- (no scan under the table's exclusive lock), then validated under a lock that lets writes go on.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
  CHECK (status IN ('pending', 'sending', 'succeeded', 'failed', 'dropped', 'canceled', 'aborted')) NOT VALID;
ALTER TABLE deliveries VALIDATE CONSTRAINT deliveries_status_check;
