//! `/api/v1/statistics`: the figures of `domain::statistics` by month, for a date range, or per
//! group, computed from the stored cases at request time, as JSON, CSV or an Excel workbook.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    error::{ApiError, ApiResult, ProblemDetails},
    export::{self, Format, Sheet},
};
use crate::{
    auth::{Caller, Role},
    db::{
        self,
        organs::Organ,
        statistics::{Bucket, Grouping, StatsFilter, month_ends},
    },
    domain::{
        ApiValue,
        case::{ActType, AdminDomain},
        followup::{FollowupCounts, FollowupRates},
        lifecycle::Procedure,
        report::YearFigures,
        statistics::{Figures, RateDefinition},
    },
    service::{
        self,
        charts::{self, Caption, Chart, MonthBar, Size},
        report::{Draft, Picture},
    },
    startup::State,
};

/// The longest range one request may cover: enough for any report, bounded so that a typo in a
/// year cannot ask for a thousand-year table.
const MAX_MONTHS: u32 = 240;

/// Filters shared by every statistics endpoint (read from the same query string).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureFilters {
    /// Organ whose figures to count (default: the caller's organ). Must be within reach.
    pub organ: Option<Uuid>,
    /// Count the organs below it too (default true).
    pub include_subtree: Option<bool>,
    /// Only cases against this respondent.
    pub respondent: Option<Uuid>,
    /// Only cases of this administrative domain.
    pub domain: Option<AdminDomain>,
    /// Only cases about this type of act.
    pub act_type: Option<ActType>,
    /// Only enterprise-related cases (true) or only the others (false).
    pub enterprise_related: Option<bool>,
    /// Only cases under this procedure.
    pub procedure: Option<Procedure>,
    /// Correction-rate definition (default: the service's setting).
    pub definition: Option<RateDefinition>,
}

/// `GET /statistics/monthly` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthlyQuery {
    /// First month, `YYYY-MM`.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$", example = "2023-01")]
    pub from: String,
    /// Last month, `YYYY-MM` (inclusive).
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$", example = "2023-12")]
    pub to: String,
}

/// The size of a chart (`Accept: image/svg+xml` or `image/png`); JSON and files ignore it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// Chart width in pixels, 320 to 3840 (default 960).
    #[param(minimum = 320, maximum = 3840, example = 960)]
    pub width: Option<u32>,
    /// Chart height in pixels, 240 to 2160 (default 540).
    #[param(minimum = 240, maximum = 2160, example = 540)]
    pub height: Option<u32>,
}

impl ChartQuery {
    /// The size asked for, within the limits.
    fn size(&self) -> ApiResult<Size> {
        let default = Size::default();
        let check = |field: &str,
                     value: Option<u32>,
                     fallback: u32,
                     limits: &std::ops::RangeInclusive<u32>| {
            let value = value.unwrap_or(fallback);
            if limits.contains(&value) {
                Ok(value)
            } else {
                Err(ApiError::bad_parameter(
                    field,
                    format!("must be from {} to {} pixels", limits.start(), limits.end()),
                ))
            }
        };
        Ok(Size {
            width: check("width", self.width, default.width, &charts::WIDTHS)?,
            height: check("height", self.height, default.height, &charts::HEIGHTS)?,
        })
    }
}

/// `GET /statistics/summary` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownBy {
    Respondent,
    Domain,
    ActType,
    Organ,
    Officer,
}

impl From<BreakdownBy> for Grouping {
    fn from(by: BreakdownBy) -> Self {
        match by {
            BreakdownBy::Respondent => Self::Respondent,
            BreakdownBy::Domain => Self::Domain,
            BreakdownBy::ActType => Self::ActType,
            BreakdownBy::Organ => Self::Organ,
            BreakdownBy::Officer => Self::Officer,
        }
    }
}

