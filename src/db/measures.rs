//! The SQL of the table of measures (`domain::measures::MEASURES`): the conditions and aggregates
//! that count the cases, the sums over the rollups, and the functions that keep the rollups
//! (`statistics_case_changes`, `statistics_apply`), generated into a migration.
//!
//! Conditions read the `cases` row as `c`; sums over the rollups read `statistics_days` as `s`.
//! The values spliced into SQL are the snake_case names of closed enums and the measures' own
//! names (plain identifiers, as a test of the table checks), never input.

use strum::IntoEnumIterator;

use crate::domain::{
    ApiValue,
    case::Channel,
    lifecycle::{CaseState, TerminationGround},
    measures::{Adds, DatedBy, Kept, MEASURES, Measure, Selects},
};

/// The columns of `statistics_days` that are not measures: the daily changes of the open and
/// overdue stocks.
pub const STOCK_COLUMNS: [&str; 2] = ["open_change", "overdue_change"];

/// Marks the generated part of a migration; the test of the table finds the latest migration
/// holding it and compares the text up to [`GENERATED_END`] with [`rollup_functions`].
pub const GENERATED_BEGIN: &str = "-- BEGIN generated from src/domain/measures.rs";

/// Ends the generated part of a migration.
pub const GENERATED_END: &str = "-- END generated";

/// `c.state` among `selected` out of the `possible` states: `None` when all the possible
/// states are selected, otherwise whichever of `IN` and `NOT IN` names fewer states.
fn state_condition(
    possible: impl Fn(CaseState) -> bool,
    selected: impl Fn(CaseState) -> bool,
) -> Option<String> {
    let (chosen, left): (Vec<CaseState>, Vec<CaseState>) = CaseState::iter()
        .filter(|s| possible(*s))
        .partition(|s| selected(*s));
    if left.is_empty() {
        return None;
    }
    let (positive, states) = if chosen.len() <= left.len() {
        (true, chosen)
    } else {
        (false, left)
    };
    Some(match (positive, states.as_slice()) {
        (true, [one]) => format!("c.state = '{}'", one.as_str()),
        (false, [one]) => format!("c.state <> '{}'", one.as_str()),
        (true, many) => format!("c.state IN ({})", quoted(many.iter().map(|s| s.as_str()))),
        (false, many) => format!(
            "c.state NOT IN ({})",
            quoted(many.iter().map(|s| s.as_str()))
        ),
    })
}

fn quoted<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The condition a case having the date must meet to count on it (e.g. a declined case still
/// not accepted), if any.
pub fn date_condition(dated_by: DatedBy) -> Option<String> {
    state_condition(|s| dated_by.possible_state(s), |s| dated_by.counts_state(s))
}

/// The condition selecting a measure's cases among those counted on its date, if any.
pub fn condition(m: &Measure) -> Option<String> {
    let counted = |s: CaseState| m.dated_by.possible_state(s) && m.dated_by.counts_state(s);
    match m.selects {
        Selects::Every => None,
        Selects::State(_) | Selects::States(_) => state_condition(counted, |s| m.selects_state(s)),
        // Only a terminated case has a termination ground (the lifecycle and the import both
        // hold to it), so the ground alone selects.
        Selects::TerminatedOn(accepts) => Some(format!(
            "c.termination_ground IN ({})",
            quoted(
                TerminationGround::iter()
                    .filter(|g| accepts(*g))
                    .map(|g| g.as_str())
            )
        )),
        Selects::Procedure(procedure) => Some(format!("c.procedure = '{}'", procedure.as_str())),
        Selects::EnterpriseRelated => Some("c.enterprise_related".to_owned()),
        Selects::Channel(channel) => Some(format!("c.channel = '{}'", channel.as_str())),
        Selects::OnTime => Some("c.concluded_on <= c.decision_due_on".to_owned()),
        Selects::Late => Some("c.concluded_on > c.decision_due_on".to_owned()),
        Selects::Extended => Some("c.extension_days > 0".to_owned()),
        Selects::EnforcementStayed => Some("c.enforcement_stayed".to_owned()),
        Selects::NormativeReviewRequested => Some("c.normative_review_requested".to_owned()),
        Selects::NormativeFoundUnlawful => Some("c.normative_found_unlawful".to_owned()),
        Selects::CompensationClaimed => Some("c.compensation_claimed".to_owned()),
        Selects::CompensationAwarded => Some("c.compensation_awarded_fen IS NOT NULL".to_owned()),
        Selects::WithThirdParty => Some("c.third_parties > 0".to_owned()),
    }
}

/// The aggregate of a measure over the cases of a group (all counted on the measure's date).
pub fn aggregate(m: &Measure) -> String {
    match (m.adds.column(), condition(m)) {
        (None, None) => "count(*)".to_owned(),
        (None, Some(c)) => format!("count(*) FILTER (WHERE {c})"),
        (Some(column), None) => format!("coalesce(sum(c.{column}), 0)"),
        (Some(column), Some(c)) => {
            format!("coalesce(sum(c.{column}) FILTER (WHERE {c}), 0)")
        }
    }
}

/// The sum of a measure over rows of `statistics_days`.
pub fn rollup_sum(m: &Measure) -> String {
    match m.kept {
        Kept::Column => format!("sum(s.{})", m.name),
        Kept::SumOfStates => match m.state_parts() {
            Some(parts) => {
                let columns: Vec<String> = parts.iter().map(|p| format!("s.{}", p.name)).collect();
                format!("sum({})", columns.join(" + "))
            }
            // The table's test rules this out; a null then fails the decoding, loudly.
            None => "NULL".to_owned(),
        },
    }
}

/// The measures of a date, in the table's order.
pub fn dated(dated_by: DatedBy) -> impl Iterator<Item = &'static Measure> {
    MEASURES.iter().filter(move |m| m.dated_by == dated_by)
}

