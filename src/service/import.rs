//! `fuyi import`: historical cases from an older system's CSV export, checked row by row and
//! loaded in one transaction, each with one `imported` event carrying the aggregate it starts
//! from, so its history is complete and replays.
//!
//! The file is read twice. The first pass checks every row and gathers what numbering needs (the
//! numbers the file gives, how many each organ and year lack); nothing is written unless every
//! row is good. The second pass, inside the transaction, builds the rows again and writes them in
//! large batches. Reading twice keeps memory flat whatever the file's size, where keeping a
//! million checked rows between the passes would not.

use std::{
    collections::{BTreeSet, HashMap, hash_map::Entry},
    fmt,
    io::Read,
    time::{Duration, Instant},
};

use chrono::{Datelike, NaiveDate, Utc};
use diesel::{
    QueryableByName,
    pg::Pg,
    prelude::*,
    sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    config::RuleSettings,
    db::{
        cases::LifecycleColumns,
        organs::{Organ, Respondent},
        schema::{organs, respondents},
    },
    domain::{
        ApiValue,
        calendar::{CalendarError, WorkCalendar},
        case,
        deadlines::{self, DeadlineKind, DeadlineStatus},
        import::{self as rows, Column, Header, ImportRow, NumberPattern},
        lifecycle::CaseLifecycle,
    },
    service::cases::{deadline_facts, format_case_number},
};

/// The action of the event an imported case starts its history with.
pub const IMPORTED: &str = "imported";

/// Cases written per statement: large enough that round trips do not count, small enough that a
/// batch's arrays stay a few megabytes.
const BATCH: usize = 5_000;

/// One problem with the file, where it is: `line N: field: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line in the file (the header is line 1); a record spanning lines is named by its first.
    pub line: u64,
    /// The column, or what else is wrong (`row`).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.reason)
    }
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Rows break the rules; every problem found is listed, in file order.
    #[error("{} problem(s) in the file; nothing was imported", .0.len())]
    Rows(Vec<LineError>),
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Read(String),
    /// The database refused; the transaction was rolled back.
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

impl From<csv::Error> for ImportError {
    fn from(err: csv::Error) -> Self {
        Self::Read(err.to_string())
    }
}

impl From<std::io::Error> for ImportError {
    fn from(err: std::io::Error) -> Self {
        Self::Read(err.to_string())
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// The ids of the cases created, in file order.
    pub ids: Vec<Uuid>,
    /// Accepted cases the file gave no number, numbered here from the organ's counter.
    pub numbered: usize,
    /// Accepted cases stored without a decision deadline, because it falls in a year without a
    /// working-day calendar (the domain never guesses a rest day).
    pub without_decision_deadline: usize,
    /// The years whose calendar was missing for those deadlines.
    pub missing_calendar_years: BTreeSet<i32>,
    /// Wall time from opening the file to the commit.
    pub elapsed: Duration,
}

impl ImportReport {
    /// Cases imported.
    pub fn imported(&self) -> usize {
        self.ids.len()
    }

