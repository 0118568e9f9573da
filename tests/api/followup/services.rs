//! Service of the decision (送达, art. 75) and the day it takes effect.

use reqwest::{Method, StatusCode, header};
use serde_json::json;

use super::{
    DECIDED_ON, assert_invalid, decided, decided_by, district, get, get_ok, id, post, post_ok,
    respondent_served,
};
use crate::{lifecycle::heard, support::TestApp};

#[tokio::test]
async fn a_decision_takes_effect_once_the_applicant_and_the_respondent_are_served() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "uphold", json!({})).await;
    let path = format!("/api/v1/cases/{}/services", id(&case));

    let before = get_ok(&app, &app.officer, &path).await;
    assert_eq!(before["decided_on"], DECIDED_ON);
    assert_eq!(before["effective_on"], json!(null));
    assert_eq!(
        before["recipients"],
        json!([
            {"recipient": "applicant", "party_position": 0, "served_on": null},
            {"recipient": "respondent", "party_position": null, "served_on": null},
        ])
    );

    // The applicant's agent (position 1) signs for the applicant.
    let response = app
        .as_user(&app.officer, Method::POST, &path)
        .json(
            &json!({"recipient": "applicant", "party_position": 1, "method": "post",
                      "served_on": "2024-04-15", "note": "挂号信签收"}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()[header::LOCATION], path.as_str());
    let list: serde_json::Value = response.json().await.expect("json");
    assert_eq!(list["items"][0]["party_position"], 0);
    assert_eq!(list["items"][0]["signed_by_position"], 1);
    assert_eq!(list["items"][0]["recorded_by"], app.officer.id.to_string());
    assert!(list["items"][0]["recorded_at"].is_string());
    assert_eq!(list["recipients"][0]["served_on"], "2024-04-15");
    assert_eq!(
        list["effective_on"],
        json!(null),
        "the respondent is not served yet"
    );

    let list = post_ok(&app, &app.officer, &path, respondent_served("2024-04-11")).await;
    assert_eq!(
        list["effective_on"], "2024-04-15",
        "the later of the two services"
    );
    // Serving again later (say, a lost letter resent) does not move the effective date.
    let list = post_ok(
        &app,
        &app.officer,
        &path,
        json!({"recipient": "applicant", "party_position": 0, "method": "electronic",
               "electronic_consent": true, "served_on": "2024-04-20"}),
    )
    .await;
    assert_eq!(list["effective_on"], "2024-04-15");
    assert_eq!(list["items"].as_array().expect("items").len(), 3);
    assert_eq!(list["version"], 4);

    let summary = get_ok(
        &app,
        &app.head,
        &format!("/api/v1/cases/{}/followup", id(&case)),
    )
    .await;
    assert_eq!(summary["effective_on"], "2024-04-15");
    assert_eq!(summary["state"], "upheld");
    assert_eq!(
        summary["compliance"],
        json!(null),
        "an upheld act needs no compliance"
    );

    // Recording follow-up leaves the case itself as it was.
    let (_, after) = app.get_case(&app.officer, id(&case)).await;
    assert_eq!(after["version"], case["version"]);
}

#[tokio::test]
async fn a_mediation_document_takes_effect_when_signed() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "mediate", "occurred_on": "2024-04-02", "document_number": "榕政复调〔2024〕1号"}),
        )
        .await;
    let list = get_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
    )
    .await;
    assert_eq!(list["effective_on"], "2024-04-02");
}

