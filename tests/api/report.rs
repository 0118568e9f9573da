//! The annual report's statistics draft (`/statistics/report`): read back from the `.docx`, every
//! figure equals the JSON the statistics endpoints answer for the same query; the wording is the
//! organ's replaceable template.

use std::io::{Cursor, Read};

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::{
    statistics::{quarter, received},
    support::{TestApp, TestUser, status_and_json},
};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A `.docx` read back: its paragraphs outside tables, its tables (rows of cell texts), and its
/// pictures (the `word/media/*` parts).
pub struct DocxText {
    pub paragraphs: Vec<String>,
    pub tables: Vec<Vec<Vec<String>>>,
    pub media: Vec<Vec<u8>>,
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The concatenated `<w:t>` texts of an XML fragment.
fn runs_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<w:t") {
        let after = &rest[start + 4..];
        // `<w:tbl>`, `<w:tc>`, `<w:tr>`… are not text runs.
        if !(after.starts_with('>') || after.starts_with(' ')) {
            rest = after;
            continue;
        }
        let open_end = after.find('>').expect("tag closes");
        let body = &after[open_end + 1..];
        let close = body.find("</w:t>").expect("text closes");
        out.push_str(&unescape(&body[..close]));
        rest = &body[close..];
    }
    out
}

/// Splits `xml` on an element's open and close tags, returning each element's inner XML.
fn elements<'a>(xml: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(open) {
        let after = &rest[start..];
        let end = after.find(close).expect("element closes");
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

