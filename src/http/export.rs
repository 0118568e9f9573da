//! Statistics as files: content negotiation between JSON, CSV and an Excel workbook, and the one
//! table layout (Chinese headings, a title row, percentages as numbers) both files share.

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{self, ContentDisposition, DispositionParam, DispositionType},
};
use rust_xlsxwriter::{Format as CellFormat, FormatAlign, Workbook, XlsxError};

use super::error::{ApiError, ApiResult};
use super::statistics::FollowupFigures;
use crate::domain::statistics::{Figures, RateDefinition};

/// The Excel workbook media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The CSV media type.
pub const CSV: &str = "text/csv";
/// The SVG media type (charts).
pub const SVG: &str = "image/svg+xml";
/// The PNG media type (charts).
pub const PNG: &str = "image/png";

/// A representation of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    /// A chart (offered by the monthly and breakdown figures only).
    Svg,
    /// The same chart as a picture, its text in the chart font (`FUYI_CHART_FONT`).
    Png,
}

impl Format {
    /// Whether this is a chart rather than the figures themselves.
    pub fn is_chart(self) -> bool {
        matches!(self, Self::Svg | Self::Png)
    }

    /// Picks the representation from `Accept`: the first listed that is offered; JSON when the
    /// header is absent or accepts anything.
    pub fn negotiate(req: &HttpRequest) -> ApiResult<Self> {
        Self::negotiate_among(req, false)
    }

    /// As [`Self::negotiate`], also offering a chart (`image/svg+xml`, `image/png`) when `charts`.
    pub fn negotiate_among(req: &HttpRequest, charts: bool) -> ApiResult<Self> {
        let Some(accept) = req.headers().get(header::ACCEPT) else {
            return Ok(Self::Json);
        };
        let accept = accept.to_str().unwrap_or_default();
        let mut ranges: Vec<(f32, usize, &str)> = accept
            .split(',')
            .enumerate()
            .map(|(position, range)| {
                let mut parts = range.split(';').map(str::trim);
                let media = parts.next().unwrap_or_default();
                let quality = parts
                    .find_map(|p| p.strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (quality, position, media)
            })
            .filter(|(quality, _, _)| *quality > 0.0)
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, media) in ranges {
            match media.to_ascii_lowercase().as_str() {
                "application/json" | "application/*" | "*/*" => return Ok(Self::Json),
                CSV | "text/*" => return Ok(Self::Csv),
                XLSX => return Ok(Self::Xlsx),
                SVG if charts => return Ok(Self::Svg),
                PNG if charts => return Ok(Self::Png),
                _ => {}
            }
        }
        let offered = if charts {
            format!("application/json, {CSV}, {XLSX}, {SVG} or {PNG}")
        } else {
            format!("application/json, {CSV} or {XLSX}")
        };
        Err(ApiError::not_acceptable(&offered))
    }
}

/// A row's figures, and its follow-up figures where the report has them per row.
pub type RowFigures<'a> = (&'a Figures, Option<&'a FollowupFigures>);

/// A table to export: a title, one row per bucket, and the total.
pub struct Sheet<'a> {
    pub title: String,
    /// Heading of the first column (月份, 分组, …).
    pub row_heading: String,
    pub rows: Vec<(String, &'a Figures, Option<&'a FollowupFigures>)>,
    pub total: RowFigures<'a>,
}

/// One cell's value.
enum Cell {
    Count(u64),
    /// A percentage or a number of days; empty when there is none.
    Decimal(Option<f64>),
}