    /// Cases per second.
    pub fn rate(&self) -> f64 {
        self.ids.len() as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Imports the CSV file `open` opens (it is opened twice, see the module documentation) in one
/// transaction; `source` names it in each event. Returns every problem found when any row is bad,
/// and then writes nothing.
pub async fn import_csv<R, F>(
    conn: &mut AsyncPgConnection,
    rules: &RuleSettings,
    open: F,
    source: &str,
) -> Result<ImportReport, ImportError>
where
    R: Read + Send,
    F: Fn() -> std::io::Result<R> + Send + Sync,
{
    let started = Instant::now();
    let lookup = Lookup::load(conn, rules).await?;
    let plan = check(conn, &lookup, rules, open()?).await?;
    let mut report = conn
        .transaction(async |conn| write(conn, &lookup, rules, &plan, open()?, source).await)
        .await?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Organs and respondents, loaded once: both are small next to a file of cases.
struct Lookup {
    organs: Vec<Organ>,
    organ_by_code: HashMap<String, usize>,
    organ_by_id: HashMap<Uuid, usize>,
    /// Today's legal date in each organ's time zone.
    today: Vec<NaiveDate>,
    default_today: NaiveDate,
    respondents: Vec<Respondent>,
    respondent_by_code: HashMap<String, Vec<usize>>,
    respondent_by_name: HashMap<String, Vec<usize>>,
}

impl Lookup {
    async fn load(conn: &mut AsyncPgConnection, rules: &RuleSettings) -> QueryResult<Self> {
        let organs: Vec<Organ> = organs::table.select(Organ::as_select()).load(conn).await?;
        let respondents: Vec<Respondent> = respondents::table
            .select(Respondent::as_select())
            .load(conn)
            .await?;
        let mut respondent_by_code: HashMap<String, Vec<usize>> = HashMap::new();
        let mut respondent_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, respondent) in respondents.iter().enumerate() {
            if let Some(code) = &respondent.credit_code {
                respondent_by_code
                    .entry(code.clone())
                    .or_default()
                    .push(index);
            }
            respondent_by_name
                .entry(respondent.name.clone())
                .or_default()
                .push(index);
        }
        Ok(Self {
            organ_by_code: organs
                .iter()
                .enumerate()
                .map(|(i, o)| (o.code.clone(), i))
                .collect(),
            organ_by_id: organs.iter().enumerate().map(|(i, o)| (o.id, i)).collect(),
            today: organs.iter().map(Organ::today).collect(),
            default_today: Utc::now()
                .with_timezone(&rules.default_time_zone)
                .date_naive(),
            organs,
            respondents,
            respondent_by_code,
            respondent_by_name,
        })
    }

    /// The respondent a row names: by credit code or by name, answering to the case's organ or
    /// one below it (as registration requires), and only one of them.
    fn respondent(&self, key: &str, organ: &Organ) -> Result<&Respondent, String> {
        let by_code = rows::looks_like_credit_code(key)
            .then(|| self.respondent_by_code.get(&key.to_ascii_uppercase()))
            .flatten();
        let candidates = by_code
            .or_else(|| self.respondent_by_name.get(key))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let within: Vec<&Respondent> = candidates
            .iter()
            .map(|&i| &self.respondents[i])
            .filter(|r| {
                self.organ_by_id.get(&r.organ_id).is_some_and(|&i| {
                    crate::db::organs::is_within(&self.organs[i].path, &organ.path)
                })
            })
            .collect();
        match within.as_slice() {
            [one] => Ok(one),
            [] => Err(format!(
                "no respondent {key:?} answers to organ {} or an organ below it",
                organ.code
            )),
            many => Err(format!(
                "{} respondents under organ {} are called {key:?}; give the unified social credit code",
                many.len(),
                organ.code
            )),
        }
    }
}

/// A row read back in either pass: checked, with its organ and respondent found.
struct Resolved<'l> {
    line: u64,
    /// Index into [`Lookup::organs`].
    organ: usize,
    organ_id: Uuid,
    respondent: &'l Respondent,
    row: ImportRow,
}

/// Reads the file record by record, resolving each row; problems go to `errors`.
struct RowReader<R: Read> {
    csv: csv::Reader<R>,
    header: Header,
    record: csv::ByteRecord,
}

impl<R: Read> RowReader<R> {
    /// Opens the file at its header; a missing or broken header is reported as line 1.
    fn new(reader: R) -> Result<Self, ImportError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut record = csv::ByteRecord::new();
        let line_one = |field: &str, reason: String| LineError {
            line: 1,
            field: field.to_owned(),
            reason,
        };
        if !csv.read_byte_record(&mut record)? {
            return Err(ImportError::Rows(vec![line_one(
                "header",
                "the file is empty; the first line must name the columns".to_owned(),
            )]));
        }
        let names = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<Vec<&str>, _>>()
            .map_err(|_| {
                ImportError::Rows(vec![line_one(
                    "header",
                    "not valid UTF-8 (save the file as UTF-8)".to_owned(),
                )])
            })?;
        let header = Header::parse(names).map_err(|errors| {
            ImportError::Rows(
                errors
                    .into_iter()
                    .map(|e| line_one(&e.field, e.reason))
                    .collect(),
            )
        })?;
        Ok(Self {
            csv,
            header,
            record,
        })
    }

