ALTER TABLE calendar_years DROP CONSTRAINT calendar_years_updated_by_fkey;
ALTER TABLE case_events DROP CONSTRAINT case_events_actor_fkey;
ALTER TABLE cases DROP CONSTRAINT cases_created_by_fkey;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE users;
