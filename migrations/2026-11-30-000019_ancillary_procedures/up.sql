-- Issue 14, part B: applications filed through the respondent, stays of enforcement,
-- normative-document reviews and compensation. Their facts live in the lifecycle aggregate;
-- the figures read them from columns derived from it, so every writer (transitions, import)
-- keeps them right without projecting them itself.

ALTER TABLE cases
    ADD COLUMN enforcement_stayed boolean NOT NULL GENERATED ALWAYS AS
        (coalesce(jsonb_typeof(lifecycle -> 'enforcement_stay') = 'object', false)) STORED,
    ADD COLUMN normative_review_requested boolean NOT NULL GENERATED ALWAYS AS
        (coalesce(jsonb_typeof(lifecycle -> 'normative_review') = 'object', false)) STORED,
    ADD COLUMN normative_found_unlawful boolean NOT NULL GENERATED ALWAYS AS
        (coalesce(lifecycle -> 'normative_review' ->> 'finding' = 'unlawful', false)) STORED,
    ADD COLUMN compensation_claimed boolean NOT NULL GENERATED ALWAYS AS
        (coalesce(jsonb_typeof(lifecycle -> 'compensation_claim') = 'object', false)) STORED,
    -- Only an award in money has an amount (the lifecycle refuses one on any other ruling).
    ADD COLUMN compensation_awarded_fen bigint GENERATED ALWAYS AS
        (CASE WHEN lifecycle -> 'compensation_ruling' ->> 'outcome' = 'award'
              THEN (lifecycle -> 'compensation_ruling' ->> 'amount_fen')::bigint END) STORED;

ALTER TABLE statistics_days
    ADD COLUMN enforcement_stayed bigint NOT NULL DEFAULT 0,
    ADD COLUMN normative_reviews_requested bigint NOT NULL DEFAULT 0,
    ADD COLUMN normative_found_unlawful bigint NOT NULL DEFAULT 0,
    ADD COLUMN compensation_claims bigint NOT NULL DEFAULT 0,
    ADD COLUMN compensation_awarded bigint NOT NULL DEFAULT 0,
    ADD COLUMN compensation_awarded_fen bigint NOT NULL DEFAULT 0;

-- BEGIN generated from src/domain/measures.rs
-- END generated

-- Claims and awards recorded before this migration are in no day's rollups yet: add what the
-- existing cases contribute to the new measures, and only to them.
SELECT statistics_apply(array_agg(ch))
FROM cases c, LATERAL statistics_case_changes(c, 1) AS ch
WHERE ch.measure IN ('enforcement_stayed', 'normative_reviews_requested',
                     'normative_found_unlawful', 'compensation_claims', 'compensation_awarded',
                     'compensation_awarded_fen');
