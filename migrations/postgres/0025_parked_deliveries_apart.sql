-- Parked deliveries leave the queue's table (issue 19; docs/performance.md, section 26).
--
-- A paused endpoint's deliveries are parked (0019): pending, `parked` = 1, out of the due indexes.
-- They stayed in deliveries_queue, whose every index (the partitioned ones on event, endpoint,
-- account, … and its primary key) held them too. deliveries_queue is vacuumed after every 5,000
-- dead rows (0024), about every ten seconds at 500 deliveries/s, and a vacuum reads every index of
-- its table whole: its cost grew with the parked backlog. In an hour-long soak whose backlog grows
-- by design (four dead or throttling receivers, 300 deliveries/s between them: ~1 M pending rows
-- after the hour), the first attempts' p99 went from ~100 ms to 300–850 ms in the last quarter
-- hour, and PostgreSQL's CPU per attempt rose with it.
--
-- The pending rows are now partitioned again, by `parked`: deliveries_queue keeps the rows that are
-- claimed (its storage settings: fillfactor 50, vacuumed at 5,000 dead rows, unthrottled), and
-- deliveries_parked holds the parked ones. A parked row is written once (parked at ingest, or moved
-- there by a claim's parking) and left once (un-parked a few dozen at a time, or finished), so
-- deliveries_parked is insert-mostly and vacuumed at PostgreSQL's default share of dead rows,
-- rarely; the queue's vacuums read indexes as large as the work being claimed, not the backlog
-- waiting for its endpoints.
--
-- Parking and un-parking change `parked`, which moves the row between the partitions (a delete and
-- an insert, as finishing moves it to the history, 0022). Statements name deliveries and are
-- unchanged, except that the parking statements now say which partition their rows are in
-- (src/store/postgres/parking.ts).
ALTER TABLE deliveries DETACH PARTITION deliveries_queue;
-- Its name is wanted for the partition; the parked rows' index is made there.
DROP INDEX deliveries_parked;

CREATE TABLE deliveries_pending PARTITION OF deliveries FOR VALUES IN ('pending') PARTITION BY LIST (parked);
CREATE TABLE deliveries_parked PARTITION OF deliveries_pending FOR VALUES IN (1);

INSERT INTO deliveries_parked SELECT * FROM deliveries_queue WHERE parked = 1;
DELETE FROM deliveries_queue WHERE parked = 1;
-- Its indexes (due, due by account, and the partitioned ones it had) come with it.
ALTER TABLE deliveries_pending ATTACH PARTITION deliveries_queue FOR VALUES IN (0);

ALTER TABLE deliveries_parked ADD CONSTRAINT deliveries_parked_pkey PRIMARY KEY (id);
-- Un-parking takes each endpoint's oldest; finding the endpoints with parked rows is a skip scan.
CREATE INDEX deliveries_parked_by_endpoint ON deliveries_parked (endpoint_id, next_attempt_at);

ANALYZE deliveries;
