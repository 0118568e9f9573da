DROP TRIGGER cases_statistics_delete ON cases;
DROP TRIGGER cases_statistics_update ON cases;
DROP TRIGGER cases_statistics_insert ON cases;
DROP FUNCTION statistics_follow_cases();
DROP FUNCTION statistics_apply(statistics_change[]);
DROP FUNCTION statistics_case_changes(cases, bigint);
DROP TYPE statistics_change;
DROP TABLE statistics_handling_days;
DROP TABLE statistics_days;