/// The measures `statistics_days` keeps in columns, in the table's order.
pub fn columns() -> impl Iterator<Item = &'static Measure> {
    MEASURES.iter().filter(|m| m.kept == Kept::Column)
}

/// What one case adds to a measure in the rollup trigger (0 when it is not selected).
fn case_change(m: &Measure) -> String {
    match (m.adds.column(), condition(m)) {
        (None, None) => "1".to_owned(),
        (None, Some(c)) => format!("coalesce(({c})::int, 0)"),
        (Some(column), None) => format!("c.{column}"),
        (Some(column), Some(c)) => format!("CASE WHEN {c} THEN c.{column} ELSE 0 END"),
    }
}

/// A column of `cases` whose one value some measures each select (a state, a channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    State,
    Channel,
}

impl Switch {
    fn column(self) -> &'static str {
        match self {
            Self::State => "c.state",
            Self::Channel => "c.channel",
        }
    }

    /// The values the column can hold in a case counted on `date`.
    fn values(self, date: DatedBy) -> Vec<&'static str> {
        match self {
            Self::State => CaseState::iter()
                .filter(|s| date.possible_state(*s) && date.counts_state(*s))
                .map(|s| s.as_str())
                .collect(),
            Self::Channel => Channel::iter().map(|c| c.as_str()).collect(),
        }
    }
}

/// The column and value a one-value measure selects on, for measures that can share a line of
/// the trigger.
fn switch_on(m: &Measure) -> Option<(Switch, &'static str)> {
    match (m.adds, m.selects) {
        (Adds::One, Selects::State(state)) => Some((Switch::State, state.as_str())),
        (Adds::One, Selects::Channel(channel)) => Some((Switch::Channel, channel.as_str())),
        _ => None,
    }
}

/// The SQL of the measure's name on a shared line: `prefix || column` when every value the
/// column can hold has its measure, named by the value after a common prefix (as the states'
/// and the channels' measures are; cheaper than a CASE by a fifth of the trigger's time),
/// otherwise a CASE choosing the name (NULL for a value no measure selects).
fn switch_name(switch: Switch, date: DatedBy, arms: &[(&'static str, &'static str)]) -> String {
    let column = switch.column();
    let prefix = arms
        .first()
        .and_then(|(value, name)| name.strip_suffix(value));
    let mut values = switch.values(date);
    let mut covered: Vec<&str> = arms.iter().map(|(value, _)| *value).collect();
    values.sort_unstable();
    covered.sort_unstable();
    match prefix {
        Some(prefix)
            if values == covered
                && arms
                    .iter()
                    .all(|(value, name)| *name == format!("{prefix}{value}")) =>
        {
            if prefix.is_empty() {
                column.to_owned()
            } else {
                format!("'{prefix}' || {column}")
            }
        }
        _ => {
            let arms: Vec<String> = arms
                .iter()
                .map(|(value, name)| format!("WHEN '{value}' THEN '{name}'"))
                .collect();
            format!(
                "CASE {column}\n            {}\n            END",
                arms.join("\n            ")
            )
        }
    }
}

