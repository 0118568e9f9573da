//! The figures of `domain::statistics`, computed in PostgreSQL at request time from one of two
//! sources that agree figure for figure (`Source`):
//!
//! - the per-day rollups of migration 000006 (`statistics_days`, `statistics_handling_days`),
//!   which triggers keep in step with every change of `cases` in the same transaction. They answer
//!   the figures of whole organs (or organ trees), by month, for a range or per organ, reading a
//!   few rows per organ and day whatever the number of cases; and their monthly twins by domain
//!   of migration 000020 (`statistics_domain_months`, `statistics_domain_handling_days`), which
//!   answer the same figures for whole months filtered or grouped by domain;
//! - the cases themselves, for any filter. Each count is taken over the one date that defines it
//!   (received, accepted, declined, concluded), through an index made for it. Month buckets are
//!   grouped by the raw date first (a streaming aggregate in index order) and only then by month;
//!   open and overdue cases at a period's end come from GiST lookups on the days each case is open
//!   (`open_span`, `overdue_span`).
//!
//! Every summable figure is a measure of the one table (`domain::measures::MEASURES`): the SQL
//! that counts it (`db::measures`) and the rollup columns that hold it are derived from the
//! table, each query selects it under its name, and rows are read back by name.
//!
//! The independent parts of a tally run concurrently on separate connections.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::{
    QueryableByName,
    sql_types::{Array, BigInt, Bool, Date, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{Connections, measures};
use crate::domain::{
    ApiValue,
    measures::{self as measures_table, DatedBy, MEASURES, Measure, Selects},
    statistics::{
        CaseFacts, Counts, DaysHistogram, Durations, OpenAtEnd, durations_from_histogram,
    },
};

/// How figures are bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One bucket for the whole range (keyed by the empty string).
    Whole,
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
    /// The SQL expression of the bucket key, for groupings keyed by a column.
    fn key(self) -> &'static str {
        match self {
            Self::Whole | Self::Month => "''",
            Self::Respondent => "c.respondent_id::text",
            Self::Domain => "c.domain",
            Self::ActType => "c.act_type",
            Self::Organ => "c.organ_id::text",
            Self::Officer => "h.officer::text",
        }
    }

    fn source(self) -> &'static str {
        match self {
            // A case without handlers still counts, under no officer.
            Self::Officer => {
                "cases c CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.handlers) = 0 \
                 THEN ARRAY[NULL::uuid] ELSE c.handlers END) AS h(officer)"
            }
            _ => "cases c",
        }
    }

    /// Whether each case falls in one bucket only, so that the total is the sum of the buckets.
    fn partitions(self) -> bool {
        self != Self::Officer
    }
}

/// A pair of rollup tables that can answer a tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rollup {
    /// `statistics_days` and `statistics_handling_days`: whole organs, by day.
    Days,
    /// `statistics_domain_months` and `statistics_domain_handling_days`: organs and a domain (or
    /// every domain apart), by month.
    DomainMonths,
}

impl Rollup {
    /// The rollup that answers the tally, if any: the per-day one for whole organs, the
    /// per-domain months for whole months filtered or grouped by domain, and none for other
    /// filters or groupings (the cases then count).
    fn choose(
        filter: &StatsFilter,
        grouping: Grouping,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Option<Self> {
        let domain_only = filter.respondent_id.is_none()
            && filter.act_type.is_none()
            && filter.enterprise_related.is_none()
            && filter.procedure.is_none();
        if !domain_only {
            return None;
        }
        if filter.domain.is_none() && Self::Days.key(grouping).is_some() {
            Some(Self::Days)
        } else if whole_months(from, to) && Self::DomainMonths.key(grouping).is_some() {
            Some(Self::DomainMonths)
        } else {
            None
        }
    }

    /// The SQL expression of the bucket key over the rollup (alias `s`), for the groupings it
    /// can answer.
    fn key(self, grouping: Grouping) -> Option<&'static str> {
        match (self, grouping) {
            (_, Grouping::Whole) => Some("''"),
            (Self::Days, Grouping::Month) => Some("to_char(s.day, 'YYYY-MM')"),
            (Self::DomainMonths, Grouping::Month) => Some("to_char(s.month, 'YYYY-MM')"),
            (_, Grouping::Organ) => Some("s.organ_id::text"),
            (Self::DomainMonths, Grouping::Domain) => Some("s.domain"),
            (Self::Days, Grouping::Domain)
            | (_, Grouping::Respondent | Grouping::ActType | Grouping::Officer) => None,
        }
    }

