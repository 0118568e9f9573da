//! Opinion and recommendation letters, their receipt and report-back.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use super::{assert_invalid, decided, decided_by, district, get, get_ok, id, post, post_ok};
use crate::support::TestApp;

fn opinion(number: &str, issued_on: &str) -> Value {
    json!({"kind": "opinion", "document_number": number, "issued_on": issued_on,
           "recipient_name": "福州市公安局", "summary": "执法程序不规范，请予纠正"})
}

#[tokio::test]
async fn an_opinion_letter_is_issued_received_and_reported_back() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "confirm_illegal", json!({})).await;
    let mut body = opinion("榕政复意〔2024〕1号", "2024-03-01");
    body["recipient_id"] = json!(app.respondent);
    body["recipient_name"] = json!(null);
    body["case_ids"] = json!([case["id"], case["id"]]);
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/letters")
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let letter: Value = response.json().await.expect("json");
    assert_eq!(location, format!("/api/v1/letters/{}", id(&letter)));
    assert_eq!(letter["recipient_name"], "福州市公安局");
    assert_eq!(letter["case_ids"], json!([case["id"]]));
    assert_eq!(letter["handler_id"], app.officer.id.to_string());
    // Receipt unknown: 60 days from issue, Tuesday 2024-04-30; long past, so missed.
    assert_eq!(letter["report_back"]["due_on"], "2024-04-30");
    assert_eq!(letter["report_back"]["status"], "missed");

    let received = post_ok(
        &app,
        &app.officer,
        &format!("{location}/receipt"),
        json!({"received_on": "2024-03-05"}),
    )
    .await;
    // 60 days from 2024-03-05 is Saturday 2024-05-04 in the May Day holiday: Monday 05-06.
    assert_eq!(received["report_back"]["due_on"], "2024-05-06");
    let (status, _) = post(
        &app,
        &app.officer,
        &format!("{location}/receipt"),
        json!({"received_on": "2024-03-06"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "receipt recorded once");

    let (status, problem) = post(
        &app,
        &app.officer,
        &format!("{location}/report-back"),
        json!({"received_on": "2024-03-06", "reported_on": "2024-05-06"}),
    )
    .await;
    assert_invalid(status, &problem, "received_on");
    let reported = post_ok(
        &app,
        &app.officer,
        &format!("{location}/report-back"),
        json!({"reported_on": "2024-05-06", "summary": "已撤销并重新作出处罚决定"}),
    )
    .await;
    assert_eq!(reported["report_back"]["status"], "met");
    assert_eq!(reported["report_back"]["reported_on"], "2024-05-06");
    assert_eq!(
        reported["report_back"]["recorded_by"],
        app.officer.id.to_string()
    );
    assert_eq!(reported["version"], 3);
    let (status, _) = post(
        &app,
        &app.officer,
        &format!("{location}/report-back"),
        json!({"reported_on": "2024-05-07"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "report-back recorded once");

    assert_eq!(get_ok(&app, &app.head, &location).await, reported);
    let summary = get_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/followup", id(&case)),
    )
    .await;
    assert_eq!(summary["letters"][0]["id"], letter["id"]);
}

#[tokio::test]
async fn a_report_back_may_bring_the_receipt_and_be_late() {
    let app = TestApp::spawn().await;
    let letter = post_ok(
        &app,
        &app.officer,
        "/api/v1/letters",
        opinion("榕政复意〔2024〕2号", "2024-03-01"),
    )
    .await;
    let path = format!("/api/v1/letters/{}/report-back", id(&letter));
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"reported_on": "2024-05-10"}),
    )
    .await;
    assert_invalid(status, &problem, "received_on");
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"received_on": "2024-03-05", "reported_on": "2024-03-04"}),
    )
    .await;
    assert_invalid(status, &problem, "reported_on");
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"received_on": "2024-02-20", "reported_on": "2024-05-10"}),
    )
    .await;
    assert_invalid(status, &problem, "received_on");
    let late = post_ok(
        &app,
        &app.officer,
        &path,
        json!({"received_on": "2024-03-05", "reported_on": "2024-05-10"}),
    )
    .await;
    assert_eq!(late["received_on"], "2024-03-05");
    assert_eq!(late["report_back"]["due_on"], "2024-05-06");
    assert_eq!(late["report_back"]["status"], "late");
    assert_eq!(late["report_back"]["days_late"], 4);
}

