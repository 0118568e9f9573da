//! The follow-up figures of `domain::followup::tally`, computed in PostgreSQL: letters issued by
//! kind, compliance on time and late, court cases heard with the agency's head present, and
//! first instances concluded and lost. Each counts by its own date through an index made for it.

use std::sync::LazyLock;

use chrono::NaiveDate;
use diesel::{
    QueryableByName,
    sql_types::{Array, BigInt, Bool, Date, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub use crate::domain::followup::FollowupCounts;
use crate::domain::followup::LettersIssued;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    letters_opinion: i64,
    #[diesel(sql_type = BigInt)]
    letters_recommendation: i64,
    #[diesel(sql_type = BigInt)]
    compliance_on_time: i64,
    #[diesel(sql_type = BigInt)]
    compliance_late: i64,
    #[diesel(sql_type = BigInt)]
    court_cases_heard: i64,
    #[diesel(sql_type = BigInt)]
    head_appeared: i64,
    #[diesel(sql_type = BigInt)]
    first_instance_concluded: i64,
    #[diesel(sql_type = BigInt)]
    first_instance_lost: i64,
}

/// Which records count: the organs in scope, and optional filters on the case a record belongs
/// to (those of the other figures). Compliance and litigation count when their case matches; a
/// letter counts when a case that prompted it matches, so with any case filter set, letters
/// prompted by no case drop out.
#[derive(Debug, Clone, Default)]
pub struct FollowupFilter {
    pub organ_ids: Vec<Uuid>,
    pub respondent_id: Option<Uuid>,
    pub domain: Option<String>,
    pub act_type: Option<String>,
    pub enterprise_related: Option<bool>,
    pub procedure: Option<String>,
}

impl FollowupFilter {
    fn filters_cases(&self) -> bool {
        self.respondent_id.is_some()
            || self.domain.is_some()
            || self.act_type.is_some()
            || self.enterprise_related.is_some()
            || self.procedure.is_some()
    }
}

/// One statement, one row per period of `$2`/`$3` (first and last days, in order; periods may
/// overlap): each part scans only its own date's index; `$4`–`$8` filter the case a record
/// belongs to, and `$9` says whether any of them is set.
///
/// A time limit not complied with counts as late on its last day once that day has passed in
/// the organ's time zone; while it runs it counts nowhere.
const FIGURES: &str = "
WITH
periods AS (
    SELECT p.first_day, p.last_day, p.n
      FROM unnest($2::date[], $3::date[]) WITH ORDINALITY AS p (first_day, last_day, n)
),
letter_counts AS (
    SELECT p.n, count(*) FILTER (WHERE kind = 'opinion') AS opinion,
           count(*) FILTER (WHERE kind = 'recommendation') AS recommendation
      FROM periods p
      JOIN letters lt ON lt.issued_on BETWEEN p.first_day AND p.last_day
     WHERE lt.organ_id = ANY($1)
       AND (NOT $9 OR EXISTS (
            SELECT 1 FROM letter_cases lc JOIN cases c ON c.id = lc.case_id
             WHERE lc.letter_id = lt.id AND CASE_MATCHES))
     GROUP BY p.n
),
complied AS (
    SELECT p.n, count(*) FILTER (WHERE cc.complied_on <= cc.due_on) AS on_time,
           count(*) FILTER (WHERE cc.complied_on > cc.due_on) AS late
      FROM periods p
      JOIN case_compliance cc ON cc.complied_on BETWEEN p.first_day AND p.last_day
      JOIN cases c ON c.id = cc.case_id
     WHERE cc.organ_id = ANY($1) AND cc.complied_on IS NOT NULL AND cc.due_on IS NOT NULL
       AND CASE_MATCHES
     GROUP BY p.n
),
missed AS (
    SELECT p.n, count(*) AS late
      FROM periods p
      JOIN case_compliance cc ON cc.due_on BETWEEN p.first_day AND p.last_day
      JOIN organs o ON o.id = cc.organ_id
      JOIN cases c ON c.id = cc.case_id
     WHERE cc.organ_id = ANY($1) AND cc.due_on IS NOT NULL AND cc.complied_on IS NULL
       AND cc.due_on < (now() AT TIME ZONE o.time_zone)::date AND CASE_MATCHES
     GROUP BY p.n
),
heard AS (
    SELECT p.n, h.lawsuit_id, h.instance, bool_or(h.head_appeared) AS appeared
      FROM periods p
      JOIN lawsuit_hearings h ON h.held_on BETWEEN p.first_day AND p.last_day
      JOIN lawsuits l ON l.id = h.lawsuit_id
      JOIN cases c ON c.id = l.case_id
     WHERE l.organ_id = ANY($1) AND CASE_MATCHES
     GROUP BY p.n, h.lawsuit_id, h.instance
),
heard_counts AS (
    SELECT n, count(*) AS heard, count(*) FILTER (WHERE appeared) AS appeared
      FROM heard GROUP BY n
),
judged AS (
    SELECT p.n, count(*) AS concluded, count(*) FILTER (WHERE j.outcome = 'lost') AS lost
      FROM periods p
      JOIN lawsuit_judgments j ON j.decided_on BETWEEN p.first_day AND p.last_day
      JOIN lawsuits l ON l.id = j.lawsuit_id
      JOIN cases c ON c.id = l.case_id
     WHERE l.organ_id = ANY($1) AND j.instance = 'first' AND CASE_MATCHES
     GROUP BY p.n
)
SELECT coalesce(letter_counts.opinion, 0) AS letters_opinion,
       coalesce(letter_counts.recommendation, 0) AS letters_recommendation,
       coalesce(complied.on_time, 0) AS compliance_on_time,
       coalesce(complied.late, 0) + coalesce(missed.late, 0) AS compliance_late,
       coalesce(heard_counts.heard, 0) AS court_cases_heard,
       coalesce(heard_counts.appeared, 0) AS head_appeared,
       coalesce(judged.concluded, 0) AS first_instance_concluded,
       coalesce(judged.lost, 0) AS first_instance_lost
  FROM periods
  LEFT JOIN letter_counts USING (n)
  LEFT JOIN complied USING (n)
  LEFT JOIN missed USING (n)
  LEFT JOIN heard_counts USING (n)
  LEFT JOIN judged USING (n)
 ORDER BY periods.n";

/// The case filters of `$4`–`$8`, the same as the other figures'.
const CASE_MATCHES: &str = "($4::uuid IS NULL OR c.respondent_id = $4) \
    AND ($5::text IS NULL OR c.domain = $5) \
    AND ($6::text IS NULL OR c.act_type = $6) \
    AND ($7::bool IS NULL OR c.enterprise_related = $7) \
    AND ($8::text IS NULL OR c.procedure = $8)";

/// [`FIGURES`] with its case filters spelt out.
static QUERY: LazyLock<String> = LazyLock::new(|| FIGURES.replace("CASE_MATCHES", CASE_MATCHES));

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The follow-up counts of the organs `organ_ids` over `from..=to`, each by its own date: letters
/// by the day issued, compliance by the day complied (a missed time limit by its last day), head
/// appearance by the hearing day, losses by the first-instance judgment's day. Form the rates
/// with [`FollowupCounts::head_appearance_rate`], [`FollowupCounts::first_instance_loss_rate`]
/// and [`FollowupCounts::compliance_on_time_rate`].
pub async fn followup_figures(
    conn: &mut AsyncPgConnection,
    organ_ids: &[Uuid],
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<FollowupCounts> {
    let filter = FollowupFilter {
        organ_ids: organ_ids.to_vec(),
        ..FollowupFilter::default()
    };
    followup_figures_filtered(conn, &filter, from, to).await
}

/// [`followup_figures`] with the other figures' case filters (see [`FollowupFilter`]).
pub async fn followup_figures_filtered(
    conn: &mut AsyncPgConnection,
    filter: &FollowupFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<FollowupCounts> {
    let mut counts = followup_figures_by_period(conn, filter, &[(from, to)]).await?;
    Ok(counts.pop().unwrap_or_default())
}

/// [`followup_figures_filtered`] for each of `periods` (first and last days), in one statement;
/// the answer is in the order of `periods`.
pub async fn followup_figures_by_period(
    conn: &mut AsyncPgConnection,
    filter: &FollowupFilter,
    periods: &[(NaiveDate, NaiveDate)],
) -> diesel::QueryResult<Vec<FollowupCounts>> {
    let (firsts, lasts): (Vec<NaiveDate>, Vec<NaiveDate>) = periods.iter().copied().unzip();
    let rows: Vec<Row> = diesel::sql_query(QUERY.as_str())
        .bind::<Array<SqlUuid>, _>(&filter.organ_ids)
        .bind::<Array<Date>, _>(&firsts)
        .bind::<Array<Date>, _>(&lasts)
        .bind::<Nullable<SqlUuid>, _>(filter.respondent_id)
        .bind::<Nullable<Text>, _>(filter.domain.as_deref())
        .bind::<Nullable<Text>, _>(filter.act_type.as_deref())
        .bind::<Nullable<Bool>, _>(filter.enterprise_related)
        .bind::<Nullable<Text>, _>(filter.procedure.as_deref())
        .bind::<Bool, _>(filter.filters_cases())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| FollowupCounts {
            letters_issued: LettersIssued {
                opinion: count(row.letters_opinion),
                recommendation: count(row.letters_recommendation),
            },
            compliance_on_time: count(row.compliance_on_time),
            compliance_late: count(row.compliance_late),
            court_cases_heard: count(row.court_cases_heard),
            head_appeared: count(row.head_appeared),
            first_instance_concluded: count(row.first_instance_concluded),
            first_instance_lost: count(row.first_instance_lost),
        })
        .collect())
}
