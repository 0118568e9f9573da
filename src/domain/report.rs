//! The statistics part of the annual work report (年度行政复议工作报告) as pure rules: the
//! placeholders its template offers, the prose figures in the report's own style (`1765件`,
//! `17.12%`), the year-on-year sentence, and the tables' cells. The figures come in already
//! computed by the statistics endpoints' own code, so the draft and the JSON cannot disagree.

use std::collections::BTreeMap;

use super::{
    documents::{LineStyle, TemplateError, parse_template, placeholders_in},
    followup::FollowupCounts,
    statistics::{Figures, Rate, RateDefinition},
};

/// The key under which an organ's own report template is stored beside its document templates.
pub const TEMPLATE_KEY: &str = "statistics_report";

/// The template shipped for the report (see [`parse_template`] for the line marks).
pub const DEFAULT_TEMPLATE: &str = include_str!("report/statistics_report.txt");

/// Placeholders that stand alone on a line and become a block (a table or a chart) rather than
/// text.
pub const BLOCK_PLACEHOLDERS: &[&str] = &[
    "monthly_table",
    "respondent_table",
    "monthly_chart",
    "respondent_chart",
];

/// What the draft says where a chart would be when the service has no font to draw it with.
pub const NO_CHART: &str = "（此处应有图表：服务器未配置含中文字形的字体，未能绘制。请管理员安装中文字体或设置FUYI_CHART_FONT后重新生成草稿。）";

/// Placeholders filled with prose.
pub const TEXT_PLACEHOLDERS: &[&str] = &[
    "organ_name",
    "year",
    "received",
    "accepted",
    "not_accepted",
    "concluded",
    "corrected",
    "corrections",
    "altered",
    "revoked",
    "confirmed_illegal",
    "ordered_to_perform",
    "confirmed_invalid",
    "upheld",
    "request_rejected",
    "application_dismissed",
    "mediated",
    "terminated",
    "withdrawn",
    "correction_rate",
    "correction_rate_definition",
    "correction_rate_numerator",
    "correction_rate_denominator",
    "mediation_withdrawal_rate",
    "letters",
    "opinion_letters",
    "recommendation_letters",
    "head_appearance_rate",
    "head_appearance_numerator",
    "head_appearance_denominator",
    "first_instance_loss_rate",
    "first_instance_loss_numerator",
    "first_instance_loss_denominator",
    "year_on_year",
];

/// A count of cases as reports write it: `1765件`.
pub fn cases(n: u64) -> String {
    format!("{n}件")
}

/// A count of letters: `26份`.
pub fn copies(n: u64) -> String {
    format!("{n}份")
}

/// A rate as reports write it: `17.12%`, always two decimals; `—` when it has no denominator.
pub fn percent(rate: &Rate) -> String {
    rate.percent
        .map_or_else(|| "—".to_owned(), |value| format!("{value:.2}%"))
}

/// The definition's name as the report explains it.
pub fn definition_zh(definition: RateDefinition) -> &'static str {
    match definition {
        RateDefinition::AllConcluded => "纠错案件数÷审结案件数",
        RateDefinition::DecidedOnMerits => {
            "纠错案件数÷作出实体决定的案件数（不含调解、终止和驳回申请）"
        }
    }
}

/// One year's figures as the report reads them.
#[derive(Debug, Clone)]
pub struct YearFigures {
    pub figures: Figures,
    pub followup: FollowupCounts,
}

impl YearFigures {
    /// Whether the year has anything on record (a year before the service has none).
    pub fn has_data(&self) -> bool {
        let c = &self.figures.counts;
        c.received + c.accepted + c.concluded > 0
    }
}

/// The corrective decisions with a count, in the report's order: `撤销158件，确认违法56件，…`.
fn corrections(figures: &Figures) -> String {
    let c = &figures.counts;
    let parts: Vec<String> = [
        ("变更", c.altered),
        ("撤销", c.revoked),
        ("确认违法", c.confirmed_illegal),
        ("责令履行", c.ordered_to_perform),
        ("确认无效", c.confirmed_invalid),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(word, n)| format!("{word}{}", cases(n)))
    .collect();
    if parts.is_empty() {
        "无纠错案件".to_owned()
    } else {
        parts.join("，")
    }
}

