ALTER TABLE cases DROP CONSTRAINT cases_applied_by_receipt;
ALTER TABLE cases DROP COLUMN law_in_force;
ALTER TABLE cases DROP COLUMN immovable_property;
ALTER TABLE cases DROP COLUMN rights_learned_on;
ALTER TABLE cases DROP COLUMN applied_on;
