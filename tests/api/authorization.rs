//! Who may do what: tokens on every endpoint, organ scoping of cases, statisticians kept from
//! cases, masking of personal data, and the acting user on every event.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{TestApp, TestUser, sample_case, status_and_json};

/// Every operation of the OpenAPI document under `/api/v1`, with path parameters filled in.
fn api_operations() -> Vec<(Method, String, Value)> {
    let document: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let concrete = path
            .split('/')
            .map(|segment| match segment {
                "{year}" => "2024".to_owned(),
                s if s.starts_with('{') => uuid::Uuid::now_v7().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            operations.push((method, concrete.clone(), operation.clone()));
        }
    }
    operations
}

#[tokio::test]
async fn every_api_endpoint_but_sign_in_and_refresh_needs_a_token() {
    let app = TestApp::spawn().await;
    let open = ["/api/v1/auth/token", "/api/v1/auth/refresh"];
    let operations = api_operations();
    assert!(
        operations.len() >= 20,
        "only {} operations",
        operations.len()
    );
    for (method, path, operation) in operations {
        let response = app
            .request(method.clone(), &path)
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        let declares_bearer = operation["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        if open.contains(&path.as_str()) {
            assert_ne!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            assert!(!declares_bearer, "{method} {path} claims to need a token");
        } else {
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} answered without a token"
            );
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                "Bearer",
                "{method} {path}"
            );
            assert!(
                declares_bearer,
                "{method} {path} does not document its token"
            );
        }
    }
}

/// A district user with the officer and head roles.
async fn district_head(app: &TestApp) -> TestUser {
    use fuyi::auth::Role;
    app.user("gulou-head", app.district.id, &[Role::Officer, Role::Head])
        .await
}

/// Sends every kind of request a case has, as `user`; returns the statuses in order: read,
/// correct, act, history.
async fn try_everything(app: &TestApp, user: &TestUser, case: &Value) -> Vec<StatusCode> {
    let id = case["id"].as_str().unwrap();
    let read = app.get_case(user, id).await.0;
    let correct = app
        .as_user(user, Method::PATCH, &format!("/api/v1/cases/{id}"))
        .header(header::IF_MATCH, format!("\"{}\"", case["version"]))
        .json(&json!({"reasons": "改过的理由"}))
        .send()
        .await
        .unwrap()
        .status();
    let act = app
        .act(
            user,
            case,
            json!({"action": "request_supplement", "items": ["身份证明"]}),
        )
        .await
        .0;
    let history = app
        .as_user(user, Method::GET, &format!("/api/v1/cases/{id}/events"))
        .send()
        .await
        .unwrap()
        .status();
    vec![read, correct, act, history]
}

