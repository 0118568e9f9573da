//! The statistics part of the annual work report as a `.docx` draft: the organ's report template
//! (stored beside its document templates, replaceable by its admin) filled with figures the
//! statistics endpoints computed, and rendered with the documents' layout.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    documents::template_organ,
    docx::{self, Block},
    error::{ServiceError, ServiceResult},
};
use crate::{
    auth::{Caller, Role},
    db,
    domain::{
        documents::{LineStyle, TemplateLine, fill, parse_template},
        report::{self, YearFigures},
        statistics::{Figures, RateDefinition},
    },
};

/// The report template as it applies to an organ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportTemplateView {
    pub organ_id: Uuid,
    /// True when the organ replaced the shipped template.
    pub customised: bool,
    /// The template text, marked like a document template (`# ` title, `= ` centred, `> `
    /// right-aligned, `- ` flush left); `{{monthly_table}}` and `{{respondent_table}}` stand alone
    /// on a line and become tables.
    pub body: String,
    /// The placeholders the report offers.
    pub placeholders: Vec<String>,
}

fn view(organ_id: Uuid, own: Option<String>) -> ReportTemplateView {
    let mut placeholders: Vec<String> = report::TEXT_PLACEHOLDERS
        .iter()
        .chain(report::BLOCK_PLACEHOLDERS)
        .map(|s| (*s).to_owned())
        .collect();
    placeholders.sort();
    ReportTemplateView {
        organ_id,
        customised: own.is_some(),
        body: own.unwrap_or_else(|| report::DEFAULT_TEMPLATE.to_owned()),
        placeholders,
    }
}

/// The report template that applies to `organ_id`: its own, else the shipped one.
pub async fn template_text(conn: &mut AsyncPgConnection, organ_id: Uuid) -> ServiceResult<String> {
    Ok(
        db::documents::template(conn, organ_id, report::TEMPLATE_KEY)
            .await?
            .unwrap_or_else(|| report::DEFAULT_TEMPLATE.to_owned()),
    )
}

/// The report template that applies to an organ within the caller's reach.
pub async fn get_template(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
) -> ServiceResult<ReportTemplateView> {
    let organ = template_organ(conn, caller, organ_id).await?;
    let own = db::documents::template(conn, organ.id, report::TEMPLATE_KEY).await?;
    Ok(view(organ.id, own))
}

fn require_admin(caller: &Caller) -> ServiceResult<()> {
    if caller.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "templates are replaced by an admin",
        ))
    }
}

/// Replaces an organ's report template (admin only); an unknown placeholder is a 422 naming it.
pub async fn put_template(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
    body: &str,
) -> ServiceResult<ReportTemplateView> {
    require_admin(caller)?;
    let organ = template_organ(conn, caller, organ_id).await?;
    report::validate_template(body)
        .map_err(|err| ServiceError::invalid_field("body", err.to_string()))?;
    db::documents::put_template(conn, organ.id, report::TEMPLATE_KEY, body, caller.user_id).await?;
    Ok(view(organ.id, Some(body.to_owned())))
}

/// Drops an organ's report template (admin only), so the shipped one applies again.
pub async fn reset_template(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
) -> ServiceResult<ReportTemplateView> {
    require_admin(caller)?;
    let organ = template_organ(conn, caller, organ_id).await?;
    db::documents::delete_template(conn, organ.id, report::TEMPLATE_KEY).await?;
    Ok(view(organ.id, None))
}

/// What a draft is made of, every figure already computed by the statistics endpoints' code.
pub struct Draft<'a> {
    pub organ_name: &'a str,
    pub year: i32,
    pub definition: RateDefinition,
    pub now: YearFigures,
    /// The previous year, compared when it has data.
    pub before: Option<YearFigures>,
    /// `(YYYY-MM, figures)` for each month of the year.
    pub months: Vec<(String, &'a Figures)>,
    /// `(respondent's name, figures)`, sorted as the breakdown sorts them.
    pub respondents: Vec<(String, &'a Figures)>,
    /// The monthly chart and the per-respondent one; none when the service has no chart font.
    pub charts: Option<Vec<Picture>>,
}

/// A chart drawn for the draft.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The PNG.
    pub png: Vec<u8>,
    /// Its width and height in pixels.
    pub pixels: (u32, u32),
}

/// The chart at `index` of the draft's, or the sentence saying it could not be drawn.
fn chart(draft: &Draft<'_>, index: usize) -> Block {
    match draft.charts.as_ref().and_then(|charts| charts.get(index)) {
        Some(picture) => Block::Picture {
            png: picture.png.clone(),
            pixels: picture.pixels,
        },
        None => Block::Line(TemplateLine {
            style: LineStyle::Centered,
            text: report::NO_CHART.to_owned(),
        }),
    }
}

fn table(headings: &[&str], rows: &[(String, &Figures)], total: &Figures) -> Block {
    let mut cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(label, figures)| report::table_row(label, figures))
        .collect();
    cells.push(report::table_row("合计", total));
    Block::Table {
        headings: headings.iter().map(|h| (*h).to_owned()).collect(),
        rows: cells,
    }
}

/// Fills `template` with the draft's figures and renders it as a `.docx`. A line that held only
/// placeholders and came out empty (the year-on-year sentence of a first year) is left out.
pub fn render(template: &str, draft: &Draft<'_>) -> ServiceResult<Vec<u8>> {
    let values = report::values(
        draft.organ_name,
        draft.year,
        draft.definition,
        &draft.now,
        draft.before.as_ref(),
    );
    let mut blocks = Vec::new();
    for line in parse_template(template) {
        match report::block_of(&line.text) {
            Some("monthly_table") => blocks.push(table(
                &report::MONTHLY_HEADINGS,
                &draft.months,
                &draft.now.figures,
            )),
            Some("respondent_table") => blocks.push(table(
                &report::RESPONDENT_HEADINGS,
                &draft.respondents,
                &draft.now.figures,
            )),
            Some("monthly_chart") => blocks.push(chart(draft, 0)),
            Some(_) => blocks.push(chart(draft, 1)),
            None => {
                let text = fill(&line.text, &values);
                if text.trim().is_empty() && !line.text.trim().is_empty() {
                    continue;
                }
                blocks.push(Block::Line(TemplateLine {
                    style: line.style,
                    text,
                }));
            }
        }
    }
    docx::render_blocks(&blocks).map_err(ServiceError::internal)
}
