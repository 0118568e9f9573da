DROP INDEX cases_stats_overdue_idx;
DROP INDEX cases_stats_open_idx;
DROP INDEX cases_stats_concluded_idx;
DROP INDEX cases_stats_declined_idx;
DROP INDEX cases_stats_accepted_idx;
DROP INDEX cases_stats_received_idx;
ALTER TABLE cases DROP COLUMN closed_on;
ALTER TABLE cases DROP COLUMN decision_due_on;