async fn listed_ids(app: &TestApp, user: &TestUser) -> Vec<String> {
    let (status, page) = status_and_json(
        app.as_user(user, Method::GET, "/api/v1/cases")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_district_user_sees_nothing_of_the_citys_cases() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let district = district_head(&app).await;
    assert_eq!(
        try_everything(&app, &district, &case).await,
        [StatusCode::NOT_FOUND; 4]
    );
    assert!(listed_ids(&app, &district).await.is_empty());
    // Nothing changed behind the 404s.
    let (_, unchanged) = app
        .get_case(&app.officer, case["id"].as_str().unwrap())
        .await;
    assert_eq!(unchanged["version"], 1);
}

#[tokio::test]
async fn a_city_user_reads_district_cases_but_cannot_change_them() {
    let app = TestApp::spawn().await;
    let (status, respondent) = status_and_json(
        app.as_user(&app.admin, Method::POST, "/api/v1/respondents")
            .json(&json!({
                "name": "鼓楼区市场监督管理局",
                "domain": "market_regulation",
                "organ_id": app.district.id,
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{respondent}");
    let district = district_head(&app).await;
    let mut body = sample_case(app.respondent);
    body["respondent_id"] = respondent["id"].clone();
    let (status, case) = app.register(&district, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();

    for city_user in [&app.officer, &app.head] {
        let (status, seen) = app.get_case(city_user, id).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen["allowed_actions"], json!([]), "{}", city_user.username);
        // Reading is not handling: personal data stays masked.
        assert_eq!(seen["parties"][0]["id_number"], "350102********1234");
        assert!(listed_ids(&app, city_user).await.contains(&id.to_owned()));
        let [read, correct, act, history] = try_everything(&app, city_user, &case).await[..] else {
            unreachable!()
        };
        assert_eq!((read, history), (StatusCode::OK, StatusCode::OK));
        assert_eq!(correct, StatusCode::FORBIDDEN, "{}", city_user.username);
        assert_eq!(act, StatusCode::FORBIDDEN, "{}", city_user.username);
    }
    let (_, unchanged) = app.get_case(&district, id).await;
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["state"], "received");
}

#[tokio::test]
async fn statisticians_cannot_read_cases() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    for path in [
        "/api/v1/cases".to_owned(),
        format!("/api/v1/cases/{id}"),
        format!("/api/v1/cases/{id}/events"),
    ] {
        let (status, body) = status_and_json(
            app.as_user(&app.statistician, Method::GET, &path)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["type"], "urn:fuyi:problem:forbidden");
    }
    let (status, _) = app
        .register(&app.statistician, &sample_case(app.respondent))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn applicant(case: &Value) -> (&Value, &Value) {
    let party = &case["parties"][0];
    (&party["id_number"], &party["phone"])
}

#[tokio::test]
async fn personal_data_is_masked_for_those_who_do_not_handle_the_case() {
    use fuyi::auth::Role;
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let colleague = app.user("officer2", app.city.id, &[Role::Officer]).await;

    let (status, seen) = app.get_case(&colleague, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        applicant(&seen),
        (&json!("350102********1234"), &json!("138****5678"))
    );
    let (_, seen) = app.get_case(&app.admin, id).await;
    assert_eq!(applicant(&seen).0, "350102********1234");

    // The registering officer and the head of the organ see it in full.
    for user in [&app.officer, &app.head] {
        let (_, seen) = app.get_case(user, id).await;
        assert_eq!(
            applicant(&seen),
            (&json!("350102199001011234"), &json!("13812345678")),
            "{}",
            user.username
        );
    }

    // Once assigned, the colleague handles the case and sees it in full.
    app.act_ok(
        &app.head,
        &case,
        json!({"action": "assign", "handlers": [colleague.id]}),
    )
    .await;
    let (_, seen) = app.get_case(&colleague, id).await;
    assert_eq!(applicant(&seen).0, "350102199001011234");
}

#[tokio::test]
async fn each_event_names_the_user_who_acted() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    app.act_ok(
        &app.head,
        &case,
        json!({"action": "assign", "handlers": [app.officer.id]}),
    )
    .await;
    let (status, history) = status_and_json(
        app.as_user(
            &app.officer,
            Method::GET,
            &format!("/api/v1/cases/{id}/events"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let actors: Vec<(&Value, &Value, &Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["action"], &e["actor"], &e["actor_id"]))
        .collect();
    assert_eq!(
        actors,
        [
            (
                &json!("register"),
                &json!("officer"),
                &json!(app.officer.id)
            ),
            (&json!("assign"), &json!("head"), &json!(app.head.id)),
        ]
    );
}

// ---- least privilege ----

#[tokio::test]
async fn statisticians_get_figures_only() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let unknown = uuid::Uuid::now_v7();
    let records = [
        format!("/api/v1/cases/{id}/followup"),
        format!("/api/v1/cases/{id}/services"),
        format!("/api/v1/cases/{id}/compliance"),
        format!("/api/v1/cases/{id}/lawsuits"),
        format!("/api/v1/lawsuits/{unknown}"),
        "/api/v1/letters".to_owned(),
        format!("/api/v1/letters/{unknown}"),
        "/api/v1/deadlines".to_owned(),
    ];
    for path in &records {
        let (status, body) = status_and_json(
            app.as_user(&app.statistician, Method::GET, path)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(body["type"], "urn:fuyi:problem:forbidden");
        // Those who handle cases, and admins, keep what they had.
        for user in [&app.officer, &app.head, &app.admin] {
            let response = app.as_user(user, Method::GET, path).send().await.unwrap();
            assert_ne!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{} {path}",
                user.username
            );
        }
    }
    for path in ["/api/v1/letters", "/api/v1/deadlines"] {
        let response = app
            .as_user(&app.officer, Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    // The figures stay theirs.
    let response = app
        .as_user(
            &app.statistician,
            Method::GET,
            "/api/v1/statistics/monthly?from=2024-01&to=2024-03",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn only_admins_of_a_root_organ_change_the_calendar() {
    use fuyi::auth::Role;
    let app = TestApp::spawn().await;
    let district_admin = app
        .user("district-admin", app.district.id, &[Role::Admin])
        .await;
    let year = json!({"holidays": ["2031-01-01"], "makeup_workdays": []});
    let (status, body) = status_and_json(
        app.as_user(&district_admin, Method::PUT, "/api/v1/calendar/2031")
            .json(&year)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["type"], "urn:fuyi:problem:forbidden");
    // Nothing was stored.
    let response = app
        .as_user(&app.admin, Method::GET, "/api/v1/calendar/2031")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The city has no superior: its admin may.
    let response = app
        .as_user(&app.admin, Method::PUT, "/api/v1/calendar/2031")
        .json(&year)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn exported_csv_cells_never_start_a_formula() {
    use fuyi::db::organs::NewRespondent;
    let app = TestApp::spawn().await;
    let formula = r#"=HYPERLINK("http://evil.example","点击")"#;
    let mut conn = app.pool.get().await.unwrap();
    let respondent = fuyi::db::organs::insert_respondent(
        &mut conn,
        &NewRespondent {
            id: uuid::Uuid::now_v7(),
            organ_id: app.city.id,
            name: formula,
            credit_code: None,
            domain: "public_security",
        },
    )
    .await
    .unwrap()
    .id;
    drop(conn);
    let (status, body) = app.register(&app.officer, &sample_case(respondent)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let path = "/api/v1/statistics/breakdown?by=respondent&from=2024-01-01&to=2024-12-31";
    let response = app
        .as_user(&app.statistician, Method::GET, path)
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    let row = records
        .iter()
        .find(|record| record[0].contains("HYPERLINK"))
        .expect("the respondent's row");
    assert_eq!(&row[0], format!("'{formula}"));
    // Figures stay numbers: one case received.
    assert_eq!(&row[1], "1");
    for record in &records {
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {record:?}"
            );
        }
    }
    // JSON carries the name as it is.
    let (_, json) = status_and_json(
        app.as_user(&app.statistician, Method::GET, path)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(json.to_string().contains("=HYPERLINK"), "{json}");
}
