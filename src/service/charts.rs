//! Charts of the statistics as SVG, drawn with `plotters`: the monthly received / concluded /
//! corrected bars with the correction-rate line, and a breakdown's bars, sorted. Titles and
//! labels are Chinese and name the organ, the range and the rate definition, so a chart pasted
//! alone into a report still says what it counts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The face named in the SVG; a viewer without it substitutes another CJK face.
const FONT: &str = "Noto Sans CJK SC";

/// The smallest and largest chart a request may ask for, in pixels: room for twelve months'
/// labels, and no more than a 4K screen so one request cannot ask for a gigapixel image.
pub const WIDTHS: std::ops::RangeInclusive<u32> = 320..=3840;
/// See [`WIDTHS`].
pub const HEIGHTS: std::ops::RangeInclusive<u32> = 240..=2160;

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
    font: &str,
    caption: &Caption,
    months: &[MonthBar],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(64);
    top.draw(&Text::new(
        caption.title.clone(),
        (16, 8),
        (font, 22).into_font(),
    ))?;
    top.draw(&Text::new(
        caption.subtitle.clone(),
        (16, 38),
        (font, 14).into_font().color(&BLACK.mix(0.7)),
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
        .x_label_style((font, 12))
        .y_desc("件数")
        .axis_desc_style((font, 14))
        .label_style((font, 12))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("纠错率（%）")
        .axis_desc_style((font, 14))
        .label_style((font, 12))
        .draw()?;
    let series: [(&str, RGBColor, Figure); 3] = [
        ("收案", RECEIVED, |m| m.received),
        ("审结", CONCLUDED, |m| m.concluded),
        ("纠错", CORRECTED, |m| m.corrected),
    ];
    for (index, (name, color, value)) in series.into_iter().enumerate() {
        let offset = 0.15 + 0.23 * index as f64;
        chart
            // An empty bar is left out: drawn, it is a rectangle of no height.
            .draw_series(
                months
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| value(m) > 0)
                    .map(|(i, m)| {
                        let x = i as f64 + offset;
                        Rectangle::new([(x, 0), (x + 0.22, value(m))], color.filled())
                    }),
            )?
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
        .label_font((font, 12))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    root.present()
}

/// Draws a breakdown's bars, in the order given (the caller sorts).
fn draw_breakdown<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    font: &str,
    caption: &Caption,
    figure: &str,
    groups: &[(String, u64)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(64);
    top.draw(&Text::new(
        caption.title.clone(),
        (16, 8),
        (font, 22).into_font(),
    ))?;
    top.draw(&Text::new(
        caption.subtitle.clone(),
        (16, 38),
        (font, 14).into_font().color(&BLACK.mix(0.7)),
    ))?;
    let n = groups.len().max(1);
    let max = groups.iter().map(|g| g.1).max().unwrap_or(0).max(1);
    let labels: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    // Names wider than their bar's slot (34 respondents on one chart) are turned to read
    // downwards from their bar, in an axis area as deep as the longest name, so they neither
    // overlap nor clip. Plotters centres an axis label on its tick, so turned ones are drawn here.
    let (width, height) = body.dim_in_pixel();
    let slot = width.saturating_sub(56 + 24) / n as u32;
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32 * 12;
    let turned = widest + 4 > slot;
    let label_area = if turned {
        (widest + 16).min(height / 2)
    } else {
        48
    };
    let mut chart = ChartBuilder::on(&body)
        .margin(12)
        .x_label_area_size(label_area)
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..n as f64, 0u64..max + max / 10 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            let centre = x - x.floor();
            if !turned && (centre - 0.5).abs() < 1e-6 {
                labels.get(x.floor() as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(format!("{figure}（件）"))
        .axis_desc_style((font, 14))
        .label_style((font, 12))
        .draw()?;
    chart.draw_series(
        groups
            .iter()
            .enumerate()
            .filter(|(_, (_, value))| *value > 0)
            .map(|(i, (_, value))| {
                let x = i as f64;
                Rectangle::new([(x + 0.2, 0), (x + 0.8, *value)], RECEIVED.filled())
            }),
    )?;
    if turned {
        let style = (font, 12)
            .into_font()
            .transform(FontTransform::Rotate90)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, label) in labels.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0));
            root.draw(&Text::new(label.clone(), (x, y + 6), style.clone()))?;
        }
    }
    root.present()
}