    /// The next row, `Ok(None)` at the end; `Err` holds the row's problems.
    fn next<'l>(
        &mut self,
        lookup: &'l Lookup,
        rules: &RuleSettings,
    ) -> Result<Option<Result<Resolved<'l>, Vec<LineError>>>, ImportError> {
        if !self.csv.read_byte_record(&mut self.record)? {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, csv::Position::line);
        let at = |field: &str, reason: String| LineError {
            line,
            field: field.to_owned(),
            reason,
        };
        let mut fields = Vec::with_capacity(self.record.len());
        for (i, raw) in self.record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(text) => fields.push(text),
                Err(_) => {
                    return Ok(Some(Err(vec![at(
                        &format!("column {}", i + 1),
                        "not valid UTF-8 (save the file as UTF-8)".to_owned(),
                    )])));
                }
            }
        }
        if fields.len() != self.header.width() {
            return Ok(Some(Err(vec![at(
                "row",
                format!(
                    "{} fields, but the header names {} columns",
                    fields.len(),
                    self.header.width()
                ),
            )])));
        }
        let mut problems = Vec::new();
        let organ = self.header.cell(&fields, Column::Organ).and_then(|code| {
            match lookup.organ_by_code.get(code) {
                Some(&i) => Some(i),
                None => {
                    problems.push(at("organ", format!("no organ has the code {code:?}")));
                    None
                }
            }
        });
        let today = organ.map_or(lookup.default_today, |i| lookup.today[i]);
        let row = match rows::parse_row(&self.header, &fields, today, &rules.lifecycle) {
            Ok(row) => Some(row),
            Err(errors) => {
                problems.extend(
                    errors
                        .into_vec()
                        .into_iter()
                        .map(|e| at(&e.field, e.reason)),
                );
                None
            }
        };
        let named = self.header.cell(&fields, Column::Respondent);
        let respondent = match (organ, named) {
            (Some(organ), Some(named)) => match lookup.respondent(named, &lookup.organs[organ]) {
                Ok(respondent) => Some(respondent),
                Err(reason) => {
                    problems.push(at("respondent", reason));
                    None
                }
            },
            _ => None,
        };
        Ok(Some(match (organ, respondent, row) {
            (Some(organ), Some(respondent), Some(row)) if problems.is_empty() => Ok(Resolved {
                line,
                organ,
                organ_id: lookup.organs[organ].id,
                respondent,
                row,
            }),
            _ => Err(problems),
        }))
    }
}

/// An organ and a year of acceptance: the scope of a case-number sequence.
type NumberScope = (Uuid, i32);

/// What the first pass learned for the second: how to number the cases that need it.
#[derive(Debug, Default)]
struct Plan {
    /// Per scope, the highest sequence among the numbers the file gives that the organ's pattern
    /// could have made, and how many accepted cases need a number.
    numbering: HashMap<NumberScope, (i32, i32)>,
    rows: usize,
}

/// The first pass: checks every row and every given case number (unique within its organ, in
/// the file and in the database). Any problem fails the import with all of them.
async fn check<R: Read>(
    conn: &mut AsyncPgConnection,
    lookup: &Lookup,
    rules: &RuleSettings,
    reader: R,
) -> Result<Plan, ImportError> {
    let mut reader = RowReader::new(reader)?;
    let mut errors = Vec::new();
    let mut plan = Plan::default();
    let mut given: HashMap<(Uuid, String), u64> = HashMap::new();
    let mut patterns: HashMap<NumberScope, Option<NumberPattern>> = HashMap::new();
    while let Some(next) = reader.next(lookup, rules)? {
        let resolved = match next {
            Ok(resolved) => resolved,
            Err(problems) => {
                errors.extend(problems);
                continue;
            }
        };
        plan.rows += 1;
        let lifecycle = &resolved.row.lifecycle;
        let Some(accepted_on) = lifecycle.accepted_on else {
            continue;
        };
        let organ = &lookup.organs[resolved.organ];
        let scope = (organ.id, accepted_on.year());
        let entry = plan.numbering.entry(scope).or_default();
        let Some(number) = &lifecycle.case_number else {
            entry.1 += 1;
            continue;
        };
        let pattern = patterns.entry(scope).or_insert_with(|| {
            NumberPattern::new(&organ.case_number_pattern, &organ.short_name, scope.1)
        });
        if let Some(seq) = pattern.as_ref().and_then(|p| p.seq_of(number)) {
            entry.0 = entry.0.max(seq);
        }
        match given.entry((organ.id, number.clone())) {
            Entry::Occupied(first) => errors.push(LineError {
                line: resolved.line,
                field: "case_number".to_owned(),
                reason: format!(
                    "{number} is also the number of line {} (numbers are unique within an organ)",
                    first.get()
                ),
            }),
            Entry::Vacant(slot) => {
                slot.insert(resolved.line);
            }
        }
    }
    errors.extend(numbers_in_use(conn, given).await?);
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(ImportError::Rows(errors))
    }
}