/// The figure a breakdown is sorted by.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortFigure {
    Received,
    Accepted,
    #[default]
    Concluded,
    Corrected,
    CorrectionRate,
    Open,
    Overdue,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// `GET /statistics/breakdown` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// What to group by.
    pub by: BreakdownBy,
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Figure to sort the groups by (default `concluded`).
    pub sort: Option<SortFigure>,
    /// `desc` (default) or `asc`; ties are ordered by key.
    pub order: Option<SortOrder>,
}

/// The organ figures are counted for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOrgan {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    /// Whether the organs below it are counted too.
    pub include_subtree: bool,
}

/// Figures of what follows decisions: letters, compliance and litigation, each counted by its
/// own date (see `domain::followup`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowupFigures {
    #[serde(flatten)]
    pub counts: FollowupCounts,
    #[serde(flatten)]
    pub rates: FollowupRates,
}

impl From<FollowupCounts> for FollowupFigures {
    fn from(counts: FollowupCounts) -> Self {
        Self {
            rates: counts.rates(),
            counts,
        }
    }
}

/// The figures of one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// Applications received, by channel.
    pub channels: std::collections::BTreeMap<String, u64>,
    /// Letters, compliance and litigation in the month.
    pub followup: FollowupFigures,
}

/// The figures of one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRow {
    /// The group's key: an id, or an enum value; empty for cases with no handler.
    pub key: String,
    /// The group's display name.
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// Applications received, by channel.
    pub channels: std::collections::BTreeMap<String, u64>,
}

/// The figures of the whole range.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalRow {
    #[serde(flatten)]
    pub figures: Figures,
    /// Applications received, by channel.
    pub channels: std::collections::BTreeMap<String, u64>,
    /// Letters, compliance and litigation in the range.
    pub followup: FollowupFigures,
}

/// A statistics report: its scope, one row per bucket, and the total.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report<R> {
    pub organ: ReportOrgan,
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted.
    pub to: NaiveDate,
    /// The correction-rate definition used.
    pub definition: RateDefinition,
    pub rows: Vec<R>,
    pub total: TotalRow,
}

/// Monthly figures.
pub type MonthlyReport = Report<MonthRow>;
/// Figures per group.
pub type BreakdownReport = Report<GroupRow>;

/// The scope of a request, resolved against the caller's reach.
struct Scope {
    organ: Organ,
    include_subtree: bool,
    filter: StatsFilter,
    definition: RateDefinition,
}

fn require_figure_reader(caller: &Caller) -> ApiResult<()> {
    if caller.has_any_role(&[Role::Statistician, Role::Head, Role::Officer]) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "figures are read by statisticians, heads and officers",
        ))
    }
}

async fn resolve(state: &State, caller: &Caller, filters: FigureFilters) -> ApiResult<Scope> {
    require_figure_reader(caller)?;
    let mut conn = state.statistics_pool.get().await?;
    let include_subtree = filters.include_subtree.unwrap_or(true);
    let (organ, organ_ids) =
        service::organs::figure_scope(&mut conn, caller, filters.organ, include_subtree).await?;
    Ok(Scope {
        include_subtree,
        filter: StatsFilter {
            organ_ids,
            respondent_id: filters.respondent,
            domain: filters.domain.map(|d| d.as_str().to_owned()),
            act_type: filters.act_type.map(|t| t.as_str().to_owned()),
            enterprise_related: filters.enterprise_related,
            procedure: filters.procedure.map(|p| p.as_str().to_owned()),
        },
        definition: filters
            .definition
            .unwrap_or(state.settings.rules.correction_rate_definition),
        organ,
    })
}

fn check_range(from: NaiveDate, to: NaiveDate, from_name: &str) -> ApiResult<()> {
    if to < from {
        return Err(ApiError::bad_parameter(
            "to",
            format!("must not be before `{from_name}`"),
        ));
    }
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
    if months > MAX_MONTHS as i32 {
        return Err(ApiError::bad_parameter(
            "to",
            format!("a request covers at most {MAX_MONTHS} months"),
        ));
    }
    Ok(())
}

fn parse_month(field: &str, raw: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_parameter(field, "must be a month written YYYY-MM"))
}

