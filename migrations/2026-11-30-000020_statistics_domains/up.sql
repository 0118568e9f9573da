-- Figures filtered by domain (领域) from rollups, as the figures of whole organs are: a table by
-- organ, domain and month holding the same columns as `statistics_days`, and the handling-days
-- histogram by organ, domain and month. The statement triggers on `cases` keep both in step in
-- the same transaction. A year's figures of one domain then read ~50 rows instead of counting a
-- year of cases. By month rather than by day: the domain multiplies the rows ten-fold, and the
-- figures filtered by domain are asked for whole months; a range that cuts through a month still
-- counts the cases.
--
-- Each change now names its case's domain; the per-organ rollups ignore it.
ALTER TYPE statistics_change ADD ATTRIBUTE domain text;

-- The columns of `statistics_days` (measures and stock changes), by month.
CREATE TABLE statistics_domain_months (
    organ_id uuid NOT NULL REFERENCES organs (id),
    domain text NOT NULL,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    received bigint NOT NULL DEFAULT 0,
    received_enterprise bigint NOT NULL DEFAULT 0,
    received_in_person bigint NOT NULL DEFAULT 0,
    received_post bigint NOT NULL DEFAULT 0,
    received_online bigint NOT NULL DEFAULT 0,
    received_fax_or_email bigint NOT NULL DEFAULT 0,
    received_oral bigint NOT NULL DEFAULT 0,
    received_forwarded bigint NOT NULL DEFAULT 0,
    accepted bigint NOT NULL DEFAULT 0,
    accepted_simplified bigint NOT NULL DEFAULT 0,
    not_accepted bigint NOT NULL DEFAULT 0,
    concluded bigint NOT NULL DEFAULT 0,
    withdrawn bigint NOT NULL DEFAULT 0,
    concluded_on_time bigint NOT NULL DEFAULT 0,
    concluded_late bigint NOT NULL DEFAULT 0,
    hearings_held bigint NOT NULL DEFAULT 0,
    extended bigint NOT NULL DEFAULT 0,
    altered bigint NOT NULL DEFAULT 0,
    revoked bigint NOT NULL DEFAULT 0,
    confirmed_illegal bigint NOT NULL DEFAULT 0,
    ordered_to_perform bigint NOT NULL DEFAULT 0,
    confirmed_invalid bigint NOT NULL DEFAULT 0,
    upheld bigint NOT NULL DEFAULT 0,
    request_rejected bigint NOT NULL DEFAULT 0,
    application_dismissed bigint NOT NULL DEFAULT 0,
    mediated bigint NOT NULL DEFAULT 0,
    terminated bigint NOT NULL DEFAULT 0,
    open_change bigint NOT NULL DEFAULT 0,
    overdue_change bigint NOT NULL DEFAULT 0,
    withdrawn_before_acceptance bigint NOT NULL DEFAULT 0,
    with_third_party bigint NOT NULL DEFAULT 0,
    committee_consultations bigint NOT NULL DEFAULT 0,
    enforcement_stayed bigint NOT NULL DEFAULT 0,
    normative_reviews_requested bigint NOT NULL DEFAULT 0,
    normative_found_unlawful bigint NOT NULL DEFAULT 0,
    compensation_claims bigint NOT NULL DEFAULT 0,
    compensation_awarded bigint NOT NULL DEFAULT 0,
    compensation_awarded_fen bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (organ_id, domain, month)
);

CREATE TABLE statistics_domain_handling_days (
    organ_id uuid NOT NULL REFERENCES organs (id),
    domain text NOT NULL,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    days integer NOT NULL,
    cases bigint NOT NULL,
    PRIMARY KEY (organ_id, domain, month, days)
);

