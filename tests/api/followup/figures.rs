//! The follow-up figures (`db::followup_stats::followup_figures`) over records made through the
//! API, held against their definitions: each counted by its own date, per organ.

use chrono::NaiveDate;
use fuyi::{
    db::followup_stats::{FollowupFilter, followup_figures_filtered},
    domain::followup::{FollowupCounts, LettersIssued},
};
use serde_json::{Value, json};

use super::{decided, decided_by, district, id, post_ok, remake, respondent_served};
use crate::support::TestApp;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

async fn figures(app: &TestApp, organs: &[uuid::Uuid], from: &str, to: &str) -> FollowupCounts {
    let mut conn = app.pool.get().await.expect("connection");
    fuyi::db::followup_stats::followup_figures(&mut conn, organs, date(from), date(to))
        .await
        .expect("figures")
}

async fn letter(app: &TestApp, kind: &str, number: &str, issued_on: &str) -> Value {
    post_ok(
        app,
        &app.officer,
        "/api/v1/letters",
        json!({"kind": kind, "document_number": number, "issued_on": issued_on,
               "recipient_name": "福州市公安局", "summary": "摘要"}),
    )
    .await
}

async fn record(app: &TestApp, path: String, body: Value) -> Value {
    post_ok(app, &app.officer, &path, body).await
}

