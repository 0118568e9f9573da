//! The figures of `domain::statistics`, computed in PostgreSQL straight from the case table at
//! request time. Each count is taken over the one date that defines it (received, accepted,
//! declined, concluded), through an index made for it; buckets are months or a grouping key.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::{
    QueryableByName,
    sql_types::{Array, BigInt, Bool, Date, Double, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::statistics::{CaseFacts, Counts, Durations, OpenAtEnd, round2};

/// How figures are bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One bucket per calendar month (`YYYY-MM`) of the date a figure counts by.
    Month,
    /// One bucket per respondent id.
    Respondent,
    /// One bucket per administrative domain.
    Domain,
    /// One bucket per type of act.
    ActType,
    /// One bucket per organ id.
    Organ,
    /// One bucket per handling officer (a case with two handlers counts for both).
    Officer,
}

impl Grouping {
    /// The SQL expression of the bucket key for a count by `date_column`.
    fn key(self, date_column: &str) -> String {
        match self {
            Self::Month => format!("to_char(c.{date_column}, 'YYYY-MM')"),
            Self::Respondent => "c.respondent_id::text".to_owned(),
            Self::Domain => "c.domain".to_owned(),
            Self::ActType => "c.act_type".to_owned(),
            Self::Organ => "c.organ_id::text".to_owned(),
            Self::Officer => "h.officer::text".to_owned(),
        }
    }

    fn source_clause(self) -> &'static str {
        match self {
            // A case without handlers still counts, under no officer.
            Self::Officer => {
                "cases c CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.handlers) = 0 \
                 THEN ARRAY[NULL::uuid] ELSE c.handlers END) AS h(officer)"
            }
            _ => "cases c",
        }
    }
}

/// Which cases count: organs in scope plus optional filters.
#[derive(Debug, Clone, Default)]
pub struct StatsFilter {
    pub organ_ids: Vec<Uuid>,
    pub respondent_id: Option<Uuid>,
    pub domain: Option<String>,
    pub act_type: Option<String>,
    pub enterprise_related: Option<bool>,
    pub procedure: Option<String>,
}

/// The figures of one bucket (or of the whole range when `key` is `None`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bucket {
    pub counts: Counts,
    pub durations: Durations,
    pub open_at_end: OpenAtEnd,
    /// Applications received, by channel.
    pub channels: BTreeMap<String, u64>,
}

/// Figures per bucket, and for the whole range.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub buckets: BTreeMap<String, Bucket>,
    pub total: Bucket,
}

impl Tally {
    fn bucket(&mut self, key: Option<String>) -> &mut Bucket {
        match key {
            Some(key) => self.buckets.entry(key).or_default(),
            None => &mut self.total,
        }
    }

    /// The bucket a result row belongs to: the total, or its group. A group whose key is NULL
    /// (an officer bucket for cases nobody handles) is the empty key, never the total.
    fn row_bucket(&mut self, is_total: bool, key: Option<String>) -> &mut Bucket {
        if is_total {
            &mut self.total
        } else {
            self.buckets.entry(key.unwrap_or_default()).or_default()
        }
    }
}

/// The filter conditions every part shares; binds $1–$6, the date range is $7–$8.
const FILTER: &str = "c.organ_id = ANY($1) \
    AND ($2::uuid IS NULL OR c.respondent_id = $2) \
    AND ($3::text IS NULL OR c.domain = $3) \
    AND ($4::text IS NULL OR c.act_type = $4) \
    AND ($5::bool IS NULL OR c.enterprise_related = $5) \
    AND ($6::text IS NULL OR c.procedure = $6)";

/// Builds `SELECT key, is_total, <measures>` over the cases whose `date_column` is in $7..=$8,
/// grouped by the bucket with a grand total. Officers are grouped and totalled apart, so a case
/// with two handlers counts for each but once in the total.
fn grouped(grouping: Grouping, date_column: &str, measures: &str, extra_where: &str) -> String {
    let key = grouping.key(date_column);
    let condition = format!("{FILTER} AND c.{date_column} BETWEEN $7 AND $8 {extra_where}");
    if grouping == Grouping::Officer {
        format!(
            "SELECT {key} AS key, false AS is_total, {measures} FROM {from} WHERE {condition} \
             GROUP BY 1 \
             UNION ALL \
             SELECT NULL::text, true, {measures} FROM cases c WHERE {condition}",
            from = grouping.source_clause(),
        )
    } else {
        format!(
            "SELECT {key} AS key, GROUPING({key}) = 1 AS is_total, {measures} FROM cases c \
             WHERE {condition} GROUP BY GROUPING SETS (({key}), ())"
        )
    }
}

