//! Renders a filled template as a `.docx` in the GB/T 9704-2012 layout: A4, margins 37 mm top,
//! 35 mm bottom, 28 mm left, 26 mm right; the title in 小标宋 2号 (22 pt), the body in
//! 仿宋_GB2312 3号 (16 pt) with a fixed 28.95 pt line pitch (22 lines a page). Fonts are named, not
//! embedded: Word or WPS on an office machine has them, and substitutes where it does not.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType, Table, TableCell, TableRow,
};

use crate::domain::documents::{LineStyle, TemplateLine};

/// The title face (方正小标宋简体 is what offices install as 小标宋).
pub const TITLE_FONT: &str = "方正小标宋简体";
/// The body face.
pub const BODY_FONT: &str = "仿宋_GB2312";
/// 2号 in half-points.
const TITLE_SIZE: usize = 44;
/// 3号 in half-points.
const BODY_SIZE: usize = 32;
/// A4 in twentieths of a point.
const A4_TWIPS: (u32, u32) = (11_906, 16_838);

/// Millimetres in twentieths of a point.
fn mm(value: f64) -> i32 {
    // 1 mm = 72 / 25.4 pt = 56.69 twips; page sizes are far below i32's range.
    (value * 1440.0 / 25.4).round() as i32
}

fn fonts(face: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(face)
        .ascii(face)
        .hi_ansi(face)
        .cs(face)
}

/// A piece of a document: a filled template line, or a table.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph.
    Line(TemplateLine),
    /// A table: its heading row, then its rows (cells as text).
    Table {
        headings: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A PNG picture of `pixels` (width, height), centred at the full width of the text.
    Picture { png: Vec<u8>, pixels: (u32, u32) },
}

/// The width of the text on the page: A4's 210 mm less the 28 and 26 mm margins.
const TEXT_WIDTH_MM: f64 = 156.0;
/// English Metric Units in a millimetre (pictures are sized in EMU).
const EMU_PER_MM: f64 = 36_000.0;

/// A paragraph holding `png` at the text's full width, its height in proportion.
fn picture(png: &[u8], (width, height): (u32, u32)) -> Paragraph {
    let emu_width = TEXT_WIDTH_MM * EMU_PER_MM;
    let emu_height = emu_width * f64::from(height) / f64::from(width.max(1));
    // Both are below 6e6, far inside u32.
    let pic = docx_rs::Pic::new_with_dimensions(png.to_vec(), width, height)
        .size(emu_width.round() as u32, emu_height.round() as u32);
    Paragraph::new()
        .add_run(Run::new().add_image(pic))
        .align(AlignmentType::Center)
}

/// Renders `lines` (already filled) as a `.docx`.
pub fn render(lines: &[TemplateLine]) -> anyhow::Result<Vec<u8>> {
    let blocks: Vec<Block> = lines.iter().cloned().map(Block::Line).collect();
    render_blocks(&blocks)
}

/// Table text in 仿宋 4号 (14 pt): 3号 is too wide for six columns on A4.
const TABLE_SIZE: usize = 28;

fn table(headings: &[String], rows: &[Vec<String>]) -> Table {
    let cell = |text: &str, bold: bool| {
        let mut run = Run::new()
            .add_text(text)
            .fonts(fonts(BODY_FONT))
            .size(TABLE_SIZE);
        if bold {
            run = run.bold();
        }
        TableCell::new().add_paragraph(Paragraph::new().add_run(run).align(AlignmentType::Center))
    };
    let mut all = vec![TableRow::new(
        headings.iter().map(|h| cell(h, true)).collect(),
    )];
    all.extend(
        rows.iter()
            .map(|row| TableRow::new(row.iter().map(|c| cell(c, false)).collect())),
    );
    Table::new(all).align(docx_rs::TableAlignmentType::Center)
}

/// Renders `blocks` (already filled) as a `.docx`.
pub fn render_blocks(blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    let margins = PageMargin::new()
        .top(mm(37.0))
        .bottom(mm(35.0))
        .left(mm(28.0))
        .right(mm(26.0))
        .header(mm(15.0))
        .footer(mm(28.0));
    let mut doc = Docx::new()
        .page_size(A4_TWIPS.0, A4_TWIPS.1)
        .page_margin(margins)
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE);
    // 28.95 pt in twips: the 22-lines-a-page pitch of the standard.
    let pitch = LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(579);
    for block in blocks {
        let line = match block {
            Block::Line(line) => line,
            Block::Table { headings, rows } => {
                doc = doc.add_table(table(headings, rows));
                continue;
            }
            Block::Picture { png, pixels } => {
                // No fixed line pitch: an exact 28.95 pt line would clip the picture to one line.
                doc = doc.add_paragraph(picture(png, *pixels));
                continue;
            }
        };
        let (face, size) = match line.style {
            LineStyle::Title => (TITLE_FONT, TITLE_SIZE),
            _ => (BODY_FONT, BODY_SIZE),
        };
        let run = Run::new()
            .add_text(&line.text)
            .fonts(fonts(face))
            .size(size);
        let paragraph = Paragraph::new().add_run(run).line_spacing(pitch.clone());
        let paragraph = match line.style {
            LineStyle::Title | LineStyle::Centered => paragraph.align(AlignmentType::Center),
            LineStyle::Right => {
                paragraph
                    .align(AlignmentType::Right)
                    .indent(None, None, Some(mm(8.0)), None)
            }
            LineStyle::Flush => paragraph.align(AlignmentType::Both),
            // Two characters of 16 pt: 640 twips.
            LineStyle::Body => paragraph.align(AlignmentType::Both).indent(
                None,
                Some(SpecialIndentType::FirstLine(640)),
                None,
                None,
            ),
        };
        doc = doc.add_paragraph(paragraph);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::domain::documents::parse_template;

    fn part(docx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
        let mut text = String::new();
        archive
            .by_name(name)
            .expect("the part")
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    }

    #[test]
    fn the_layout_follows_gb_t_9704() {
        let docx = render(&parse_template(
            "# 行政复议决定书\n= 榕复决字〔2024〕1号\n正文\n> 二〇二四年三月五日",
        ))
        .expect("rendered");
        let document = part(&docx, "word/document.xml");
        assert!(
            document.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
            "A4"
        );
        for margin in [
            r#"w:top="2098""#,
            r#"w:bottom="1984""#,
            r#"w:left="1587""#,
            r#"w:right="1474""#,
        ] {
            assert!(document.contains(margin), "{margin}");
        }
        assert!(document.contains(TITLE_FONT) && document.contains(r#"<w:sz w:val="44""#));
        assert!(document.contains(BODY_FONT) && document.contains(r#"<w:sz w:val="32""#));
        assert!(document.contains("榕复决字〔2024〕1号"));
        assert!(document.contains("二〇二四年三月五日"));
        // Named, not embedded.
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&docx)).expect("zip");
        assert!((0..archive.len()).all(|i| {
            let name = archive
                .by_index(i)
                .map(|f| f.name().to_owned())
                .unwrap_or_default();
            !name.contains("fonts/")
        }));
    }
}