#[derive(QueryableByName)]
struct InUse {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Text)]
    number: String,
}

/// The given numbers another case of the same organ already has.
async fn numbers_in_use(
    conn: &mut AsyncPgConnection,
    given: HashMap<(Uuid, String), u64>,
) -> QueryResult<Vec<LineError>> {
    let given: Vec<_> = given.into_iter().collect();
    let mut errors = Vec::new();
    for part in given.chunks(50_000) {
        let organ_ids: Vec<Uuid> = part.iter().map(|((o, _), _)| *o).collect();
        let numbers: Vec<&str> = part.iter().map(|((_, n), _)| n.as_str()).collect();
        let lines: Vec<i64> = part
            .iter()
            .map(|(_, l)| i64::try_from(*l).unwrap_or(i64::MAX))
            .collect();
        let found: Vec<InUse> = diesel::sql_query(
            "SELECT g.line, g.number FROM unnest($1::uuid[], $2::text[], $3::int8[]) \
               AS g(organ_id, number, line) \
             JOIN cases c ON c.organ_id = g.organ_id AND c.case_number = g.number",
        )
        .bind::<Array<SqlUuid>, _>(&organ_ids)
        .bind::<Array<Text>, _>(&numbers)
        .bind::<Array<BigInt>, _>(&lines)
        .load(conn)
        .await?;
        errors.extend(found.into_iter().map(|f| LineError {
            line: u64::try_from(f.line).unwrap_or(0),
            field: "case_number".to_owned(),
            reason: format!(
                "{} is already the number of another case of this organ",
                f.number
            ),
        }));
    }
    Ok(errors)
}

#[derive(QueryableByName)]
struct LastSeq {
    #[diesel(sql_type = Integer)]
    last_seq: i32,
}

/// Takes a block of `needed` numbers per scope from the counters live acceptances use, above
/// both the counter and every number the file gives, so neither collides; returns the first
/// number of each block. The counter rows stay locked until commit, as an acceptance's do.
async fn reserve_numbers(
    conn: &mut AsyncPgConnection,
    numbering: &HashMap<NumberScope, (i32, i32)>,
) -> QueryResult<HashMap<NumberScope, i32>> {
    let mut next = HashMap::new();
    // In a fixed order, so two imports lock the counters alike.
    let mut scopes: Vec<_> = numbering.iter().collect();
    scopes.sort_by_key(|(scope, _)| **scope);
    for (&(organ_id, year), &(floor, needed)) in scopes {
        if floor + needed == 0 {
            continue;
        }
        let row: LastSeq = diesel::sql_query(
            "INSERT INTO case_number_counters AS k (organ_id, year, last_seq) \
             VALUES ($1, $2, $3 + $4) \
             ON CONFLICT (organ_id, year) DO UPDATE SET last_seq = greatest(k.last_seq, $3) + $4 \
             RETURNING last_seq",
        )
        .bind::<SqlUuid, _>(organ_id)
        .bind::<Integer, _>(year)
        .bind::<Integer, _>(floor)
        .bind::<Integer, _>(needed)
        .get_result(conn)
        .await?;
        next.insert((organ_id, year), row.last_seq - needed + 1);
    }
    Ok(next)
}

