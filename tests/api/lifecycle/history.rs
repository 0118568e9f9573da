//! The history: one event per action, in order, with who, when and what.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{accept, decide, events};
use crate::support::TestApp;

#[tokio::test]
async fn every_action_appends_one_event_and_refusals_append_none() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(&app.head, &case, accept("simplified", "2024-03-05"))
        .await;
    let (status, _) = app.act(&app.head, &case, json!({"action": "resume"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-06", "copy_sent_on": "2024-03-06", "copy_received_on": "2024-03-06", "reply_received_on": "2024-03-06"}),
        )
        .await;
    let case = app
        .act_ok(&app.head, &case, decide("uphold", "2024-03-20", json!({})))
        .await;

    let history = events(&app, &app.officer, &case).await;
    let summary: Vec<Value> = history
        .iter()
        .map(|e| {
            json!([
                e["seq"],
                e["action"],
                e["from_state"],
                e["to_state"],
                e["actor"],
                e["occurred_on"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        [
            json!([1, "register", null, "received", "officer", "2024-03-01"]),
            json!([2, "accept", "received", "filed", "head", "2024-03-05"]),
            json!([3, "record_reply", "filed", "filed", "officer", "2024-03-06"]),
            json!([4, "decide", "filed", "upheld", "head", "2024-03-20"]),
        ]
    );
    assert_eq!(history[1]["actor_id"], json!(app.head.id));
    assert_eq!(history[2]["actor_id"], json!(app.officer.id));
    // The event carries the action as sent and the facts it was judged on, among them the
    // allocated number.
    assert_eq!(
        history[1]["payload"]["action"],
        json!({"action": "accept", "procedure": "simplified", "simplified_ground": "small_amount", "deemed": false})
    );
    assert_eq!(
        history[1]["payload"]["facts"]["case_number"],
        "榕复〔2024〕1号"
    );
    assert_eq!(history[3]["payload"]["action"]["disposition"], "uphold");
    let recorded: Vec<DateTime<Utc>> = history
        .iter()
        .map(|e| e["recorded_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(recorded.is_sorted(), "{recorded:?}");
    // The version is the number of events: every change left one.
    assert_eq!(case["version"], 4);
}

#[tokio::test]
async fn the_history_is_read_within_reach_only() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let outsider_organ = {
        let mut conn = app.pool.get().await.unwrap();
        fuyi::db::organs::insert_organ(
            &mut conn,
            fuyi::db::organs::NewOrgan {
                code: "xiamen",
                name: "厦门市人民政府",
                short_name: "厦",
                parent_id: None,
                time_zone: "Asia/Shanghai",
            },
        )
        .await
        .unwrap()
        .id
    };
    let outsider = app
        .user(
            "xiamen_officer",
            outsider_organ,
            &[fuyi::auth::Role::Officer],
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let response = app
        .as_user(
            &outsider,
            reqwest::Method::GET,
            &format!("/api/v1/cases/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .as_user(
            &app.statistician,
            reqwest::Method::GET,
            &format!("/api/v1/cases/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