type Column = (&'static str, fn(&Figures) -> Cell);

/// Every exported column, in order. The JSON names beside each heading are in `Figures`.
const COLUMNS: &[Column] = &[
    ("收案数", |f| Cell::Count(f.counts.received)),
    ("受理数", |f| Cell::Count(f.counts.accepted)),
    ("不予受理数", |f| Cell::Count(f.counts.not_accepted)),
    ("审结数", |f| Cell::Count(f.counts.concluded)),
    ("实体审理审结数", |f| {
        Cell::Count(f.counts.decided_on_merits)
    }),
    ("纠错数", |f| Cell::Count(f.counts.corrected)),
    ("变更", |f| Cell::Count(f.counts.altered)),
    ("撤销", |f| Cell::Count(f.counts.revoked)),
    ("确认违法", |f| Cell::Count(f.counts.confirmed_illegal)),
    ("责令履行", |f| Cell::Count(f.counts.ordered_to_perform)),
    ("确认无效", |f| Cell::Count(f.counts.confirmed_invalid)),
    ("维持", |f| Cell::Count(f.counts.upheld)),
    ("驳回复议请求", |f| {
        Cell::Count(f.counts.request_rejected)
    }),
    ("驳回复议申请", |f| {
        Cell::Count(f.counts.application_dismissed)
    }),
    ("调解", |f| Cell::Count(f.counts.mediated)),
    ("终止", |f| Cell::Count(f.counts.terminated)),
    ("其中撤回或和解", |f| Cell::Count(f.counts.withdrawn)),
    ("纠错率(%)", |f| Cell::Decimal(f.correction_rate.percent)),
    ("调撤率(%)", |f| {
        Cell::Decimal(f.mediation_withdrawal_rate.percent)
    }),
    ("综合化解率(%)", |f| {
        Cell::Decimal(f.comprehensive_resolution_rate.percent)
    }),
    ("按期审结数", |f| {
        Cell::Count(f.counts.concluded_on_time)
    }),
    ("超期审结数", |f| Cell::Count(f.counts.concluded_late)),
    ("按期审结率(%)", |f| {
        Cell::Decimal(f.on_time_rate.percent)
    }),
    ("简易程序占比(%)", |f| {
        Cell::Decimal(f.simplified_share.percent)
    }),
    ("涉企案件占比(%)", |f| {
        Cell::Decimal(f.enterprise_share.percent)
    }),
    ("听证次数", |f| Cell::Count(f.counts.hearings_held)),
    ("延期案件数", |f| Cell::Count(f.counts.extended)),
    ("停止执行案件数", |f| {
        Cell::Count(f.counts.enforcement_stayed)
    }),
    ("规范性文件附带审查申请数", |f| {
        Cell::Count(f.counts.normative_reviews_requested)
    }),
    ("规范性文件认定违法数", |f| {
        Cell::Count(f.counts.normative_found_unlawful)
    }),
    ("行政赔偿请求数", |f| {
        Cell::Count(f.counts.compensation_claims)
    }),
    ("决定赔偿案件数", |f| {
        Cell::Count(f.counts.compensation_awarded)
    }),
    ("决定赔偿金额(分)", |f| {
        Cell::Count(f.counts.compensation_awarded_fen)
    }),
    ("平均办理天数", |f| {
        Cell::Decimal(f.durations.mean_days)
    }),
    ("办理天数中位数", |f| {
        Cell::Decimal(f.durations.median_days)
    }),
    ("办理天数90分位", |f| {
        Cell::Decimal(f.durations.p90_days)
    }),
    ("期末在办数", |f| Cell::Count(f.open_at_end.open)),
    ("期末超期数", |f| Cell::Count(f.open_at_end.overdue)),
];

type FollowupColumn = (&'static str, fn(&FollowupFigures) -> Cell);

/// Follow-up columns, after [`COLUMNS`]; empty in rows that have no follow-up figures.
const FOLLOWUP_COLUMNS: &[FollowupColumn] = &[
    ("意见书", |f| {
        Cell::Count(f.counts.letters_issued.opinion)
    }),
    ("建议书", |f| {
        Cell::Count(f.counts.letters_issued.recommendation)
    }),
    ("按期履行数", |f| {
        Cell::Count(f.counts.compliance_on_time)
    }),
    ("逾期履行数", |f| Cell::Count(f.counts.compliance_late)),
    ("开庭案件数", |f| {
        Cell::Count(f.counts.court_cases_heard)
    }),
    ("负责人出庭数", |f| {
        Cell::Count(f.counts.head_appeared)
    }),
    ("负责人出庭率(%)", |f| {
        Cell::Decimal(f.rates.head_appearance_rate.percent)
    }),
    ("一审审结数", |f| {
        Cell::Count(f.counts.first_instance_concluded)
    }),
    ("一审败诉数", |f| {
        Cell::Count(f.counts.first_instance_lost)
    }),
    ("一审败诉率(%)", |f| {
        Cell::Decimal(f.rates.first_instance_loss_rate.percent)
    }),
];

/// Every cell of a row after its label.
fn cells(figures: &Figures, followup: Option<&FollowupFigures>) -> Vec<Cell> {
    COLUMNS
        .iter()
        .map(|(_, value)| value(figures))
        .chain(FOLLOWUP_COLUMNS.iter().map(|(_, value)| match followup {
            Some(followup) => value(followup),
            None => Cell::Decimal(None),
        }))
        .collect()
}

/// The label of the total row.
const TOTAL: &str = "合计";

/// How a correction-rate definition is named in a title.
pub fn definition_label(definition: RateDefinition) -> &'static str {
    match definition {
        RateDefinition::AllConcluded => "纠错数÷审结数",
        RateDefinition::DecidedOnMerits => "纠错数÷实体审理审结数",
    }
}

/// Renders `sheet` as a downloadable file named `file_stem` plus the format's extension.
pub fn render(format: Format, sheet: &Sheet<'_>, file_stem: &str) -> ApiResult<HttpResponse> {
    let (body, media, extension) = match format {
        Format::Json | Format::Svg | Format::Png => {
            return Err(ApiError::internal(anyhow::anyhow!(
                "JSON reports and charts are not rendered as tables"
            )));
        }
        Format::Csv => (csv(sheet).map_err(ApiError::internal)?, CSV, "csv"),
        Format::Xlsx => (xlsx(sheet).map_err(ApiError::internal)?, XLSX, "xlsx"),
    };
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!(
            "{file_stem}.{extension}"
        ))],
    };
    Ok(HttpResponse::Ok()
        .content_type(if format == Format::Csv {
            "text/csv; charset=utf-8"
        } else {
            media
        })
        .insert_header(disposition)
        .body(body))
}