-- BEGIN generated from src/domain/measures.rs; do not edit by hand: change the table and run
-- `FUYI_UPDATE_MIGRATION_SQL=1 cargo test --test api measures`.
-- One case's contribution to the rollups, one line per measure and day (`days` only for the
-- handling-days histogram), each multiplied by `sign`: +1 for a row as it now is, -1 for a
-- row as it was.
CREATE OR REPLACE FUNCTION statistics_case_changes(c cases, sign bigint) RETURNS SETOF statistics_change
LANGUAGE sql IMMUTABLE AS $$
    SELECT c.organ_id, m.day, m.measure, m.days, m.n * sign, c.domain
    FROM (SELECT
        c.received_on AS received_on,
        c.accepted_on AS accepted_on,
        CASE WHEN c.state = 'not_accepted' THEN c.declined_on END AS declined_on,
        CASE WHEN c.state NOT IN ('not_accepted', 'withdrawn_before_acceptance') THEN c.concluded_on END AS concluded_on,
        c.withdrawn_on AS withdrawn_on) AS dated,
    LATERAL (VALUES
        (dated.received_on, 'received', NULL::integer, (1)::bigint),
        (dated.received_on, 'received_enterprise', NULL, coalesce((c.enterprise_related)::int, 0)),
        (dated.received_on, 'received_' || c.channel, NULL, 1),
        (dated.accepted_on, 'accepted', NULL, 1),
        (dated.accepted_on, 'accepted_simplified', NULL, coalesce((c.procedure = 'simplified')::int, 0)),
        (dated.declined_on, 'not_accepted', NULL, 1),
        (dated.withdrawn_on, 'withdrawn_before_acceptance', NULL, 1),
        (dated.concluded_on, 'concluded', NULL, 1),
        (dated.concluded_on, 'withdrawn', NULL, coalesce((c.termination_ground IN ('withdrawn', 'settled'))::int, 0)),
        (dated.concluded_on, 'concluded_on_time', NULL, coalesce((c.concluded_on <= c.decision_due_on)::int, 0)),
        (dated.concluded_on, 'concluded_late', NULL, coalesce((c.concluded_on > c.decision_due_on)::int, 0)),
        (dated.concluded_on, 'hearings_held', NULL, c.hearings_held),
        (dated.concluded_on, 'extended', NULL, coalesce((c.extension_days > 0)::int, 0)),
        (dated.concluded_on, 'enforcement_stayed', NULL, coalesce((c.enforcement_stayed)::int, 0)),
        (dated.received_on, 'normative_reviews_requested', NULL, coalesce((c.normative_review_requested)::int, 0)),
        (dated.concluded_on, 'normative_found_unlawful', NULL, coalesce((c.normative_found_unlawful)::int, 0)),
        (dated.received_on, 'compensation_claims', NULL, coalesce((c.compensation_claimed)::int, 0)),
        (dated.concluded_on, 'compensation_awarded', NULL, coalesce((c.compensation_awarded_fen IS NOT NULL)::int, 0)),
        (dated.concluded_on, 'compensation_awarded_fen', NULL, CASE WHEN c.compensation_awarded_fen IS NOT NULL THEN c.compensation_awarded_fen ELSE 0 END),
        (dated.concluded_on, 'with_third_party', NULL, coalesce((c.third_parties > 0)::int, 0)),
        (dated.concluded_on, 'committee_consultations', NULL, c.committee_consultations),
        (dated.concluded_on, c.state, NULL, 1),
        (CASE WHEN c.accepted_on IS NOT NULL THEN dated.concluded_on END, 'handling_days',
            dated.concluded_on - c.accepted_on - c.suspended_days, 1),
        (lower(c.open_span), 'open_change', NULL, 1),
        (upper(c.open_span), 'open_change', NULL, -1),
        (lower(c.overdue_span), 'overdue_change', NULL, 1),
        (upper(c.overdue_span), 'overdue_change', NULL, -1)
    ) AS m (day, measure, days, n)
    WHERE m.day IS NOT NULL AND m.measure IS NOT NULL AND m.n <> 0
$$;