/// A chart to draw, with its words and figures.
#[derive(Debug, Clone)]
pub enum Chart {
    /// Received, concluded and corrected bars per month with the correction-rate line.
    Monthly {
        caption: Caption,
        months: Vec<MonthBar>,
    },
    /// One bar per group, in the order given (the caller sorts).
    Breakdown {
        caption: Caption,
        /// The Chinese name of the figure drawn (收案, 审结…).
        figure: String,
        groups: Vec<(String, u64)>,
    },
}

impl Chart {
    /// The chart as an SVG document naming `family` as its face.
    fn svg_in(&self, size: Size, family: &str) -> anyhow::Result<String> {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (size.width, size.height)).into_drawing_area();
        match self {
            Self::Monthly { caption, months } => draw_monthly(root, family, caption, months),
            Self::Breakdown {
                caption,
                figure,
                groups,
            } => draw_breakdown(root, family, caption, figure, groups),
        }
        .map_err(draw_error)?;
        Ok(svg)
    }

    /// The chart as an SVG document; its text names a CJK face the viewer supplies.
    pub fn svg(&self, size: Size) -> anyhow::Result<String> {
        self.svg_in(size, FONT)
    }

    /// The chart as a PNG of `size` times `scale` pixels, its text in `font`. It is the SVG
    /// rasterised, so both representations show the same chart; `scale` sharpens a chart printed
    /// at a fixed width (the report draft) without changing its layout.
    pub fn png(&self, size: Size, scale: u32, font: &ChartFont) -> anyhow::Result<Vec<u8>> {
        let svg = self.svg_in(size, &font.family)?;
        let options = resvg::usvg::Options {
            fontdb: font.faces.clone(),
            font_family: font.family.clone(),
            ..resvg::usvg::Options::default()
        };
        let tree = resvg::usvg::Tree::from_str(&svg, &options)?;
        let scale = scale.max(1);
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width * scale, size.height * scale)
            .ok_or_else(|| anyhow::anyhow!("a {size:?} chart at {scale}x has no pixels"))?;
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::from_scale(scale as f32, scale as f32),
            &mut pixmap.as_mut(),
        );
        Ok(pixmap.encode_png()?)
    }
}

/// Characters every chart writes; a face that lacks one would draw boxes.
const SAMPLE: &str = "行政复议收案审结纠错率件月被申请人至含下级口径";

/// Where a font with Chinese glyphs usually is, tried in order when `FUYI_CHART_FONT` is unset.
pub const SYSTEM_FONTS: &[&str] = &[
    // Debian and Ubuntu (`fonts-noto-cjk`).
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    // Arch (`noto-fonts-cjk`), Fedora (`google-noto-sans-cjk-fonts`, older `…-ttc-fonts`).
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    // Debian (`fonts-wqy-microhei`, `fonts-wqy-zenhei`).
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    // macOS and Windows.
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
];

/// A font PNG charts can write Chinese with: the faces of one file, and the family picked.
#[derive(Clone)]
pub struct ChartFont {
    faces: std::sync::Arc<resvg::usvg::fontdb::Database>,
    /// The family the charts' text is set in.
    pub family: String,
    /// The file it came from.
    pub path: std::path::PathBuf,
}

impl std::fmt::Debug for ChartFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartFont")
            .field("family", &self.family)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Whether the face at `index` of `data` has a glyph for every character of [`SAMPLE`].
fn covers_sample(data: &[u8], index: u32) -> bool {
    use skrifa::MetadataProvider;
    skrifa::FontRef::from_index(data, index).is_ok_and(|font| {
        let charmap = font.charmap();
        SAMPLE.chars().all(|c| charmap.map(c).is_some())
    })
}