fn figures(bucket: &Bucket, definition: RateDefinition) -> Figures {
    Figures::new(
        bucket.counts.clone(),
        bucket.durations(),
        bucket.open_at_end.clone(),
        definition,
    )
}

fn total(
    tally: &db::statistics::Tally,
    definition: RateDefinition,
    followup: FollowupCounts,
) -> TotalRow {
    TotalRow {
        figures: figures(&tally.total, definition),
        channels: tally.total.channels.clone(),
        followup: followup.into(),
    }
}

/// The follow-up counts of each period, in order, in one statement.
async fn followup_by_period(
    state: &State,
    scope: &Scope,
    periods: &[(NaiveDate, NaiveDate)],
) -> ApiResult<Vec<FollowupCounts>> {
    let mut conn = state.statistics_pool.get().await?;
    Ok(service::statistics::followup_by_period(&mut conn, &scope.filter, periods).await?)
}

fn report_organ(scope: &Scope) -> ReportOrgan {
    ReportOrgan {
        id: scope.organ.id,
        code: scope.organ.code.clone(),
        name: scope.organ.name.clone(),
        include_subtree: scope.include_subtree,
    }
}

/// Monthly figures for a range of months.
///
/// One row per month from `from` to `to` (empty months included) and the range's total. Each
/// count is taken by the date that defines it; rates carry numerator and denominator. Answers
/// JSON, CSV (`Accept: text/csv`), an Excel workbook, or a chart (`Accept: image/svg+xml` or
/// `image/png`: bars of received, concluded and corrected cases with the correction-rate line,
/// titled with the organ, the range and the rate definition; `width` and `height` size it). A PNG
/// needs a font with Chinese glyphs (`FUYI_CHART_FONT`); without one it is 406.
#[utoipa::path(
    get, path = "/api/v1/statistics/monthly", tag = "statistics",
    params(MonthlyQuery, FigureFilters, ChartQuery),
    responses(
        (status = 200, description = "The figures; CSV and Excel carry a title row and Chinese headings", content(
            (Report<MonthRow> = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "image/svg+xml"),
            (Vec<u8> = "image/png"),
        )),
        (status = 400, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 406, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn monthly(
    state: State,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<MonthlyQuery>,
    filters: web::Query<FigureFilters>,
    chart: web::Query<ChartQuery>,
) -> ApiResult<HttpResponse> {
    let format = Format::negotiate_among(&req, true)?;
    let size = chart.size()?;
    let query = query.into_inner();
    let from = parse_month("from", &query.from)?;
    let to_month = parse_month("to", &query.to)?;
    check_range(from, to_month, "from")?;
    let to = to_month
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .ok_or_else(|| ApiError::bad_parameter("to", "is out of range"))?;
    let scope = resolve(&state, &caller, filters.into_inner()).await?;
    let report = monthly_report(&state, &scope, from, to).await?;
    if format.is_chart() {
        return chart_response(
            state,
            monthly_chart(&report),
            format,
            size,
            "monthly",
            &report,
        )
        .await;
    }
    answer(format, &report, "月份", |row: &MonthRow| {
        (row.month.clone(), &row.figures, Some(&row.followup))
    })
}

/// Figures for any date range.
///
/// The same figures as a monthly total, for `from`..=`to`; `rows` is empty.
#[utoipa::path(
    get, path = "/api/v1/statistics/summary", tag = "statistics",
    params(SummaryQuery, FigureFilters),
    responses(
        (status = 200, description = "The figures; CSV and Excel carry a title row and Chinese headings", content(
            (Report<MonthRow> = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 406, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn summary(
    state: State,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<SummaryQuery>,
    filters: web::Query<FigureFilters>,
) -> ApiResult<HttpResponse> {
    let format = Format::negotiate(&req)?;
    let query = query.into_inner();
    check_range(query.from, query.to, "from")?;
    let scope = resolve(&state, &caller, filters.into_inner()).await?;
    let range = [(query.from, query.to)];
    let (tally, mut followup) = tokio::try_join!(
        async {
            service::statistics::tally(
                &state.statistics_pool,
                &scope.filter,
                Grouping::Whole,
                query.from,
                query.to,
            )
            .await
            .map_err(ApiError::from)
        },
        followup_by_period(&state, &scope, &range),
    )?;
    let report: MonthlyReport = Report {
        organ: report_organ(&scope),
        from: query.from,
        to: query.to,
        definition: scope.definition,
        rows: Vec::new(),
        total: total(&tally, scope.definition, followup.pop().unwrap_or_default()),
    };
    answer(format, &report, "期间", |row: &MonthRow| {
        (row.month.clone(), &row.figures, Some(&row.followup))
    })
}

/// Figures per respondent, domain, act type, organ or officer.
///
/// One row per group with cases in the range, sorted by the chosen figure (a rate's missing
/// value sorts last), and the total, in which a case with two handlers counts once. With
/// `Accept: image/svg+xml` or `image/png`, a chart of the groups' bars in that order (`width` and
/// `height` size it; a PNG needs a font with Chinese glyphs, `FUYI_CHART_FONT`, else 406).
#[utoipa::path(
    get, path = "/api/v1/statistics/breakdown", tag = "statistics",
    params(BreakdownQuery, FigureFilters, ChartQuery),
    responses(
        (status = 200, description = "The figures; CSV and Excel carry a title row and Chinese headings", content(
            (Report<GroupRow> = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "image/svg+xml"),
            (Vec<u8> = "image/png"),
        )),
        (status = 400, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 406, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn breakdown(
    state: State,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<BreakdownQuery>,
    filters: web::Query<FigureFilters>,
    chart: web::Query<ChartQuery>,
) -> ApiResult<HttpResponse> {
    let format = Format::negotiate_among(&req, true)?;
    let size = chart.size()?;
    let query = query.into_inner();
    check_range(query.from, query.to, "from")?;
    let scope = resolve(&state, &caller, filters.into_inner()).await?;
    let report = breakdown_report(
        &state,
        &scope,
        Grouping::from(query.by),
        (query.from, query.to),
        query.sort.unwrap_or_default(),
        query.order.unwrap_or_default(),
    )
    .await?;
    if format.is_chart() {
        let sort = query.sort.unwrap_or_default();
        let chart = breakdown_chart(&report, query.by, sort);
        return chart_response(state, chart, format, size, "breakdown", &report).await;
    }
    answer(format, &report, "分组", |row: &GroupRow| {
        (row.label.clone(), &row.figures, None)
    })
}

/// The figures of each month from `from` to `to` (empty months included) and their total: what
/// `/statistics/monthly` answers, and what the report draft's table and prose are made of.
async fn monthly_report(
    state: &State,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<MonthlyReport> {
    let ends = month_ends(from, to);
    // Each month, then the whole range, for the follow-up figures.
    let mut periods: Vec<(NaiveDate, NaiveDate)> = ends
        .iter()
        .map(|end| (end.with_day(1).unwrap_or(*end), *end))
        .collect();
    periods.push((from, to));
    let (tally, mut followup) = tokio::try_join!(
        async {
            service::statistics::tally(
                &state.statistics_pool,
                &scope.filter,
                Grouping::Month,
                from,
                to,
            )
            .await
            .map_err(ApiError::from)
        },
        followup_by_period(state, scope, &periods),
    )?;
    let range_followup = followup.pop().unwrap_or_default();
    let rows = ends
        .into_iter()
        .zip(followup)
        .map(|(end, followup)| {
            let month = end.format("%Y-%m").to_string();
            let bucket = tally.buckets.get(&month).cloned().unwrap_or_default();
            MonthRow {
                figures: figures(&bucket, scope.definition),
                channels: bucket.channels,
                followup: followup.into(),
                month,
            }
        })
        .collect();
    Ok(Report {
        organ: report_organ(scope),
        from,
        to,
        definition: scope.definition,
        rows,
        total: total(&tally, scope.definition, range_followup),
    })
}

/// The figures per group from `from` to `to`, sorted: what `/statistics/breakdown` answers.
async fn breakdown_report(
    state: &State,
    scope: &Scope,
    grouping: Grouping,
    (from, to): (NaiveDate, NaiveDate),
    sort: SortFigure,
    order: SortOrder,
) -> ApiResult<BreakdownReport> {
    let range = [(from, to)];
    let (tally, mut followup) = tokio::try_join!(
        async {
            service::statistics::tally(&state.statistics_pool, &scope.filter, grouping, from, to)
                .await
                .map_err(ApiError::from)
        },
        followup_by_period(state, scope, &range),
    )?;
    let labels = {
        let keys: Vec<String> = tally.buckets.keys().cloned().collect();
        let mut conn = state.statistics_pool.get().await?;
        service::statistics::labels(&mut conn, grouping, &keys).await?
    };
    let mut rows: Vec<GroupRow> = tally
        .buckets
        .iter()
        .map(|(key, bucket)| GroupRow {
            label: labels.get(key).cloned().unwrap_or_else(|| {
                if key.is_empty() {
                    "未分配".to_owned()
                } else {
                    key.clone()
                }
            }),
            key: key.clone(),
            figures: figures(bucket, scope.definition),
            channels: bucket.channels.clone(),
        })
        .collect();
    sort_groups(&mut rows, sort, order);
    Ok(Report {
        organ: report_organ(scope),
        from,
        to,
        definition: scope.definition,
        rows,
        total: total(&tally, scope.definition, followup.pop().unwrap_or_default()),
    })
}

fn sort_groups(rows: &mut [GroupRow], sort: SortFigure, order: SortOrder) {
    let value = |row: &GroupRow| -> Option<f64> {
        let f = &row.figures;
        match sort {
            SortFigure::Received => Some(f.counts.received as f64),
            SortFigure::Accepted => Some(f.counts.accepted as f64),
            SortFigure::Concluded => Some(f.counts.concluded as f64),
            SortFigure::Corrected => Some(f.counts.corrected as f64),
            SortFigure::CorrectionRate => f.correction_rate.percent,
            SortFigure::Open => Some(f.open_at_end.open as f64),
            SortFigure::Overdue => Some(f.open_at_end.overdue as f64),
        }
    };
    rows.sort_by(|a, b| {
        let by_value = match (value(a), value(b)) {
            (Some(x), Some(y)) => match order {
                SortOrder::Asc => x.total_cmp(&y),
                SortOrder::Desc => y.total_cmp(&x),
            },
            // Groups without a value (a rate over nothing) go last either way.
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_value.then_with(|| a.key.cmp(&b.key))
    });
}

/// `（含下级）` when the organs below are counted too.
fn subtree_mark(organ: &ReportOrgan) -> &'static str {
    if organ.include_subtree {
        "（含下级）"
    } else {
        ""
    }
}

fn caption<R>(report: &Report<R>, what: &str) -> Caption {
    Caption {
        title: format!(
            "{}{} {} 至 {} {what}",
            report.organ.name,
            subtree_mark(&report.organ),
            report.from,
            report.to,
        ),
        subtitle: format!(
            "纠错率口径：{}",
            crate::domain::report::definition_zh(report.definition)
        ),
    }
}

/// The monthly chart of a monthly report.
fn monthly_chart(report: &MonthlyReport) -> Chart {
    let months: Vec<MonthBar> = report
        .rows
        .iter()
        .map(|row| MonthBar {
            label: row.month.clone(),
            received: row.figures.counts.received,
            concluded: row.figures.counts.concluded,
            corrected: row.figures.counts.corrected,
            rate: row.figures.correction_rate.percent,
        })
        .collect();
    Chart::Monthly {
        caption: caption(report, "行政复议案件收案、审结、纠错及纠错率（按月）"),
        months,
    }
}

/// The bars of a breakdown, of the figure it is sorted by (counts; a rate sort draws the
/// concluded cases in the rate's order).
fn breakdown_chart(report: &BreakdownReport, by: BreakdownBy, sort: SortFigure) -> Chart {
    let (figure, value): (&str, fn(&Figures) -> u64) = match sort {
        SortFigure::Received => ("收案", |f| f.counts.received),
        SortFigure::Accepted => ("受理", |f| f.counts.accepted),
        SortFigure::Corrected => ("纠错", |f| f.counts.corrected),
        SortFigure::Open => ("在办", |f| f.open_at_end.open),
        SortFigure::Overdue => ("超期", |f| f.open_at_end.overdue),
        SortFigure::Concluded | SortFigure::CorrectionRate => ("审结", |f| f.counts.concluded),
    };
    let group = match by {
        BreakdownBy::Respondent => "被申请人",
        BreakdownBy::Domain => "行政管理领域",
        BreakdownBy::ActType => "行为类别",
        BreakdownBy::Organ => "复议机关",
        BreakdownBy::Officer => "承办人",
    };
    let groups: Vec<(String, u64)> = report
        .rows
        .iter()
        .map(|row| (row.label.clone(), value(&row.figures)))
        .collect();
    Chart::Breakdown {
        caption: caption(report, &format!("按{group}统计的{figure}案件")),
        figure: figure.to_owned(),
        groups,
    }
}

/// What a PNG chart needs and does not have, as the client reads it; why, as the log reads it.
const NO_FONT: &str = "image/png charts need a font with Chinese glyphs and the service has none \
                       (its operator sets FUYI_CHART_FONT or installs fonts-noto-cjk); \
                       image/svg+xml needs no font";

/// Draws `chart` as the negotiated image, off the async workers (rasterising takes a while, and
/// the first PNG reads the font file).
async fn chart_response<R>(
    state: State,
    chart: Chart,
    format: Format,
    size: Size,
    what: &str,
    report: &Report<R>,
) -> ApiResult<HttpResponse> {
    let (body, media, extension) = if format == Format::Png {
        let png = tokio::task::spawn_blocking(move || {
            let font = state.chart_fonts.get().map_err(|_| ())?;
            Ok(chart.png(size, 1, font))
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(|()| ApiError::cannot_represent(NO_FONT))?
        .map_err(ApiError::internal)?;
        (png, export::PNG, "png")
    } else {
        let svg = chart.svg(size).map_err(ApiError::internal)?;
        (svg.into_bytes(), export::SVG, "svg")
    };
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"fuyi-{what}-{}-{}.{extension}\"",
                report.from, report.to
            ),
        ))
        .body(body))
}

/// Renders a report in the negotiated format.
fn answer<R: Serialize>(
    format: Format,
    report: &Report<R>,
    row_heading: &str,
    row: impl Fn(&R) -> (String, &Figures, Option<&FollowupFigures>),
) -> ApiResult<HttpResponse> {
    if format == Format::Json {
        return Ok(HttpResponse::Ok().json(report));
    }
    let scope = if report.organ.include_subtree {
        "（含下级）"
    } else {
        ""
    };
    let sheet = Sheet {
        title: format!(
            "{}{} 行政复议案件统计 {} 至 {}（纠错率口径：{}）",
            report.organ.name,
            scope,
            report.from,
            report.to,
            export::definition_label(report.definition),
        ),
        row_heading: row_heading.to_owned(),
        rows: report.rows.iter().map(&row).collect(),
        total: (&report.total.figures, Some(&report.total.followup)),
    };
    let file_stem = format!("fuyi-statistics-{}-{}", report.from, report.to);
    export::render(format, &sheet, &file_stem)
}

/// Pixels per chart pixel in the report draft: a 960-pixel chart printed 156 mm wide is then about
/// 300 dpi.
const DRAFT_CHART_SCALE: u32 = 2;

/// The draft's charts as pictures, off the async workers; none when there is no chart font (the
/// draft then says so where they would be).
async fn report_charts(state: State, charts: [Chart; 2]) -> ApiResult<Option<Vec<Picture>>> {
    tokio::task::spawn_blocking(move || {
        let Ok(font) = state.chart_fonts.get() else {
            return Ok(None);
        };
        let size = Size::default();
        charts
            .iter()
            .map(|chart| {
                Ok(Picture {
                    png: chart.png(size, DRAFT_CHART_SCALE, font)?,
                    pixels: (
                        size.width * DRAFT_CHART_SCALE,
                        size.height * DRAFT_CHART_SCALE,
                    ),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map(Some)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// `GET /statistics/report` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The calendar year the report covers.
    #[param(example = 2023, minimum = 2000, maximum = 9999)]
    pub year: i32,
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A `.docx` draft of the statistics part of the annual work report.
///
/// For the caller's organ or `organ=` (and the same filters as the other statistics
/// endpoints): the figures paragraph in the report's style (`1765件`, `17.12%`), the correction
/// rate's definition with its numerator and denominator in a note, the change against the
/// previous year where it has data, a table per month and one per respondent, and the monthly
/// and per-respondent charts as pictures (without a chart font, `FUYI_CHART_FONT`, the draft says
/// in their place that they could not be drawn). Every figure is computed by the code that answers
/// `/statistics/monthly` and `/statistics/breakdown`. The wording is the organ's report template
/// (`/organs/{id}/report-template`). Statisticians and heads.
#[utoipa::path(
    get, path = "/api/v1/statistics/report", tag = "statistics",
    params(ReportQuery, FigureFilters),
    responses(
        (status = 200, description = "The draft", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         body = Vec<u8>, headers(("Content-Disposition" = String))),
        (status = 400, body = ProblemDetails), (status = 403, body = ProblemDetails),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn report(
    state: State,
    caller: Caller,
    query: web::Query<ReportQuery>,
    filters: web::Query<FigureFilters>,
) -> ApiResult<HttpResponse> {
    if !caller.has_any_role(&[Role::Statistician, Role::Head]) {
        return Err(ApiError::forbidden(
            "the report draft is read by statisticians and heads",
        ));
    }
    let year = query.year;
    let (Some(from), Some(to), Some(before_from), Some(before_to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| (2000..=9999).contains(&year)),
        NaiveDate::from_ymd_opt(year, 12, 31),
        NaiveDate::from_ymd_opt(year - 1, 1, 1),
        NaiveDate::from_ymd_opt(year - 1, 12, 31),
    ) else {
        return Err(ApiError::bad_parameter("year", "must be from 2000 to 9999"));
    };
    let scope = resolve(&state, &caller, filters.into_inner()).await?;
    let (monthly, respondents, before) = tokio::try_join!(
        monthly_report(&state, &scope, from, to),
        breakdown_report(
            &state,
            &scope,
            Grouping::Respondent,
            (from, to),
            SortFigure::default(),
            SortOrder::default(),
        ),
        monthly_report(&state, &scope, before_from, before_to),
    )?;
    let template = {
        let mut conn = state.pool.get().await?;
        service::report::template_text(&mut conn, scope.organ.id).await?
    };
    let charts = report_charts(
        state.clone(),
        [
            monthly_chart(&monthly),
            breakdown_chart(&respondents, BreakdownBy::Respondent, SortFigure::default()),
        ],
    )
    .await?;
    let year_figures = |report: &MonthlyReport| YearFigures {
        figures: report.total.figures.clone(),
        followup: report.total.followup.counts.clone(),
    };
    let draft = Draft {
        organ_name: &scope.organ.name,
        year,
        definition: scope.definition,
        now: year_figures(&monthly),
        before: Some(year_figures(&before)),
        months: monthly
            .rows
            .iter()
            .map(|row| (row.month.clone(), &row.figures))
            .collect(),
        respondents: respondents
            .rows
            .iter()
            .map(|row| (row.label.clone(), &row.figures))
            .collect(),
        charts,
    };
    let bytes = service::report::render(&template, &draft)?;
    Ok(HttpResponse::Ok()
        .content_type(DOCX)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"fuyi-statistics-report-{year}.docx\""),
        ))
        .body(bytes))
}