macro_rules! bind_filter {
    ($query:expr, $filter:expr, $from:expr, $to:expr) => {
        $query
            .bind::<Array<SqlUuid>, _>(&$filter.organ_ids)
            .bind::<Nullable<SqlUuid>, _>($filter.respondent_id)
            .bind::<Nullable<Text>, _>($filter.domain.as_deref())
            .bind::<Nullable<Text>, _>($filter.act_type.as_deref())
            .bind::<Nullable<Bool>, _>($filter.enterprise_related)
            .bind::<Nullable<Text>, _>($filter.procedure.as_deref())
            .bind::<Date, _>($from)
            .bind::<Date, _>($to)
    };
}

#[derive(QueryableByName)]
struct ReceivedRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Bool)]
    is_total: bool,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    received_enterprise: i64,
}

#[derive(QueryableByName)]
struct AcceptedRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Bool)]
    is_total: bool,
    #[diesel(sql_type = BigInt)]
    accepted: i64,
    #[diesel(sql_type = BigInt)]
    accepted_simplified: i64,
}

#[derive(QueryableByName)]
struct DeclinedRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Bool)]
    is_total: bool,
    #[diesel(sql_type = BigInt)]
    not_accepted: i64,
}

#[derive(QueryableByName)]
struct ConcludedRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Bool)]
    is_total: bool,
    #[diesel(sql_type = BigInt)]
    concluded: i64,
    #[diesel(sql_type = BigInt)]
    altered: i64,
    #[diesel(sql_type = BigInt)]
    revoked: i64,
    #[diesel(sql_type = BigInt)]
    confirmed_illegal: i64,
    #[diesel(sql_type = BigInt)]
    ordered_to_perform: i64,
    #[diesel(sql_type = BigInt)]
    confirmed_invalid: i64,
    #[diesel(sql_type = BigInt)]
    upheld: i64,
    #[diesel(sql_type = BigInt)]
    request_rejected: i64,
    #[diesel(sql_type = BigInt)]
    application_dismissed: i64,
    #[diesel(sql_type = BigInt)]
    mediated: i64,
    #[diesel(sql_type = BigInt)]
    terminated: i64,
    #[diesel(sql_type = BigInt)]
    withdrawn: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    late: i64,
    #[diesel(sql_type = BigInt)]
    hearings: i64,
    #[diesel(sql_type = BigInt)]
    extended: i64,
    #[diesel(sql_type = BigInt)]
    measured: i64,
    #[diesel(sql_type = Nullable<Double>)]
    mean_days: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    median_days: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    p90_days: Option<f64>,
}

#[derive(QueryableByName)]
struct OpenRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    open: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

const CONCLUDED_MEASURES: &str = "count(*) AS concluded, \
    count(*) FILTER (WHERE c.state = 'altered') AS altered, \
    count(*) FILTER (WHERE c.state = 'revoked') AS revoked, \
    count(*) FILTER (WHERE c.state = 'confirmed_illegal') AS confirmed_illegal, \
    count(*) FILTER (WHERE c.state = 'ordered_to_perform') AS ordered_to_perform, \
    count(*) FILTER (WHERE c.state = 'confirmed_invalid') AS confirmed_invalid, \
    count(*) FILTER (WHERE c.state = 'upheld') AS upheld, \
    count(*) FILTER (WHERE c.state = 'request_rejected') AS request_rejected, \
    count(*) FILTER (WHERE c.state = 'application_dismissed') AS application_dismissed, \
    count(*) FILTER (WHERE c.state = 'mediated') AS mediated, \
    count(*) FILTER (WHERE c.state = 'terminated') AS terminated, \
    count(*) FILTER (WHERE c.state = 'terminated' \
        AND c.termination_ground IN ('withdrawn', 'settled')) AS withdrawn, \
    count(*) FILTER (WHERE c.concluded_on <= c.decision_due_on) AS on_time, \
    count(*) FILTER (WHERE c.concluded_on > c.decision_due_on) AS late, \
    coalesce(sum(c.hearings_held), 0)::bigint AS hearings, \
    count(*) FILTER (WHERE c.extension_days > 0) AS extended, \
    count(c.accepted_on) AS measured, \
    avg(c.concluded_on - c.accepted_on - c.suspended_days)::float8 AS mean_days, \
    percentile_cont(0.5) WITHIN GROUP \
        (ORDER BY c.concluded_on - c.accepted_on - c.suspended_days) AS median_days, \
    percentile_cont(0.9) WITHIN GROUP \
        (ORDER BY c.concluded_on - c.accepted_on - c.suspended_days) AS p90_days";