impl ChartFont {
    /// Loads the font file at `path` (`.ttf`, `.otf` or a `.ttc` collection) and picks a face
    /// with every Chinese character the charts write, preferring a Simplified Chinese one.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let data = std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))?;
        let mut faces = resvg::usvg::fontdb::Database::new();
        faces.load_font_data(data);
        let mut families: Vec<String> = faces
            .faces()
            .filter(|face| {
                faces
                    .with_face_data(face.id, covers_sample)
                    .unwrap_or(false)
            })
            .filter_map(|face| face.families.first().map(|(name, _)| name.clone()))
            .collect();
        // `Noto Sans CJK SC` before its JP, KR and TC faces, and before the monospaced one.
        families.sort_by_key(|name| {
            (
                !name.split_whitespace().any(|word| word == "SC"),
                name.contains("Mono"),
            )
        });
        let family = families.into_iter().next().ok_or_else(|| {
            format!(
                "{}: no face in it has Chinese glyphs (or it is not a font)",
                path.display()
            )
        })?;
        Ok(Self {
            faces: std::sync::Arc::new(faces),
            family,
            path: path.to_owned(),
        })
    }

    /// The font of `setting` (`FUYI_CHART_FONT`) when set, else the first of [`SYSTEM_FONTS`]
    /// that loads. The error says what was tried.
    pub fn find(setting: Option<&std::path::Path>) -> Result<Self, String> {
        if let Some(path) = setting {
            return Self::load(path).map_err(|err| format!("FUYI_CHART_FONT={err}"));
        }
        SYSTEM_FONTS
            .iter()
            .map(std::path::Path::new)
            .filter(|path| path.is_file())
            .find_map(|path| Self::load(path).ok())
            .ok_or_else(|| {
                "FUYI_CHART_FONT is unset and no font with Chinese glyphs was found in the usual \
                 places (on Debian: apt-get install fonts-noto-cjk)"
                    .to_owned()
            })
    }
}

/// The chart font, looked for on first use and then kept (found or not) for the process's life:
/// a 20 MiB collection is read once, not per chart.
#[derive(Debug)]
pub struct ChartFonts {
    setting: Option<std::path::PathBuf>,
    found: std::sync::OnceLock<Result<ChartFont, String>>,
}

impl ChartFonts {
    /// Fonts from the `FUYI_CHART_FONT` setting (`None`: look in the usual places).
    pub fn new(setting: Option<std::path::PathBuf>) -> Self {
        Self {
            setting,
            found: std::sync::OnceLock::new(),
        }
    }

    /// The font, loading it on the first call (which reads a file: call it off the async
    /// workers); why there is none otherwise.
    pub fn get(&self) -> Result<&ChartFont, &str> {
        self.found
            .get_or_init(|| {
                let found = ChartFont::find(self.setting.as_deref());
                match &found {
                    Ok(font) => tracing::info!(family = %font.family, path = %font.path.display(), "chart font loaded"),
                    Err(why) => tracing::warn!(%why, "no chart font: PNG charts answer 406 and report drafts go without charts"),
                }
                found
            })
            .as_ref()
            .map_err(String::as_str)
    }
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
        let svg = Chart::Monthly {
            caption,
            months: months.clone(),
        }
        .svg(Size::default())
        .expect("drawn");
        assert!(svg.starts_with("<svg"), "{svg}");
        for m in &months {
            assert!(svg.contains(&m.label), "{}", m.label);
        }
        assert!(svg.contains("&lt;2023年&gt;"), "the title is escaped");
        assert!(svg.contains("纠错率"));
    }

    #[test]
    fn a_font_must_exist_and_write_chinese() {
        let missing = ChartFont::find(Some(std::path::Path::new("/nonexistent/font.ttc")))
            .expect_err("no such file");
        assert!(
            missing.starts_with("FUYI_CHART_FONT=/nonexistent/font.ttc"),
            "{missing}"
        );
        // Not a font at all: no face, so no Chinese glyphs either.
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let not_a_font = ChartFont::load(std::path::Path::new(manifest)).expect_err("not a font");
        assert!(
            not_a_font.contains("no face in it has Chinese glyphs"),
            "{not_a_font}"
        );
    }
}
