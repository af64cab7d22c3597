-- ed25519 signing (endpoint field `signing`, kept in the spec JSON): the endpoint's key pair. The
-- `whsk_` signing keys are sealed like `secret` (enc:v1:… when HOOKD_ENCRYPTION_KEY is set); the
-- public keys are derived from them, never stored. NULL until ed25519 is first switched on. The
-- previous key still signs, and is still published, until previous_signing_key_expires_at.
ALTER TABLE endpoints ADD COLUMN signing_key TEXT;
ALTER TABLE endpoints ADD COLUMN signing_key_since BIGINT;
ALTER TABLE endpoints ADD COLUMN previous_signing_key TEXT;
ALTER TABLE endpoints ADD COLUMN previous_signing_key_since BIGINT;
ALTER TABLE endpoints ADD COLUMN previous_signing_key_expires_at BIGINT;
