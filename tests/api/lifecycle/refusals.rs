//! Refused actions: 409 naming the state and what is allowed now, 422 naming the field, and the
//! rules on an action's date.

use chrono::{DateTime, Days, Utc};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use super::{accept, decide, events, fields, reload, replied};
use crate::support::TestApp;

#[tokio::test]
async fn a_refused_action_is_a_409_naming_the_state_the_action_and_what_is_allowed_now() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().unwrap();
    let response = app
        .as_user(
            &app.head,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{id}/transitions"),
        )
        .header(header::IF_MATCH, "\"1\"")
        .json(&decide("uphold", "2024-03-04", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["state"], "received");
    assert_eq!(problem["action"], "decide");
    // Judged on the action's date, 2024-03-04, within the review (it lapses on 2024-03-08).
    assert_eq!(
        problem["allowed_actions"],
        json!([
            "request_supplement",
            "decline",
            "accept",
            "assign",
            "withdraw_application",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "appoint_representative"
        ])
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("decide") && detail.contains("received"),
        "{detail}"
    );

    // The allowed actions are the caller's: an officer is offered only what an officer may do.
    let (status, problem) = app
        .act(
            &app.officer,
            &case,
            json!({"action": "resume", "occurred_on": "2024-03-04"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["action"], "resume");
    assert_eq!(
        problem["allowed_actions"],
        json!([
            "request_supplement",
            "withdraw_application",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "appoint_representative"
        ])
    );

    // A closed case allows nothing, and says so.
    let closed = replied(&app, "simplified").await;
    let closed = app
        .act_ok(
            &app.head,
            &closed,
            decide("uphold", "2024-03-20", json!({})),
        )
        .await;
    let (status, problem) = app
        .act(
            &app.head,
            &closed,
            json!({"action": "assign", "handlers": [app.officer.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["state"], "upheld");
    assert_eq!(problem["allowed_actions"], json!([]));
    assert!(
        problem["detail"].as_str().unwrap().contains("none"),
        "{problem}"
    );
    // Refusals change nothing.
    assert_eq!(reload(&app, &app.head, &case).await["version"], 1);
    assert_eq!(events(&app, &app.head, &case).await.len(), 1);
}

#[tokio::test]
async fn missing_or_malformed_action_fields_are_a_422_naming_them() {
    let app = TestApp::spawn().await;
    let received = app.sample_case().await;
    let heard = super::heard(&app).await;
    let cases = [
        (&received, json!({"action": "accept"}), "procedure"),
        (
            &received,
            json!({"action": "accept", "procedure": "express"}),
            "procedure",
        ),
        (
            &received,
            json!({"action": "accept", "procedure": "simplified"}),
            "simplified_ground",
        ),
        (
            &received,
            json!({"action": "accept", "procedure": "ordinary", "occurred_on": "next week"}),
            "occurred_on",
        ),
        (&received, json!({"procedure": "ordinary"}), "action"),
        (&received, json!({"action": "approve"}), "action"),
        (&received, json!({"action": 7}), "action"),
        (
            &received,
            json!({"action": "request_supplement", "occurred_on": "2024-03-04", "items": []}),
            "items",
        ),
        (
            &heard,
            json!({"action": "decide", "disposition": "uphold", "reasoning": "理由", "legal_basis": "依据"}),
            "document_number",
        ),
        (
            &heard,
            decide("quash", "2024-04-10", json!({})),
            "disposition",
        ),
        (
            &heard,
            decide("revoke", "2024-04-10", json!({"partal": true})),
            "partal",
        ),
        (
            &heard,
            decide("uphold", "2024-04-10", json!({"document_number": "  "})),
            "document_number",
        ),
        (
            &heard,
            json!({"action": "extend", "days": -3, "reason": "复杂"}),
            "days",
        ),
        (
            &heard,
            json!({"action": "suspend", "ground": "bad_weather"}),
            "ground",
        ),
        // The time of recording is the server's, never the client's.
        (
            &heard,
            json!({"action": "resume", "recorded_at": "2020-01-01T00:00:00Z"}),
            "recorded_at",
        ),
    ];
    for (case, action, field) in cases {
        let (status, problem) = app.act(&app.head, case, action.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action} → {problem}"
        );
        assert_eq!(fields(&problem), [field], "{action} → {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{problem}"
        );
    }
    assert_eq!(reload(&app, &app.head, &received).await["version"], 1);
    assert_eq!(
        reload(&app, &app.head, &heard).await["version"],
        heard["version"]
    );
}

#[tokio::test]
async fn an_action_is_dated_neither_in_the_future_nor_before_the_previous_event() {
    let app = TestApp::spawn().await;
    let today = app.city.today();
    let case = app.sample_case().await;

    let tomorrow = today + Days::new(1);
    let (status, problem) = app
        .act(
            &app.head,
            &case,
            json!({"action": "accept", "procedure": "ordinary", "occurred_on": tomorrow}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["occurred_on"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("future"),
        "{problem}"
    );

    // The registration (received 2024-03-01) is the first event.
    let (status, problem) = app
        .act(&app.head, &case, accept("ordinary", "2024-02-29"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["occurred_on"]);

    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let earlier = json!({"action": "record_reply", "occurred_on": "2024-03-04", "copy_sent_on": "2024-03-04", "copy_received_on": "2024-03-04"});
    let (status, problem) = app.act(&app.officer, &case, earlier).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["occurred_on"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("2024-03-05"),
        "{problem}"
    );

    // The same day as the previous event is fine; with no date the action happens today.
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-05", "copy_sent_on": "2024-03-05", "copy_received_on": "2024-03-05"}),
        )
        .await;
    let before = Utc::now();
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "reply_received_on": "2024-03-12"}),
        )
        .await;
    let after = Utc::now();
    assert_eq!(case["lifecycle"]["last_event_on"], json!(today));

    let history = events(&app, &app.head, &case).await;
    let occurred: Vec<&Value> = history.iter().map(|e| &e["occurred_on"]).collect();
    assert_eq!(
        occurred,
        [
            &json!("2024-03-01"),
            &json!("2024-03-05"),
            &json!("2024-03-05"),
            &json!(today)
        ]
    );
    // Whatever the legal date, the service records when it learned of the action.
    let recorded: DateTime<Utc> = history[3]["recorded_at"].as_str().unwrap().parse().unwrap();
    let slack = chrono::Duration::seconds(5);
    assert!(
        recorded >= before - slack && recorded <= after + slack,
        "{recorded} not within {before}..{after}"
    );
}
