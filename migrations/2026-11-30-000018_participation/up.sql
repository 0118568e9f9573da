-- Issue 14, part A: third parties (art. 16) and the reconsideration committee (art. 52) are
-- recorded in the lifecycle aggregate; the cases row mirrors how many of each, so the figures
-- can count the cases with a third party and the committee's consultations.

ALTER TABLE cases ADD COLUMN third_parties integer NOT NULL DEFAULT 0
    CHECK (third_parties >= 0);
ALTER TABLE cases ADD COLUMN committee_consultations integer NOT NULL DEFAULT 0
    CHECK (committee_consultations >= 0);

-- No case can have recorded either before this migration, so the rollups need no rebuild.
ALTER TABLE statistics_days ADD COLUMN with_third_party bigint NOT NULL DEFAULT 0;
ALTER TABLE statistics_days ADD COLUMN committee_consultations bigint NOT NULL DEFAULT 0;

-- BEGIN generated from src/domain/measures.rs; do not edit by hand: change the table and run
-- `FUYI_UPDATE_MIGRATION_SQL=1 cargo test --test api measures`.
-- END generated
