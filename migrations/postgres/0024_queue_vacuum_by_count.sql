-- deliveries_queue is vacuumed after a fixed number of dead rows, at full speed (issue 19).
--
-- Every delivery leaves the queue once (0022), so its dead rows come at the delivery rate whatever
-- its size. At 2 % of the table (0022's scale factor) the wait for a vacuum grew with the backlog:
-- in a 30-minute soak whose backlog of retries grew to 540 k rows by design, dead rows rose from
-- 7 k to 46 k. A threshold in rows keeps the count of dead rows set by the rate alone, and without
-- the cost delay a vacuum of the queue (the backlog's rows and indexes, not the history's) ends in
-- a fraction of the time it would take throttled, so fewer dead rows pile up while it runs.
ALTER TABLE deliveries_queue SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0);