/// The trigger's lines for the measures kept in columns: the date's fact, the SQL of the
/// measure's name and of what the case adds. Measures of one date that each select one value of
/// the same column share a line whose name follows that value (one line per case instead of
/// one per value, which would double the trigger's work); the others have a line each.
fn change_lines() -> Vec<(&'static str, String, String)> {
    type Shared = (DatedBy, Switch, Vec<(&'static str, &'static str)>);
    enum Line {
        One(&'static Measure),
        Shared(usize),
    }
    let mut lines = Vec::new();
    let mut shared: Vec<Shared> = Vec::new();
    for m in columns() {
        let Some((switch, value)) = switch_on(m) else {
            lines.push(Line::One(m));
            continue;
        };
        let at = shared
            .iter()
            .position(|(date, on, _)| *date == m.dated_by && *on == switch);
        match at {
            // A second measure of the same value cannot share the line.
            Some(at) if shared[at].2.iter().any(|(v, _)| *v == value) => {
                lines.push(Line::One(m));
            }
            Some(at) => shared[at].2.push((value, m.name)),
            None => {
                shared.push((m.dated_by, switch, vec![(value, m.name)]));
                lines.push(Line::Shared(shared.len() - 1));
            }
        }
    }
    lines
        .into_iter()
        .map(|line| match line {
            Line::One(m) => (m.dated_by.fact(), format!("'{}'", m.name), case_change(m)),
            Line::Shared(at) => {
                let (date, switch, arms) = &shared[at];
                (
                    date.fact(),
                    switch_name(*switch, *date, arms),
                    "1".to_owned(),
                )
            }
        })
        .collect()
}

/// `statistics_case_changes`: one case's contribution to the rollups, a line per measure kept
/// in a column (on the date that counts it), the handling days, and the stocks' changes.
fn case_changes_function() -> String {
    let dates: Vec<String> = DatedBy::ALL
        .iter()
        .map(|d| match date_condition(*d) {
            None => format!("c.{fact} AS {fact}", fact = d.fact()),
            Some(cond) => format!(
                "CASE WHEN {cond} THEN c.{fact} END AS {fact}",
                fact = d.fact()
            ),
        })
        .collect();
    let lines: Vec<String> = change_lines()
        .iter()
        .enumerate()
        .map(|(i, (date, name, n))| {
            // The first line types the columns of the VALUES list.
            let (days, n) = if i == 0 {
                ("NULL::integer", format!("({n})::bigint"))
            } else {
                ("NULL", n.clone())
            };
            format!("        (dated.{date}, {name}, {days}, {n}),\n")
        })
        .collect();
    format!(
        "CREATE OR REPLACE FUNCTION statistics_case_changes(c cases, sign bigint) \
         RETURNS SETOF statistics_change\n\
         LANGUAGE sql IMMUTABLE AS $$\n    \
             SELECT c.organ_id, m.day, m.measure, m.days, m.n * sign, c.domain\n    \
             FROM (SELECT\n        {dates}) AS dated,\n    \
             LATERAL (VALUES\n\
             {lines}        \
                 (CASE WHEN c.accepted_on IS NOT NULL THEN dated.concluded_on END, 'handling_days',\n            \
                     dated.concluded_on - c.accepted_on - c.suspended_days, 1),\n        \
                 (lower(c.open_span), 'open_change', NULL, 1),\n        \
                 (upper(c.open_span), 'open_change', NULL, -1),\n        \
                 (lower(c.overdue_span), 'overdue_change', NULL, 1),\n        \
                 (upper(c.overdue_span), 'overdue_change', NULL, -1)\n    \
             ) AS m (day, measure, days, n)\n    \
             WHERE m.day IS NOT NULL AND m.measure IS NOT NULL AND m.n <> 0\n\
         $$;\n",
        dates = dates.join(",\n        "),
        lines = lines.concat(),
    )
}

/// The names of the columns of `statistics_days` (and `statistics_domain_months`) that sum
/// changes: a column per measure kept in one, and the stocks.
fn rollup_column_names() -> Vec<&'static str> {
    columns()
        .map(|m| m.name)
        .chain(STOCK_COLUMNS.iter().copied())
        .collect()
}

