-- An attempt whose request body was the event itself (the standard envelope, or the raw payload)
-- records where the body came from instead of a copy of it: 'standard' or 'raw', request_body NULL.
-- The body is rebuilt from the event when the attempt is read. Copies were a third of the database
-- (issue 19): the same bytes for every attempt of every delivery of an event. Templated bodies,
-- and attempts recorded before this migration, keep their body in request_body.
ALTER TABLE attempts ADD COLUMN request_body_source TEXT;