    fn flows_table(self) -> &'static str {
        match self {
            Self::Days => "statistics_days",
            Self::DomainMonths => "statistics_domain_months",
        }
    }

    fn handling_days_table(self) -> &'static str {
        match self {
            Self::Days => "statistics_handling_days",
            Self::DomainMonths => "statistics_domain_handling_days",
        }
    }

    /// The column dating a row of the flows table.
    fn period(self) -> &'static str {
        match self {
            Self::Days => "day",
            Self::DomainMonths => "month",
        }
    }
}

/// Whether `from..=to` is made of whole calendar months.
fn whole_months(from: NaiveDate, to: NaiveDate) -> bool {
    from.day() == 1 && to.succ_opt().is_none_or(|next| next.day() == 1)
}

/// Where figures are counted from. Both give the same figures; the rollups are the fast one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The per-day rollups, where they can answer (whole organs, grouped by month, organ or not
    /// at all); the cases otherwise.
    Rollups,
    /// The cases themselves, always.
    Cases,
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

/// The figures of one bucket (or of the whole range).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bucket {
    pub counts: Counts,
    /// Handling days of the cases concluded (after acceptance) in the bucket.
    pub handling_days: DaysHistogram,
    pub open_at_end: OpenAtEnd,
    /// Applications received, by channel.
    pub channels: BTreeMap<String, u64>,
}

impl Bucket {
    /// Mean, median and 90th percentile of the handling days.
    pub fn durations(&self) -> Durations {
        durations_from_histogram(&self.handling_days)
    }

    /// The value of a measure of the table: its count, or its channel's.
    pub fn measure(&self, m: &Measure) -> u64 {
        match m.selects {
            Selects::Channel(channel) => self.channels.get(channel.as_str()).copied(),
            _ => self.counts.get(m.name),
        }
        .unwrap_or(0)
    }

    /// Adds `n` to the measure of that name.
    fn add(&mut self, name: &str, n: u64) {
        match measures_table::named(name).map(|m| m.selects) {
            // Channels nobody used are left out, as the cases would leave them.
            Some(Selects::Channel(channel)) if n > 0 => {
                *self
                    .channels
                    .entry(channel.as_str().to_owned())
                    .or_default() += n;
            }
            Some(Selects::Channel(_)) => {}
            _ => {
                if let Some(count) = self.counts.get_mut(name) {
                    *count += n;
                }
            }
        }
    }

    fn absorb(&mut self, other: &Bucket) {
        self.counts.absorb(&other.counts);
        for (days, n) in &other.handling_days {
            *self.handling_days.entry(*days).or_default() += n;
        }
        self.open_at_end.open += other.open_at_end.open;
        self.open_at_end.overdue += other.open_at_end.overdue;
        for (channel, n) in &other.channels {
            *self.channels.entry(channel.clone()).or_default() += n;
        }
    }
}

/// Figures per bucket, and for the whole range.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub buckets: BTreeMap<String, Bucket>,
    pub total: Bucket,
}

/// Why figures could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum TallyError {
    #[error(transparent)]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// The filter conditions every part shares; binds $1–$6, the date range is $7–$8.
const FILTER: &str = "c.organ_id = ANY($1) \
    AND ($2::uuid IS NULL OR c.respondent_id = $2) \
    AND ($3::text IS NULL OR c.domain = $3) \
    AND ($4::text IS NULL OR c.act_type = $4) \
    AND ($5::bool IS NULL OR c.enterprise_related = $5) \
    AND ($6::text IS NULL OR c.procedure = $6)";

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

