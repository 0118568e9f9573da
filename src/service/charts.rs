//! Charts of the statistics as SVG, drawn with `plotters`: the monthly received / concluded /
//! corrected bars with the correction-rate line, and a breakdown's bars, sorted. Titles and
//! labels are Chinese and name the organ, the range and the rate definition, so a chart pasted
//! alone into a report still says what it counts.

use plotters::prelude::*;

/// The face named in the SVG; a viewer without it substitutes another CJK face.
const FONT: &str = "Noto Sans CJK SC";

/// Size of a chart in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Default for Size {
    fn default() -> Self {
        Self {
            width: 960,
            height: 540,
        }
    }
}

/// One month's figures as the monthly chart draws them.
#[derive(Debug, Clone)]
pub struct MonthBar {
    /// The month's label, `YYYY-MM`.
    pub label: String,
    pub received: u64,
    pub concluded: u64,
    pub corrected: u64,
    /// The correction rate in percent; none when nothing was in its base.
    pub rate: Option<f64>,
}

/// A chart's words: the title (organ and range) and the subtitle (what is counted, how).
#[derive(Debug, Clone)]
pub struct Caption {
    pub title: String,
    pub subtitle: String,
}

const RECEIVED: RGBColor = RGBColor(0x4e, 0x79, 0xa7);
const CONCLUDED: RGBColor = RGBColor(0x59, 0xa1, 0x4f);
const CORRECTED: RGBColor = RGBColor(0xe1, 0x57, 0x59);
const RATE: RGBColor = RGBColor(0xf2, 0x8e, 0x2b);

fn draw_error<E: std::error::Error + Send + Sync + 'static>(
    err: DrawingAreaErrorKind<E>,
) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart: {err}")
}

/// Reads one bar's figure from a month.
type Figure = fn(&MonthBar) -> u64;

/// Draws the monthly chart on `root`.
fn draw_monthly<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    caption: &Caption,
    months: &[MonthBar],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(64);
    top.draw(&Text::new(
        caption.title.clone(),
        (16, 8),
        (FONT, 22).into_font(),
    ))?;
    top.draw(&Text::new(
        caption.subtitle.clone(),
        (16, 38),
        (FONT, 14).into_font().color(&BLACK.mix(0.7)),
    ))?;
    let n = months.len().max(1);
    let max = months
        .iter()
        .map(|m| m.received.max(m.concluded).max(m.corrected))
        .max()
        .unwrap_or(0)
        .max(1);
    // Headroom above the tallest bar for the legend.
    let top_value = max + max / 5 + 1;
    let labels: Vec<String> = months.iter().map(|m| m.label.clone()).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .right_y_label_area_size(56)
        .build_cartesian_2d(0f64..n as f64, 0u64..top_value)?
        .set_secondary_coord(0f64..n as f64, 0f64..100f64);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            // Label each bar group at its centre only.
            let centre = x - x.floor();
            if (centre - 0.5).abs() < 1e-6 {
                labels.get(x.floor() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_label_style((FONT, 12))
        .y_desc("件数")
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 12))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("纠错率（%）")
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 12))
        .draw()?;
    let series: [(&str, RGBColor, Figure); 3] = [
        ("收案", RECEIVED, |m| m.received),
        ("审结", CONCLUDED, |m| m.concluded),
        ("纠错", CORRECTED, |m| m.corrected),
    ];
    for (index, (name, color, value)) in series.into_iter().enumerate() {
        let offset = 0.15 + 0.23 * index as f64;
        chart
            .draw_series(months.iter().enumerate().map(|(i, m)| {
                let x = i as f64 + offset;
                Rectangle::new([(x, 0), (x + 0.22, value(m))], color.filled())
            }))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    chart
        .draw_secondary_series(LineSeries::new(
            months
                .iter()
                .enumerate()
                .filter_map(|(i, m)| m.rate.map(|r| (i as f64 + 0.5, r))),
            RATE.stroke_width(2),
        ))?
        .label("纠错率")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], RATE.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 12))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    root.present()
}

/// Draws a breakdown's bars, in the order given (the caller sorts).
fn draw_breakdown<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    caption: &Caption,
    figure: &str,
    groups: &[(String, u64)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(64);
    top.draw(&Text::new(
        caption.title.clone(),
        (16, 8),
        (FONT, 22).into_font(),
    ))?;
    top.draw(&Text::new(
        caption.subtitle.clone(),
        (16, 38),
        (FONT, 14).into_font().color(&BLACK.mix(0.7)),
    ))?;
    let n = groups.len().max(1);
    let max = groups.iter().map(|g| g.1).max().unwrap_or(0).max(1);
    let labels: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..n as f64, 0u64..max + max / 10 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            let centre = x - x.floor();
            if (centre - 0.5).abs() < 1e-6 {
                labels.get(x.floor() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(format!("{figure}（件）"))
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 12))
        .draw()?;
    chart.draw_series(groups.iter().enumerate().map(|(i, (_, value))| {
        let x = i as f64;
        Rectangle::new([(x + 0.2, 0), (x + 0.8, *value)], RECEIVED.filled())
    }))?;
    root.present()
}

/// The monthly chart as an SVG document.
pub fn monthly_svg(caption: &Caption, months: &[MonthBar], size: Size) -> anyhow::Result<String> {
    let mut svg = String::new();
    draw_monthly(
        SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area(),
        caption,
        months,
    )
    .map_err(draw_error)?;
    Ok(svg)
}

/// A breakdown's bars of `figure` (its Chinese name) as an SVG document.
pub fn breakdown_svg(
    caption: &Caption,
    figure: &str,
    groups: &[(String, u64)],
    size: Size,
) -> anyhow::Result<String> {
    let mut svg = String::new();
    draw_breakdown(
        SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area(),
        caption,
        figure,
        groups,
    )
    .map_err(draw_error)?;
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_monthly_chart_names_every_month_and_escapes_its_words() {
        let months: Vec<MonthBar> = (1..=12)
            .map(|m| MonthBar {
                label: format!("2023-{m:02}"),
                received: 100 + m,
                concluded: 90 + m,
                corrected: 15,
                rate: (m != 3).then_some(16.5),
            })
            .collect();
        let caption = Caption {
            title: "某市司法局 <2023年> 行政复议案件".to_owned(),
            subtitle: "纠错率口径：纠错÷审结".to_owned(),
        };
        let svg = monthly_svg(&caption, &months, Size::default()).expect("drawn");
        assert!(svg.starts_with("<svg"), "{svg}");
        for m in &months {
            assert!(svg.contains(&m.label), "{}", m.label);
        }
        assert!(svg.contains("&lt;2023年&gt;"), "the title is escaped");
        assert!(svg.contains("纠错率"));
    }
}