#[tokio::test]
async fn follow_up_figures_count_each_record_by_its_own_date() {
    let app = TestApp::spawn().await;
    let district = district(&app).await;

    letter(&app, "opinion", "榕政复意〔2023〕9号", "2023-12-29").await;
    letter(&app, "opinion", "榕政复意〔2024〕1号", "2024-02-01").await;
    letter(&app, "opinion", "榕政复意〔2024〕2号", "2024-07-01").await;
    letter(&app, "recommendation", "榕政复建〔2024〕1号", "2024-08-01").await;

    // Compliance: late (due 2024-05-11, complied 05-20), on time (due 04-28, complied 04-25),
    // and missed and never complied (due 05-11, counted on that day).
    let late = decided(&app, "revoke", remake(30)).await;
    let on_time = decided(&app, "order_to_perform", json!({"comply_within_days": 15})).await;
    let missed = decided(&app, "revoke", remake(30)).await;
    for (case, served) in [
        (&late, "2024-04-11"),
        (&on_time, "2024-04-12"),
        (&missed, "2024-04-11"),
    ] {
        record(
            &app,
            format!("/api/v1/cases/{}/services", id(case)),
            respondent_served(served),
        )
        .await;
    }
    record(
        &app,
        format!("/api/v1/cases/{}/compliance", id(&late)),
        json!({"complied_on": "2024-05-20", "new_act_document_number": "A1"}),
    )
    .await;
    record(
        &app,
        format!("/api/v1/cases/{}/compliance", id(&on_time)),
        json!({"complied_on": "2024-04-25"}),
    )
    .await;

    // Litigation: suit 1 heard twice at first instance (the head at the second), lost; suit 2
    // heard without the head, won, and appealed (the appeal heard with the head, in 2025).
    let upheld = decided(&app, "uphold", json!({})).await;
    let suit = |number: &str| {
        json!({"court": "福州市中级人民法院", "court_case_number": number,
               "filed_on": "2024-05-06", "organ_co_defendant": true})
    };
    let lawsuits = format!("/api/v1/cases/{}/lawsuits", id(&upheld));
    let first = record(&app, lawsuits.clone(), suit("(2024)闽01行初1号")).await;
    let second = record(&app, lawsuits, suit("(2024)闽01行初2号")).await;
    let on = |lawsuit: &Value, what: &str| format!("/api/v1/lawsuits/{}/{what}", id(lawsuit));
    let heard = |instance: &str, held_on: &str, head: bool| json!({"instance": instance, "held_on": held_on, "head_appeared": head});
    record(
        &app,
        on(&first, "hearings"),
        heard("first", "2024-06-03", false),
    )
    .await;
    record(
        &app,
        on(&first, "hearings"),
        heard("first", "2024-06-17", true),
    )
    .await;
    record(
        &app,
        on(&first, "judgments"),
        json!({"instance": "first", "decided_on": "2024-07-01", "result": "revoked"}),
    )
    .await;
    record(
        &app,
        on(&second, "hearings"),
        heard("first", "2024-06-10", false),
    )
    .await;
    record(
        &app,
        on(&second, "judgments"),
        json!({"instance": "first", "decided_on": "2024-07-15", "result": "claim_rejected"}),
    )
    .await;
    record(
        &app,
        on(&second, "hearings"),
        heard("second", "2025-01-10", true),
    )
    .await;

    // The district's records count for the district only.
    let theirs = decided_by(
        &app,
        &district.officer,
        &district.head,
        district.respondent,
        "uphold",
        json!({}),
    )
    .await;
    post_ok(
        &app,
        &district.officer,
        "/api/v1/letters",
        json!({"kind": "opinion", "document_number": "鼓政复意〔2024〕1号", "issued_on": "2024-03-01",
               "recipient_name": "鼓楼区市场监督管理局", "summary": "摘要", "case_ids": [theirs["id"]]}),
    )
    .await;

    let year_2024 = figures(&app, &[app.city.id], "2024-01-01", "2024-12-31").await;
    assert_eq!(
        year_2024,
        FollowupCounts {
            letters_issued: LettersIssued {
                opinion: 2,
                recommendation: 1
            },
            compliance_on_time: 1,
            compliance_late: 2,
            court_cases_heard: 2,
            head_appeared: 1,
            first_instance_concluded: 2,
            first_instance_lost: 1,
        }
    );
    let rates = year_2024.rates();
    assert_eq!(rates.head_appearance_rate.percent, Some(50.0));
    assert_eq!(rates.first_instance_loss_rate.percent, Some(50.0));
    assert_eq!(
        (
            rates.compliance_on_time_rate.numerator,
            rates.compliance_on_time_rate.denominator
        ),
        (1, 3)
    );

    // By month: the late compliance counts in May (its compliance), the missed one in May too
    // (its last day), the on-time one in April.
    let april = figures(&app, &[app.city.id], "2024-04-01", "2024-04-30").await;
    assert_eq!((april.compliance_on_time, april.compliance_late), (1, 0));
    let may = figures(&app, &[app.city.id], "2024-05-01", "2024-05-31").await;
    assert_eq!((may.compliance_on_time, may.compliance_late), (0, 2));
    let y2025 = figures(&app, &[app.city.id], "2025-01-01", "2025-12-31").await;
    assert_eq!((y2025.court_cases_heard, y2025.head_appeared), (1, 1));
    assert_eq!(y2025.first_instance_concluded, 0);
    let y2023 = figures(&app, &[app.city.id], "2023-01-01", "2023-12-31").await;
    assert_eq!(y2023.letters_issued.total(), 1);

    let district_only = figures(&app, &[app.district.id], "2024-01-01", "2024-12-31").await;
    assert_eq!(district_only.letters_issued.opinion, 1);
    assert_eq!(district_only.court_cases_heard, 0);
    let both = figures(
        &app,
        &[app.city.id, app.district.id],
        "2024-01-01",
        "2024-12-31",
    )
    .await;
    assert_eq!(both.letters_issued.total(), 4);
    let none = figures(&app, &[], "2024-01-01", "2024-12-31").await;
    assert_eq!(none, FollowupCounts::default());

    // The other figures' case filters: records count through their case, letters through the
    // cases that prompted them.
    let filtered = |filter: FollowupFilter| {
        let app = &app;
        async move {
            let mut conn = app.pool.get().await.expect("connection");
            followup_figures_filtered(&mut conn, &filter, date("2024-01-01"), date("2024-12-31"))
                .await
                .expect("figures")
        }
    };
    let police = filtered(FollowupFilter {
        organ_ids: vec![app.city.id],
        respondent_id: Some(app.respondent),
        ..FollowupFilter::default()
    })
    .await;
    assert_eq!(
        police,
        FollowupCounts {
            letters_issued: LettersIssued::default(),
            ..year_2024.clone()
        },
        "the city's letters name no case"
    );
    let education = filtered(FollowupFilter {
        organ_ids: vec![app.city.id, app.district.id],
        domain: Some("education".to_owned()),
        ..FollowupFilter::default()
    })
    .await;
    assert_eq!(education, FollowupCounts::default());
    let market = filtered(FollowupFilter {
        organ_ids: vec![app.city.id, app.district.id],
        domain: Some("market_regulation".to_owned()),
        procedure: Some("ordinary".to_owned()),
        ..FollowupFilter::default()
    })
    .await;
    assert_eq!(
        market.letters_issued.opinion, 1,
        "the district's letter names its case"
    );
    assert_eq!(market.court_cases_heard, 0);
}
