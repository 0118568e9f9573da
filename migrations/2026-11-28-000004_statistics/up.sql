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
-- The days a case is open ([received, closed)) and the days it is open past its decision deadline
-- ((due, closed), none for a case closed in time), as ranges: "open (or overdue) at the end of a period" is then one GiST
-- containment lookup that touches only the cases open on that day, however long the history.
ALTER TABLE cases ADD COLUMN open_span daterange GENERATED ALWAYS AS
    (daterange(received_on, coalesce(concluded_on, declined_on), '[)')) STORED;
ALTER TABLE cases ADD COLUMN overdue_span daterange GENERATED ALWAYS AS
    (CASE WHEN decision_due_on IS NOT NULL
               AND coalesce(concluded_on, declined_on, 'infinity') > decision_due_on
          THEN daterange(decision_due_on, coalesce(concluded_on, declined_on), '()') END) STORED;
CREATE INDEX cases_stats_open_idx ON cases USING gist (open_span)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure,
             overdue_span);
CREATE INDEX cases_stats_overdue_idx ON cases USING gist (overdue_span)
    INCLUDE (organ_id, respondent_id, domain, act_type, enterprise_related, procedure)
    WHERE overdue_span IS NOT NULL AND NOT isempty(overdue_span);