fn headings<'a>(sheet: &'a Sheet<'_>) -> Vec<&'a str> {
    std::iter::once(sheet.row_heading.as_str())
        .chain(COLUMNS.iter().map(|(heading, _)| *heading))
        .chain(FOLLOWUP_COLUMNS.iter().map(|(heading, _)| *heading))
        .collect()
}

fn all_rows<'a>(sheet: &'a Sheet<'a>) -> impl Iterator<Item = (&'a str, Vec<Cell>)> {
    sheet
        .rows
        .iter()
        .map(|(label, figures, followup)| (label.as_str(), cells(figures, *followup)))
        .chain(std::iter::once((
            TOTAL,
            cells(sheet.total.0, sheet.total.1),
        )))
}

/// A text cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'`, as OWASP's CSV-injection guidance advises, so a respondent
/// or organ named `=HYPERLINK(…)` shows as that text instead of becoming a formula. Only text
/// cells pass through here; figures are written as numbers.
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn csv(sheet: &Sheet<'_>) -> anyhow::Result<Vec<u8>> {
    // The byte-order mark makes Excel read the Chinese headings as UTF-8.
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record([inert(&sheet.title).as_bytes()])?;
    writer.write_record(
        headings(sheet)
            .into_iter()
            .map(|heading| inert(heading).into_owned()),
    )?;
    for (label, cells) in all_rows(sheet) {
        let mut record = vec![inert(label).into_owned()];
        record.extend(cells.into_iter().map(|cell| match cell {
            Cell::Count(n) => n.to_string(),
            Cell::Decimal(Some(x)) => format!("{x:.2}"),
            Cell::Decimal(None) => String::new(),
        }));
        writer.write_record(&record)?;
    }
    Ok(writer.into_inner()?)
}

fn xlsx(sheet: &Sheet<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name("统计")?;
    let title = CellFormat::new().set_bold().set_align(FormatAlign::Left);
    let heading = CellFormat::new().set_bold().set_text_wrap();
    let decimal = CellFormat::new().set_num_format("0.00");
    let last_column = u16::try_from(COLUMNS.len() + FOLLOWUP_COLUMNS.len()).unwrap_or(u16::MAX);
    worksheet.merge_range(0, 0, 0, last_column, &sheet.title, &title)?;
    for (column, text) in headings(sheet).into_iter().enumerate() {
        let column = u16::try_from(column).unwrap_or(u16::MAX);
        worksheet.write_string_with_format(1, column, text, &heading)?;
    }
    worksheet.set_column_width(0, 24)?;
    for (index, (label, cells)) in all_rows(sheet).enumerate() {
        let row = u32::try_from(index + 2).unwrap_or(u32::MAX);
        worksheet.write_string(row, 0, label)?;
        for (offset, cell) in cells.into_iter().enumerate() {
            let column = u16::try_from(offset + 1).unwrap_or(u16::MAX);
            match cell {
                Cell::Count(n) => {
                    worksheet.write_number(row, column, n as f64)?;
                }
                Cell::Decimal(Some(x)) => {
                    worksheet.write_number_with_format(row, column, x, &decimal)?;
                }
                Cell::Decimal(None) => {}
            }
        }
    }
    worksheet.set_freeze_panes(2, 1)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formula_leading_text_is_made_inert() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(risky), format!("'{risky}"));
        }
        for plain in ["福州市公安局", "a=b", "", "'quoted"] {
            assert_eq!(inert(plain), plain);
        }
    }
}
