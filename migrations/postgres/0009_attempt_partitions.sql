-- Attempts are the bulk of the database and are only ever appended, then thrown away by age. They
-- are now partitioned by day (UTC, on started_at), so that retention drops a whole day's table
-- instead of deleting its rows one by one: no dead rows, no bloat, no vacuum debt on a busy install.
-- The primary key of a partitioned table must include the partition key: (id, started_at). No
-- query looks an attempt up by its id alone; they go through attempts_delivery, which is created on
-- every partition. attempts_endpoint is not recreated: the endpoint stats it served now read their
-- own counters (0010 drops it where it still exists).

ALTER TABLE attempts RENAME TO attempts_unpartitioned;
ALTER TABLE attempts_unpartitioned RENAME CONSTRAINT attempts_pkey TO attempts_unpartitioned_pkey;
DROP INDEX attempts_delivery;
DROP INDEX attempts_endpoint;

CREATE TABLE attempts (
  id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  request_headers TEXT NOT NULL,
  response_headers TEXT NOT NULL,
  response_body TEXT,
  endpoint_id TEXT,
  request_method TEXT,
  request_url TEXT,
  request_body TEXT,
  PRIMARY KEY (id, started_at)
) PARTITION BY RANGE (started_at);
CREATE INDEX attempts_delivery ON attempts (delivery_id, id);

-- The safety net: an attempt whose day has no partition yet (the sweep that creates them ahead
-- stopped for longer than it looks ahead, or a worker's clock is far off) lands here instead of
-- failing, which would hold its delivery's result in memory, retried, until someone noticed.
-- Normally empty; retention deletes its old rows, and creating a day's partition moves that day's
-- rows out of it first (see below).
CREATE TABLE attempts_default PARTITION OF attempts DEFAULT;

-- Creates the partition of the UTC day starting at `day_start` (unix ms) if it does not exist, in
-- the schema of `attempts`; returns whether it created it. Rows of that day already in the default
-- partition are moved into the new one (PostgreSQL refuses a partition whose rows sit in the default).
-- Callers serialise calls with an advisory lock (src/store/postgres/attempt-partitions.ts).
CREATE FUNCTION hookd_create_attempts_partition(day_start BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
  parent_schema TEXT := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE c.oid = 'attempts'::regclass);
  day_end BIGINT := day_start + 86400000;
  partition_name TEXT := 'attempts_' || to_char(to_timestamp(day_start / 1000.0) AT TIME ZONE 'UTC', 'YYYYMMDD');
  stray_rows BOOLEAN;
BEGIN
  IF day_start % 86400000 <> 0 THEN
    RAISE EXCEPTION 'hookd_create_attempts_partition: % is not the start of a UTC day', day_start;
  END IF;
  IF to_regclass(format('%I.%I', parent_schema, partition_name)) IS NOT NULL THEN
    RETURN FALSE;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.attempts_default WHERE started_at >= $1 AND started_at < $2)', parent_schema)
    INTO stray_rows USING day_start, day_end;
  IF stray_rows THEN
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.attempts INCLUDING DEFAULTS)', parent_schema, partition_name, parent_schema);
    EXECUTE format('WITH moved AS (DELETE FROM %I.attempts_default WHERE started_at >= $1 AND started_at < $2 RETURNING *)
                    INSERT INTO %I.%I SELECT * FROM moved', parent_schema, parent_schema, partition_name) USING day_start, day_end;
    EXECUTE format('ALTER TABLE %I.attempts ATTACH PARTITION %I.%I FOR VALUES FROM (%s) TO (%s)',
                   parent_schema, parent_schema, partition_name, day_start, day_end);
  ELSE
    EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.attempts FOR VALUES FROM (%s) TO (%s)',
                   parent_schema, partition_name, parent_schema, day_start, day_end);
  END IF;
  RETURN TRUE;
END
$$;

-- A partition for every day that has attempts, and for today and the next seven days (the
-- retention sweep keeps creating them seven days ahead), then the rows moved across.
SELECT hookd_create_attempts_partition(day) FROM (
  SELECT DISTINCT started_at - started_at % 86400000 AS day FROM attempts_unpartitioned
  UNION
  SELECT (floor(extract(epoch FROM now()) / 86400)::bigint + ahead) * 86400000 FROM generate_series(0, 7) AS ahead
) AS days ORDER BY day;

INSERT INTO attempts (id, delivery_id, started_at, duration_ms, status_code, error, request_headers, response_headers,
    response_body, endpoint_id, request_method, request_url, request_body)
  SELECT id, delivery_id, started_at, duration_ms, status_code, error, request_headers, response_headers,
    response_body, endpoint_id, request_method, request_url, request_body
  FROM attempts_unpartitioned;
DROP TABLE attempts_unpartitioned;