/// `增加12件（增长0.68%）`, `减少3件`, `持平`.
fn count_change(now: u64, before: u64) -> String {
    if now == before {
        return "持平".to_owned();
    }
    let (word, growth, diff) = if now > before {
        ("增加", "增长", now - before)
    } else {
        ("减少", "下降", before - now)
    };
    match super::statistics::percent_half_up(diff, before) {
        Some(p) => format!("{word}{}（{growth}{p:.2}%）", cases(diff)),
        None => format!("{word}{}", cases(diff)),
    }
}

/// `上升0.50个百分点` / `下降…` / `持平`; nothing when either year has no rate.
fn rate_change(now: &Rate, before: &Rate) -> Option<String> {
    let (now, before) = (now.percent?, before.percent?);
    // Both are rounded to two decimals; compare in hundredths to avoid float noise.
    let diff = ((now - before) * 100.0).round() / 100.0;
    Some(if diff > 0.0 {
        format!("上升{diff:.2}个百分点")
    } else if diff < 0.0 {
        format!("下降{:.2}个百分点", -diff)
    } else {
        "持平".to_owned()
    })
}

/// The year-on-year sentence, or nothing when the previous year has no data.
pub fn year_on_year(year: i32, now: &YearFigures, before: Option<&YearFigures>) -> String {
    let Some(before) = before.filter(|b| b.has_data()) else {
        return String::new();
    };
    let (n, b) = (&now.figures.counts, &before.figures.counts);
    let mut sentence = format!(
        "与{}年相比，收到申请{}，审结案件{}",
        year - 1,
        count_change(n.received, b.received),
        count_change(n.concluded, b.concluded),
    );
    if let Some(change) = rate_change(
        &now.figures.correction_rate,
        &before.figures.correction_rate,
    ) {
        sentence.push_str(&format!("，纠错率{change}"));
    }
    sentence.push('。');
    sentence
}

/// Every text placeholder's value for `year`.
pub fn values(
    organ_name: &str,
    year: i32,
    definition: RateDefinition,
    now: &YearFigures,
    before: Option<&YearFigures>,
) -> BTreeMap<&'static str, String> {
    let f = &now.figures;
    let c = &f.counts;
    let head = now.followup.head_appearance_rate();
    let loss = now.followup.first_instance_loss_rate();
    let letters = &now.followup.letters_issued;
    let mut v: BTreeMap<&'static str, String> = [
        ("received", c.received),
        ("accepted", c.accepted),
        ("not_accepted", c.not_accepted),
        ("concluded", c.concluded),
        ("corrected", c.corrected),
        ("altered", c.altered),
        ("revoked", c.revoked),
        ("confirmed_illegal", c.confirmed_illegal),
        ("ordered_to_perform", c.ordered_to_perform),
        ("confirmed_invalid", c.confirmed_invalid),
        ("upheld", c.upheld),
        ("request_rejected", c.request_rejected),
        ("application_dismissed", c.application_dismissed),
        ("mediated", c.mediated),
        ("terminated", c.terminated),
        ("withdrawn", c.withdrawn),
    ]
    .into_iter()
    .map(|(name, n)| (name, cases(n)))
    .collect();
    v.insert("organ_name", organ_name.to_owned());
    v.insert("year", year.to_string());
    v.insert("corrections", corrections(f));
    v.insert("correction_rate", percent(&f.correction_rate));
    v.insert(
        "correction_rate_definition",
        definition_zh(definition).into(),
    );
    v.insert(
        "correction_rate_numerator",
        f.correction_rate.numerator.to_string(),
    );
    v.insert(
        "correction_rate_denominator",
        f.correction_rate.denominator.to_string(),
    );
    v.insert(
        "mediation_withdrawal_rate",
        percent(&f.mediation_withdrawal_rate),
    );
    v.insert("letters", copies(letters.total()));
    v.insert("opinion_letters", copies(letters.opinion));
    v.insert("recommendation_letters", copies(letters.recommendation));
    v.insert("head_appearance_rate", percent(&head));
    v.insert("head_appearance_numerator", head.numerator.to_string());
    v.insert("head_appearance_denominator", head.denominator.to_string());
    v.insert("first_instance_loss_rate", percent(&loss));
    v.insert("first_instance_loss_numerator", loss.numerator.to_string());
    v.insert(
        "first_instance_loss_denominator",
        loss.denominator.to_string(),
    );
    v.insert("year_on_year", year_on_year(year, now, before));
    v
}

