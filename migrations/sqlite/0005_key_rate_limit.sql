-- API requests per second allowed to a key (null: no limit).
ALTER TABLE api_keys ADD COLUMN rate_limit_per_second INTEGER;
