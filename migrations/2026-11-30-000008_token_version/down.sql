DROP INDEX refresh_tokens_live_family_idx;
ALTER TABLE users DROP COLUMN token_version;
