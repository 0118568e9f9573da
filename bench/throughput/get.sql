-- The necessary work of GET /api/v1/cases/{id}: the case row and its parties, by a random id.
\set n random(1, :ncases)
SELECT c.* FROM cases c JOIN bench_read b ON b.id = c.id WHERE b.n = :n;
SELECT p.* FROM case_parties p JOIN bench_read b ON b.id = p.case_id WHERE b.n = :n ORDER BY p.position;