/// Tallies every figure over `from..=to`, bucketed by `grouping` (plus the range's total).
pub async fn tally(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<Tally> {
    let mut tally = Tally::default();

    let sql = grouped(
        grouping,
        "received_on",
        "count(*) AS received, \
         count(*) FILTER (WHERE c.enterprise_related) AS received_enterprise",
        "",
    );
    let rows: Vec<ReceivedRow> = bind_filter!(diesel::sql_query(sql), filter, from, to)
        .load(conn)
        .await?;
    for row in rows {
        let bucket = tally.row_bucket(row.is_total, row.key);
        bucket.counts.received = count(row.received);
        bucket.counts.received_enterprise = count(row.received_enterprise);
    }
    for row in channels(conn, filter, grouping, from, to).await? {
        *tally
            .row_bucket(row.is_total, row.key)
            .channels
            .entry(row.channel)
            .or_default() += count(row.n);
    }

    let sql = grouped(
        grouping,
        "accepted_on",
        "count(*) AS accepted, \
         count(*) FILTER (WHERE c.procedure = 'simplified') AS accepted_simplified",
        "",
    );
    let rows: Vec<AcceptedRow> = bind_filter!(diesel::sql_query(sql), filter, from, to)
        .load(conn)
        .await?;
    for row in rows {
        let bucket = tally.row_bucket(row.is_total, row.key);
        bucket.counts.accepted = count(row.accepted);
        bucket.counts.accepted_simplified = count(row.accepted_simplified);
    }

    let sql = grouped(
        grouping,
        "declined_on",
        "count(*) AS not_accepted",
        "AND c.state = 'not_accepted'",
    );
    let rows: Vec<DeclinedRow> = bind_filter!(diesel::sql_query(sql), filter, from, to)
        .load(conn)
        .await?;
    for row in rows {
        let bucket = tally.row_bucket(row.is_total, row.key);
        bucket.counts.not_accepted = count(row.not_accepted);
    }

    let sql = grouped(
        grouping,
        "concluded_on",
        CONCLUDED_MEASURES,
        "AND c.state <> 'not_accepted'",
    );
    let rows: Vec<ConcludedRow> = bind_filter!(diesel::sql_query(sql), filter, from, to)
        .load(conn)
        .await?;
    for row in rows {
        let bucket = tally.row_bucket(row.is_total, row.key);
        let c = &mut bucket.counts;
        c.concluded = count(row.concluded);
        c.altered = count(row.altered);
        c.revoked = count(row.revoked);
        c.confirmed_illegal = count(row.confirmed_illegal);
        c.ordered_to_perform = count(row.ordered_to_perform);
        c.confirmed_invalid = count(row.confirmed_invalid);
        c.upheld = count(row.upheld);
        c.request_rejected = count(row.request_rejected);
        c.application_dismissed = count(row.application_dismissed);
        c.mediated = count(row.mediated);
        c.terminated = count(row.terminated);
        c.withdrawn = count(row.withdrawn);
        c.corrected = c.altered
            + c.revoked
            + c.confirmed_illegal
            + c.ordered_to_perform
            + c.confirmed_invalid;
        c.decided_on_merits = c.corrected + c.upheld + c.request_rejected;
        c.concluded_on_time = count(row.on_time);
        c.concluded_late = count(row.late);
        c.hearings_held = count(row.hearings);
        c.extended = count(row.extended);
        bucket.durations = Durations {
            cases: count(row.measured),
            mean_days: row.mean_days.map(round2),
            median_days: row.median_days.map(round2),
            p90_days: row.p90_days.map(round2),
        };
    }

    open_at_end(conn, filter, grouping, from, to, &mut tally).await?;
    Ok(tally)
}

#[derive(QueryableByName)]
struct ChannelRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Bool)]
    is_total: bool,
    #[diesel(sql_type = Text)]
    channel: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Applications received per channel, per bucket and in total.