/// The second pass, in the transaction: numbers, deadlines and the batched writes.
async fn write<R: Read>(
    conn: &mut AsyncPgConnection,
    lookup: &Lookup,
    rules: &RuleSettings,
    plan: &Plan,
    reader: R,
    source: &str,
) -> Result<ImportReport, ImportError> {
    // Deadlines are computed from the calendar; a replacement waits for this import and then
    // re-projects the open cases it brought, as it does for any case change.
    crate::db::calendar::lock_shared(conn).await?;
    let calendar = crate::db::calendar::load(conn).await?;
    let mut next_number = reserve_numbers(conn, &plan.numbering).await?;
    let mut reader = RowReader::new(reader)?;
    let mut report = ImportReport {
        ids: Vec::with_capacity(plan.rows),
        ..ImportReport::default()
    };
    // The statistics rollups take all the cases in one pass at the end instead of one per batch.
    defer_statistics(conn, true).await?;
    let mut batch = Batch::default();
    while let Some(next) = reader.next(lookup, rules)? {
        let Ok(mut resolved) = next else {
            return Err(changed_meanwhile());
        };
        let organ = &lookup.organs[resolved.organ];
        let lifecycle = &mut resolved.row.lifecycle;
        if let (Some(accepted_on), None) = (lifecycle.accepted_on, &lifecycle.case_number) {
            let year = accepted_on.year();
            let seq = next_number
                .get_mut(&(organ.id, year))
                .ok_or_else(changed_meanwhile)?;
            lifecycle.case_number = Some(format_case_number(organ, year, *seq));
            *seq += 1;
            report.numbered += 1;
        }
        let today = lookup.today[resolved.organ];
        let (columns, missing_year) = project(lifecycle, &calendar, rules, today)?;
        if let Some(year) = missing_year {
            report.without_decision_deadline += 1;
            report.missing_calendar_years.insert(year);
        }
        let id = Uuid::now_v7();
        report.ids.push(id);
        batch.push(id, &resolved, columns, rules, &calendar, today);
        if batch.len() == BATCH {
            batch.write(conn, source).await?;
            batch = Batch::default();
        }
    }
    if batch.len() > 0 {
        batch.write(conn, source).await?;
    }
    if report.ids.len() != plan.rows {
        return Err(changed_meanwhile());
    }
    defer_statistics(conn, false).await?;
    diesel::sql_query("SELECT statistics_add_cases($1)")
        .bind::<Array<SqlUuid>, _>(&report.ids)
        .execute(conn)
        .await?;
    // A large import can change the tables' shape more than autovacuum's next round would notice
    // soon enough: the figures' plans must see the new rows from the first request.
    if report.ids.len() >= BATCH {
        diesel::sql_query(
            "ANALYZE cases, case_parties, case_events, statistics_days, statistics_handling_days",
        )
        .execute(conn)
        .await?;
    }
    Ok(report)
}

/// Switches the statistics trigger on `cases` off (or back on) for the rest of the transaction.
async fn defer_statistics(conn: &mut AsyncPgConnection, deferred: bool) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('fuyi.statistics_deferred', $1, true)")
        .bind::<Text, _>(if deferred { "on" } else { "off" })
        .execute(conn)
        .await
        .map(drop)
}

/// The second pass found the file different from the first (it was being edited).
fn changed_meanwhile() -> ImportError {
    ImportError::Read("the file changed while it was being imported; nothing was imported".into())
}