-- Adds changes to the rollups. Changes that cancel out touch no row (an update that moves
-- no date takes no lock here); rows are written in key order, so concurrent writers queue
-- rather than deadlock.
CREATE OR REPLACE FUNCTION statistics_apply(changes statistics_change[]) RETURNS void
LANGUAGE sql AS $$
    WITH net AS (
        SELECT organ_id, day, measure, sum(n) AS n
        FROM unnest(changes)
        WHERE measure <> 'handling_days'
        GROUP BY organ_id, day, measure
        HAVING sum(n) <> 0
    )
    INSERT INTO statistics_days AS s (
        organ_id, day,
        received,
        received_enterprise,
        received_in_person,
        received_post,
        received_online,
        received_fax_or_email,
        received_oral,
        received_forwarded,
        accepted,
        accepted_simplified,
        not_accepted,
        withdrawn_before_acceptance,
        concluded,
        withdrawn,
        concluded_on_time,
        concluded_late,
        hearings_held,
        extended,
        enforcement_stayed,
        normative_reviews_requested,
        normative_found_unlawful,
        compensation_claims,
        compensation_awarded,
        compensation_awarded_fen,
        with_third_party,
        committee_consultations,
        altered,
        revoked,
        confirmed_illegal,
        ordered_to_perform,
        confirmed_invalid,
        upheld,
        request_rejected,
        application_dismissed,
        mediated,
        terminated,
        open_change,
        overdue_change)
    SELECT organ_id, day,
        coalesce(sum(n) FILTER (WHERE measure = 'received'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_enterprise'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_in_person'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_post'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_online'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_fax_or_email'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_oral'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_forwarded'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'accepted'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'accepted_simplified'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'not_accepted'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'withdrawn_before_acceptance'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'concluded'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'withdrawn'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'concluded_on_time'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'concluded_late'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'hearings_held'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'extended'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'enforcement_stayed'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'normative_reviews_requested'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'normative_found_unlawful'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'compensation_claims'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'compensation_awarded'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'compensation_awarded_fen'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'with_third_party'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'committee_consultations'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'altered'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'revoked'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'confirmed_illegal'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'ordered_to_perform'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'confirmed_invalid'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'upheld'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'request_rejected'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'application_dismissed'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'mediated'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'terminated'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'open_change'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'overdue_change'), 0)
    FROM net
    GROUP BY organ_id, day
    ORDER BY organ_id, day
    ON CONFLICT (organ_id, day) DO UPDATE SET
        received = s.received + EXCLUDED.received,
        received_enterprise = s.received_enterprise + EXCLUDED.received_enterprise,
        received_in_person = s.received_in_person + EXCLUDED.received_in_person,
        received_post = s.received_post + EXCLUDED.received_post,
        received_online = s.received_online + EXCLUDED.received_online,
        received_fax_or_email = s.received_fax_or_email + EXCLUDED.received_fax_or_email,
        received_oral = s.received_oral + EXCLUDED.received_oral,
        received_forwarded = s.received_forwarded + EXCLUDED.received_forwarded,
        accepted = s.accepted + EXCLUDED.accepted,
        accepted_simplified = s.accepted_simplified + EXCLUDED.accepted_simplified,
        not_accepted = s.not_accepted + EXCLUDED.not_accepted,
        withdrawn_before_acceptance = s.withdrawn_before_acceptance + EXCLUDED.withdrawn_before_acceptance,
        concluded = s.concluded + EXCLUDED.concluded,
        withdrawn = s.withdrawn + EXCLUDED.withdrawn,
        concluded_on_time = s.concluded_on_time + EXCLUDED.concluded_on_time,
        concluded_late = s.concluded_late + EXCLUDED.concluded_late,
        hearings_held = s.hearings_held + EXCLUDED.hearings_held,
        extended = s.extended + EXCLUDED.extended,
        enforcement_stayed = s.enforcement_stayed + EXCLUDED.enforcement_stayed,
        normative_reviews_requested = s.normative_reviews_requested + EXCLUDED.normative_reviews_requested,
        normative_found_unlawful = s.normative_found_unlawful + EXCLUDED.normative_found_unlawful,
        compensation_claims = s.compensation_claims + EXCLUDED.compensation_claims,
        compensation_awarded = s.compensation_awarded + EXCLUDED.compensation_awarded,
        compensation_awarded_fen = s.compensation_awarded_fen + EXCLUDED.compensation_awarded_fen,
        with_third_party = s.with_third_party + EXCLUDED.with_third_party,
        committee_consultations = s.committee_consultations + EXCLUDED.committee_consultations,
        altered = s.altered + EXCLUDED.altered,
        revoked = s.revoked + EXCLUDED.revoked,
        confirmed_illegal = s.confirmed_illegal + EXCLUDED.confirmed_illegal,
        ordered_to_perform = s.ordered_to_perform + EXCLUDED.ordered_to_perform,
        confirmed_invalid = s.confirmed_invalid + EXCLUDED.confirmed_invalid,
        upheld = s.upheld + EXCLUDED.upheld,
        request_rejected = s.request_rejected + EXCLUDED.request_rejected,
        application_dismissed = s.application_dismissed + EXCLUDED.application_dismissed,
        mediated = s.mediated + EXCLUDED.mediated,
        terminated = s.terminated + EXCLUDED.terminated,
        open_change = s.open_change + EXCLUDED.open_change,
        overdue_change = s.overdue_change + EXCLUDED.overdue_change;

    INSERT INTO statistics_handling_days AS h (organ_id, month, days, cases)
    SELECT organ_id, date_trunc('month', day)::date, days, sum(n)
    FROM unnest(changes)
    WHERE measure = 'handling_days'
    GROUP BY 1, 2, 3
    HAVING sum(n) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (organ_id, month, days) DO UPDATE SET cases = h.cases + EXCLUDED.cases;
$$;

-- The same changes by organ, domain and month, for the figures filtered by domain.
CREATE OR REPLACE FUNCTION statistics_apply_domains(changes statistics_change[]) RETURNS void
LANGUAGE sql AS $$
    WITH net AS (
        SELECT organ_id, domain, date_trunc('month', day)::date AS month, measure, sum(n) AS n
        FROM unnest(changes)
        WHERE measure <> 'handling_days'
        GROUP BY organ_id, domain, month, measure
        HAVING sum(n) <> 0
    )
    INSERT INTO statistics_domain_months AS s (
        organ_id, domain, month,
        received,
        received_enterprise,
        received_in_person,
        received_post,
        received_online,
        received_fax_or_email,
        received_oral,
        received_forwarded,
        accepted,
        accepted_simplified,
        not_accepted,
        withdrawn_before_acceptance,
        concluded,
        withdrawn,
        concluded_on_time,
        concluded_late,
        hearings_held,
        extended,
        enforcement_stayed,
        normative_reviews_requested,
        normative_found_unlawful,
        compensation_claims,
        compensation_awarded,
        compensation_awarded_fen,
        with_third_party,
        committee_consultations,
        altered,
        revoked,
        confirmed_illegal,
        ordered_to_perform,
        confirmed_invalid,
        upheld,
        request_rejected,
        application_dismissed,
        mediated,
        terminated,
        open_change,
        overdue_change)
    SELECT organ_id, domain, month,
        coalesce(sum(n) FILTER (WHERE measure = 'received'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_enterprise'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_in_person'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_post'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_online'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_fax_or_email'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_oral'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'received_forwarded'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'accepted'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'accepted_simplified'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'not_accepted'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'withdrawn_before_acceptance'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'concluded'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'withdrawn'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'concluded_on_time'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'concluded_late'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'hearings_held'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'extended'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'enforcement_stayed'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'normative_reviews_requested'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'normative_found_unlawful'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'compensation_claims'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'compensation_awarded'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'compensation_awarded_fen'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'with_third_party'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'committee_consultations'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'altered'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'revoked'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'confirmed_illegal'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'ordered_to_perform'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'confirmed_invalid'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'upheld'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'request_rejected'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'application_dismissed'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'mediated'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'terminated'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'open_change'), 0),
        coalesce(sum(n) FILTER (WHERE measure = 'overdue_change'), 0)
    FROM net
    GROUP BY organ_id, domain, month
    ORDER BY organ_id, domain, month
    ON CONFLICT (organ_id, domain, month) DO UPDATE SET
        received = s.received + EXCLUDED.received,
        received_enterprise = s.received_enterprise + EXCLUDED.received_enterprise,
        received_in_person = s.received_in_person + EXCLUDED.received_in_person,
        received_post = s.received_post + EXCLUDED.received_post,
        received_online = s.received_online + EXCLUDED.received_online,
        received_fax_or_email = s.received_fax_or_email + EXCLUDED.received_fax_or_email,
        received_oral = s.received_oral + EXCLUDED.received_oral,
        received_forwarded = s.received_forwarded + EXCLUDED.received_forwarded,
        accepted = s.accepted + EXCLUDED.accepted,
        accepted_simplified = s.accepted_simplified + EXCLUDED.accepted_simplified,
        not_accepted = s.not_accepted + EXCLUDED.not_accepted,
        withdrawn_before_acceptance = s.withdrawn_before_acceptance + EXCLUDED.withdrawn_before_acceptance,
        concluded = s.concluded + EXCLUDED.concluded,
        withdrawn = s.withdrawn + EXCLUDED.withdrawn,
        concluded_on_time = s.concluded_on_time + EXCLUDED.concluded_on_time,
        concluded_late = s.concluded_late + EXCLUDED.concluded_late,
        hearings_held = s.hearings_held + EXCLUDED.hearings_held,
        extended = s.extended + EXCLUDED.extended,
        enforcement_stayed = s.enforcement_stayed + EXCLUDED.enforcement_stayed,
        normative_reviews_requested = s.normative_reviews_requested + EXCLUDED.normative_reviews_requested,
        normative_found_unlawful = s.normative_found_unlawful + EXCLUDED.normative_found_unlawful,
        compensation_claims = s.compensation_claims + EXCLUDED.compensation_claims,
        compensation_awarded = s.compensation_awarded + EXCLUDED.compensation_awarded,
        compensation_awarded_fen = s.compensation_awarded_fen + EXCLUDED.compensation_awarded_fen,
        with_third_party = s.with_third_party + EXCLUDED.with_third_party,
        committee_consultations = s.committee_consultations + EXCLUDED.committee_consultations,
        altered = s.altered + EXCLUDED.altered,
        revoked = s.revoked + EXCLUDED.revoked,
        confirmed_illegal = s.confirmed_illegal + EXCLUDED.confirmed_illegal,
        ordered_to_perform = s.ordered_to_perform + EXCLUDED.ordered_to_perform,
        confirmed_invalid = s.confirmed_invalid + EXCLUDED.confirmed_invalid,
        upheld = s.upheld + EXCLUDED.upheld,
        request_rejected = s.request_rejected + EXCLUDED.request_rejected,
        application_dismissed = s.application_dismissed + EXCLUDED.application_dismissed,
        mediated = s.mediated + EXCLUDED.mediated,
        terminated = s.terminated + EXCLUDED.terminated,
        open_change = s.open_change + EXCLUDED.open_change,
        overdue_change = s.overdue_change + EXCLUDED.overdue_change;

    INSERT INTO statistics_domain_handling_days AS h (organ_id, domain, month, days, cases)
    SELECT organ_id, domain, date_trunc('month', day)::date, days, sum(n)
    FROM unnest(changes)
    WHERE measure = 'handling_days'
    GROUP BY 1, 2, 3, 4
    HAVING sum(n) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (organ_id, domain, month, days) DO UPDATE SET cases = h.cases + EXCLUDED.cases;
$$;
-- END generated

-- A bulk load's pass: the changes of its cases summed once per organ, domain, day and measure,
-- then folded into the per-organ days and the per-domain months.
CREATE OR REPLACE FUNCTION statistics_add_cases(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    WITH x AS MATERIALIZED (
        SELECT x.organ_id, x.domain, x.day, x.measure, x.days, sum(x.n)::bigint AS n
        FROM cases AS c, statistics_case_changes(c, 1) AS x
        WHERE c.id = ANY(ids)
        GROUP BY 1, 2, 3, 4, 5)
    SELECT statistics_apply(ARRAY(
               SELECT ROW(organ_id, day, measure, days, sum(n)::bigint, NULL::text)::statistics_change
               FROM x GROUP BY organ_id, day, measure, days)),
           statistics_apply_domains(ARRAY(
               SELECT ROW(organ_id, month, measure, days, sum(n)::bigint, domain)::statistics_change
               FROM (SELECT *, date_trunc('month', day)::date AS month FROM x) AS m
               GROUP BY organ_id, domain, month, measure, days));
$$;

CREATE OR REPLACE FUNCTION statistics_follow_cases() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes statistics_change[];
BEGIN
    -- A bulk load adds its cases itself (statistics_add_cases).
    IF current_setting('fuyi.statistics_deferred', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- Transition tables exist only for the operations that have them.
    IF TG_OP = 'INSERT' THEN
        changes := ARRAY(SELECT x FROM new_rows AS c, statistics_case_changes(c, 1) AS x);
    ELSIF TG_OP = 'DELETE' THEN
        changes := ARRAY(SELECT x FROM old_rows AS c, statistics_case_changes(c, -1) AS x);
    ELSE
        changes := ARRAY(
            SELECT x FROM old_rows AS c, statistics_case_changes(c, -1) AS x
            UNION ALL
            SELECT x FROM new_rows AS c, statistics_case_changes(c, 1) AS x);
    END IF;
    PERFORM statistics_apply(changes);
    PERFORM statistics_apply_domains(changes);
    RETURN NULL;
END;
$$;

-- The cases already stored.
SELECT statistics_apply_domains(ARRAY(
    SELECT ROW(organ_id, month, measure, days, n, domain)::statistics_change
    FROM (SELECT x.organ_id, x.domain, date_trunc('month', x.day)::date AS month, x.measure,
                 x.days, sum(x.n)::bigint AS n
          FROM cases AS c, statistics_case_changes(c, 1) AS x
          GROUP BY 1, 2, 3, 4, 5) AS m));
