-- Back to the rollup functions of migration 000018, then without the new columns.
-- One case's contribution to the rollups, one line per measure and day (`days` only for the
-- handling-days histogram), each multiplied by `sign`: +1 for a row as it now is, -1 for a
-- row as it was.
CREATE OR REPLACE FUNCTION statistics_case_changes(c cases, sign bigint) RETURNS SETOF statistics_change
LANGUAGE sql IMMUTABLE AS $$
    SELECT c.organ_id, m.day, m.measure, m.days, m.n * sign
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

ALTER TABLE statistics_days
    DROP COLUMN enforcement_stayed,
    DROP COLUMN normative_reviews_requested,
    DROP COLUMN normative_found_unlawful,
    DROP COLUMN compensation_claims,
    DROP COLUMN compensation_awarded,
    DROP COLUMN compensation_awarded_fen;

ALTER TABLE cases
    DROP COLUMN enforcement_stayed,
    DROP COLUMN normative_review_requested,
    DROP COLUMN normative_found_unlawful,
    DROP COLUMN compensation_claimed,
    DROP COLUMN compensation_awarded_fen;
