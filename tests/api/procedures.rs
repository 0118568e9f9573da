//! Issue 14 end to end: the procedures real cases need, starting with the withdrawal of an
//! application before it was accepted (its own terminal state and its own figure).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::lifecycle::{decide, events, fields, filed, heard, reload};
use crate::support::{TestApp, status_and_json};

fn withdraw(on: &str) -> Value {
    json!({
        "action": "withdraw_application",
        "occurred_on": on,
        "explanation": "申请人书面申请撤回"
    })
}

async fn summary(app: &TestApp, from: &str, to: &str) -> Value {
    let path = format!("/api/v1/statistics/summary?from={from}&to={to}");
    let (status, body) = status_and_json(
        app.as_user(&app.statistician, Method::GET, &path)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

#[tokio::test]
async fn an_application_withdrawn_under_review_ends_neither_concluded_nor_declined() {
    let app = TestApp::spawn().await;
    // Received Friday 2024-03-01; the review runs until 2024-03-08.
    let case = app.sample_case().await;
    let withdrawn = app
        .act_ok(&app.officer, &case, withdraw("2024-03-05"))
        .await;
    assert_eq!(withdrawn["state"], "withdrawn_before_acceptance");
    assert_eq!(withdrawn["lifecycle"]["withdrawn_on"], "2024-03-05");
    assert_eq!(withdrawn["lifecycle"]["concluded_on"], Value::Null);
    assert_eq!(withdrawn["lifecycle"]["declined_on"], Value::Null);

    let read = reload(&app, &app.head, &withdrawn).await;
    assert_eq!(read["allowed_actions"], json!([]), "{read}");
    assert_eq!(read["deemed_accepted_on"], Value::Null, "{read}");
    let history = events(&app, &app.head, &read).await;
    let last = history.last().expect("an event");
    assert_eq!(last["action"], "withdraw_application");
    assert_eq!(last["to_state"], "withdrawn_before_acceptance");
    assert_eq!(
        last["payload"]["action"]["explanation"],
        "申请人书面申请撤回"
    );

    // Nothing more can happen to it.
    let (status, problem) = app
        .act(
            &app.head,
            &read,
            json!({"action": "accept", "occurred_on": "2024-03-06", "procedure": "ordinary"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["allowed_actions"], json!([]), "{problem}");

    // Its own count: not concluded, not declined, and no longer open.
    let body = summary(&app, "2024-03-01", "2024-03-31").await;
    let counts = &body["total"]["counts"];
    assert_eq!(counts["withdrawn_before_acceptance"], 1, "{body}");
    assert_eq!(counts["received"], 1, "{body}");
    assert_eq!(counts["concluded"], 0, "{body}");
    assert_eq!(counts["not_accepted"], 0, "{body}");
    assert_eq!(counts["withdrawn"], 0, "{body}");
    assert_eq!(body["total"]["open_at_end"]["open"], 0, "{body}");
    let before = summary(&app, "2024-03-01", "2024-03-04").await;
    assert_eq!(before["total"]["counts"]["withdrawn_before_acceptance"], 0);
    assert_eq!(before["total"]["open_at_end"]["open"], 1, "{before}");
}

#[tokio::test]
async fn an_application_awaiting_a_supplement_can_be_withdrawn() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let awaiting = app
        .act_ok(
            &app.officer,
            &case,
            json!({
                "action": "request_supplement",
                "occurred_on": "2024-03-04",
                "items": ["身份证明"]
            }),
        )
        .await;
    // The review clock stops while a supplement is awaited, so weeks later it is still possible.
    let withdrawn = app
        .act_ok(&app.officer, &awaiting, withdraw("2024-03-25"))
        .await;
    assert_eq!(withdrawn["state"], "withdrawn_before_acceptance");
    assert_eq!(withdrawn["lifecycle"]["withdrawn_on"], "2024-03-25");
}

#[tokio::test]
async fn a_withdrawal_after_the_review_lapsed_or_after_acceptance_is_refused() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    // 2024-03-11: the review ended on 2024-03-08 and the application counts as accepted.
    let (status, problem) = app.act(&app.officer, &case, withdraw("2024-03-11")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_30", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("art. 41")),
        "{problem}"
    );

    let accepted = filed(&app, "ordinary").await;
    let (status, problem) = app.act(&app.head, &accepted, withdraw("2024-03-12")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["allowed_actions"]
            .as_array()
            .expect("allowed actions")
            .contains(&json!("terminate")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_decision_that_revokes_must_rule_on_the_joined_compensation_claim() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({
                "action": "record_compensation_claim",
                "occurred_on": "2024-03-25",
                "claim": {"description": "赔偿罚没款利息损失", "amount_fen": 120000}
            }),
        )
        .await;
    assert_eq!(
        case["lifecycle"]["compensation_claim"]["amount_fen"],
        120000
    );

    let (status, problem) = app
        .act(&app.head, &case, decide("revoke", "2024-04-01", json!({})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_72", "{problem}");

    let (status, problem) = app
        .act(
            &app.head,
            &case,
            decide(
                "revoke",
                "2024-04-01",
                json!({"compensation": {"outcome": "award"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        fields(&problem).contains(&"compensation.amount_fen"),
        "{problem}"
    );

    let decided = app
        .act_ok(
            &app.head,
            &case,
            decide(
                "revoke",
                "2024-04-01",
                json!({"compensation": {"outcome": "award", "amount_fen": 80000}}),
            ),
        )
        .await;
    assert_eq!(decided["state"], "revoked");
    assert_eq!(
        decided["lifecycle"]["compensation_ruling"],
        json!({"outcome": "award", "amount_fen": 80000})
    );
    let history = events(&app, &app.head, &decided).await;
    assert_eq!(
        history.last().expect("an event")["payload"]["action"]["compensation"]["amount_fen"],
        80000
    );
}

#[tokio::test]
async fn a_ruling_without_a_claim_is_refused_and_an_agreement_outcome_is_recorded() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let (status, problem) = app
        .act(
            &app.head,
            &case,
            decide(
                "revoke",
                "2024-04-01",
                json!({"compensation": {"outcome": "reject"}}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(fields(&problem).contains(&"compensation"), "{problem}");

    let decided = app
        .act_ok(
            &app.head,
            &case,
            decide(
                "order_to_perform",
                "2024-04-01",
                json!({"comply_within_days": 30, "agreement_outcome": "continue_performance"}),
            ),
        )
        .await;
    assert_eq!(
        decided["lifecycle"]["agreement_outcome"],
        "continue_performance"
    );
}
