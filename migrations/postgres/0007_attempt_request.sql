-- The request each attempt sent, beside its (redacted) headers: method, URL (secret-looking query
-- parameters redacted) and the first 4 KiB of the body, so the attempt view shows the full request.
-- Attempts recorded before this migration keep NULL in all three.
ALTER TABLE attempts ADD COLUMN request_method TEXT;
ALTER TABLE attempts ADD COLUMN request_url TEXT;
ALTER TABLE attempts ADD COLUMN request_body TEXT;
