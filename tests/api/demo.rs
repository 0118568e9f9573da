//! `fuyi demo`: a generated year reads as the 2023 report through the statistics API, its users
//! sign in with the demo password, and a second run is refused.

use std::{net::TcpListener, time::Instant};

use fuyi::{
    demo::{self, DemoOptions, DemoSummary},
    startup::{AppState, Application},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestDatabase, service_settings, status_and_json};

const PASSWORD: &str = "secret123";

/// A service over `db`, without the usual fixtures: the demo brings its own organs and users.
struct DemoApp {
    address: String,
    client: reqwest::Client,
    state: AppState,
}

impl DemoApp {
    fn new(db: &TestDatabase, overrides: &[(&str, &str)]) -> Self {
        let settings = service_settings(db, overrides);
        let pool = fuyi::db::pool_for(db.app_url(), &settings).expect("pool");
        let state = AppState::new(settings, pool).expect("state");
        Self {
            address: String::new(),
            client: reqwest::Client::new(),
            state,
        }
    }

    async fn generate(&self, year: i32) -> anyhow::Result<DemoSummary> {
        demo::generate(
            &self.state,
            &DemoOptions {
                year,
                password: PASSWORD.to_owned(),
                seed: demo::DEFAULT_SEED,
            },
        )
        .await
    }

