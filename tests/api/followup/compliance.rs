//! Compliance with a remake or perform order, its time limit, and the measures of art. 77.

use reqwest::{StatusCode, header};
use serde_json::json;

use super::{assert_invalid, decided, get, get_ok, id, post, post_ok, remake, respondent_served};
use crate::support::TestApp;

#[tokio::test]
async fn a_remake_order_runs_from_service_on_the_respondent_and_a_missed_limit_shows() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "revoke", remake(30)).await;
    let path = format!("/api/v1/cases/{}/compliance", id(&case));

    let before = get_ok(&app, &app.officer, &path).await;
    assert_eq!(before["ordered"], "remake");
    assert_eq!(before["time_limit_days"], 30);
    assert_eq!(before["decided_on"], "2024-04-10");
    assert_eq!(before["starts_on"], json!(null));
    assert_eq!(before["status"], "unknown", "not started before service");

    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
        respondent_served("2024-04-11"),
    )
    .await;
    let running = get_ok(&app, &app.officer, &path).await;
    assert_eq!(running["starts_on"], "2024-04-11");
    // 30 days from 2024-04-11 is Saturday 2024-05-11, a make-up working day.
    assert_eq!(running["due_on"], "2024-05-11");
    assert_eq!(running["status"], "missed", "{running}");
    assert!(running["days_late"].as_i64().expect("days late") > 900);

    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"complied_on": "2024-05-20"}),
    )
    .await;
    assert_invalid(status, &problem, "new_act_document_number");

    let response = app
        .as_user(&app.officer, reqwest::Method::POST, &path)
        .json(
            &json!({"complied_on": "2024-05-20", "new_act_document_number": "榕公罚〔2024〕30号"}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()[header::LOCATION], path.as_str());
    let complied: serde_json::Value = response.json().await.expect("json");
    assert_eq!(complied["status"], "late");
    assert_eq!(complied["days_late"], 9);
    assert_eq!(complied["new_act_document_number"], "榕公罚〔2024〕30号");
    assert_eq!(complied["complied_recorded_by"], app.officer.id.to_string());

    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"complied_on": "2024-05-21", "new_act_document_number": "榕公罚〔2024〕31号"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "recorded once: {problem}");
}

#[tokio::test]
async fn performance_on_time_is_met() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "order_to_perform", json!({"comply_within_days": 15})).await;
    let path = format!("/api/v1/cases/{}/compliance", id(&case));
    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
        respondent_served("2024-04-12"),
    )
    .await;
    let view = post_ok(
        &app,
        &app.officer,
        &path,
        json!({"complied_on": "2024-04-25"}),
    )
    .await;
    assert_eq!(view["ordered"], "perform");
    // 15 days from 2024-04-12 is Saturday 04-27, a rest day; Sunday 04-28 is a make-up day.
    assert_eq!(view["due_on"], "2024-04-28");
    assert_eq!(view["status"], "met");
    assert_eq!(view["days_late"], json!(null));
}

#[tokio::test]
async fn bad_compliance_records_are_refused() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "revoke", remake(30)).await;
    let path = format!("/api/v1/cases/{}/compliance", id(&case));
    for (body, field) in [
        (
            json!({"complied_on": "2024-04-09", "new_act_document_number": "X1"}),
            "complied_on",
        ),
        (
            json!({"complied_on": "2999-04-09", "new_act_document_number": "X1"}),
            "complied_on",
        ),
        (
            json!({"complied_on": "2024-04-20", "new_act_document_number": "  "}),
            "new_act_document_number",
        ),
        (json!({"complied_on": "soon"}), "complied_on"),
    ] {
        let (status, problem) = post(&app, &app.officer, &path, body).await;
        assert_invalid(status, &problem, field);
    }
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"complied_on": "2024-04-09", "new_act_document_number": "X1"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("before the decision"),
        "{problem}"
    );

    // A decision that orders nothing has no compliance to record.
    let upheld = decided(&app, "uphold", json!({})).await;
    let upheld_path = format!("/api/v1/cases/{}/compliance", id(&upheld));
    let (status, _) = get(&app, &app.officer, &upheld_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = post(
        &app,
        &app.officer,
        &upheld_path,
        json!({"complied_on": "2024-04-20"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["state"], "upheld");
}

#[tokio::test]
async fn measures_follow_a_missed_time_limit() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "revoke", remake(30)).await;
    let path = format!("/api/v1/cases/{}/compliance/measures", id(&case));
    let measure = |kind: &str, on: &str| json!({"kind": kind, "taken_on": on});

    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        measure("interview", "2024-05-20"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no time limit before service: {problem}"
    );

    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
        respondent_served("2024-04-11"),
    )
    .await;
    // The time limit runs until 2024-05-11.
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        measure("interview", "2024-05-11"),
    )
    .await;
    assert_invalid(status, &problem, "taken_on");
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"kind": "interview", "taken_on": "2024-05-13", "comply_by": "2024-06-01"}),
    )
    .await;
    assert_invalid(status, &problem, "comply_by");
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        json!({"kind": "order_to_comply", "taken_on": "2024-05-13", "comply_by": "2024-05-01"}),
    )
    .await;
    assert_invalid(status, &problem, "comply_by");

    post_ok(
        &app,
        &app.officer,
        &path,
        json!({"kind": "order_to_comply", "taken_on": "2024-05-13", "comply_by": "2024-05-31"}),
    )
    .await;
    post_ok(
        &app,
        &app.officer,
        &path,
        measure("interview", "2024-06-03"),
    )
    .await;
    let view = post_ok(
        &app,
        &app.officer,
        &path,
        json!({"kind": "public_criticism", "taken_on": "2024-06-20", "note": "全市通报"}),
    )
    .await;
    let kinds: Vec<&str> = view["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .map(|m| m["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["order_to_comply", "interview", "public_criticism"]);
    assert_eq!(view["measures"][0]["comply_by"], "2024-05-31");
    assert_eq!(view["status"], "missed");

    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/compliance", id(&case)),
        json!({"complied_on": "2024-06-25", "new_act_document_number": "榕公罚〔2024〕40号"}),
    )
    .await;
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        measure("interview", "2024-07-01"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "complied already: {problem}");
}