/// The statement adding the changes (other than handling days) to `table`, one row per key:
/// each key column with the SQL of its value from a change.
fn upsert_statement(table: &str, keys: &[(&str, &str)]) -> String {
    let names = rollup_column_names();
    let sums: Vec<String> = names
        .iter()
        .map(|n| format!("        coalesce(sum(n) FILTER (WHERE measure = '{n}'), 0)"))
        .collect();
    let updates: Vec<String> = names
        .iter()
        .map(|n| format!("        {n} = s.{n} + EXCLUDED.{n}"))
        .collect();
    let chosen: Vec<String> = keys
        .iter()
        .map(|(column, value)| {
            if column == value {
                (*column).to_owned()
            } else {
                format!("{value} AS {column}")
            }
        })
        .collect();
    let keys: Vec<&str> = keys.iter().map(|(column, _)| *column).collect();
    let keys = keys.join(", ");
    format!(
        "    WITH net AS (\n        \
             SELECT {chosen}, measure, sum(n) AS n\n        \
             FROM unnest(changes)\n        \
             WHERE measure <> 'handling_days'\n        \
             GROUP BY {keys}, measure\n        \
             HAVING sum(n) <> 0\n    \
         )\n    \
         INSERT INTO {table} AS s (\n        \
             {keys},\n        {columns})\n    \
         SELECT {keys},\n{sums}\n    \
         FROM net\n    \
         GROUP BY {keys}\n    \
         ORDER BY {keys}\n    \
         ON CONFLICT ({keys}) DO UPDATE SET\n{updates};\n",
        chosen = chosen.join(", "),
        columns = names.join(",\n        "),
        sums = sums.join(",\n"),
        updates = updates.join(",\n"),
    )
}

/// The statement adding the handling days of the changes to `table`, keyed by `keys` and the
/// month and days.
fn handling_days_statement(table: &str, keys: &[&str]) -> String {
    let keys = keys.join(", ");
    let positions: Vec<String> = (1..=keys.split(", ").count() + 2)
        .map(|i| i.to_string())
        .collect();
    let positions = positions.join(", ");
    format!(
        "    INSERT INTO {table} AS h ({keys}, month, days, cases)\n    \
         SELECT {keys}, date_trunc('month', day)::date, days, sum(n)\n    \
         FROM unnest(changes)\n    \
         WHERE measure = 'handling_days'\n    \
         GROUP BY {positions}\n    \
         HAVING sum(n) <> 0\n    \
         ORDER BY {positions}\n    \
         ON CONFLICT ({keys}, month, days) DO UPDATE SET cases = h.cases + EXCLUDED.cases;\n"
    )
}

/// `statistics_apply`: adds changes to the per-organ rollups, a column per measure kept in one
/// and the stocks, and the handling-days histogram.
fn apply_function() -> String {
    format!(
        "CREATE OR REPLACE FUNCTION statistics_apply(changes statistics_change[]) RETURNS void\n\
         LANGUAGE sql AS $$\n\
         {days}\n\
         {handling}\
         $$;\n",
        days = upsert_statement(
            "statistics_days",
            &[("organ_id", "organ_id"), ("day", "day")]
        ),
        handling = handling_days_statement("statistics_handling_days", &["organ_id"]),
    )
}