/// One part of the tally: the cases counted on one `date` in the range (and meeting
/// `condition`), bucketed, and within each bucket optionally split by `detail` (a number of days).
struct Part {
    date: &'static str,
    condition: String,
    detail: Option<&'static str>,
    /// Summable measures: each an SQL aggregate over the bucket's cases, and the name it is
    /// selected as and read back by.
    measures: Vec<(&'static str, String)>,
}

/// The name of the one measure of the handling-days parts: the cases concluded in that many days.
const HANDLING_DAYS_CASES: &str = "cases";

/// Wraps a query whose rows hold `key`, `detail` and one column per measure (aliased by the
/// measure's name) so that each row carries its measures as a JSON object keyed by name.
fn named_measures(inner: &str) -> String {
    format!(
        "SELECT g.key, g.detail, (to_jsonb(g) - 'key' - 'detail')::text AS measures \
         FROM ({inner}) AS g"
    )
}

/// SQL of a part: `key`, `detail` (text) and `measures` (a JSON object by measure name), one row
/// per bucket and detail.
fn part_sql(grouping: Grouping, part: &Part) -> String {
    let condition = format!(
        "{FILTER} AND c.{date} BETWEEN $7 AND $8 {extra}",
        date = part.date,
        extra = part.condition
    );
    let detail = part.detail.unwrap_or("NULL::int");
    let group_detail = if part.detail.is_some() { ", 2" } else { "" };
    if grouping == Grouping::Month {
        // Grouped by the raw date first, a streaming aggregate in the index's order; only the
        // few per-day rows are then folded into months.
        let inner: Vec<String> = part
            .measures
            .iter()
            .map(|(name, expr)| format!("{expr} AS {name}"))
            .collect();
        let outer: Vec<String> = part
            .measures
            .iter()
            .map(|(name, _)| format!("sum(d.{name})::bigint AS {name}"))
            .collect();
        named_measures(&format!(
            "SELECT to_char(d.day, 'YYYY-MM') AS key, d.detail::text AS detail, {outer} FROM \
             (SELECT c.{date} AS day, {detail} AS detail, {inner} FROM cases c \
              WHERE {condition} GROUP BY c.{date}{group_detail}) AS d \
             GROUP BY 1, 2",
            outer = outer.join(", "),
            inner = inner.join(", "),
            date = part.date,
        ))
    } else {
        let measures: Vec<String> = part
            .measures
            .iter()
            .map(|(name, expr)| format!("({expr})::bigint AS {name}"))
            .collect();
        named_measures(&format!(
            "SELECT {key} AS key, ({detail})::text AS detail, {measures} \
             FROM {source} WHERE {condition} GROUP BY 1, 2",
            measures = measures.join(", "),
            key = grouping.key(),
            source = grouping.source(),
        ))
    }
}

/// Runs a part: each row's key, detail and measures by name.
async fn run_part(
    pool: Connections<'_>,
    filter: &StatsFilter,
    grouping: Grouping,
    part: Part,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PartRow>, TallyError> {
    let mut conn = pool.get().await?;
    let started = std::time::Instant::now();
    let rows: Vec<MeasureRow> = bind_filter!(
        diesel::sql_query(part_sql(grouping, &part)),
        filter,
        from,
        to
    )
    .load(&mut conn)
    .await?;
    tracing::debug!(
        part = part.date,
        detail = part.detail.is_some(),
        rows = rows.len(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "statistics part"
    );
    rows.into_iter().map(MeasureRow::decode).collect()
}

#[derive(QueryableByName)]
struct MeasureRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    detail: Option<String>,
    /// A JSON object of the measures by name.
    #[diesel(sql_type = Text)]
    measures: String,
}

impl MeasureRow {
    fn decode(self) -> Result<PartRow, TallyError> {
        let measures: BTreeMap<String, i64> = serde_json::from_str(&self.measures)
            .map_err(|err| diesel::result::Error::DeserializationError(Box::new(err)))?;
        Ok((self.key.unwrap_or_default(), self.detail, measures))
    }
}

/// The measures counted on `dated_by`, as one part of the tally.
fn dated_part(dated_by: DatedBy) -> Part {
    Part {
        date: dated_by.fact(),
        condition: measures::date_condition(dated_by)
            .map(|c| format!("AND {c}"))
            .unwrap_or_default(),
        detail: None,
        measures: measures::dated(dated_by)
            .map(|m| (m.name, measures::aggregate(m)))
            .collect(),
    }
}

/// Handling days of the cases concluded after acceptance; its rollup is
/// `statistics_handling_days`, by month.
fn handling_days_part() -> Part {
    let concluded = DatedBy::Concluded;
    let counted = measures::date_condition(concluded)
        .map(|c| format!("AND {c} "))
        .unwrap_or_default();
    Part {
        date: concluded.fact(),
        condition: format!("{counted}AND c.accepted_on IS NOT NULL"),
        detail: Some("c.concluded_on - c.accepted_on - c.suspended_days"),
        measures: vec![(HANDLING_DAYS_CASES, "count(*)".to_owned())],
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Tallies every figure over `from..=to`, bucketed by `grouping`, plus the range's total, from
/// the rollups where they can answer.
pub async fn tally<'a>(
    pool: impl Into<Connections<'a>>,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Tally, TallyError> {
    tally_from(pool.into(), Source::Rollups, filter, grouping, from, to).await
}

/// `tally`, counted from a chosen source.
pub async fn tally_from<'a>(
    pool: impl Into<Connections<'a>>,
    source: Source,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Tally, TallyError> {
    let pool: Connections<'a> = pool.into();
    let mut tally = Tally {
        buckets: tally_buckets(pool, source, filter, grouping, from, to).await?,
        total: Bucket::default(),
    };
    if grouping.partitions() {
        for bucket in tally.buckets.values() {
            tally.total.absorb(bucket);
        }
    } else {
        tally.total = tally_buckets(pool, source, filter, Grouping::Whole, from, to)
            .await?
            .remove("")
            .unwrap_or_default();
    }
    if grouping == Grouping::Month {
        // Summed month-end stocks mean nothing; the range ends where its last month does.
        tally.total.open_at_end = tally
            .buckets
            .values()
            .next_back()
            .map(|b| b.open_at_end.clone())
            .unwrap_or_default();
    }
    Ok(tally)
}

/// The rows of every part of a tally, from either source.
struct PartRows {
    /// The measures of the table, per key (any number of rows per key).
    flows: Vec<PartRow>,
    handling_days: Vec<PartRow>,
    open: OpenAt,
}

/// A bucket key, a detail (the handling days) and the row's measures by name.
type PartRow = (String, Option<String>, BTreeMap<String, i64>);

async fn tally_buckets(
    pool: Connections<'_>,
    source: Source,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<String, Bucket>, TallyError> {
    let rollup = Rollup::choose(filter, grouping, from, to).filter(|_| source == Source::Rollups);
    let rows = match rollup.and_then(|r| Some((r, r.key(grouping)?))) {
        Some((rollup, key)) => rollup_parts(pool, rollup, filter, grouping, key, from, to).await?,
        None => case_parts(pool, filter, grouping, from, to).await?,
    };
    Ok(fill_buckets(rows, from, to))
}

async fn case_parts(
    pool: Connections<'_>,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PartRows, TallyError> {
    let [received, accepted, declined, concluded, withdrawn] = DatedBy::ALL.map(dated_part);
    let (received, accepted, declined, concluded, withdrawn, handling_days, open) = tokio::try_join!(
        run_part(pool, filter, grouping, received, from, to),
        run_part(pool, filter, grouping, accepted, from, to),
        run_part(pool, filter, grouping, declined, from, to),
        run_part(pool, filter, grouping, concluded, from, to),
        run_part(pool, filter, grouping, withdrawn, from, to),
        run_part(pool, filter, grouping, handling_days_part(), from, to),
        open_at_ends(pool, filter, grouping, from, to),
    )?;
    Ok(PartRows {
        flows: [received, accepted, declined, concluded, withdrawn].concat(),
        handling_days,
        open,
    })
}

/// The parts from the rollups: the flows of the range's days (or months), the handling days of
/// its months (of the cases when the range cuts through a month) and the stocks from all days up
/// to its end.
async fn rollup_parts(
    pool: Connections<'_>,
    rollup: Rollup,
    filter: &StatsFilter,
    grouping: Grouping,
    key: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PartRows, TallyError> {
    let handling_days = async {
        if whole_months(from, to) {
            rollup_handling_days(pool, rollup, filter, grouping, key, from, to).await
        } else {
            run_part(pool, filter, grouping, handling_days_part(), from, to).await
        }
    };
    let (flows, handling_days, open) = tokio::try_join!(
        rollup_flows(pool, rollup, filter, key, from, to),
        handling_days,
        rollup_stocks(pool, rollup, filter, grouping, key, from, to),
    )?;
    Ok(PartRows {
        flows,
        handling_days,
        open,
    })
}

/// Sums every measure of the table over the range's days, per key, holding only the keys with at
/// least one case counted (as counting the cases would).
async fn rollup_flows(
    pool: Connections<'_>,
    rollup: Rollup,
    filter: &StatsFilter,
    key: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PartRow>, TallyError> {
    let sums: Vec<String> = MEASURES
        .iter()
        .map(|m| format!("{}::bigint AS {}", measures::rollup_sum(m), m.name))
        .collect();
    let sql = named_measures(&format!(
        "SELECT {key} AS key, NULL::text AS detail, {sums} \
         FROM {table} s WHERE s.organ_id = ANY($1) AND s.{period} BETWEEN $2 AND $3 {domain} \
         GROUP BY 1",
        sums = sums.join(", "),
        table = rollup.flows_table(),
        period = rollup.period(),
        domain = domain_condition(filter),
    ));
    let rows = load_measures(pool, "rollup flows", &sql, filter, from, to).await?;
    // A day's row may hold only changes of the stocks.
    Ok(rows
        .into_iter()
        .filter(|(_, _, measures)| measures.values().any(|&n| n != 0))
        .collect())
}

/// The handling-days histogram of the range's whole months, per key.
async fn rollup_handling_days(
    pool: Connections<'_>,
    rollup: Rollup,
    filter: &StatsFilter,
    grouping: Grouping,
    key: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PartRow>, TallyError> {
    // The histogram is by month in both rollups.
    let key = match grouping {
        Grouping::Month => "to_char(s.month, 'YYYY-MM')",
        _ => key,
    };
    let sql = named_measures(&format!(
        "SELECT {key} AS key, s.days::text AS detail, \
           sum(s.cases)::bigint AS {HANDLING_DAYS_CASES} \
         FROM {table} s \
         WHERE s.organ_id = ANY($1) AND s.month BETWEEN $2 AND $3 {domain} \
         GROUP BY 1, 2 HAVING sum(s.cases) <> 0",
        table = rollup.handling_days_table(),
        domain = domain_condition(filter),
    ));
    load_measures(pool, "rollup handling days", &sql, filter, from, to).await
}

#[derive(QueryableByName)]
struct StockRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    open: i64,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

/// Open and overdue cases at the range's end (per key), or at each month's end: the sums of
/// the stocks' daily changes up to that day.
async fn rollup_stocks(
    pool: Connections<'_>,
    rollup: Rollup,
    filter: &StatsFilter,
    grouping: Grouping,
    key: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<OpenAt, TallyError> {
    let period = rollup.period();
    // For months: the changes before the range in one sum (key NULL), then each month's.
    let key = if grouping == Grouping::Month {
        format!("CASE WHEN s.{period} >= $2 THEN {key} END")
    } else {
        key.to_owned()
    };
    // A month's row holds the changes of its days; the per-domain rollup answers only ranges
    // ending on a month's last day.
    let sql = format!(
        "SELECT {key} AS key, sum(s.open_change)::bigint AS open, \
           sum(s.overdue_change)::bigint AS overdue \
         FROM {table} s WHERE s.organ_id = ANY($1) AND s.{period} <= $3 {domain} GROUP BY 1",
        table = rollup.flows_table(),
        domain = domain_condition(filter),
    );
    let mut conn = pool.get().await?;
    let started = std::time::Instant::now();
    let rows: Vec<StockRow> = bind_rollup(diesel::sql_query(sql), filter, from, to)
        .load(&mut conn)
        .await?;
    tracing::debug!(
        part = "rollup stocks",
        rows = rows.len(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "statistics part"
    );
    let stock = |r: &StockRow| OpenAtEnd {
        open: count(r.open),
        overdue: count(r.overdue),
    };
    if grouping != Grouping::Month {
        return Ok(OpenAt::PerKey(
            rows.iter()
                .filter(|r| r.open != 0 || r.overdue != 0)
                .map(|r| (r.key.clone().unwrap_or_default(), stock(r)))
                .collect(),
        ));
    }
    let changes: BTreeMap<Option<String>, (i64, i64)> = rows
        .into_iter()
        .map(|r| (r.key, (r.open, r.overdue)))
        .collect();
    let (mut open, mut overdue) = changes.get(&None).copied().unwrap_or_default();
    let mut at_ends = Vec::new();
    for end in month_ends(from, to) {
        let month = end.format("%Y-%m").to_string();
        if let Some((o, d)) = changes.get(&Some(month.clone())) {
            open += o;
            overdue += d;
        }
        at_ends.push((
            month,
            OpenAtEnd {
                open: count(open),
                overdue: count(overdue),
            },
        ));
    }
    Ok(OpenAt::PerKey(at_ends))
}

/// The condition on the domain of a rollup's rows (alias `s`), binding it as $4, if the filter
/// names one.
fn domain_condition(filter: &StatsFilter) -> &'static str {
    if filter.domain.is_some() {
        "AND s.domain = $4"
    } else {
        ""
    }
}

/// Binds the organs ($1), the range ($2, $3) and the filter's domain if it names one ($4, see
/// [`domain_condition`]) to a query of the rollups.
fn bind_rollup<'f>(
    query: diesel::query_builder::SqlQuery,
    filter: &'f StatsFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::query_builder::BoxedSqlQuery<'f, diesel::pg::Pg, diesel::query_builder::SqlQuery> {
    let query = query
        .into_boxed()
        .bind::<Array<SqlUuid>, _>(&filter.organ_ids)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to);
    match filter.domain.as_deref() {
        Some(domain) => query.bind::<Text, _>(domain),
        None => query,
    }
}

/// Runs a query of the rollups binding the organs ($1), the range ($2, $3) and the domain ($4).
async fn load_measures(
    pool: Connections<'_>,
    part: &'static str,
    sql: &str,
    filter: &StatsFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PartRow>, TallyError> {
    let mut conn = pool.get().await?;
    let started = std::time::Instant::now();
    let rows: Vec<MeasureRow> = bind_rollup(diesel::sql_query(sql), filter, from, to)
        .load(&mut conn)
        .await?;
    tracing::debug!(
        part,
        rows = rows.len(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "statistics part"
    );
    rows.into_iter().map(MeasureRow::decode).collect()
}

/// Folds the parts' rows into buckets, each measure by its name.
fn fill_buckets(rows: PartRows, from: NaiveDate, to: NaiveDate) -> BTreeMap<String, Bucket> {
    let PartRows {
        flows,
        handling_days: days,
        open,
    } = rows;
    let mut buckets: BTreeMap<String, Bucket> = BTreeMap::new();
    for (key, _, values) in flows {
        let bucket = buckets.entry(key).or_default();
        for (name, n) in values {
            bucket.add(&name, count(n));
        }
    }
    for (key, days, values) in days {
        if let Some(days) = days.and_then(|d| d.parse::<i64>().ok()) {
            *buckets
                .entry(key)
                .or_default()
                .handling_days
                .entry(days)
                .or_default() += values.get(HANDLING_DAYS_CASES).copied().map_or(0, count);
        }
    }
    match open {
        OpenAt::PerKey(open) => {
            for (key, at_end) in open {
                buckets.entry(key).or_default().open_at_end = at_end;
            }
        }
        OpenAt::MonthEnds { before, overdue } => {
            // Open at each month's end = open the day before the range + received − closed
            // since; overdue is looked up at each month's end directly.
            let mut open = before;
            for end in month_ends(from, to) {
                let key = end.format("%Y-%m").to_string();
                let bucket = buckets.entry(key.clone()).or_default();
                let closed = bucket.counts.concluded
                    + bucket.counts.not_accepted
                    + bucket.counts.withdrawn_before_acceptance;
                open = (open + bucket.counts.received).saturating_sub(closed);
                bucket.open_at_end = OpenAtEnd {
                    open,
                    overdue: overdue.get(&key).copied().unwrap_or(0),
                };
            }
        }
    }
    buckets
}

enum OpenAt {
    PerKey(Vec<(String, OpenAtEnd)>),
    MonthEnds {
        before: u64,
        overdue: BTreeMap<String, u64>,
    },
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

#[derive(QueryableByName)]
struct OverdueRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
}

/// Open (在办) and overdue (超期) cases: per key at the range's end, or for months, open on the
/// day before the range and overdue at each month's end.
async fn open_at_ends(
    pool: Connections<'_>,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<OpenAt, TallyError> {
    let mut conn = pool.get().await?;
    if grouping != Grouping::Month {
        let rows = open_on(&mut conn, filter, grouping, to).await?;
        return Ok(OpenAt::PerKey(
            rows.into_iter()
                .map(|r| {
                    (
                        r.key.unwrap_or_default(),
                        OpenAtEnd {
                            open: count(r.open),
                            overdue: count(r.overdue),
                        },
                    )
                })
                .collect(),
        ));
    }
    let day_before = from.pred_opt().unwrap_or(from);
    let before = open_on(&mut conn, filter, Grouping::Whole, day_before)
        .await?
        .iter()
        .map(|r| count(r.open))
        .sum();
    let ends = month_ends(from, to);
    let sql = format!(
        "SELECT to_char(e.day, 'YYYY-MM') AS key, count(*) AS overdue \
         FROM unnest($9::date[]) AS e(day) JOIN cases c ON c.overdue_span @> e.day \
         WHERE {FILTER} AND $7::date <= $8::date \
           AND c.overdue_span IS NOT NULL AND NOT isempty(c.overdue_span) \
         GROUP BY 1"
    );
    let rows: Vec<OverdueRow> = bind_filter!(diesel::sql_query(sql), filter, from, to)
        .bind::<Array<Date>, _>(&ends)
        .load(&mut conn)
        .await?;
    Ok(OpenAt::MonthEnds {
        before,
        overdue: rows
            .into_iter()
            .map(|r| (r.key, count(r.overdue)))
            .collect(),
    })
}

/// Open and overdue cases on `day`, per key of `grouping`.
async fn open_on(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    grouping: Grouping,
    day: NaiveDate,
) -> diesel::QueryResult<Vec<OpenRow>> {
    let sql = format!(
        "SELECT {key} AS key, count(*) AS open, \
           count(*) FILTER (WHERE c.overdue_span @> $8) AS overdue \
         FROM {source} WHERE {FILTER} AND c.open_span @> $8 AND $7::date <= $8::date \
         GROUP BY 1",
        key = grouping.key(),
        source = grouping.source(),
    );
    bind_filter!(diesel::sql_query(sql), filter, day, day)
        .load(conn)
        .await
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
        Grouping::Whole | Grouping::Month | Grouping::Domain | Grouping::ActType => {
            return Ok(BTreeMap::new());
        }
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
    #[diesel(sql_type = Text)]
    channel: String,
    #[diesel(sql_type = Date)]
    received_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    accepted_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    declined_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    withdrawn_on: Option<NaiveDate>,
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
    #[diesel(sql_type = diesel::sql_types::Integer)]
    third_parties: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    committee_consultations: i32,
    #[diesel(sql_type = Bool)]
    enforcement_stayed: bool,
    #[diesel(sql_type = Bool)]
    normative_review_requested: bool,
    #[diesel(sql_type = Bool)]
    normative_found_unlawful: bool,
    #[diesel(sql_type = Bool)]
    compensation_claimed: bool,
    #[diesel(sql_type = Nullable<diesel::sql_types::BigInt>)]
    compensation_awarded_fen: Option<i64>,
}

/// The plain facts of every case the filter selects, for checking the SQL figures against the
/// domain's definitions (`domain::statistics::tally`). Loads whole rows: not for production use
/// at scale.
pub async fn case_facts(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
) -> anyhow::Result<Vec<CaseFacts>> {
    let sql = format!(
        "SELECT c.state, c.channel, c.received_on, c.accepted_on, c.declined_on, c.withdrawn_on, \
           c.concluded_on, \
           c.termination_ground, c.procedure, c.enterprise_related, c.suspended_days, \
           c.extension_days, c.hearings_held, c.decision_due_on, c.third_parties, \
           c.committee_consultations, c.enforcement_stayed, \
           c.normative_review_requested, c.normative_found_unlawful, c.compensation_claimed, \
           c.compensation_awarded_fen \
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
                channel: row
                    .channel
                    .parse()
                    .map_err(|_| parse("channel", &row.channel))?,
                received_on: row.received_on,
                accepted_on: row.accepted_on,
                declined_on: row.declined_on,
                withdrawn_on: row.withdrawn_on,
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
                third_parties: u32::try_from(row.third_parties).unwrap_or(0),
                committee_consultations: u32::try_from(row.committee_consultations).unwrap_or(0),
                enforcement_stayed: row.enforcement_stayed,
                normative_review_requested: row.normative_review_requested,
                normative_found_unlawful: row.normative_found_unlawful,
                compensation_claimed: row.compensation_claimed,
                compensation_awarded_fen: row
                    .compensation_awarded_fen
                    .and_then(|fen| u64::try_from(fen).ok()),
            })
        })
        .collect()
}
