-- The case lifecycle: the folded aggregate on the case, its immutable event history, case
-- numbers, the working-day calendar and idempotency keys.

ALTER TABLE cases
    -- The aggregate the events fold into (domain::lifecycle::CaseLifecycle). The typed columns
    -- below are projections of it, kept for filtering, indexing and the statistics.
    ADD COLUMN lifecycle jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN case_number text,
    ADD COLUMN procedure text CHECK (procedure IN ('ordinary', 'simplified')),
    ADD COLUMN accepted_on date,
    ADD COLUMN declined_on date,
    ADD COLUMN concluded_on date,
    ADD COLUMN termination_ground text,
    ADD COLUMN suspended_days integer NOT NULL DEFAULT 0,
    ADD COLUMN extension_days integer NOT NULL DEFAULT 0,
    ADD COLUMN hearings_held integer NOT NULL DEFAULT 0,
    ADD COLUMN handlers uuid[] NOT NULL DEFAULT '{}',
    -- Earliest pending or missed deadline, for the `deadline_before` and `overdue` filters.
    ADD COLUMN next_deadline_on date;

CREATE UNIQUE INDEX cases_case_number_idx ON cases (organ_id, case_number) WHERE case_number IS NOT NULL;
CREATE INDEX cases_organ_accepted_idx ON cases (organ_id, accepted_on) WHERE accepted_on IS NOT NULL;
CREATE INDEX cases_organ_concluded_idx ON cases (organ_id, concluded_on) WHERE concluded_on IS NOT NULL;
CREATE INDEX cases_organ_declined_idx ON cases (organ_id, declined_on) WHERE declined_on IS NOT NULL;
CREATE INDEX cases_next_deadline_idx ON cases (next_deadline_on) WHERE next_deadline_on IS NOT NULL;

CREATE TABLE case_events (
    id bigserial PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    seq integer NOT NULL CHECK (seq >= 1),
    action text NOT NULL,
    from_state text,
    to_state text NOT NULL,
    actor_id uuid,
    occurred_on date NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    payload jsonb NOT NULL,
    UNIQUE (case_id, seq)
);

-- History is evidence: once written, an event never changes.
CREATE FUNCTION case_events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case events are immutable (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER case_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_are_immutable();
CREATE TRIGGER case_events_no_truncate
    BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_are_immutable();

-- Per organ and year, the last case number handed out; incremented in the accepting transaction,
-- so numbers are consecutive and a rolled-back accept leaves no gap.
CREATE TABLE case_number_counters (
    organ_id uuid NOT NULL REFERENCES organs (id),
    year integer NOT NULL,
    last_seq integer NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (organ_id, year)
);

CREATE TABLE calendar_years (
    year integer PRIMARY KEY CHECK (year BETWEEN 1990 AND 2200),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid
);

CREATE TABLE calendar_days (
    day date PRIMARY KEY,
    year integer NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('holiday', 'makeup_workday')),
    CHECK (extract(year FROM day) = year)
);

INSERT INTO calendar_years (year) VALUES (2023), (2024), (2025), (2026);

INSERT INTO calendar_days (day, year, kind)
SELECT d::date, extract(year FROM d)::integer, 'holiday'
FROM (VALUES
    ('2023-01-01', '2023-01-02'), ('2023-01-21', '2023-01-27'), ('2023-04-05', '2023-04-05'),
    ('2023-04-29', '2023-05-03'), ('2023-06-22', '2023-06-24'), ('2023-09-29', '2023-10-06'),
    ('2024-01-01', '2024-01-01'), ('2024-02-10', '2024-02-17'), ('2024-04-04', '2024-04-06'),
    ('2024-05-01', '2024-05-05'), ('2024-06-10', '2024-06-10'), ('2024-09-15', '2024-09-17'),
    ('2024-10-01', '2024-10-07'),
    ('2025-01-01', '2025-01-01'), ('2025-01-28', '2025-02-04'), ('2025-04-04', '2025-04-06'),
    ('2025-05-01', '2025-05-05'), ('2025-05-31', '2025-06-02'), ('2025-10-01', '2025-10-08'),
    ('2026-01-01', '2026-01-03'), ('2026-02-15', '2026-02-23'), ('2026-04-04', '2026-04-06'),
    ('2026-05-01', '2026-05-05'), ('2026-06-19', '2026-06-21'), ('2026-09-25', '2026-09-27'),
    ('2026-10-01', '2026-10-07')
) AS spans (first_day, last_day),
LATERAL generate_series(first_day::date, last_day::date, interval '1 day') AS d;

INSERT INTO calendar_days (day, year, kind)
SELECT d::date, extract(year FROM d::date)::integer, 'makeup_workday'
FROM unnest(ARRAY[
    '2023-01-28', '2023-01-29', '2023-04-23', '2023-05-06', '2023-06-25', '2023-10-07', '2023-10-08',
    '2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12',
    '2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11',
    '2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'
]) AS d;

-- A retried request with the same key gets the first answer back instead of acting twice.
CREATE TABLE idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    response_status smallint,
    response_body jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
