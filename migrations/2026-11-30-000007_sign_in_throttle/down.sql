DROP INDEX login_failures_failed_at_idx;
DROP INDEX login_failures_address_idx;
DROP INDEX login_failures_pair_idx;
ALTER TABLE login_failures DROP COLUMN source_address;
CREATE INDEX login_failures_username_idx ON login_failures (username, failed_at);
