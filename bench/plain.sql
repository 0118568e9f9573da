-- The figures of `GET /api/v1/statistics/monthly`, computed by hand in one statement: the
-- benchmark's "plain SQL" baseline. psql variables (set by bench/run.sh):
--   :'organs'   the organ ids in scope, as a uuid[] literal (the city and its districts)
--   :'from'     first day of the first month;  :'to'  last day of the last month
--   :filter     extra condition on the cases, e.g. AND c.domain = 'public_security', or nothing
-- Every count reads the one date column that defines it through that column's statistics index
-- (index-only), grouped by day and then folded into months; open cases at each month's end are
-- those open the day before the range plus those received minus those closed since; overdue ones
-- come from the GiST index on the days a case is overdue. Follow-up figures are counted per month
-- from their own tables. The range's total counts are the months' sums; its handling-day
-- statistics are computed over the whole range.
WITH
months AS (
    SELECT m::date AS month, (m + interval '1 month - 1 day')::date AS month_end
      FROM generate_series(:'from'::date, :'to'::date, interval '1 month') AS m
),
received AS (
    SELECT date_trunc('month', d.day)::date AS month, sum(d.n) AS received, sum(d.ent) AS ent,
           sum(d.in_person) AS in_person, sum(d.post) AS post, sum(d.online) AS online,
           sum(d.fax) AS fax_or_email, sum(d.oral) AS oral, sum(d.fwd) AS forwarded
      FROM (SELECT c.received_on AS day, count(*) AS n,
                   count(*) FILTER (WHERE c.enterprise_related) AS ent,
                   count(*) FILTER (WHERE c.channel = 'in_person') AS in_person,
                   count(*) FILTER (WHERE c.channel = 'post') AS post,
                   count(*) FILTER (WHERE c.channel = 'online') AS online,
                   count(*) FILTER (WHERE c.channel = 'fax_or_email') AS fax,
                   count(*) FILTER (WHERE c.channel = 'oral') AS oral,
                   count(*) FILTER (WHERE c.channel = 'forwarded') AS fwd
              FROM cases c
             WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
               AND c.received_on BETWEEN :'from' AND :'to'
             GROUP BY c.received_on) AS d
     GROUP BY 1
),
accepted AS (
    SELECT date_trunc('month', d.day)::date AS month, sum(d.n) AS accepted, sum(d.s) AS simplified
      FROM (SELECT c.accepted_on AS day, count(*) AS n,
                   count(*) FILTER (WHERE c.procedure = 'simplified') AS s
              FROM cases c
             WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
               AND c.accepted_on BETWEEN :'from' AND :'to'
             GROUP BY c.accepted_on) AS d
     GROUP BY 1
),
declined AS (
    SELECT date_trunc('month', d.day)::date AS month, sum(d.n) AS not_accepted
      FROM (SELECT c.declined_on AS day, count(*) AS n
              FROM cases c
             WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
               AND c.declined_on BETWEEN :'from' AND :'to' AND c.state = 'not_accepted'
             GROUP BY c.declined_on) AS d
     GROUP BY 1
),
concluded AS (
    SELECT date_trunc('month', c.concluded_on)::date AS month, count(*) AS concluded,
           count(*) FILTER (WHERE c.termination_ground IN ('withdrawn', 'settled')) AS withdrawn,
           count(*) FILTER (WHERE c.concluded_on <= c.decision_due_on) AS on_time,
           count(*) FILTER (WHERE c.concluded_on > c.decision_due_on) AS late,
           coalesce(sum(c.hearings_held), 0) AS hearings,
           count(*) FILTER (WHERE c.extension_days > 0) AS extended,
           count(*) FILTER (WHERE c.state = 'altered') AS altered,
           count(*) FILTER (WHERE c.state = 'revoked') AS revoked,
           count(*) FILTER (WHERE c.state = 'confirmed_illegal') AS confirmed_illegal,
           count(*) FILTER (WHERE c.state = 'ordered_to_perform') AS ordered_to_perform,
           count(*) FILTER (WHERE c.state = 'confirmed_invalid') AS confirmed_invalid,
           count(*) FILTER (WHERE c.state = 'upheld') AS upheld,
           count(*) FILTER (WHERE c.state = 'request_rejected') AS request_rejected,
           count(*) FILTER (WHERE c.state = 'application_dismissed') AS dismissed,
           count(*) FILTER (WHERE c.state = 'mediated') AS mediated,
           count(*) FILTER (WHERE c.state = 'terminated') AS terminated,
           avg(c.concluded_on - c.accepted_on - c.suspended_days) AS mean_days,
           percentile_cont(0.5) WITHIN GROUP
               (ORDER BY c.concluded_on - c.accepted_on - c.suspended_days) AS median_days,
           percentile_cont(0.9) WITHIN GROUP
               (ORDER BY c.concluded_on - c.accepted_on - c.suspended_days) AS p90_days
      FROM cases c
     WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
       AND c.concluded_on BETWEEN :'from' AND :'to' AND c.state <> 'not_accepted'
     GROUP BY 1
),
range_days AS (
    SELECT avg(c.concluded_on - c.accepted_on - c.suspended_days) AS mean_days,
           percentile_cont(0.5) WITHIN GROUP
               (ORDER BY c.concluded_on - c.accepted_on - c.suspended_days) AS median_days,
           percentile_cont(0.9) WITHIN GROUP
               (ORDER BY c.concluded_on - c.accepted_on - c.suspended_days) AS p90_days
      FROM cases c
     WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
       AND c.concluded_on BETWEEN :'from' AND :'to' AND c.state <> 'not_accepted'
),
open_before AS (
    SELECT count(*) AS open
      FROM cases c
     WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
       AND c.open_span @> (:'from'::date - 1)
),
overdue AS (
    SELECT date_trunc('month', e.month_end)::date AS month, count(*) AS overdue
      FROM months e
      JOIN cases c ON c.overdue_span @> e.month_end
     WHERE c.organ_id = ANY(:'organs'::uuid[]) :filter
       AND c.overdue_span IS NOT NULL AND NOT isempty(c.overdue_span)
     GROUP BY 1
),
letters_issued AS (
    SELECT date_trunc('month', lt.issued_on)::date AS month,
           count(*) FILTER (WHERE lt.kind = 'opinion') AS opinion,
           count(*) FILTER (WHERE lt.kind = 'recommendation') AS recommendation
      FROM letters lt
     WHERE lt.organ_id = ANY(:'organs'::uuid[]) AND lt.issued_on BETWEEN :'from' AND :'to'
     GROUP BY 1
),
complied AS (
    SELECT date_trunc('month', cc.complied_on)::date AS month,
           count(*) FILTER (WHERE cc.complied_on <= cc.due_on) AS on_time,
           count(*) FILTER (WHERE cc.complied_on > cc.due_on) AS late
      FROM case_compliance cc JOIN cases c ON c.id = cc.case_id
     WHERE cc.organ_id = ANY(:'organs'::uuid[]) :filter
       AND cc.complied_on BETWEEN :'from' AND :'to'
     GROUP BY 1
),
judged AS (
    SELECT date_trunc('month', j.decided_on)::date AS month, count(*) AS concluded,
           count(*) FILTER (WHERE j.outcome = 'lost') AS lost
      FROM lawsuit_judgments j JOIN lawsuits l ON l.id = j.lawsuit_id
      JOIN cases c ON c.id = l.case_id
     WHERE l.organ_id = ANY(:'organs'::uuid[]) :filter AND j.instance = 'first'
       AND j.decided_on BETWEEN :'from' AND :'to'
     GROUP BY 1
)
SELECT to_char(m.month, 'YYYY-MM') AS month,
       coalesce(r.received, 0) AS received, coalesce(r.ent, 0) AS received_enterprise,
       r.in_person, r.post, r.online, r.fax_or_email, r.oral, r.forwarded,
       coalesce(a.accepted, 0) AS accepted, coalesce(a.simplified, 0) AS accepted_simplified,
       coalesce(d.not_accepted, 0) AS not_accepted,
       k.concluded, k.withdrawn, k.on_time, k.late, k.hearings, k.extended, k.altered, k.revoked,
       k.confirmed_illegal, k.ordered_to_perform, k.confirmed_invalid, k.upheld,
       k.request_rejected, k.dismissed, k.mediated, k.terminated,
       round(k.mean_days, 2) AS mean_days, k.median_days, k.p90_days,
       (SELECT open FROM open_before)
         + sum(coalesce(r.received, 0) - coalesce(k.concluded, 0) - coalesce(d.not_accepted, 0))
           OVER (ORDER BY m.month) AS open_at_end,
       coalesce(o.overdue, 0) AS overdue_at_end,
       coalesce(li.opinion, 0) AS opinion_letters,
       coalesce(li.recommendation, 0) AS recommendation_letters,
       coalesce(cp.on_time, 0) AS compliance_on_time, coalesce(cp.late, 0) AS compliance_late,
       coalesce(jd.concluded, 0) AS first_instance_concluded,
       coalesce(jd.lost, 0) AS first_instance_lost,
       -- The range's total handling days (its counts are the sums of the months').
       round(rd.mean_days, 2) AS range_mean_days, rd.median_days AS range_median_days,
       rd.p90_days AS range_p90_days
  FROM months m
  CROSS JOIN range_days rd
  LEFT JOIN received r USING (month)
  LEFT JOIN accepted a USING (month)
  LEFT JOIN declined d USING (month)
  LEFT JOIN concluded k USING (month)
  LEFT JOIN overdue o USING (month)
  LEFT JOIN letters_issued li USING (month)
  LEFT JOIN complied cp USING (month)
  LEFT JOIN judged jd USING (month)
 ORDER BY m.month;