async fn channels(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<Vec<ChannelRow>> {
    let key = grouping.key("received_on");
    let from_clause = grouping.source_clause();
    let sql = format!(
        "SELECT {key} AS key, false AS is_total, c.channel, count(*) AS n FROM {from_clause} \
         WHERE {FILTER} AND c.received_on BETWEEN $7 AND $8 GROUP BY 1, 3 \
         UNION ALL \
         SELECT NULL::text, true, c.channel, count(*) FROM cases c \
         WHERE {FILTER} AND c.received_on BETWEEN $7 AND $8 GROUP BY 3"
    );
    bind_filter!(diesel::sql_query(sql), filter, from, to)
        .load(conn)
        .await
}

/// Open (在办) and overdue (超期) cases at the end of the range, and for months at each month's
/// end. Only cases still open now, or closed after the day in question, can have been open then;
/// both sets are read through their own indexes instead of the whole table.
async fn open_at_end(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
    tally: &mut Tally,
) -> diesel::QueryResult<()> {
    if grouping != Grouping::Month {
        let key = grouping.key("received_on");
        for (key, open) in open_on(conn, filter, Some((&key, grouping.source_clause())), to).await?
        {
            tally.bucket(Some(key)).open_at_end = open;
        }
        if let Some((_, open)) = open_on(conn, filter, None, to).await?.pop() {
            tally.total.open_at_end = open;
        }
        return Ok(());
    }
    // Months: open at each month's end = open the day before the range + received − closed
    // since; overdue is counted directly from the few cases that were ever overdue.
    let before = from.pred_opt().unwrap_or(from);
    let mut open = open_on(conn, filter, None, before)
        .await?
        .pop()
        .map_or(0, |(_, o)| o.open);
    let overdue = overdue_on(conn, filter, &month_ends(from, to)).await?;
    for end in month_ends(from, to) {
        let key = end.format("%Y-%m").to_string();
        let bucket = tally.bucket(Some(key.clone()));
        let closed = bucket.counts.concluded + bucket.counts.not_accepted;
        open = (open + bucket.counts.received).saturating_sub(closed);
        bucket.open_at_end = OpenAtEnd {
            open,
            overdue: overdue.get(&key).copied().unwrap_or(0),
        };
    }
    tally.total.open_at_end = OpenAtEnd {
        open,
        overdue: overdue
            .get(&to.format("%Y-%m").to_string())
            .copied()
            .unwrap_or(0),
    };
    Ok(())
}

/// Open and overdue cases on `day`, per key (`key` = its SQL expression and FROM clause) or in
/// total (`None`; the result then has one entry with an empty key).
async fn open_on(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    key: Option<(&str, &str)>,
    day: NaiveDate,
) -> diesel::QueryResult<Vec<(String, OpenAtEnd)>> {
    let (key_expr, from_clause, outer_key, group) = match key {
        Some((expr, from)) => (expr, from, "o.key", "GROUP BY o.key"),
        None => ("''", "cases c", "NULL::text", ""),
    };
    // Still open now, or closed after `day`: two index-friendly halves instead of an OR.
    let part = |closed: &str| {
        format!(
            "SELECT {key_expr} AS key, c.accepted_on, c.decision_due_on FROM {from_clause} \
             WHERE {FILTER} AND c.received_on <= $8 AND {closed}"
        )
    };
    let sql = format!(
        "SELECT {outer_key} AS key, count(*) AS open, \
           count(*) FILTER (WHERE o.accepted_on <= $8 AND o.decision_due_on < $8) AS overdue \
         FROM ({} UNION ALL {}) AS o {group}",
        part("c.closed_on IS NULL"),
        part("c.closed_on > $8"),
    );
    let rows: Vec<OpenRow> = bind_filter!(diesel::sql_query(sql), filter, day, day)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.key.unwrap_or_default(),
                OpenAtEnd {
                    open: count(r.open),
                    overdue: count(r.overdue),
                },
            )
        })
        .collect())
}

#[derive(QueryableByName)]
struct OverdueRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

