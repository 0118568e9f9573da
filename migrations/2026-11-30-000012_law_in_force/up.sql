-- Issue 12: the facts the law's periods need that a case did not record, and the law each case
-- runs under. The new dates of the lifecycle (the respondent's receipt of the copy, the
-- applicant's receipt of a supplement notice, a decision's approval) live in the lifecycle
-- aggregate and its events, like the other lifecycle dates.

-- The posting date of a posted application (art. 20: time in the post does not count); NULL
-- means the day received, which is the day applied for every other channel.
ALTER TABLE cases ADD COLUMN applied_on date;
-- The day the applicant learned of the right to apply or of the period, when the act did not
-- tell them (art. 20 para 3); NULL when it did.
ALTER TABLE cases ADD COLUMN rights_learned_on date;
-- The act concerns immovable property: 20 years rather than 5 bar an application (art. 21).
ALTER TABLE cases ADD COLUMN immovable_property boolean NOT NULL DEFAULT false;
-- The law the case runs under, by the day received: the 2023 law from 2024-01-01 (its art. 90).
ALTER TABLE cases ADD COLUMN law_in_force text NOT NULL
    GENERATED ALWAYS AS (CASE WHEN received_on < DATE '2024-01-01' THEN 'law_1999'
                              ELSE 'law_2023' END) STORED;

ALTER TABLE cases ADD CONSTRAINT cases_applied_by_receipt CHECK (applied_on <= received_on);
