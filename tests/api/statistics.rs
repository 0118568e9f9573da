//! Statistics over HTTP: every figure of `domain.md` on small hand-built datasets driven through
//! the real lifecycle, the filters and the organ boundary, and the CSV and Excel exports.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    lifecycle::{accept, deadline, decide, reload},
    support::{TestApp, TestUser, sample_case, status_and_json},
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Registers an application received on `received_on` at `app.city` against `respondent`.
pub async fn received(app: &TestApp, respondent: Uuid, received_on: &str) -> Value {
    let mut body = sample_case(respondent);
    body["received_on"] = json!(received_on);
    body["act_date"] = json!("2023-12-20");
    body["learned_on"] = json!("2023-12-22");
    let (status, case) = app.register(&app.head, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

/// An application received on `received_on` and accepted on `accepted_on` under `procedure`,
/// the copy served and the reply in the same day, so it may be decided at once (arts. 48, 54);
/// the figures read none of these dates.
async fn filed(app: &TestApp, received_on: &str, accepted_on: &str, procedure: &str) -> Value {
    let case = received(app, app.respondent, received_on).await;
    let case = app
        .act_ok(&app.head, &case, accept(procedure, accepted_on))
        .await;
    app.act_ok(
        &app.officer,
        &case,
        json!({"action": "record_reply", "occurred_on": accepted_on, "copy_sent_on": accepted_on,
               "copy_received_on": accepted_on, "reply_received_on": accepted_on}),
    )
    .await
}

async fn get(app: &TestApp, user: &TestUser, path: &str) -> (StatusCode, Value) {
    status_and_json(
        app.as_user(user, Method::GET, path)
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn report(app: &TestApp, path: &str) -> Value {
    let (status, body) = get(app, &app.statistician, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn month<'a>(report: &'a Value, month: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["month"] == month)
        .unwrap_or_else(|| panic!("no row for {month} in {report}"))
}

fn counts(figures: &Value, names: &[&str]) -> Vec<u64> {
    names
        .iter()
        .map(|name| {
            figures["counts"][name]
                .as_u64()
                .unwrap_or_else(|| panic!("no count {name} in {figures}"))
        })
        .collect()
}

/// Seven cases over January–March 2024, each counted by the date that defines the figure:
///
/// | case | received | accepted | closed |
/// |---|---|---|---|
/// | G | 01-15 | 01-16 simplified | dismissed 02-01 |
/// | A | 02-05 | 02-07 simplified | revoked 03-01 (first day of a month) |
/// | B | 02-20 | 02-22 simplified | upheld 02-29 (last day of a month) |
/// | C | 02-26 | — | declined 03-01 |
/// | D | 03-04 | 03-05 simplified | mediated 03-20 |
/// | E | 03-06 | 03-07 ordinary | terminated, withdrawn, 03-25 |
/// | F | 03-08 | — | open |
pub async fn quarter(app: &TestApp) {
    let g = filed(app, "2024-01-15", "2024-01-16", "simplified").await;
    app.act_ok(
        &app.head,
        &g,
        json!({"action": "dismiss_application", "occurred_on": "2024-02-01", "reason": "不属于受理范围"}),
    )
    .await;
    let a = filed(app, "2024-02-05", "2024-02-07", "simplified").await;
    let b = filed(app, "2024-02-20", "2024-02-22", "simplified").await;
    app.act_ok(&app.head, &b, decide("uphold", "2024-02-29", json!({})))
        .await;
    app.act_ok(
        &app.head,
        &a,
        decide("revoke", "2024-03-01", json!({"partial": false})),
    )
    .await;
    let c = received(app, app.respondent, "2024-02-26").await;
    app.act_ok(
        &app.head,
        &c,
        json!({"action": "decline", "occurred_on": "2024-03-01", "reason": "inadmissible"}),
    )
    .await;
    let d = filed(app, "2024-03-04", "2024-03-05", "simplified").await;
    app.act_ok(
        &app.head,
        &d,
        json!({"action": "mediate", "occurred_on": "2024-03-20", "document_number": "榕复调〔2024〕1号"}),
    )
    .await;
    let e = filed(app, "2024-03-06", "2024-03-07", "ordinary").await;
    app.act_ok(
        &app.head,
        &e,
        json!({"action": "terminate", "occurred_on": "2024-03-25", "ground": "withdrawn"}),
    )
    .await;
    received(app, app.respondent, "2024-03-08").await;
}

#[tokio::test]
async fn monthly_figures_count_each_case_by_the_date_that_defines_the_figure() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    let body = report(&app, "/api/v1/statistics/monthly?from=2024-01&to=2024-03").await;

    assert_eq!(body["from"], "2024-01-01");
    assert_eq!(body["to"], "2024-03-31");
    assert_eq!(body["definition"], "decided_on_merits", "the default");
    assert_eq!(body["organ"]["id"], json!(app.city.id));
    assert_eq!(body["rows"].as_array().map(Vec::len), Some(3));

    let names = [
        "received",
        "accepted",
        "not_accepted",
        "concluded",
        "corrected",
        "decided_on_merits",
    ];
    let january = month(&body, "2024-01");
    assert_eq!(counts(january, &names), [1, 1, 0, 0, 0, 0]);
    // Nothing decided: the rate has no value, never 0.
    assert_eq!(
        january["correction_rate"],
        json!({"definition": "decided_on_merits", "numerator": 0, "denominator": 0, "percent": null})
    );
    assert_eq!(january["open_at_end"]["open"], 1);

    // G's dismissal (02-01) and B's decision on the last day of February count in February.
    let february = month(&body, "2024-02");
    assert_eq!(counts(february, &names), [3, 2, 0, 2, 0, 1]);
    assert_eq!(february["counts"]["application_dismissed"], 1);
    assert_eq!(february["correction_rate"]["percent"], 0.0);
    assert_eq!(february["open_at_end"]["open"], 2, "A and C");

    // A's revocation on 1 March counts in March, not in February when it was heard.
    let march = month(&body, "2024-03");
    assert_eq!(counts(march, &names), [3, 2, 1, 3, 1, 1]);
    assert_eq!(
        counts(march, &["revoked", "mediated", "terminated", "withdrawn"]),
        [1, 1, 1, 1]
    );
    assert_eq!(
        march["correction_rate"],
        json!({"definition": "decided_on_merits", "numerator": 1, "denominator": 1, "percent": 100.0})
    );
    assert_eq!(
        march["mediation_withdrawal_rate"]["percent"], 66.67,
        "(mediated + withdrawn) ÷ concluded = 2 ÷ 3, half-up"
    );
    assert_eq!(march["comprehensive_resolution_rate"]["numerator"], 3);
    assert_eq!(march["open_at_end"]["open"], 1, "F");

    let total = &body["total"];
    assert_eq!(counts(total, &names), [7, 5, 1, 5, 1, 2]);
    assert_eq!(
        total["correction_rate"],
        json!({"definition": "decided_on_merits", "numerator": 1, "denominator": 2, "percent": 50.0})
    );
    assert_eq!(total["simplified_share"]["numerator"], 4);
    assert_eq!(total["simplified_share"]["denominator"], 5);
    assert_eq!(total["channels"]["online"], 7);

    let all = report(
        &app,
        "/api/v1/statistics/monthly?from=2024-01&to=2024-03&definition=all_concluded",
    )
    .await;
    assert_eq!(
        all["total"]["correction_rate"],
        json!({"definition": "all_concluded", "numerator": 1, "denominator": 5, "percent": 20.0})
    );
}

#[tokio::test]
async fn a_summary_covers_any_date_range_and_sees_an_action_in_the_very_next_request() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    // 2024-02-29 to 2024-03-01: B's decision, A's revocation and C's decline, nothing else.
    let path = "/api/v1/statistics/summary?from=2024-02-29&to=2024-03-01";
    let body = report(&app, path).await;
    assert_eq!(body["rows"], json!([]));
    assert_eq!(
        counts(
            &body["total"],
            &["received", "concluded", "corrected", "not_accepted"]
        ),
        [0, 2, 1, 1]
    );

    let case = filed(&app, "2024-02-29", "2024-03-01", "simplified").await;
    let body = report(&app, path).await;
    assert_eq!(body["total"]["counts"]["received"], 1);
    assert_eq!(body["total"]["counts"]["accepted"], 1);
    app.act_ok(
        &app.head,
        &case,
        decide("confirm_illegal", "2024-03-01", json!({})),
    )
    .await;
    let body = report(&app, path).await;
    assert_eq!(body["total"]["counts"]["confirmed_illegal"], 1);
    assert_eq!(body["total"]["correction_rate"]["numerator"], 2);
}

#[tokio::test]
async fn durations_leave_out_suspended_days_and_split_on_time_from_late() {
    let app = TestApp::spawn().await;
    // Accepted 03-05, suspended 03-11 to 03-21 (10 days), decided 04-04: 30 − 10 = 20 days.
    let case = filed(&app, "2024-03-01", "2024-03-05", "simplified").await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-03-11", "ground": "force_majeure"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "resume", "occurred_on": "2024-03-21"}),
        )
        .await;
    app.act_ok(&app.head, &case, decide("uphold", "2024-04-04", json!({})))
        .await;
    // Accepted 03-04 simplified: due within 30 days (by 04-03); decided 04-15, late, 42 days.
    let late = filed(&app, "2024-03-01", "2024-03-04", "simplified").await;
    app.act_ok(&app.head, &late, decide("uphold", "2024-04-15", json!({})))
        .await;
    // Still open on 04-30 and past its deadline: overdue at the end of April.
    filed(&app, "2024-03-01", "2024-03-04", "simplified").await;

    let body = report(&app, "/api/v1/statistics/monthly?from=2024-03&to=2024-04").await;
    let april = month(&body, "2024-04");
    assert_eq!(
        counts(april, &["concluded_on_time", "concluded_late"]),
        [1, 1]
    );
    assert_eq!(
        april["on_time_rate"],
        json!({"definition": "on_time_over_concluded", "numerator": 1, "denominator": 2, "percent": 50.0})
    );
    assert_eq!(
        april["durations"],
        json!({"cases": 2, "mean_days": 31.0, "median_days": 31.0, "p90_days": 39.8})
    );
    assert_eq!(april["open_at_end"], json!({"open": 1, "overdue": 1}));
    let march = month(&body, "2024-03");
    assert_eq!(
        march["open_at_end"],
        json!({"open": 3, "overdue": 0}),
        "nothing was past its deadline on 03-31"
    );
}

#[tokio::test]
async fn filters_narrow_the_cases_and_the_organ_tree_bounds_what_is_seen() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    // One case at the district, registered by a district officer.
    let district_officer = app
        .user(
            "district-head",
            app.district.id,
            &[fuyi::auth::Role::Officer, fuyi::auth::Role::Head],
        )
        .await;
    let district_respondent = {
        let (status, body) = status_and_json(
            app.as_user(&app.admin, Method::POST, "/api/v1/respondents")
                .json(&json!({"organ_id": app.district.id, "name": "鼓楼区市场监督管理局", "domain": "market_regulation"}))
                .send()
                .await
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"]
            .as_str()
            .expect("id")
            .parse::<Uuid>()
            .expect("uuid")
    };
    let mut body = sample_case(district_respondent);
    body["received_on"] = json!("2024-03-11");
    let (status, case) = app.register(&district_officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");

    let base = "/api/v1/statistics/monthly?from=2024-01&to=2024-03";
    let city_tree = report(&app, base).await;
    assert_eq!(city_tree["total"]["counts"]["received"], 8);
    assert_eq!(city_tree["organ"]["include_subtree"], true);
    let city_only = report(&app, &format!("{base}&include_subtree=false")).await;
    assert_eq!(city_only["total"]["counts"]["received"], 7);
    let district = report(&app, &format!("{base}&organ={}", app.district.id)).await;
    assert_eq!(district["total"]["counts"]["received"], 1);
    let by_respondent = report(&app, &format!("{base}&respondent={district_respondent}")).await;
    assert_eq!(by_respondent["total"]["counts"]["received"], 1);
    let simplified = report(&app, &format!("{base}&procedure=simplified")).await;
    assert_eq!(simplified["total"]["counts"]["accepted"], 4);
    let enterprise = report(&app, &format!("{base}&enterprise_related=true")).await;
    assert_eq!(enterprise["total"]["counts"]["received"], 0);
    let penalties = report(&app, &format!("{base}&act_type=administrative_penalty")).await;
    assert_eq!(penalties["total"]["counts"]["received"], 8);
    let licensing = report(&app, &format!("{base}&act_type=licensing")).await;
    assert_eq!(licensing["total"]["counts"]["received"], 0);

    // The district sees its own figures; the city above it is out of reach, as if unknown.
    let (status, own) = get(&app, &district_officer, base).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["total"]["counts"]["received"], 1);
    let (status, problem) = get(
        &app,
        &district_officer,
        &format!("{base}&organ={}", app.city.id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _) = get(
        &app,
        &district_officer,
        &format!("{base}&organ={}", Uuid::now_v7()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Administrators manage the service; they do not read figures.
    let (status, problem) = get(&app, &app.admin, base).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = status_and_json(
        app.request(Method::GET, base)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_parameters_are_problems_naming_the_parameter() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("from=2024-13&to=2024-12", "from"),
        ("from=2024-01&to=2023-12", "to"),
        ("from=2000-01&to=2024-12", "to"),
        ("from=2024-01&to=january", "to"),
    ] {
        let (status, problem) = get(
            &app,
            &app.statistician,
            &format!("/api/v1/statistics/monthly?{query}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
    for query in [
        "from=2024-01&to=2024-03&definition=some",
        "from=2024-01&to=2024-03&domain=astrology",
        "to=2024-03",
    ] {
        let (status, problem) = get(
            &app,
            &app.statistician,
            &format!("/api/v1/statistics/monthly?{query}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
        assert_eq!(problem["status"], 400);
    }
    let (status, problem) = get(
        &app,
        &app.statistician,
        "/api/v1/statistics/breakdown?by=weather&from=2024-01-01&to=2024-01-31",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let response = app
        .as_user(
            &app.statistician,
            Method::GET,
            "/api/v1/statistics/summary?from=2024-01-01&to=2024-01-31",
        )
        .header(header::ACCEPT, "application/pdf")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn a_breakdown_has_one_row_per_group_sorted_by_the_chosen_figure() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    // A second respondent with two cases, one of them revoked.
    let other = {
        let (status, body) = status_and_json(
            app.as_user(&app.admin, Method::POST, "/api/v1/respondents")
                .json(&json!({"organ_id": app.city.id, "name": "福州市自然资源和规划局", "domain": "natural_resources"}))
                .send()
                .await
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"]
            .as_str()
            .expect("id")
            .parse::<Uuid>()
            .expect("uuid")
    };
    for _ in 0..2 {
        let case = received(&app, other, "2024-03-11").await;
        let case = app
            .act_ok(&app.head, &case, accept("simplified", "2024-03-12"))
            .await;
        let case = app
            .act_ok(
                &app.officer,
                &case,
                json!({"action": "record_reply", "occurred_on": "2024-03-14", "copy_sent_on": "2024-03-12",
                       "copy_received_on": "2024-03-12", "reply_received_on": "2024-03-14"}),
            )
            .await;
        app.act_ok(
            &app.head,
            &case,
            decide("revoke", "2024-03-20", json!({"partial": true})),
        )
        .await;
    }

    let body = report(
        &app,
        "/api/v1/statistics/breakdown?by=respondent&from=2024-01-01&to=2024-03-31&sort=correction_rate",
    )
    .await;
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["label"], "福州市自然资源和规划局", "100% first");
    assert_eq!(rows[0]["key"], json!(other));
    assert_eq!(rows[0]["correction_rate"]["percent"], 100.0);
    assert_eq!(rows[1]["key"], json!(app.respondent));
    assert_eq!(rows[1]["correction_rate"]["percent"], 50.0);
    assert_eq!(body["total"]["counts"]["received"], 9);

    let body = report(
        &app,
        "/api/v1/statistics/breakdown?by=respondent&from=2024-01-01&to=2024-03-31&sort=received&order=asc",
    )
    .await;
    assert_eq!(body["rows"][0]["counts"]["received"], 2);
    assert_eq!(body["rows"][1]["counts"]["received"], 7);

    let body = report(
        &app,
        "/api/v1/statistics/breakdown?by=domain&from=2024-01-01&to=2024-03-31&sort=received",
    )
    .await;
    let keys: Vec<&str> = body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys.len(), 2, "{body}");
    assert_eq!(keys[1], "natural_resources");

    // Cases nobody was assigned to are one group, and the total still counts each case once.
    let body = report(
        &app,
        "/api/v1/statistics/breakdown?by=officer&from=2024-01-01&to=2024-03-31",
    )
    .await;
    assert_eq!(body["rows"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["rows"][0]["key"], "");
    assert_eq!(body["rows"][0]["label"], "未分配");
    assert_eq!(body["total"]["counts"]["received"], 9);
}

#[tokio::test]
async fn the_figures_download_as_csv_and_as_an_excel_workbook() {
    let app = TestApp::spawn().await;
    quarter(&app).await;
    let path = "/api/v1/statistics/monthly?from=2024-01&to=2024-03&definition=all_concluded";

    let response = app
        .as_user(&app.statistician, Method::GET, path)
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let text = response.text().await.expect("body");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    assert!(records[0][0].contains(&app.city.name), "{:?}", records[0]);
    assert!(records[0][0].contains("2024-01-01 至 2024-03-31"));
    assert!(records[0][0].contains("纠错数÷审结数"));
    let headings: Vec<&str> = records[1].iter().collect();
    assert_eq!(headings[0], "月份");
    let column = |name: &str| {
        headings
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name} in {headings:?}"))
    };
    assert_eq!(records.len(), 2 + 3 + 1, "title, headings, 3 months, total");
    assert_eq!(&records[4][0], "2024-03");
    assert_eq!(&records[4][column("审结数")], "3");
    assert_eq!(&records[4][column("纠错率(%)")], "33.33");
    assert_eq!(&records[2][column("纠错率(%)")], "", "no value in January");
    assert_eq!(&records[5][0], "合计");
    assert_eq!(&records[5][column("纠错率(%)")], "20.00");

    let response = app
        .as_user(&app.statistician, Method::GET, path)
        .header(header::ACCEPT, XLSX)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], XLSX);
    let bytes = response.bytes().await.expect("body");
    let mut workbook = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
    let sheet = workbook.worksheet_range("统计").expect("the 统计 sheet");
    let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned();
    let title = match cell(0, 0) {
        Some(Data::String(title)) => title,
        other => panic!("title cell: {other:?}"),
    };
    assert!(title.contains(&app.city.name) && title.contains("纠错数÷审结数"));
    assert_eq!(cell(1, 0), Some(Data::String("月份".to_owned())));
    let col = column("纠错率(%)") as u32;
    assert_eq!(cell(1, col), Some(Data::String("纠错率(%)".to_owned())));
    assert_eq!(cell(4, 0), Some(Data::String("2024-03".to_owned())));
    assert_eq!(cell(4, col), Some(Data::Float(33.33)), "a number, not text");
    assert_eq!(cell(4, column("审结数") as u32), Some(Data::Float(3.0)));
    assert_eq!(cell(5, 0), Some(Data::String("合计".to_owned())));
    assert_eq!(cell(5, col), Some(Data::Float(20.0)));
    assert!(
        matches!(cell(2, col), None | Some(Data::Empty)),
        "January's rate is empty"
    );
}

/// A calendar change that moves a deadline moves the overdue figures in the very next request:
/// the organ-wide figures (from the rollups) and the filtered ones (from the cases) alike.
#[tokio::test]
async fn a_calendar_change_moves_the_overdue_figures_at_once() {
    let app = TestApp::spawn().await;
    // Accepted 04-30 simplified: due within 30 days, by Thursday 05-30; still open, so overdue
    // at the end of May.
    let case = filed(&app, "2024-04-29", "2024-04-30", "simplified").await;
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-05-30");
    let organ_wide = "/api/v1/statistics/monthly?from=2024-05&to=2024-06";
    let filtered = format!("{organ_wide}&respondent={}", app.respondent);
    for path in [organ_wide, filtered.as_str()] {
        let body = report(&app, path).await;
        assert_eq!(
            month(&body, "2024-05")["open_at_end"],
            json!({"open": 1, "overdue": 1}),
            "{path}"
        );
    }

    // 05-30 and 05-31 become holidays: the deadline moves to Monday 06-03.
    let (status, mut year) = get(&app, &app.admin, "/api/v1/calendar/2024").await;
    assert_eq!(status, StatusCode::OK, "{year}");
    year.as_object_mut().expect("an object").remove("year");
    let holidays = year["holidays"].as_array_mut().expect("holidays");
    holidays.extend([json!("2024-05-30"), json!("2024-05-31")]);
    let (status, body) = status_and_json(
        app.as_user(&app.admin, Method::PUT, "/api/v1/calendar/2024")
            .json(&year)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let case = reload(&app, &app.head, &case).await;
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-06-03");
    for path in [organ_wide, filtered.as_str()] {
        let body = report(&app, path).await;
        assert_eq!(
            month(&body, "2024-05")["open_at_end"],
            json!({"open": 1, "overdue": 0}),
            "{path}"
        );
        assert_eq!(
            month(&body, "2024-06")["open_at_end"],
            json!({"open": 1, "overdue": 1}),
            "{path}"
        );
    }
}

/// The three readings of the one table of measures (`domain::measures::MEASURES`) agree: the
/// domain's tally over plain facts, the SQL counting the cases and the per-day rollups its
/// generated trigger keeps. Every measure of the table, by name, and every other figure, for
/// every month and for ranges cutting through months, on one dataset that has every kind of
/// ending, suspensions, a late decision and cases still open; the rollups give the same figures
/// as counting the cases for every grouping they answer.
#[tokio::test]
async fn the_sql_figures_follow_the_domain_definitions_for_every_range() {
    use chrono::NaiveDate;
    use fuyi::{
        db::statistics::{Grouping, StatsFilter, case_facts},
        domain::{
            measures::MEASURES,
            statistics::{self as defs, Period},
        },
    };

    let app = TestApp::spawn().await;
    quarter(&app).await;
    let suspended = filed(&app, "2024-03-01", "2024-03-05", "simplified").await;
    let suspended = app
        .act_ok(
            &app.head,
            &suspended,
            json!({"action": "suspend", "occurred_on": "2024-03-11", "ground": "force_majeure"}),
        )
        .await;
    let suspended = app
        .act_ok(
            &app.head,
            &suspended,
            json!({"action": "resume", "occurred_on": "2024-03-21"}),
        )
        .await;
    app.act_ok(
        &app.head,
        &suspended,
        decide(
            "order_to_perform",
            "2024-04-04",
            json!({"comply_within_days": 30}),
        ),
    )
    .await;
    let late = filed(&app, "2024-03-01", "2024-03-04", "simplified").await;
    // Issue 14: a third party and two consultations of the committee, counted on conclusion.
    let late = app
        .act_ok(
            &app.officer,
            &late,
            json!({"action": "add_third_party", "occurred_on": "2024-03-06", "name": "某公司",
                   "kind": "legal_person", "basis": "notified_by_organ"}),
        )
        .await;
    let mut late = late;
    for (on, opinion) in [("2024-03-12", "建议变更"), ("2024-03-13", "维持前述意见")] {
        late = app
            .act_ok(
                &app.officer,
                &late,
                json!({"action": "record_committee_consultation", "occurred_on": on,
                       "opinion": opinion}),
            )
            .await;
    }
    app.act_ok(&app.head, &late, decide("alter", "2024-04-15", json!({})))
        .await;
    filed(&app, "2024-04-01", "2024-04-02", "simplified").await;
    received(&app, app.respondent, "2024-05-06").await;
    let withdrawn = received(&app, app.respondent, "2024-03-18").await;
    app.act_ok(
        &app.officer,
        &withdrawn,
        json!({"action": "withdraw_application", "occurred_on": "2024-03-20"}),
    )
    .await;
    // A second domain: a case accepted and still open (overdue by May), one declined.
    let (status, other) = status_and_json(
        app.as_user(&app.admin, Method::POST, "/api/v1/respondents")
            .json(&json!({"organ_id": app.city.id, "name": "福州市市场监督管理局", "domain": "market_regulation"}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let other: Uuid = other["id"].as_str().expect("id").parse().expect("uuid");
    let open = received(&app, other, "2024-02-14").await;
    app.act_ok(&app.head, &open, accept("ordinary", "2024-02-15"))
        .await;
    let declined = received(&app, other, "2024-04-02").await;
    app.act_ok(
        &app.head,
        &declined,
        json!({"action": "decline", "occurred_on": "2024-04-03", "reason": "inadmissible"}),
    )
    .await;

    let mut conn = app.pool.get().await.expect("a connection");
    let filter = StatsFilter {
        organ_ids: vec![app.city.id, app.district.id],
        ..StatsFilter::default()
    };
    let facts = case_facts(&mut conn, &filter).await.expect("facts");
    assert_eq!(facts.len(), 14);
    // The figures by domain below come from rollups that the trigger filled, not from the cases
    // again: the months of the second domain hold its two cases.
    #[derive(diesel::QueryableByName)]
    struct Sum {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let kept: Sum = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT coalesce(sum(received), 0)::bigint AS n FROM statistics_domain_months \
             WHERE domain = 'market_regulation'",
        ),
        &mut conn,
    )
    .await
    .expect("the rollup by domain");
    assert_eq!(kept.n, 2);
    let day = |s: &str| s.parse::<NaiveDate>().expect("a date");
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for from in [
        "2024-01-01",
        "2024-02-07",
        "2024-02-29",
        "2024-03-01",
        "2024-04-04",
    ] {
        for to in [
            "2024-02-29",
            "2024-03-01",
            "2024-03-20",
            "2024-04-15",
            "2024-05-31",
        ] {
            if day(from) <= day(to) {
                ranges.push((day(from), day(to)));
            }
        }
    }
    for (from, to) in ranges {
        for grouping in [Grouping::Whole, Grouping::Organ] {
            app.rollups_agreeing_with_cases(&filter, grouping, from, to)
                .await;
        }
        // The per-domain rollups (whole months) and the cases (other ranges) agree too, for a
        // domain filter and for figures by domain.
        for domain in ["public_security", "market_regulation", "taxation"] {
            let by_domain = StatsFilter {
                domain: Some(domain.to_owned()),
                ..filter.clone()
            };
            for grouping in [Grouping::Whole, Grouping::Organ, Grouping::Month] {
                app.rollups_agreeing_with_cases(&by_domain, grouping, from, to)
                    .await;
            }
        }
        app.rollups_agreeing_with_cases(&filter, Grouping::Domain, from, to)
            .await;
        let sql = app
            .rollups_agreeing_with_cases(&filter, Grouping::Month, from, to)
            .await;
        let period = Period { from, to };
        assert_eq!(
            sql.total.counts,
            defs::tally(&facts, period),
            "{from}..{to}"
        );
        let defined = defs::tally_measures(&facts, period);
        for m in MEASURES {
            assert_eq!(
                sql.total.measure(m),
                defined[m.name],
                "{} in {from}..{to}",
                m.name
            );
        }
        let days = facts
            .iter()
            .filter(|f| f.state.is_concluded() && period_contains(period, f.concluded_on))
            .filter_map(defs::handling_days)
            .collect();
        assert_eq!(sql.total.durations(), defs::durations(days), "{from}..{to}");
        assert_eq!(
            sql.total.open_at_end,
            defs::open_at_end(&facts, to),
            "{from}..{to}"
        );
        for (month, bucket) in &sql.buckets {
            let first = day(&format!("{month}-01")).max(from);
            let last = db_month_end(first).min(to);
            let period = Period {
                from: first,
                to: last,
            };
            assert_eq!(bucket.counts, defs::tally(&facts, period), "{month}");
            let defined = defs::tally_measures(&facts, period);
            for m in MEASURES {
                assert_eq!(bucket.measure(m), defined[m.name], "{} in {month}", m.name);
            }
            assert_eq!(
                bucket.open_at_end,
                defs::open_at_end(&facts, last),
                "{month} in {from}..{to}"
            );
        }
    }
}

/// Cases stored before the rollup migration count once it runs: its backfill fills the rollups
/// as the triggers would have.
#[tokio::test]
async fn the_rollup_migration_counts_the_cases_stored_before_it() {
    use chrono::NaiveDate;
    use fuyi::db::statistics::{Grouping, StatsFilter};

    let app = TestApp::spawn().await;
    quarter(&app).await;
    let url = app.owner_url().to_owned();
    // Back to the schema before the rollups, with the cases still stored, then forward again.
    loop {
        let reverted = fuyi::db::migrate_down(&url).await.expect("down");
        if reverted.replace('-', "") == "20261128000006" {
            break;
        }
    }
    fuyi::db::migrate_up(&url).await.expect("up");

    let filter = StatsFilter {
        organ_ids: vec![app.city.id, app.district.id],
        ..StatsFilter::default()
    };
    let day = |s: &str| s.parse::<NaiveDate>().expect("a date");
    let (from, to) = (day("2024-01-01"), day("2024-03-31"));
    for grouping in [Grouping::Whole, Grouping::Organ, Grouping::Month] {
        let rollups = app
            .rollups_agreeing_with_cases(&filter, grouping, from, to)
            .await;
        assert_eq!(rollups.total.counts.received, 7, "{grouping:?}");
    }
}

fn period_contains(
    period: fuyi::domain::statistics::Period,
    day: Option<chrono::NaiveDate>,
) -> bool {
    day.is_some_and(|d| period.from <= d && d <= period.to)
}

fn db_month_end(day: chrono::NaiveDate) -> chrono::NaiveDate {
    fuyi::db::statistics::month_ends(day, day + chrono::Days::new(40))[0]
}

/// Letters (and the other follow-up figures) appear in the month they were issued, in the
/// range's total and in the exports, under the same organ scope as every other figure.
#[tokio::test]
async fn follow_up_figures_travel_with_the_monthly_figures() {
    let app = TestApp::spawn().await;
    for (kind, number, issued_on) in [
        ("opinion", "榕复意〔2024〕1号", "2024-02-10"),
        ("recommendation", "榕复建〔2024〕1号", "2024-03-05"),
        ("opinion", "榕复意〔2024〕2号", "2024-03-20"),
    ] {
        let (status, body) = status_and_json(
            app.as_user(&app.officer, Method::POST, "/api/v1/letters")
                .json(&json!({
                    "kind": kind,
                    "document_number": number,
                    "issued_on": issued_on,
                    "recipient_id": app.respondent,
                    "summary": "执法程序不规范，建议整改"
                }))
                .send()
                .await
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let body = report(&app, "/api/v1/statistics/monthly?from=2024-01&to=2024-03").await;
    assert_eq!(
        month(&body, "2024-02")["followup"]["letters_issued"],
        json!({"opinion": 1, "recommendation": 0})
    );
    assert_eq!(
        month(&body, "2024-03")["followup"]["letters_issued"],
        json!({"opinion": 1, "recommendation": 1})
    );
    let total = &body["total"]["followup"];
    assert_eq!(
        total["letters_issued"],
        json!({"opinion": 2, "recommendation": 1})
    );
    assert_eq!(
        total["head_appearance_rate"],
        json!({"definition": "head_appearance", "numerator": 0, "denominator": 0, "percent": null})
    );

    // A district user reaches none of the city's letters.
    let district_officer = app
        .user(
            "district-officer",
            app.district.id,
            &[fuyi::auth::Role::Officer],
        )
        .await;
    let (status, own) = get(
        &app,
        &district_officer,
        "/api/v1/statistics/summary?from=2024-01-01&to=2024-12-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(
        own["total"]["followup"]["letters_issued"],
        json!({"opinion": 0, "recommendation": 0})
    );

    let text = app
        .as_user(
            &app.statistician,
            Method::GET,
            "/api/v1/statistics/summary?from=2024-01-01&to=2024-12-31",
        )
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    let headings: Vec<&str> = records[1].iter().collect();
    let opinion = headings
        .iter()
        .position(|h| *h == "意见书")
        .expect("an 意见书 column");
    assert_eq!(&records[2][0], "合计");
    assert_eq!(&records[2][opinion], "2");
}
