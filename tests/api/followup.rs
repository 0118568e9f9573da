//! Issue 6 end to end over HTTP: records on a concluded case (service and the effective date,
//! compliance and the measures of art. 77, litigation), opinion and recommendation letters, the
//! deadline feed, and the follow-up figures.

mod compliance;
mod feed;
mod figures;
mod letters;
mod litigation;
mod services;
mod storage;

use fuyi::{auth::Role, db::organs::NewRespondent};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    lifecycle::{accept, decide},
    support::{TestApp, TestUser, sample_case, status_and_json},
};

/// The day cases in these tests are decided.
pub const DECIDED_ON: &str = "2024-04-10";

/// A request as `user` with an optional JSON body; the status and JSON answer.
pub async fn send(
    app: &TestApp,
    user: &TestUser,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = app.as_user(user, method, path);
    if let Some(body) = body {
        request = request.json(body);
    }
    status_and_json(request.send().await.expect("request")).await
}

/// `GET path` as `user`.
pub async fn get(app: &TestApp, user: &TestUser, path: &str) -> (StatusCode, Value) {
    send(app, user, Method::GET, path, None).await
}

/// `GET path` as `user`, which must succeed.
pub async fn get_ok(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let (status, body) = get(app, user, path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// `POST path` as `user`.
pub async fn post(app: &TestApp, user: &TestUser, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, user, Method::POST, path, Some(&body)).await
}

/// `POST path` as `user`, which must create a record (201).
pub async fn post_ok(app: &TestApp, user: &TestUser, path: &str, body: Value) -> Value {
    let (status, answer) = post(app, user, path, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {answer}");
    answer
}

/// The `id` of a JSON object.
pub fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

/// Asserts a 422 naming `field`, and returns the problem.
pub fn assert_invalid(status: StatusCode, problem: &Value, field: &str) {
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}: {problem}"
    );
    assert!(
        crate::lifecycle::fields(problem).contains(&field),
        "{field} not named: {problem}"
    );
}

/// An application against `respondent` registered by `officer`, accepted by `head` on
/// 2024-03-05, its reply in, heard on 2024-03-25 and decided on [`DECIDED_ON`] with
/// `disposition` (and `extra` decision fields).
pub async fn decided_by(
    app: &TestApp,
    officer: &TestUser,
    head: &TestUser,
    respondent: Uuid,
    disposition: &str,
    extra: Value,
) -> Value {
    let (status, case) = app.register(officer, &sample_case(respondent)).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let case = app
        .act_ok(head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let case = app
        .act_ok(
            officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-15",
                   "copy_sent_on": "2024-03-07", "copy_received_on": "2024-03-07", "reply_received_on": "2024-03-15"}),
        )
        .await;
    let case = app
        .act_ok(
            officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-25", "method": "written_opinions", "parties_unavailable": true}),
        )
        .await;
    app.act_ok(head, &case, decide(disposition, DECIDED_ON, extra))
        .await
}

/// The sample case of the city, decided with `disposition`.
pub async fn decided(app: &TestApp, disposition: &str, extra: Value) -> Value {
    decided_by(
        app,
        &app.officer,
        &app.head,
        app.respondent,
        disposition,
        extra,
    )
    .await
}

/// A revocation with a remake order within `days`.
pub fn remake(days: u32) -> Value {
    json!({"remake_ordered": true, "comply_within_days": days})
}

/// The district's own respondent and staff.
pub struct District {
    pub respondent: Uuid,
    pub officer: TestUser,
    pub head: TestUser,
}

/// Staff and a respondent for `app.district`.
pub async fn district(app: &TestApp) -> District {
    let mut conn = app.pool.get().await.expect("connection");
    let respondent = fuyi::db::organs::insert_respondent(
        &mut conn,
        &NewRespondent {
            id: Uuid::now_v7(),
            organ_id: app.district.id,
            name: "鼓楼区市场监督管理局",
            credit_code: None,
            domain: "market_regulation",
        },
    )
    .await
    .expect("district respondent")
    .id;
    drop(conn);
    District {
        respondent,
        officer: app
            .user("district-officer", app.district.id, &[Role::Officer])
            .await,
        head: app
            .user(
                "district-head",
                app.district.id,
                &[Role::Officer, Role::Head],
            )
            .await,
    }
}

/// Service on the respondent on `on`.
pub fn respondent_served(on: &str) -> Value {
    json!({"recipient": "respondent", "method": "in_person", "served_on": on})
}
