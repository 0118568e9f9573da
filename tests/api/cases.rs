//! Registering, reading, correcting and listing cases.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{TestApp, sample_case, status_and_json};

#[tokio::test]
async fn a_registered_case_can_be_read_back() {
    let app = TestApp::spawn().await;
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/cases")
        .json(&sample_case(app.respondent))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let etag = response.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["state"], "received");
    assert_eq!(created["state_label"], "已收到申请");
    assert_eq!(created["version"], 1);
    assert_eq!(etag, "\"1\"");
    assert_eq!(created["enterprise_related"], false);
    assert_eq!(created["late_application"], false);
    assert_eq!(created["respondent"]["domain"], "public_security");
    assert!(location.ends_with(&format!(
        "/api/v1/cases/{}",
        created["id"].as_str().unwrap()
    )));
    // The registering officer handles the case and sees personal data in full.
    assert_eq!(created["parties"][0]["id_number"], "350102199001011234");

    let (status, fetched) = app
        .get_case(&app.officer, created["id"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);
}

#[tokio::test]
async fn the_acceptance_review_deadline_is_shown_from_registration() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let review = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "acceptance_review")
        .expect("acceptance review deadline");
    // Received Friday 2024-03-01; five working days later is Friday 2024-03-08.
    assert_eq!(review["due_on"], "2024-03-08");
}

#[tokio::test]
async fn a_legal_person_applicant_makes_the_case_enterprise_related() {
    let app = TestApp::spawn().await;
    let mut body = sample_case(app.respondent);
    body["parties"][0] =
        json!({"role": "applicant", "kind": "legal_person", "name": "福州某某有限公司"});
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["enterprise_related"], true);
}

#[tokio::test]
async fn a_late_application_is_stored_and_flagged() {
    let app = TestApp::spawn().await;
    let mut body = sample_case(app.respondent);
    body["learned_on"] = json!("2024-01-01");
    body["act_date"] = json!("2024-01-01");
    body["received_on"] = json!("2024-03-02"); // 61 days after learning of the act
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["late_application"], true);
}

#[tokio::test]
async fn bad_registrations_name_each_field() {
    let app = TestApp::spawn().await;
    let cases = [
        ("received_on", json!("2999-01-01")),
        ("act_date", json!("2999-01-01")),
        ("request", json!("   ")),
    ];
    for (field, value) in cases {
        let mut body = sample_case(app.respondent);
        body[field] = value;
        let (status, problem) = app.register(&app.officer, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field}: {problem}");
    }

    let mut body = sample_case(app.respondent);
    body["received_on"] = json!("2024-01-05");
    body["learned_on"] = json!("2024-01-05");
    body["act_date"] = json!("2024-01-10");
    let (status, problem) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("received_on"),
        "{problem}"
    );

    let mut body = sample_case(app.respondent);
    body.as_object_mut().unwrap().remove("act_type");
    let (status, problem) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("act_type"),
        "{problem}"
    );
}

#[tokio::test]
async fn an_unknown_respondent_is_named() {
    let app = TestApp::spawn().await;
    let ghost = uuid::Uuid::now_v7();
    let (status, problem) = app.register(&app.officer, &sample_case(ghost)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "respondent_id");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains(&ghost.to_string())
    );
}

async fn patch(
    app: &TestApp,
    id: &str,
    if_match: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = app
        .as_user(&app.officer, Method::PATCH, &format!("/api/v1/cases/{id}"))
        .json(&body);
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    status_and_json(request.send().await.unwrap()).await
}

#[tokio::test]
async fn corrections_need_the_current_version() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();

    let (status, _) = patch(&app, id, None, json!({"reasons": "补充理由"})).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);

    let (status, updated) = patch(
        &app,
        id,
        Some("\"1\""),
        json!({"reasons": "补充理由", "amount_fen": null}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["reasons"], "补充理由");
    assert_eq!(updated["amount_fen"], Value::Null);
    assert_eq!(updated["version"], 2);

    let (status, stale) = patch(&app, id, Some("\"1\""), json!({"reasons": "又一次"})).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{stale}");

    let (status, bad) = patch(&app, id, Some("\"2\""), json!({"learned_on": "2023-01-01"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "learned_on");

    let (status, unknown) = patch(&app, id, Some("\"2\""), json!({"state": "upheld"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{unknown}");
}

async fn list(app: &TestApp, query: &str) -> Value {
    let (status, body) = status_and_json(
        app.as_user(&app.officer, Method::GET, &format!("/api/v1/cases?{query}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

#[tokio::test]
async fn the_list_filters_and_searches() {
    let app = TestApp::spawn().await;
    let first = app.sample_case().await;
    let mut other = sample_case(app.respondent);
    other["parties"][0]["name"] = json!("王五");
    other["act_type"] = json!("information_disclosure");
    other["received_on"] = json!("2024-04-01");
    let (_, second) = app.register(&app.officer, &other).await;

    let all = list(&app, "").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(all["items"][0]["id"], second["id"], "newest first");

    let by_type = list(&app, "act_type=information_disclosure").await;
    assert_eq!(by_type["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_type["items"][0]["applicants"], json!(["王五"]));

    let by_text = list(&app, "q=%E5%BC%A0%E4%B8%89").await; // 张三
    assert_eq!(by_text["items"][0]["id"], first["id"]);
    assert_eq!(by_text["items"].as_array().unwrap().len(), 1);

    let by_document = list(&app, "q=%E6%A6%95%E5%85%AC%E7%BD%9A").await; // 榕公罚
    assert_eq!(by_document["items"].as_array().unwrap().len(), 2);

    let by_date = list(&app, "received_from=2024-03-15&received_to=2024-12-31").await;
    assert_eq!(by_date["items"].as_array().unwrap().len(), 1);

    let bad = app
        .as_user(&app.officer, Method::GET, "/api/v1/cases?state=bogus")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let too_many = app
        .as_user(&app.officer, Method::GET, "/api/v1/cases?limit=500")
        .send()
        .await
        .unwrap();
    assert_eq!(too_many.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn keyset_pages_are_stable_under_concurrent_inserts() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.sample_case().await["id"].clone());
    }
    let page1 = list(&app, "limit=2").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();

    // A case registered between page requests does not shift later pages.
    app.sample_case().await;

    let page2 = list(&app, &format!("limit=2&cursor={cursor}")).await;
    let page3 = list(
        &app,
        &format!("limit=2&cursor={}", page2["next_cursor"].as_str().unwrap()),
    )
    .await;
    let seen: Vec<Value> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| {
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].clone())
        })
        .collect();
    let expected: Vec<Value> = ids.into_iter().rev().collect();
    assert_eq!(seen, expected);
    assert!(page3["next_cursor"].is_null());
}