    fn serve(&mut self) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::build(
            self.state.settings.clone(),
            self.state.pool.clone(),
            listener,
        )
        .expect("build");
        self.address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
    }

    async fn sign_in(&self, username: &str) -> (StatusCode, Value) {
        status_and_json(
            self.client
                .post(format!("{}/api/v1/auth/token", self.address))
                .json(&json!({ "username": username, "password": PASSWORD }))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    async fn token(&self, username: &str) -> String {
        let (status, body) = self.sign_in(username).await;
        assert_eq!(status, StatusCode::OK, "{username}: {body}");
        body["access_token"].as_str().expect("token").to_owned()
    }

    async fn get(&self, token: &str, path: &str) -> Value {
        let (status, body) = status_and_json(
            self.client
                .request(Method::GET, format!("{}{path}", self.address))
                .bearer_auth(token)
                .send()
                .await
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }
}

#[tokio::test]
async fn the_demo_year_reads_as_the_2023_report_through_the_api() {
    let db = TestDatabase::new().await;
    let mut app = DemoApp::new(&db, &[("FUYI_ADMIN_PASSWORD", "first-start-password")]);
    // A service that started once already has a root organ and an `admin`.
    fuyi::service::bootstrap::ensure_admin(&app.state.pool, &app.state.settings)
        .await
        .expect("bootstrap");

    let started = Instant::now();
    let summary = app.generate(2023).await.expect("demo");
    eprintln!(
        "demo year generated in {:.1} s ({} cases, {} transitions)",
        started.elapsed().as_secs_f64(),
        summary.cases,
        summary.transitions
    );
    assert!(summary.admin_reused);
    assert_eq!(summary.counts.concluded, 1765);
    assert_eq!(summary.organs.len(), 4);
    assert!(
        summary.documents >= 10,
        "the demo issues documents: {}",
        summary.documents
    );

    app.serve();
    let statistician = app.token("statistician").await;
    let monthly = app
        .get(
            &statistician,
            "/api/v1/statistics/monthly?from=2023-01&to=2023-12",
        )
        .await;
    let total = &monthly["total"];
    let counts = &total["counts"];
    assert_eq!(monthly["organ"]["code"], "fuzhou");
    assert_eq!(counts["concluded"], 1765);
    assert_eq!(counts["revoked"], 158);
    assert_eq!(counts["confirmed_illegal"], 56);
    assert_eq!(counts["ordered_to_perform"], 34);
    assert_eq!(counts["altered"], 0);
    assert_eq!(counts["confirmed_invalid"], 0);
    assert_eq!(counts["corrected"], 248);
    assert_eq!(
        counts["mediated"].as_u64().expect("mediated")
            + counts["terminated"].as_u64().expect("terminated")
            + counts["application_dismissed"].as_u64().expect("dismissed"),
        316
    );
    assert_eq!(
        total["correction_rate"],
        json!({"definition": "decided_on_merits", "numerator": 248, "denominator": 1449, "percent": 17.12})
    );
    // The report's follow-up figures: letters, the head in court, first instances lost.
    let followup = &total["followup"];
    assert_eq!(
        followup["letters_issued"],
        json!({"opinion": 18, "recommendation": 8})
    );
    assert_eq!(
        followup["head_appearance_rate"],
        json!({"definition": "head_appearance", "numerator": 61, "denominator": 62, "percent": 98.39})
    );
    assert_eq!(
        followup["first_instance_loss_rate"],
        json!({"definition": "first_instance_loss", "numerator": 21, "denominator": 152, "percent": 13.82})
    );
    let rows = monthly["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 12);
    let by_month: u64 = rows
        .iter()
        .map(|row| row["counts"]["concluded"].as_u64().expect("count"))
        .sum();
    assert_eq!(by_month, 1765);
    // A realistic year: some late, some heard at a hearing, some extended, some still open.
    assert!(counts["concluded_late"].as_u64() > Some(0), "{counts}");
    assert!(counts["hearings_held"].as_u64() > Some(0), "{counts}");
    assert!(counts["extended"].as_u64() > Some(0), "{counts}");
    // Issue 14: a few cases with a third party, a few advised on by the committee.
    assert!(counts["with_third_party"].as_u64() > Some(0), "{counts}");
    assert!(
        counts["committee_consultations"].as_u64() > Some(0),
        "{counts}"
    );
    // Stays, normative-document reviews and compensation happen in the year too (issue 14).
    for name in [
        "enforcement_stayed",
        "normative_reviews_requested",
        "normative_found_unlawful",
        "compensation_claims",
        "compensation_awarded",
        "compensation_awarded_fen",
    ] {
        assert!(counts[name].as_u64() > Some(0), "{name}: {counts}");
    }
    // Received in 2023, every case runs under the earlier law, which has no simplified procedure.
    assert_eq!(counts["accepted_simplified"], 0, "{counts}");
    assert!(total["open_at_end"]["open"].as_u64() > Some(0), "{total}");

    let all = app
        .get(
            &statistician,
            "/api/v1/statistics/monthly?from=2023-01&to=2023-12&definition=all_concluded",
        )
        .await;
    assert_eq!(
        all["total"]["correction_rate"],
        json!({"definition": "all_concluded", "numerator": 248, "denominator": 1765, "percent": 14.05})
    );

    // The report draft of the year reads as the seed report's figures paragraph.
    let (status, draft, problem) = crate::report::draft(
        &app.client,
        &format!("{}/api/v1/statistics/report?year=2023", app.address),
        &statistician,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let draft = draft.expect("a draft");
    assert_eq!(
        draft.media.len(),
        2,
        "the monthly and per-respondent charts"
    );
    let text = draft.paragraphs.join("\n");
    for sentence in [
        "全年共审结1765件，其中撤销158件，确认违法56件，责令履行34件，纠错率达17.12%",
        "意见书、建议书26份",
        "负责人出庭率98.39%",
        "行政诉讼败诉率13.82%",
        "纠错案件248÷1449",
    ] {
        assert!(text.contains(sentence), "{sentence} in {text}");
    }

    // The year's chart as SVG and PNG; `FUYI_UPDATE_CHARTS=1` writes both where the README shows
    // them.
    let chart = app
        .client
        .get(format!(
            "{}/api/v1/statistics/monthly?from=2023-01&to=2023-12",
            app.address
        ))
        .bearer_auth(&statistician)
        .header(reqwest::header::ACCEPT, "image/svg+xml")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("svg");
    assert!(
        chart.starts_with("<svg") && chart.contains("2023-12"),
        "{chart}"
    );
    let png = app
        .client
        .get(format!(
            "{}/api/v1/statistics/monthly?from=2023-01&to=2023-12",
            app.address
        ))
        .bearer_auth(&statistician)
        .header(reqwest::header::ACCEPT, "image/png")
        .send()
        .await
        .expect("request")
        .bytes()
        .await
        .expect("png");
    assert_eq!(
        crate::report::decode_png(&png, crate::report::RECEIVED_BLUE),
        ((960, 540), true)
    );
    if std::env::var_os("FUYI_UPDATE_CHARTS").is_some() {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs");
        std::fs::write(format!("{docs}/statistics-monthly-2023.svg"), &chart)
            .expect("write the chart");
        std::fs::write(format!("{docs}/statistics-monthly-2023.png"), &png)
            .expect("write the chart");
    }

    // Every demo user signs in with the demo password; the existing admin got it too.
    for user in &summary.users {
        let (status, body) = app.sign_in(&user.username).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", user.username);
    }
    // The city's first case number went to its first acceptance, and the case carries the
    // whole history the service recorded, action by action.
    let head = app.token("head").await;
    let number = "榕复〔2023〕1号";
    let query: String = url::form_urlencoded::byte_serialize(number.as_bytes()).collect();
    let found = app
        .get(&head, &format!("/api/v1/cases?q={query}&limit=50"))
        .await;
    let first = found["items"]
        .as_array()
        .and_then(|items| items.iter().find(|c| c["case_number"] == number))
        .unwrap_or_else(|| panic!("{number} in {found}"));
    let history = app
        .get(
            &head,
            &format!("/api/v1/cases/{}/events", first["id"].as_str().expect("id")),
        )
        .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions.first(), Some(&"register"), "{history}");
    assert!(actions.contains(&"accept"), "{history}");
    assert!(actions.contains(&"assign"), "{history}");

    let again = app
        .generate(2023)
        .await
        .expect_err("a second run is refused");
    assert!(again.to_string().contains("already there"), "{again}");
}

#[tokio::test]
async fn a_year_without_a_calendar_or_not_yet_over_is_refused() {
    let db = TestDatabase::new().await;
    let app = DemoApp::new(&db, &[]);
    let err = app.generate(2022).await.expect_err("no 2022 calendar");
    assert!(err.to_string().contains("no working-day calendar"), "{err}");
    let this_year = chrono::Utc::now().format("%Y").to_string();
    let err = app
        .generate(this_year.parse().expect("year"))
        .await
        .expect_err("the current year is not over");
    assert!(err.to_string().contains("past year"), "{err}");
}
