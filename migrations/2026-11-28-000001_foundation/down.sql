DROP TABLE case_parties;
DROP TABLE cases;
DROP TABLE respondents;
DROP TABLE organs;
DROP EXTENSION IF EXISTS pg_trgm;