/// `statistics_apply_domains`: adds changes to the per-organ, per-domain monthly rollups, the
/// same columns by month, and their handling-days histogram.
fn apply_domains_function() -> String {
    format!(
        "CREATE OR REPLACE FUNCTION statistics_apply_domains(changes statistics_change[]) \
         RETURNS void\n\
         LANGUAGE sql AS $$\n\
         {months}\n\
         {handling}\
         $$;\n",
        months = upsert_statement(
            "statistics_domain_months",
            &[
                ("organ_id", "organ_id"),
                ("domain", "domain"),
                ("month", "date_trunc('month', day)::date"),
            ],
        ),
        handling =
            handling_days_statement("statistics_domain_handling_days", &["organ_id", "domain"]),
    )
}

/// The generated part of the migration that carries the rollup functions: the text between
/// [`GENERATED_BEGIN`] and [`GENERATED_END`], both lines included.
pub fn rollup_functions() -> String {
    format!(
        "{GENERATED_BEGIN}; do not edit by hand: change the table and run\n\
         -- `FUYI_UPDATE_MIGRATION_SQL=1 cargo test --test api measures`.\n\
         -- One case's contribution to the rollups, one line per measure and day (`days` only for the\n\
         -- handling-days histogram), each multiplied by `sign`: +1 for a row as it now is, -1 for a\n\
         -- row as it was.\n\
         {changes}\n\
         -- Adds changes to the rollups. Changes that cancel out touch no row (an update that moves\n\
         -- no date takes no lock here); rows are written in key order, so concurrent writers queue\n\
         -- rather than deadlock.\n\
         {apply}\n\
         -- The same changes by organ, domain and month, for the figures filtered by domain.\n\
         {apply_domains}\
         {GENERATED_END}\n",
        changes = case_changes_function(),
        apply = apply_function(),
        apply_domains = apply_domains_function(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::measures::named;

    fn condition_of(name: &str) -> Option<String> {
        named(name).and_then(condition)
    }

    #[test]
    fn the_conditions_name_the_fewest_states() {
        assert_eq!(
            date_condition(DatedBy::Concluded).as_deref(),
            Some("c.state NOT IN ('not_accepted', 'withdrawn_before_acceptance')")
        );
        assert_eq!(date_condition(DatedBy::Withdrawn), None);
        assert_eq!(
            date_condition(DatedBy::Declined).as_deref(),
            Some("c.state = 'not_accepted'")
        );
        assert_eq!(date_condition(DatedBy::Received), None);
        assert_eq!(
            condition_of("corrected").as_deref(),
            Some(
                "c.state IN ('altered', 'revoked', 'confirmed_illegal', 'ordered_to_perform', \
                 'confirmed_invalid')"
            )
        );
        assert_eq!(
            condition_of("decided_on_merits").as_deref(),
            Some("c.state NOT IN ('application_dismissed', 'mediated', 'terminated')")
        );
        assert_eq!(
            condition_of("terminated").as_deref(),
            Some("c.state = 'terminated'")
        );
        assert_eq!(
            condition_of("withdrawn").as_deref(),
            Some("c.termination_ground IN ('withdrawn', 'settled')")
        );
    }

    /// The shared lines of the trigger name the measure straight from the column where every
    /// value has its measure named after it, and choose the name by a CASE otherwise.
    #[test]
    fn one_value_measures_share_a_line_named_by_the_value() {
        let names: Vec<String> = change_lines()
            .into_iter()
            .map(|(_, name, _)| name)
            .collect();
        assert!(names.contains(&"c.state".to_owned()), "{names:?}");
        assert!(
            names.contains(&"'received_' || c.channel".to_owned()),
            "{names:?}"
        );
        assert_eq!(
            switch_name(
                Switch::State,
                DatedBy::Concluded,
                &[("altered", "altered"), ("revoked", "revoked")]
            ),
            "CASE c.state\n            WHEN 'altered' THEN 'altered'\n            \
             WHEN 'revoked' THEN 'revoked'\n            END"
        );
    }

    #[test]
    fn measures_kept_as_sums_add_their_states_columns() {
        let corrected = named("corrected").map(rollup_sum);
        assert_eq!(
            corrected.as_deref(),
            Some(
                "sum(s.altered + s.revoked + s.confirmed_illegal + s.ordered_to_perform + \
                 s.confirmed_invalid)"
            )
        );
    }
}