#[tokio::test]
async fn bad_letters_are_refused() {
    let app = TestApp::spawn().await;
    let district = district(&app).await;
    let district_case = decided_by(
        &app,
        &district.officer,
        &district.head,
        district.respondent,
        "uphold",
        json!({}),
    )
    .await;
    let with = |key: &str, value: Value| {
        let mut body = opinion("榕政复意〔2024〕9号", "2024-03-01");
        body[key] = value;
        body
    };
    for (body, field) in [
        (with("issued_on", json!("2999-01-01")), "issued_on"),
        (with("recipient_name", json!(null)), "recipient_name"),
        (
            with(
                "recipient_id",
                json!("00000000-0000-7000-8000-000000000001"),
            ),
            "recipient_id",
        ),
        (with("summary", json!("")), "summary"),
        (with("document_number", json!(" ")), "document_number"),
        (with("kind", json!("warning")), "kind"),
        (with("received_on", json!("2024-02-01")), "received_on"),
        (with("handler_id", json!(app.statistician.id)), "handler_id"),
        (
            with("case_ids", json!(["00000000-0000-7000-8000-000000000000"])),
            "case_ids[0]",
        ),
    ] {
        let (status, problem) = post(&app, &app.officer, "/api/v1/letters", body.clone()).await;
        assert_invalid(status, &problem, field);
    }
    // The district cannot link the city's case, nor see it.
    let city_case = decided(&app, "uphold", json!({})).await;
    let mut body = opinion("鼓政复意〔2024〕1号", "2024-03-01");
    body["case_ids"] = json!([id(&district_case), id(&city_case)]);
    let (status, problem) = post(&app, &district.officer, "/api/v1/letters", body).await;
    assert_invalid(status, &problem, "case_ids[1]");

    post_ok(
        &app,
        &app.officer,
        "/api/v1/letters",
        opinion("榕政复意〔2024〕9号", "2024-03-01"),
    )
    .await;
    let (status, problem) = post(
        &app,
        &app.officer,
        "/api/v1/letters",
        opinion("榕政复意〔2024〕9号", "2024-03-02"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one number per organ: {problem}"
    );
    let (status, _) = post(
        &app,
        &app.statistician,
        "/api/v1/letters",
        opinion("榕政复意〔2024〕10号", "2024-03-02"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut recommendation = opinion("榕政复建〔2024〕1号", "2024-03-01");
    recommendation["kind"] = json!("recommendation");
    let recommendation = post_ok(&app, &app.officer, "/api/v1/letters", recommendation).await;
    assert_eq!(recommendation["report_back"], json!(null));
    let (status, problem) = post(
        &app,
        &app.officer,
        &format!("/api/v1/letters/{}/report-back", id(&recommendation)),
        json!({"received_on": "2024-03-05", "reported_on": "2024-04-01"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["kind"], "recommendation");
}

#[tokio::test]
async fn letters_are_listed_within_reach_with_filters() {
    let app = TestApp::spawn().await;
    let district = district(&app).await;
    let case = decided(&app, "uphold", json!({})).await;
    let mut first = opinion("榕政复意〔2024〕1号", "2024-02-01");
    first["case_ids"] = json!([case["id"]]);
    let first = post_ok(&app, &app.officer, "/api/v1/letters", first).await;
    let mut second = opinion("榕政复建〔2024〕1号", "2024-06-01");
    second["kind"] = json!("recommendation");
    let second = post_ok(&app, &app.officer, "/api/v1/letters", second).await;
    let theirs = post_ok(
        &app,
        &district.officer,
        "/api/v1/letters",
        opinion("鼓政复意〔2024〕1号", "2024-03-01"),
    )
    .await;

    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|l| id(l).to_owned())
            .collect()
    };
    let all = get_ok(&app, &app.admin, "/api/v1/letters").await;
    assert_eq!(
        ids(&all),
        [id(&theirs), id(&second), id(&first)],
        "newest first"
    );
    let mine = get_ok(&app, &district.officer, "/api/v1/letters").await;
    assert_eq!(ids(&mine), [id(&theirs)], "the district sees its own only");
    let (status, _) = get(
        &app,
        &district.officer,
        &format!("/api/v1/letters/{}", id(&first)),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &app,
        &district.officer,
        &format!("/api/v1/letters/{}/receipt", id(&first)),
        json!({"received_on": "2024-02-02"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &app,
        &app.officer,
        &format!("/api/v1/letters/{}/receipt", id(&theirs)),
        json!({"received_on": "2024-03-02"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "superiors read, not record");

    let page = get_ok(&app, &app.officer, "/api/v1/letters?kind=recommendation").await;
    assert_eq!(ids(&page), [id(&second)]);
    let page = get_ok(
        &app,
        &app.officer,
        "/api/v1/letters?issued_from=2024-01-15&issued_to=2024-03-31",
    )
    .await;
    assert_eq!(ids(&page), [id(&theirs), id(&first)]);
    let page = get_ok(
        &app,
        &app.officer,
        &format!("/api/v1/letters?case_id={}", id(&case)),
    )
    .await;
    assert_eq!(ids(&page), [id(&first)]);

    let mut seen = Vec::new();
    let mut path = "/api/v1/letters?limit=1".to_owned();
    loop {
        let page = get_ok(&app, &app.officer, &path).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/letters?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids(&all));
    let (status, _) = get(&app, &app.officer, "/api/v1/letters?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = get(&app, &app.officer, "/api/v1/letters?cursor=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
