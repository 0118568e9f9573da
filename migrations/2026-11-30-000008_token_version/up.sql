-- Access tokens carry the user's token version; raising it (deactivation, a new password, a role
-- change) refuses every access token issued before.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- Each request checks whether its sign-in (refresh-token family) was revoked.
CREATE INDEX refresh_tokens_live_family_idx ON refresh_tokens (family_id) WHERE revoked_at IS NULL;
