-- Per-account callback signing secrets: deliveries to the callbackUrl of an account's event are
-- signed with its account's secret (events without an account use the provider's, the
-- `callback_secret` setting). Sealed like endpoint secrets (enc:v1:… with an encryption key).
-- NULL until first needed: the first node to need it stores one with
-- `UPDATE … WHERE callback_secret IS NULL`, and every node reads back the one that was stored.
ALTER TABLE accounts ADD COLUMN callback_secret TEXT;
