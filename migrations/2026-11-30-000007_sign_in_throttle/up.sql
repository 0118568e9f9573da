-- Failed sign-ins are counted per (username, source address) and per address, so failures from
-- one address never lock the user out from another. Rows older than the window are purged on a
-- schedule. The rows recorded before this migration carry no address: they are throttle state
-- only, so they are dropped rather than guessed.
DELETE FROM login_failures;
ALTER TABLE login_failures ADD COLUMN source_address inet NOT NULL;
DROP INDEX login_failures_username_idx;
CREATE INDEX login_failures_pair_idx ON login_failures (username, source_address, failed_at);
CREATE INDEX login_failures_address_idx ON login_failures (source_address, failed_at);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);