/// The columns a case's aggregate projects onto, with its deadlines computed as a live case's
/// are; also the year whose missing calendar left the decision deadline unknown, if one did.
fn project(
    lifecycle: &CaseLifecycle,
    calendar: &WorkCalendar,
    rules: &RuleSettings,
    today: NaiveDate,
) -> Result<(LifecycleColumns, Option<i32>), ImportError> {
    let facts = deadline_facts(lifecycle);
    let settings = &rules.deadlines;
    let (decision_due_on, next_deadline_on) = if lifecycle.state.is_terminal() {
        // A closed case has no next deadline; its decision deadline is all the figures read.
        (
            deadlines::decision_due_on(&facts, calendar, settings, today),
            None,
        )
    } else {
        let list = deadlines::case_deadlines(&facts, calendar, settings, today);
        let decision = list.iter().find(|d| d.kind == DeadlineKind::Decision);
        // As `service::cases` does: the earliest running or missed deadline, leaving out the
        // suspension limit (an option the organ gains, not a duty).
        let next = list
            .iter()
            .filter(|d| d.kind != DeadlineKind::SuspensionLimit)
            .filter(|d| matches!(d.status, DeadlineStatus::Pending | DeadlineStatus::Missed))
            .filter_map(|d| d.due_on)
            .min();
        let due = match decision {
            Some(d) if d.due_on.is_none() && d.status == DeadlineStatus::Unknown => {
                deadlines::decision_due_on(&facts, calendar, settings, today)
            }
            Some(d) => Ok(d.due_on),
            None => Ok(None),
        };
        (due, next)
    };
    let (decision_due_on, missing_year) = match decision_due_on {
        Ok(due) => (due, None),
        Err(CalendarError::YearNotLoaded(year)) => (None, Some(year)),
        Err(_) => (None, None),
    };
    let columns = LifecycleColumns::project(lifecycle, next_deadline_on, decision_due_on)
        .map_err(|err| ImportError::Read(format!("cannot store an aggregate: {err}")))?;
    Ok((columns, missing_year))
}

/// One batch of cases, column by column, for `unnest`.
#[derive(Default)]
struct Batch {
    id: Vec<Uuid>,
    organ_id: Vec<Uuid>,
    respondent_id: Vec<Uuid>,
    domain: Vec<&'static str>,
    state: Vec<&'static str>,
    received_on: Vec<NaiveDate>,
    channel: Vec<&'static str>,
    act_type: Vec<&'static str>,
    act_document_number: Vec<Option<String>>,
    act_date: Vec<NaiveDate>,
    learned_on: Vec<NaiveDate>,
    amount_fen: Vec<Option<i64>>,
    request: Vec<String>,
    reasons: Vec<String>,
    enterprise_related: Vec<bool>,
    late_application: Vec<bool>,
    search_text: Vec<String>,
    lifecycle: Vec<String>,
    case_number: Vec<Option<String>>,
    procedure: Vec<Option<&'static str>>,
    accepted_on: Vec<Option<NaiveDate>>,
    declined_on: Vec<Option<NaiveDate>>,
    concluded_on: Vec<Option<NaiveDate>>,
    termination_ground: Vec<Option<&'static str>>,
    suspended_days: Vec<i32>,
    extension_days: Vec<i32>,
    hearings_held: Vec<i32>,
    next_deadline_on: Vec<Option<NaiveDate>>,
    decision_due_on: Vec<Option<NaiveDate>>,
    party_id: Vec<Uuid>,
    applicant_kind: Vec<&'static str>,
    applicant_name: Vec<String>,
    occurred_on: Vec<NaiveDate>,
    line: Vec<i64>,
    applied_on: Vec<Option<NaiveDate>>,
    rights_learned_on: Vec<Option<NaiveDate>>,
    immovable_property: Vec<bool>,
}