/// Overdue cases at each of `ends`, keyed `YYYY-MM`, from the cases that were ever overdue.
async fn overdue_on(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    ends: &[NaiveDate],
) -> diesel::QueryResult<BTreeMap<String, u64>> {
    let (Some(first), Some(last)) = (ends.first().copied(), ends.last().copied()) else {
        return Ok(BTreeMap::new());
    };
    let sql = format!(
        "SELECT to_char(e.day, 'YYYY-MM') AS key, count(*) AS overdue \
         FROM cases c JOIN unnest($9::date[]) AS e(day) \
           ON c.accepted_on <= e.day AND c.decision_due_on < e.day \
          AND (c.closed_on IS NULL OR c.closed_on > e.day) \
         WHERE {FILTER} AND c.decision_due_on IS NOT NULL \
           AND (c.closed_on IS NULL OR c.closed_on > c.decision_due_on) \
           AND c.decision_due_on BETWEEN $7 - 3650 AND $8 \
           AND (c.closed_on IS NULL OR c.closed_on > $7) \
         GROUP BY 1"
    );
    let rows: Vec<OverdueRow> = bind_filter!(diesel::sql_query(sql), filter, first, last)
        .bind::<Array<Date>, _>(ends)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.key, count(r.overdue)))
        .collect())
}

/// The last day of each month from `from`'s month to `to`'s, with `to` itself for a partial
/// last month.
pub fn month_ends(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut ends = Vec::new();
    let mut first = from.with_day(1).unwrap_or(from);
    while first <= to {
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        let end = next.pred_opt().unwrap_or(next).min(to);
        ends.push(end);
        first = next;
    }
    ends
}

#[derive(QueryableByName)]
struct LabelRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    label: String,
}

/// Display names of the group keys that are ids (respondents, organs, officers); other groupings
/// are labelled by their key.
pub async fn labels(
    conn: &mut AsyncPgConnection,
    grouping: Grouping,
    keys: &[String],
) -> diesel::QueryResult<BTreeMap<String, String>> {
    let table = match grouping {
        Grouping::Respondent => "SELECT id::text AS key, name AS label FROM respondents",
        Grouping::Organ => "SELECT id::text AS key, name AS label FROM organs",
        Grouping::Officer => "SELECT id::text AS key, display_name AS label FROM users",
        Grouping::Month | Grouping::Domain | Grouping::ActType => return Ok(BTreeMap::new()),
    };
    let ids: Vec<Uuid> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    let rows: Vec<LabelRow> = diesel::sql_query(format!("{table} WHERE id = ANY($1)"))
        .bind::<Array<SqlUuid>, _>(&ids)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.key, r.label)).collect())
}

#[derive(QueryableByName)]
struct FactsRow {
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Date)]
    received_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    accepted_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    declined_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    concluded_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    termination_ground: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    procedure: Option<String>,
    #[diesel(sql_type = Bool)]
    enterprise_related: bool,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    suspended_days: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    extension_days: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    hearings_held: i32,
    #[diesel(sql_type = Nullable<Date>)]
    decision_due_on: Option<NaiveDate>,
}

/// The plain facts of every case the filter selects, for checking the SQL figures against the
/// domain's definitions (`domain::statistics::tally`). Loads whole rows: not for production use
/// at scale.
pub async fn case_facts(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
) -> anyhow::Result<Vec<CaseFacts>> {
    let sql = format!(
        "SELECT c.state, c.received_on, c.accepted_on, c.declined_on, c.concluded_on, \
           c.termination_ground, c.procedure, c.enterprise_related, c.suspended_days, \
           c.extension_days, c.hearings_held, c.decision_due_on \
         FROM cases c WHERE {FILTER} AND $7::date = $8::date"
    );
    // The shared filter binds a date range; every case's facts are wanted, so it is left moot.
    let moot = NaiveDate::default();
    let rows: Vec<FactsRow> = bind_filter!(diesel::sql_query(sql), filter, moot, moot)
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            let parse = |what: &str, value: &str| anyhow::anyhow!("stored {what} {value:?}");
            Ok(CaseFacts {
                state: row.state.parse().map_err(|_| parse("state", &row.state))?,
                received_on: row.received_on,
                accepted_on: row.accepted_on,
                declined_on: row.declined_on,
                concluded_on: row.concluded_on,
                termination_ground: row
                    .termination_ground
                    .as_deref()
                    .map(|g| g.parse().map_err(|_| parse("termination ground", g)))
                    .transpose()?,
                procedure: row
                    .procedure
                    .as_deref()
                    .map(|p| p.parse().map_err(|_| parse("procedure", p)))
                    .transpose()?,
                enterprise_related: row.enterprise_related,
                suspended_days: u32::try_from(row.suspended_days).unwrap_or(0),
                extension_days: u32::try_from(row.extension_days).unwrap_or(0),
                hearings_held: u32::try_from(row.hearings_held).unwrap_or(0),
                decision_due_on: row.decision_due_on,
            })
        })
        .collect()
}
