//! Case numbers: per organ and per year, consecutive, never duplicated, never wasted.

use std::collections::BTreeSet;

use futures_util::future::join_all;
use fuyi::{auth::Role, db::organs::NewRespondent};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{accept, register_on};
use crate::support::{TestApp, sample_case};

#[tokio::test]
async fn racing_accepts_take_consecutive_numbers() {
    const N: usize = 16;
    let app = TestApp::spawn().await;
    let mut cases = Vec::new();
    for _ in 0..N {
        cases.push(app.sample_case().await);
    }
    let answers = join_all(
        cases
            .iter()
            .map(|case| app.act(&app.head, case, accept("ordinary", "2024-03-05"))),
    )
    .await;
    let numbers: BTreeSet<String> = answers
        .iter()
        .map(|(status, case)| {
            assert_eq!(*status, StatusCode::OK, "{case}");
            case["case_number"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected: BTreeSet<String> = (1..=N).map(|seq| format!("榕复〔2024〕{seq}号")).collect();
    assert_eq!(numbers, expected, "consecutive from 1, none twice");
}

#[tokio::test]
async fn a_refused_accept_consumes_no_number() {
    let app = TestApp::spawn().await;
    let first = app.sample_case().await;
    let second = app.sample_case().await;

    // Refused for a missing ground, a future date, a stale version: no number taken.
    let (status, _) = app
        .act(
            &app.head,
            &first,
            json!({"action": "accept", "procedure": "simplified", "occurred_on": "2024-03-05"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .act(&app.head, &first, accept("ordinary", "2999-01-01"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let accepted = app
        .act_ok(&app.head, &first, accept("ordinary", "2024-03-05"))
        .await;
    assert_eq!(accepted["case_number"], "榕复〔2024〕1号");
    // Accepting it again is refused by state, and by a stale version.
    let (status, _) = app
        .act(&app.head, &accepted, accept("ordinary", "2024-03-06"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .act(&app.head, &first, accept("ordinary", "2024-03-06"))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);

    let accepted = app
        .act_ok(&app.head, &second, accept("ordinary", "2024-03-06"))
        .await;
    assert_eq!(accepted["case_number"], "榕复〔2024〕2号");
}

#[tokio::test]
async fn numbering_restarts_each_year_and_differs_per_organ() {
    let app = TestApp::spawn().await;
    let late_2024 = register_on(&app, "2024-12-27").await;
    let early_2025 = register_on(&app, "2024-12-30").await;
    let case = app
        .act_ok(&app.head, &late_2024, accept("ordinary", "2024-12-31"))
        .await;
    assert_eq!(case["case_number"], "榕复〔2024〕1号");
    // The year of acceptance counts, not the year of receipt.
    let case = app
        .act_ok(&app.head, &early_2025, accept("ordinary", "2025-01-03"))
        .await;
    assert_eq!(case["case_number"], "榕复〔2025〕1号");

    // The district organ numbers its own cases with its own short name.
    let district_respondent = {
        let mut conn = app.pool.get().await.unwrap();
        fuyi::db::organs::insert_respondent(
            &mut conn,
            &NewRespondent {
                id: Uuid::now_v7(),
                organ_id: app.district.id,
                name: "福州市鼓楼区市场监督管理局",
                credit_code: None,
                domain: "market_regulation",
            },
        )
        .await
        .unwrap()
        .id
    };
    let district_head = app
        .user("gulou_head", app.district.id, &[Role::Officer, Role::Head])
        .await;
    let (status, case) = app
        .register(&district_head, &sample_case(district_respondent))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let case = app
        .act_ok(&district_head, &case, accept("ordinary", "2024-03-05"))
        .await;
    assert_eq!(case["case_number"], "鼓复〔2024〕1号");
}