/// Reads a `.docx`'s body back as text.
pub fn read_docx(bytes: &[u8]) -> DocxText {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("the body part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let tables = elements(&xml, "<w:tbl>", "</w:tbl>")
        .into_iter()
        .map(|table| {
            elements(table, "<w:tr", "</w:tr>")
                .into_iter()
                .map(|row| {
                    elements(row, "<w:tc>", "</w:tc>")
                        .into_iter()
                        .map(runs_text)
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut outside = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<w:tbl>") {
        outside.push_str(&rest[..start]);
        let end = rest[start..].find("</w:tbl>").expect("table closes");
        rest = &rest[start + end + "</w:tbl>".len()..];
    }
    outside.push_str(rest);
    let paragraphs = elements(&outside, "<w:p>", "</w:p>")
        .into_iter()
        .chain(elements(&outside, "<w:p ", "</w:p>"))
        .map(runs_text)
        .filter(|text| !text.is_empty())
        .collect();
    let names: Vec<String> = archive
        .file_names()
        .filter(|name| name.starts_with("word/media/") && !name.ends_with('/'))
        .map(str::to_owned)
        .collect();
    let media = names
        .iter()
        .map(|name| {
            let mut bytes = Vec::new();
            archive
                .by_name(name)
                .expect("a listed part")
                .read_to_end(&mut bytes)
                .expect("the picture");
            bytes
        })
        .collect();
    DocxText {
        paragraphs,
        tables,
        media,
    }
}

/// A PNG's width and height, decoding every pixel (so a truncated or corrupt image fails), and
/// whether it has bars of the colour `rgb`: a thousand pixels of it (at 1x; the legend's swatch
/// and empty bars' edges make a few hundred).
pub fn decode_png(bytes: &[u8], rgb: [u8; 3]) -> ((u32, u32), bool) {
    let mut reader = png::Decoder::new(Cursor::new(bytes))
        .read_info()
        .expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let frame = reader.next_frame(&mut pixels).expect("every pixel decodes");
    let channels = frame.color_type.samples();
    assert_eq!(frame.bit_depth, png::BitDepth::Eight);
    let coloured = pixels[..frame.buffer_size()]
        .chunks(channels)
        .filter(|pixel| pixel[..3] == rgb)
        .count();
    let scale = (frame.width as usize / 960).max(1);
    ((frame.width, frame.height), coloured > 1000 * scale * scale)
}

/// The colour of the received-cases bars.
pub const RECEIVED_BLUE: [u8; 3] = [0x4e, 0x79, 0xa7];

async fn get_json(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let (status, body) = status_and_json(
        app.as_user(user, Method::GET, path)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// Fetches the draft and checks it is a `.docx`.
pub async fn draft(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> (StatusCode, Option<DocxText>, String) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.bytes().await.expect("body");
    if status == StatusCode::OK {
        assert_eq!(content_type, DOCX);
        (status, Some(read_docx(&bytes)), String::new())
    } else {
        (status, None, String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn percent(rate: &Value) -> String {
    rate["percent"]
        .as_f64()
        .map_or_else(|| "—".to_owned(), |p| format!("{p:.2}%"))
}

/// The table row the draft prints for a JSON row or total: received, accepted, concluded,
/// corrected and the correction rate.
fn expected_row(label: &str, figures: &Value) -> Vec<String> {
    let mut row = vec![label.to_owned()];
    for name in ["received", "accepted", "concluded", "corrected"] {
        row.push(figures["counts"][name].as_u64().expect(name).to_string());
    }
    row.push(percent(&figures["correction_rate"]));
    row
}

/// Every number in `text` (a run of digits, with its decimals).
fn numbers_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            found.push(current.trim_end_matches('.').to_owned());
            current.clear();
        }
    }
    found
}

/// Every number anywhere in a JSON value, as the draft would print it.
fn numbers_of(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_u64() {
                into.push(i.to_string());
            } else if let Some(f) = n.as_f64() {
                into.push(format!("{f:.2}"));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| numbers_of(v, into)),
        Value::Object(map) => map.values().for_each(|v| numbers_of(v, into)),
        _ => {}
    }
}

#[tokio::test]
async fn every_number_in_the_draft_equals_the_json_for_the_same_query() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    // One application in the previous year, so the draft compares the years.
    received(&app, app.respondent, "2023-12-28").await;

    let url = format!("{}/api/v1/statistics/report?year=2024", app.address);
    let (status, docx, problem) = draft(&app.client, &url, &app.statistician.token).await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let docx = docx.expect("a draft");
    let monthly = get_json(
        &app,
        &app.statistician,
        "/api/v1/statistics/monthly?from=2024-01&to=2024-12",
    )
    .await;
    let breakdown = get_json(
        &app,
        &app.statistician,
        "/api/v1/statistics/breakdown?by=respondent&from=2024-01-01&to=2024-12-31",
    )
    .await;
    let total = &monthly["total"];

    // The tables: one row per month and one per respondent, each with the total.
    assert_eq!(docx.tables.len(), 2, "{:?}", docx.tables);
    let mut months: Vec<Vec<String>> = monthly["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| expected_row(row["month"].as_str().expect("month"), row))
        .collect();
    months.push(expected_row("合计", total));
    assert_eq!(docx.tables[0][1..], months[..]);
    assert_eq!(docx.tables[0].len(), 14, "heading, twelve months, total");
    let mut groups: Vec<Vec<String>> = breakdown["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| expected_row(row["label"].as_str().expect("label"), row))
        .collect();
    groups.push(expected_row("合计", &breakdown["total"]));
    assert_eq!(docx.tables[1][1..], groups[..]);

    // The prose: the report's sentences with the JSON's figures, in the report's style.
    let text = docx.paragraphs.join("\n");
    let counts = &total["counts"];
    for (words, name) in [
        ("全年共收到行政复议申请", "received"),
        ("受理", "accepted"),
        ("全年共审结", "concluded"),
        ("撤销", "revoked"),
        ("调解结案", "mediated"),
        ("申请人撤回申请", "withdrawn"),
    ] {
        let sentence = format!("{words}{}件", counts[name]);
        assert!(text.contains(&sentence), "{sentence} in {text}");
    }
    assert!(text.contains(&format!("纠错率达{}", percent(&total["correction_rate"]))));
    let rate = &total["correction_rate"];
    assert!(
        text.contains(&format!(
            "纠错案件{}÷{}",
            rate["numerator"], rate["denominator"]
        )),
        "the note gives the numerator and denominator: {text}"
    );
    assert!(
        text.contains("作出实体决定的案件数"),
        "the definition is named"
    );
    assert!(text.contains(&format!(
        "调撤率{}",
        percent(&total["mediation_withdrawal_rate"])
    )));
    // Every other number in the prose is a JSON figure of the year, the year itself, or in the
    // year-on-year sentence (which compares with the previous year's JSON).
    let before = get_json(
        &app,
        &app.statistician,
        "/api/v1/statistics/monthly?from=2023-01&to=2023-12",
    )
    .await;
    assert_eq!(before["total"]["counts"]["received"], 1);
    let comparison = docx
        .paragraphs
        .iter()
        .find(|p| p.starts_with("与2023年相比"))
        .unwrap_or_else(|| panic!("a year-on-year sentence in {text}"));
    let received_now = counts["received"].as_u64().expect("received");
    assert!(
        comparison.contains(&format!("收到申请增加{}件", received_now - 1)),
        "{comparison}"
    );
    // The monthly and per-respondent charts are embedded as pictures (this machine has a CJK
    // font). Decoded after the last request: decoding is slow unoptimised, and a pooled connection
    // left idle that long may be closed by the server as the next request goes out.
    assert_eq!(docx.media.len(), 2, "two charts");
    for picture in &docx.media {
        let (size, has_bars) = decode_png(picture, RECEIVED_BLUE);
        assert_eq!(size, (1920, 1080), "drawn at twice 960×540 for print");
        assert!(has_bars);
    }
    assert!(!docx.paragraphs.iter().any(|p| p.contains("此处应有图表")));
    let mut known = Vec::new();
    numbers_of(&monthly, &mut known);
    known.push("2024".to_owned());
    for paragraph in docx.paragraphs.iter().filter(|p| *p != comparison) {
        for number in numbers_in(paragraph) {
            assert!(
                known.contains(&number),
                "{number} in “{paragraph}” is not a figure of the JSON answer"
            );
        }
    }
}

#[tokio::test]
async fn an_admin_replaces_the_report_wording_per_organ() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    let path = format!("/api/v1/organs/{}/report-template", app.city.id);
    let shipped = get_json(&app, &app.statistician, &path).await;
    assert_eq!(shipped["customised"], false);
    assert!(
        shipped["placeholders"]
            .as_array()
            .expect("placeholders")
            .contains(&json!("monthly_table"))
    );

    let (status, problem) = status_and_json(
        app.as_user(&app.admin, Method::PUT, &path)
            .json(&json!({"body": "# 统计\n{{case_number}}"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("case_number"), "{problem}");
    let (status, _) = status_and_json(
        app.as_user(&app.statistician, Method::PUT, &path)
            .json(&json!({"body": "# 统计\n本年审结{{concluded}}。"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, view) = status_and_json(
        app.as_user(&app.admin, Method::PUT, &path)
            .json(&json!({"body": "# {{organ_name}}复议统计\n本年审结{{concluded}}。\n{{monthly_table}}"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["customised"], true);
    let url = format!("{}/api/v1/statistics/report?year=2024", app.address);
    let (_, docx, _) = draft(&app.client, &url, &app.statistician.token).await;
    let docx = docx.expect("a draft");
    assert_eq!(
        docx.paragraphs,
        vec![
            format!("{}复议统计", app.city.name),
            "本年审结5件。".to_owned()
        ]
    );
    assert_eq!(docx.tables.len(), 1);

    // Heads read the draft too; officers do not; the shipped wording comes back on reset.
    let (status, _, problem) = draft(&app.client, &url, &app.officer.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, problem) = status_and_json(
        app.as_user(&app.admin, Method::DELETE, &path)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let (status, docx, _) = draft(&app.client, &url, &app.head.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(docx.expect("a draft").tables.len(), 2);

    let bad = format!("{}/api/v1/statistics/report?year=1066", app.address);
    let (status, _, problem) = draft(&app.client, &bad, &app.statistician.token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem.contains("year"), "{problem}");
}

/// Fetches `path` with `Accept: accept`: the status, the content type and the body's bytes.
async fn fetch_bytes(app: &TestApp, path: &str, accept: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app
        .as_user(&app.statistician, Method::GET, path)
        .header(header::ACCEPT, accept)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.expect("body").to_vec(),
    )
}

/// Fetches `path` with `Accept: accept`: the status, the content type and the body.
async fn fetch(app: &TestApp, path: &str, accept: Option<&str>) -> (StatusCode, String, String) {
    let mut request = app.as_user(&app.statistician, Method::GET, path);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}

/// Parses `svg` as XML to its end; panics naming the error if it is not well-formed.
fn assert_well_formed(svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut root = None;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(tag)) if root.is_none() => {
                root = Some(String::from_utf8_lossy(tag.name().as_ref()).into_owned());
            }
            Ok(_) => {}
            Err(err) => panic!("not well-formed at {}: {err}", reader.buffer_position()),
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
}

#[tokio::test]
async fn the_figures_draw_as_svg_charts_with_the_same_filters_as_the_json() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    let monthly = "/api/v1/statistics/monthly?from=2024-01&to=2024-12";

    let (status, content_type, svg) = fetch(&app, monthly, Some("image/svg+xml")).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(content_type, "image/svg+xml");
    assert_well_formed(&svg);
    assert!(svg.contains(&app.city.name), "the organ is named");
    assert!(
        svg.contains("2024-01-01 至 2024-12-31"),
        "the range is named"
    );
    assert!(svg.contains("纠错率口径"), "the rate definition is named");
    for month in 1..=12 {
        let label = format!("2024-{month:02}");
        assert!(svg.contains(&label), "{label} is labelled");
    }
    // The same filters as the JSON: another organ's scope draws another title.
    let district = format!("{monthly}&organ={}", app.district.id);
    let (status, _, svg) = fetch(&app, &district, Some("image/svg+xml")).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert!(svg.contains(&app.district.name));
    let (status, _, problem) = fetch(
        &app,
        &format!("{monthly}&organ={}", uuid::Uuid::nil()),
        Some("image/svg+xml"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");

    // Existing clients are unchanged: no Accept, or JSON asked for, is JSON.
    for accept in [
        None,
        Some("application/json"),
        Some("application/json, image/svg+xml"),
    ] {
        let (status, content_type, body) = fetch(&app, monthly, accept).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(content_type.starts_with("application/json"), "{accept:?}");
    }
    // A summary has no chart.
    let (status, _, problem) = fetch(
        &app,
        "/api/v1/statistics/summary?from=2024-01-01&to=2024-12-31",
        Some("image/svg+xml"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{problem}");

    let breakdown = "/api/v1/statistics/breakdown?by=respondent&from=2024-01-01&to=2024-12-31";
    let (status, content_type, svg) = fetch(&app, breakdown, Some("image/svg+xml")).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(content_type, "image/svg+xml");
    assert_well_formed(&svg);
    let (_, _, json) = fetch(&app, breakdown, None).await;
    let json: Value = serde_json::from_str(&json).expect("json");
    for row in json["rows"].as_array().expect("rows") {
        let label = row["label"].as_str().expect("label");
        assert!(svg.contains(label), "{label} is labelled");
    }
    assert!(svg.contains("按被申请人统计的审结案件"), "{svg}");
}

#[tokio::test]
async fn png_charts_decode_at_the_requested_size_in_the_requested_scope() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    let monthly = "/api/v1/statistics/monthly?from=2024-01&to=2024-12";

    let (status, content_type, png) = fetch_bytes(
        &app,
        &format!("{monthly}&width=800&height=600"),
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
    assert_eq!(content_type, "image/png");
    let (size, has_bars) = decode_png(&png, RECEIVED_BLUE);
    assert_eq!(size, (800, 600));
    assert!(has_bars, "the received bars are drawn");

    // The default size, on the breakdown too; the SVG takes the same size.
    let breakdown = "/api/v1/statistics/breakdown?by=respondent&from=2024-01-01&to=2024-12-31";
    let (status, content_type, png) = fetch_bytes(&app, breakdown, "image/png").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "image/png");
    assert_eq!(decode_png(&png, RECEIVED_BLUE), ((960, 540), true));
    let (status, _, svg) = fetch(
        &app,
        &format!("{breakdown}&width=1200&height=700"),
        Some("image/svg+xml"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        svg.contains(r#"width="1200" height="700""#),
        "{}",
        &svg[..200.min(svg.len())]
    );

    // The same filters as the JSON: a scope with no cases draws no bars.
    let (status, _, png) = fetch_bytes(
        &app,
        &format!("{monthly}&respondent={}", uuid::Uuid::nil()),
        "image/png",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(decode_png(&png, RECEIVED_BLUE), ((960, 540), false));

    // Sizes outside the limits are refused, naming the parameter.
    for (query, field) in [("width=100", "width"), ("height=5000", "height")] {
        let (status, _, problem) =
            fetch(&app, &format!("{monthly}&{query}"), Some("image/png")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(problem.contains(field), "{problem}");
    }
}

#[tokio::test]
async fn without_a_chart_font_png_is_406_and_the_draft_says_where_its_charts_would_be() {
    let app =
        TestApp::spawn_with(&[("FUYI_CHART_FONT", "/nonexistent/NotoSansCJK-Regular.ttc")]).await;
    quarter(&app).await;
    let monthly = "/api/v1/statistics/monthly?from=2024-01&to=2024-12";

    for path in [
        monthly,
        "/api/v1/statistics/breakdown?by=domain&from=2024-01-01&to=2024-12-31",
    ] {
        let (status, content_type, problem) = fetch(&app, path, Some("image/png")).await;
        assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{problem}");
        assert!(content_type.starts_with("application/problem+json"));
        let problem: Value = serde_json::from_str(&problem).expect("problem+json");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(
            detail.contains("Chinese glyphs") && detail.contains("FUYI_CHART_FONT"),
            "{detail}"
        );
    }
    // SVG needs no font.
    let (status, content_type, _) = fetch(&app, monthly, Some("image/svg+xml")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "image/svg+xml");

    let url = format!("{}/api/v1/statistics/report?year=2024", app.address);
    let (status, docx, problem) = draft(&app.client, &url, &app.statistician.token).await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let docx = docx.expect("a draft");
    assert!(docx.media.is_empty(), "no pictures without a font");
    let notes = docx
        .paragraphs
        .iter()
        .filter(|p| p.contains("此处应有图表") && p.contains("FUYI_CHART_FONT"))
        .count();
    assert_eq!(notes, 2, "{:?}", docx.paragraphs);
    assert_eq!(docx.tables.len(), 2, "the tables are there all the same");
}