#[tokio::test]
async fn bad_service_records_name_the_field() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "uphold", json!({})).await;
    let path = format!("/api/v1/cases/{}/services", id(&case));
    let served = |extra: serde_json::Value| {
        let mut body = json!({"recipient": "applicant", "party_position": 0,
                              "method": "in_person", "served_on": "2024-04-12"});
        for (key, value) in extra.as_object().expect("object") {
            body[key] = value.clone();
        }
        body
    };
    let refusals = [
        (served(json!({"served_on": "2024-04-09"})), "served_on"),
        (served(json!({"served_on": "2999-01-01"})), "served_on"),
        (
            served(json!({"method": "electronic"})),
            "electronic_consent",
        ),
        (served(json!({"party_position": null})), "party_position"),
        (served(json!({"party_position": 7})), "party_position"),
        (
            served(json!({"recipient": "third_party"})),
            "party_position",
        ),
        (
            json!({"recipient": "respondent", "party_position": 0, "method": "post", "served_on": "2024-04-12"}),
            "party_position",
        ),
        (served(json!({"method": "pigeon"})), "method"),
        (served(json!({"served_by": "x"})), "body"),
    ];
    for (body, field) in refusals {
        let (status, problem) = post(&app, &app.officer, &path, body.clone()).await;
        if field == "body" {
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {problem}"
            );
            assert!(
                problem["detail"]
                    .as_str()
                    .expect("detail")
                    .contains("served_by")
            );
        } else {
            assert_invalid(status, &problem, field);
        }
    }
    let (status, problem) = post(
        &app,
        &app.officer,
        &path,
        served(json!({"served_on": "2024-04-09"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("before the decision (2024-04-10)"),
        "{problem}"
    );
    let list = get_ok(&app, &app.officer, &path).await;
    assert_eq!(list["items"], json!([]), "nothing refused was stored");
}

#[tokio::test]
async fn records_wait_for_the_conclusion() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let (status, problem) = post(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
        respondent_served("2024-04-11"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["state"], "heard");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("heard"),
        "{problem}"
    );
    let (status, _) = post(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/lawsuits", id(&case)),
        json!({"court": "鼓楼区人民法院", "court_case_number": "(2024)闽0102行初1号",
               "filed_on": "2024-04-20", "organ_co_defendant": false}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_organ_boundary_holds_for_service_records() {
    let app = TestApp::spawn().await;
    let district = district(&app).await;
    let city_case = decided(&app, "uphold", json!({})).await;
    let district_case = decided_by(
        &app,
        &district.officer,
        &district.head,
        district.respondent,
        "uphold",
        json!({}),
    )
    .await;
    let city_path = format!("/api/v1/cases/{}/services", id(&city_case));
    let district_path = format!("/api/v1/cases/{}/services", id(&district_case));

    // The district cannot see the city's records: not even that the case exists.
    for path in [
        city_path.clone(),
        format!("/api/v1/cases/{}/followup", id(&city_case)),
        format!("/api/v1/cases/{}/lawsuits", id(&city_case)),
    ] {
        let (status, _) = get(&app, &district.officer, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = post(
        &app,
        &district.officer,
        &city_path,
        respondent_served("2024-04-11"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The city reads the district's records but records nothing on them.
    post_ok(
        &app,
        &district.officer,
        &district_path,
        respondent_served("2024-04-11"),
    )
    .await;
    let list = get_ok(&app, &app.officer, &district_path).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    let (status, problem) = post(
        &app,
        &app.head,
        &district_path,
        respondent_served("2024-04-12"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    // Statisticians get figures only: they neither read nor record.
    let (status, _) = get(&app, &app.statistician, &city_path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(
        &app,
        &app.statistician,
        &city_path,
        respondent_served("2024-04-11"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An unknown case is 404 as well.
    let (status, _) = get(
        &app,
        &app.officer,
        "/api/v1/cases/00000000-0000-7000-8000-000000000000/services",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_retried_record_is_stored_once() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "uphold", json!({})).await;
    let path = format!("/api/v1/cases/{}/services", id(&case));
    let mut replayed = Vec::new();
    for _ in 0..2 {
        let response = app
            .as_user(&app.officer, Method::POST, &path)
            .header("Idempotency-Key", "serve-respondent-1")
            .json(&respondent_served("2024-04-11"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED);
        replayed.push(response.headers().contains_key("idempotent-replayed"));
    }
    assert_eq!(replayed, [false, true]);
    let list = get_ok(&app, &app.officer, &path).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
}
