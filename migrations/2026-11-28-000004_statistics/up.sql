-- Columns and indexes for figures computed at request time.

-- The decision deadline as of the last change (moved by extensions and suspensions), so "on time"
-- and "overdue" are plain comparisons.
ALTER TABLE cases ADD COLUMN decision_due_on date;
-- When the case left the open states: concluded, or declined.
ALTER TABLE cases ADD COLUMN closed_on date GENERATED ALWAYS AS (coalesce(concluded_on, declined_on)) STORED;

-- Each figure counts cases by one date; each index serves one of them with an index-only scan.
CREATE INDEX cases_stats_received_idx ON cases (received_on)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure, channel);
CREATE INDEX cases_stats_accepted_idx ON cases (accepted_on)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure)
    WHERE accepted_on IS NOT NULL;
CREATE INDEX cases_stats_declined_idx ON cases (declined_on)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure, state)
    WHERE declined_on IS NOT NULL;
CREATE INDEX cases_stats_concluded_idx ON cases (concluded_on)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure, state,
             termination_ground, accepted_on, received_on, suspended_days, extension_days,
             hearings_held, decision_due_on)
    WHERE concluded_on IS NOT NULL;
-- Cases still open now: few, and what "open at the end of a period" starts from.
CREATE INDEX cases_stats_open_idx ON cases (received_on)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure,
             accepted_on, decision_due_on)
    WHERE closed_on IS NULL;
-- Cases that were ever past their decision deadline while open: the only candidates for
-- "overdue at the end of a period".
CREATE INDEX cases_stats_overdue_idx ON cases (decision_due_on)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure,
             accepted_on, closed_on)
    WHERE decision_due_on IS NOT NULL AND (closed_on IS NULL OR closed_on > decision_due_on);