/// Writes a batch: the cases, their applicants and their `imported` events, in one statement.
/// The event's payload is built in the database from the same aggregate text the case stores.
const INSERT_BATCH: &str = "\
WITH r AS MATERIALIZED (
  SELECT u.*, u.lifecycle_text::jsonb AS lifecycle
  FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::date[],
              $7::text[], $8::text[], $9::text[], $10::date[], $11::date[], $12::int8[],
              $13::text[], $14::text[], $15::bool[], $16::bool[], $17::text[], $18::text[],
              $19::text[], $20::text[], $21::date[], $22::date[], $23::date[], $24::text[],
              $25::int4[], $26::int4[], $27::int4[], $28::date[], $29::date[], $30::uuid[],
              $31::text[], $32::text[], $33::date[], $34::int8[], $36::date[], $37::date[],
              $38::bool[])
    AS u(id, organ_id, respondent_id, domain, state, received_on,
         channel, act_type, act_document_number, act_date, learned_on, amount_fen,
         request, reasons, enterprise_related, late_application, search_text, lifecycle_text,
         case_number, procedure, accepted_on, declined_on, concluded_on, termination_ground,
         suspended_days, extension_days, hearings_held, next_deadline_on, decision_due_on, party_id,
         applicant_kind, applicant_name, occurred_on, line, applied_on, rights_learned_on,
         immovable_property)
), new_cases AS (
  INSERT INTO cases (id, organ_id, respondent_id, domain, state, received_on, channel, act_type,
                     act_document_number, act_date, learned_on, amount_fen, request, reasons,
                     enterprise_related, late_application, search_text, lifecycle, case_number,
                     procedure, accepted_on, declined_on, concluded_on, termination_ground,
                     suspended_days, extension_days, hearings_held, next_deadline_on,
                     decision_due_on, applied_on, rights_learned_on, immovable_property,
                     withdrawn_on, third_parties, committee_consultations)
  SELECT id, organ_id, respondent_id, domain, state, received_on, channel, act_type,
         act_document_number, act_date, learned_on, amount_fen, request, reasons,
         enterprise_related, late_application, search_text, lifecycle, case_number,
         procedure, accepted_on, declined_on, concluded_on, termination_ground,
         suspended_days, extension_days, hearings_held, next_deadline_on, decision_due_on,
         applied_on, rights_learned_on, immovable_property,
         -- The one date only a withdrawal before acceptance has, read from the aggregate.
         (lifecycle->>'withdrawn_on')::date,
         -- How many third parties and committee consultations the aggregate records.
         coalesce(jsonb_array_length(lifecycle->'third_parties'), 0),
         coalesce(jsonb_array_length(lifecycle->'committee_consultations'), 0)
  FROM r
), new_parties AS (
  INSERT INTO case_parties (id, case_id, position, role, kind, name)
  SELECT party_id, id, 0, 'applicant', applicant_kind, applicant_name FROM r
)
INSERT INTO case_events (case_id, seq, action, from_state, to_state, actor_id, occurred_on, payload)
SELECT id, 1, 'imported', NULL, state, NULL, occurred_on,
       jsonb_build_object('source', $35::text, 'line', line, 'lifecycle', lifecycle)
FROM r";

impl Batch {
    fn len(&self) -> usize {
        self.id.len()
    }

    fn push(
        &mut self,
        id: Uuid,
        resolved: &Resolved<'_>,
        columns: LifecycleColumns,
        rules: &RuleSettings,
        calendar: &WorkCalendar,
        today: NaiveDate,
    ) {
        let row = &resolved.row;
        let facts = &row.facts;
        let respondent = resolved.respondent;
        self.id.push(id);
        self.organ_id.push(resolved.organ_id);
        self.respondent_id.push(respondent.id);
        self.domain.push(match row.domain {
            Some(domain) => domain.as_str(),
            // The case keeps the domain its respondent has now, as registration copies it.
            None => respondent.domain.as_str(),
        });
        self.state.push(columns.state.as_str());
        self.received_on.push(facts.received_on);
        self.channel.push(facts.channel.as_str());
        self.act_type.push(facts.act_type.as_str());
        self.act_document_number
            .push(facts.act_document_number.clone());
        self.act_date.push(facts.act_date);
        self.learned_on.push(facts.learned_on);
        self.amount_fen.push(facts.amount_fen);
        self.request.push(facts.request.clone());
        self.reasons.push(facts.reasons.clone());
        self.enterprise_related
            .push(case::is_enterprise_related(std::slice::from_ref(
                &row.applicant,
            )));
        self.late_application.push(case::is_late_application(
            facts,
            &rules.application_window,
            calendar,
        ));
        self.applied_on.push(facts.applied_on);
        self.rights_learned_on.push(facts.rights_learned_on);
        self.immovable_property.push(facts.immovable_property);
        self.search_text.push(case::search_text(
            [row.applicant.name.as_str()],
            &respondent.name,
            facts.act_document_number.as_deref(),
            columns.case_number.as_deref(),
        ));
        self.lifecycle.push(columns.lifecycle.to_string());
        self.case_number.push(columns.case_number);
        self.procedure.push(columns.procedure.map(ApiValue::as_str));
        self.accepted_on.push(columns.accepted_on);
        self.declined_on.push(columns.declined_on);
        self.concluded_on.push(columns.concluded_on);
        self.termination_ground
            .push(columns.termination_ground.map(ApiValue::as_str));
        self.suspended_days.push(columns.suspended_days);
        self.extension_days.push(columns.extension_days);
        self.hearings_held.push(columns.hearings_held);
        self.next_deadline_on.push(columns.next_deadline_on);
        self.decision_due_on.push(columns.decision_due_on);
        self.party_id.push(Uuid::now_v7());
        self.applicant_kind.push(row.applicant.kind.as_str());
        self.applicant_name.push(row.applicant.name.clone());
        self.occurred_on.push(today);
        self.line
            .push(i64::try_from(resolved.line).unwrap_or(i64::MAX));
    }