/// The headings of the per-month table.
pub const MONTHLY_HEADINGS: [&str; 6] = ["月份", "收案", "受理", "审结", "纠错", "纠错率"];
/// The headings of the per-respondent table.
pub const RESPONDENT_HEADINGS: [&str; 6] = ["被申请人", "收案", "受理", "审结", "纠错", "纠错率"];

/// One table row: its label, then received, accepted, concluded, corrected and the rate.
pub fn table_row(label: &str, figures: &Figures) -> Vec<String> {
    let c = &figures.counts;
    vec![
        label.to_owned(),
        c.received.to_string(),
        c.accepted.to_string(),
        c.concluded.to_string(),
        c.corrected.to_string(),
        percent(&figures.correction_rate),
    ]
}

/// Checks a report template: non-empty, closed placeholders, each one the report offers, a
/// title line, and a table placeholder only alone on its line.
pub fn validate_template(text: &str) -> Result<(), TemplateError> {
    if text.trim().is_empty() {
        return Err(TemplateError::NotText);
    }
    for name in placeholders_in(text)? {
        if !TEXT_PLACEHOLDERS.contains(&name.as_str())
            && !BLOCK_PLACEHOLDERS.contains(&name.as_str())
        {
            return Err(TemplateError::UnknownReportPlaceholder { name });
        }
    }
    let lines = parse_template(text);
    if !lines.iter().any(|line| line.style == LineStyle::Title) {
        return Err(TemplateError::NoTitle);
    }
    for line in &lines {
        for block in BLOCK_PLACEHOLDERS {
            let mark = format!("{{{{{block}}}}}");
            if line.text.contains(&mark) && line.text.trim() != mark {
                return Err(TemplateError::UnknownReportPlaceholder {
                    name: format!("{block} (a table or chart stands alone on its line)"),
                });
            }
        }
    }
    Ok(())
}

/// The table or chart a line stands for, if it is one.
pub fn block_of(text: &str) -> Option<&'static str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    BLOCK_PLACEHOLDERS.iter().copied().find(|b| *b == inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::statistics::{Counts, Durations, OpenAtEnd};

    fn year(concluded: u64, revoked: u64, received: u64) -> YearFigures {
        let counts = Counts {
            received,
            accepted: received,
            concluded,
            decided_on_merits: concluded,
            corrected: revoked,
            revoked,
            ..Counts::default()
        };
        YearFigures {
            figures: Figures::new(
                counts,
                Durations::default(),
                OpenAtEnd::default(),
                RateDefinition::AllConcluded,
            ),
            followup: FollowupCounts::default(),
        }
    }

    #[test]
    fn figures_are_written_in_the_reports_style() {
        let v = values(
            "某市司法局",
            2023,
            RateDefinition::AllConcluded,
            &year(1765, 158, 1800),
            None,
        );
        assert_eq!(v["concluded"], "1765件");
        assert_eq!(v["corrections"], "撤销158件");
        assert_eq!(v["correction_rate"], "8.95%");
        assert_eq!(v["letters"], "0份");
        // No court case heard: no rate, not a made-up 0%.
        assert_eq!(v["head_appearance_rate"], "—");
        assert_eq!(v["year_on_year"], "");
    }

    #[test]
    fn the_previous_year_is_compared_only_when_it_has_data() {
        let now = year(110, 11, 120);
        assert_eq!(year_on_year(2024, &now, Some(&year(0, 0, 0))), "");
        assert_eq!(
            year_on_year(2024, &now, Some(&year(100, 5, 100))),
            "与2023年相比，收到申请增加20件（增长20.00%），审结案件增加10件（增长10.00%），纠错率上升5.00个百分点。"
        );
        assert_eq!(
            year_on_year(2024, &year(100, 5, 100), Some(&now)),
            "与2023年相比，收到申请减少20件（下降16.67%），审结案件减少10件（下降9.09%），纠错率下降5.00个百分点。"
        );
    }

    #[test]
    fn the_shipped_template_is_valid_and_tables_stand_alone() {
        assert_eq!(validate_template(DEFAULT_TEMPLATE), Ok(()));
        assert!(validate_template("# 标题\n见{{monthly_table}}").is_err());
        assert!(validate_template("# 标题\n{{case_number}}").is_err());
        assert_eq!(block_of(" {{ monthly_table }} "), Some("monthly_table"));
        assert_eq!(block_of("{{year}}"), None);
    }
}