    async fn write(self, conn: &mut AsyncPgConnection, source: &str) -> QueryResult<()> {
        diesel::sql_query(INSERT_BATCH)
            .into_boxed::<Pg>()
            .bind::<Array<SqlUuid>, _>(self.id)
            .bind::<Array<SqlUuid>, _>(self.organ_id)
            .bind::<Array<SqlUuid>, _>(self.respondent_id)
            .bind::<Array<Text>, _>(self.domain)
            .bind::<Array<Text>, _>(self.state)
            .bind::<Array<Date>, _>(self.received_on)
            .bind::<Array<Text>, _>(self.channel)
            .bind::<Array<Text>, _>(self.act_type)
            .bind::<Array<Nullable<Text>>, _>(self.act_document_number)
            .bind::<Array<Date>, _>(self.act_date)
            .bind::<Array<Date>, _>(self.learned_on)
            .bind::<Array<Nullable<BigInt>>, _>(self.amount_fen)
            .bind::<Array<Text>, _>(self.request)
            .bind::<Array<Text>, _>(self.reasons)
            .bind::<Array<Bool>, _>(self.enterprise_related)
            .bind::<Array<Bool>, _>(self.late_application)
            .bind::<Array<Text>, _>(self.search_text)
            .bind::<Array<Text>, _>(self.lifecycle)
            .bind::<Array<Nullable<Text>>, _>(self.case_number)
            .bind::<Array<Nullable<Text>>, _>(self.procedure)
            .bind::<Array<Nullable<Date>>, _>(self.accepted_on)
            .bind::<Array<Nullable<Date>>, _>(self.declined_on)
            .bind::<Array<Nullable<Date>>, _>(self.concluded_on)
            .bind::<Array<Nullable<Text>>, _>(self.termination_ground)
            .bind::<Array<Integer>, _>(self.suspended_days)
            .bind::<Array<Integer>, _>(self.extension_days)
            .bind::<Array<Integer>, _>(self.hearings_held)
            .bind::<Array<Nullable<Date>>, _>(self.next_deadline_on)
            .bind::<Array<Nullable<Date>>, _>(self.decision_due_on)
            .bind::<Array<SqlUuid>, _>(self.party_id)
            .bind::<Array<Text>, _>(self.applicant_kind)
            .bind::<Array<Text>, _>(self.applicant_name)
            .bind::<Array<Date>, _>(self.occurred_on)
            .bind::<Array<BigInt>, _>(self.line)
            .bind::<Text, _>(source.to_owned())
            .bind::<Array<Nullable<Date>>, _>(self.applied_on)
            .bind::<Array<Nullable<Date>>, _>(self.rights_learned_on)
            .bind::<Array<Bool>, _>(self.immovable_property)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// The aggregate an `imported` event starts a case's history from.
pub fn snapshot(payload: &serde_json::Value) -> Result<CaseLifecycle, serde_json::Error> {
    CaseLifecycle::deserialize(payload.get("lifecycle").unwrap_or(&serde_json::Value::Null))
}
