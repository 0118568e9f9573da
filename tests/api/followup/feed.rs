//! The deadline feed: kinds, filters, order, days left and late, paging and the organ boundary.

use chrono::{Datelike, Days, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    DECIDED_ON, District, district, get, get_ok, id, post_ok, remake, respondent_served, send,
};
use crate::{
    lifecycle::{accept, decide},
    support::{TestApp, TestUser, sample_case},
};

/// Today in the city, as the feed counts.
async fn today(app: &TestApp) -> NaiveDate {
    let page = get_ok(app, &app.officer, "/api/v1/deadlines?limit=1").await;
    page["today"]
        .as_str()
        .expect("today")
        .parse()
        .expect("date")
}

/// Loads a plain calendar (weekends only) for this year and the next where none is loaded, so
/// deadlines running from today can be computed whenever the tests run.
async fn calendars_around(app: &TestApp, today: NaiveDate) {
    for year in [today.year(), today.year() + 1] {
        let path = format!("/api/v1/calendar/{year}");
        let (status, _) = get(app, &app.admin, &path).await;
        if status == StatusCode::NOT_FOUND {
            let (status, body) = send(
                app,
                &app.admin,
                Method::PUT,
                &path,
                Some(&json!({"holidays": [], "makeup_workdays": []})),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
}

/// A revocation with a 30-day remake order handled by `handler`, served on the respondent on
/// 2024-04-11: its time limit ran out on 2024-05-11.
async fn missed_compliance(app: &TestApp, handler: &TestUser) -> Value {
    let (_, case) = app
        .register(&app.officer, &sample_case(app.respondent))
        .await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "assign", "occurred_on": "2024-03-05", "handlers": [handler.id]}),
        )
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-15",
                   "copy_sent_on": "2024-03-07", "copy_received_on": "2024-03-07", "reply_received_on": "2024-03-15"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-25", "method": "written_opinions", "parties_unavailable": true}),
        )
        .await;
    let case = app
        .act_ok(&app.head, &case, decide("revoke", DECIDED_ON, remake(30)))
        .await;
    post_ok(
        app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
        respondent_served("2024-04-11"),
    )
    .await;
    case
}

/// An application received today, handled by `handler`: its acceptance review is pending.
async fn received_today(app: &TestApp, today: NaiveDate, handler: &TestUser) -> Value {
    let mut body = sample_case(app.respondent);
    let earlier = today - Days::new(10);
    body["received_on"] = json!(today);
    body["act_date"] = json!(earlier);
    body["learned_on"] = json!(earlier);
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    app.act_ok(
        &app.head,
        &case,
        json!({"action": "assign", "handlers": [handler.id]}),
    )
    .await
}

/// The feed's items as (kind, case or letter id).
fn items(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            let subject = item["case_id"]
                .as_str()
                .or_else(|| item["letter_id"].as_str())
                .expect("a subject");
            (
                item["kind"].as_str().expect("kind").to_owned(),
                subject.to_owned(),
            )
        })
        .collect()
}

fn entry(kind: &str, subject: &Value) -> (String, String) {
    (kind.to_owned(), id(subject).to_owned())
}

struct Fixture {
    today: NaiveDate,
    district: District,
    /// Received 2024-03-01 and never reviewed: acceptance review missed (due 2024-03-08).
    stale: Value,
    /// The district's own stale application.
    theirs: Value,
    /// An opinion letter of 2024-03-01 never reported back on (due 2024-04-30).
    letter: Value,
    /// A remake order missed on 2024-05-11, handled by the officer.
    remake: Value,
    /// Received today, handled by the head: acceptance review pending.
    fresh: Value,
}

async fn fixture(app: &TestApp) -> Fixture {
    let today = today(app).await;
    calendars_around(app, today).await;
    let district = district(app).await;
    let stale = app.sample_case().await;
    let (status, theirs) = app
        .register(&district.officer, &sample_case(district.respondent))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    let letter = post_ok(
        app,
        &app.officer,
        "/api/v1/letters",
        json!({"kind": "opinion", "document_number": "榕政复意〔2024〕1号", "issued_on": "2024-03-01",
               "recipient_name": "福州市公安局", "summary": "请予纠正"}),
    )
    .await;
    // Neither a recommendation letter nor one reported back on is awaited.
    post_ok(
        app,
        &app.officer,
        "/api/v1/letters",
        json!({"kind": "recommendation", "document_number": "榕政复建〔2024〕1号", "issued_on": "2024-03-01",
               "recipient_name": "福州市公安局", "summary": "完善制度"}),
    )
    .await;
    let answered = post_ok(
        app,
        &app.officer,
        "/api/v1/letters",
        json!({"kind": "opinion", "document_number": "榕政复意〔2024〕2号", "issued_on": "2024-03-01",
               "recipient_name": "福州市公安局", "summary": "请予纠正", "received_on": "2024-03-02"}),
    )
    .await;
    post_ok(
        app,
        &app.officer,
        &format!("/api/v1/letters/{}/report-back", id(&answered)),
        json!({"reported_on": "2024-04-01"}),
    )
    .await;
    let remake = missed_compliance(app, &app.officer).await;
    let fresh = received_today(app, today, &app.head).await;
    Fixture {
        today,
        district,
        stale,
        theirs,
        letter,
        remake,
        fresh,
    }
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().expect("a date").parse().expect("date")
}

#[tokio::test]
async fn the_feed_lists_every_deadline_to_meet_by_due_date() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let page = get_ok(&app, &app.officer, "/api/v1/deadlines").await;
    // The two applications received 2024-03-01 were never reviewed: the law accepted them when
    // the review lapsed on 2024-03-08 (art. 30), so the feed shows the copy (2024-03-19) and the
    // decision (2024-05-07) they owe, not a missed review.
    assert_eq!(
        items(&page),
        [
            entry("copy_to_respondent", &f.stale),
            entry("copy_to_respondent", &f.theirs),
            entry("letter_report_back", &f.letter),
            entry("decision", &f.stale),
            entry("decision", &f.theirs),
            entry("compliance", &f.remake),
            entry("acceptance_review", &f.fresh),
        ]
    );
    let list = page["items"].as_array().expect("items");
    let dues: Vec<NaiveDate> = list.iter().map(|i| date(&i["due_on"])).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");

    let stale = &list[0];
    assert_eq!(stale["due_on"], "2024-03-19");
    assert_eq!(stale["status"], "missed");
    assert_eq!(
        stale["days_late"],
        (f.today - date(&json!("2024-03-19"))).num_days()
    );
    assert_eq!(list[3]["due_on"], "2024-05-07");
    assert_eq!(stale["days_left"], json!(null));
    assert_eq!(stale["handlers"], json!([]));
    assert_eq!(list[1]["organ_id"], f.theirs["organ_id"]);

    let letter = &list[2];
    assert_eq!(letter["due_on"], "2024-04-30");
    assert_eq!(letter["letter_document_number"], "榕政复意〔2024〕1号");
    assert_eq!(letter["handlers"][0]["username"], "officer");

    let remake = &list[5];
    assert_eq!(remake["due_on"], "2024-05-11");
    assert_eq!(remake["case_number"], f.remake["case_number"]);
    assert_eq!(remake["handlers"][0]["id"], app.officer.id.to_string());

    let fresh = &list[6];
    assert_eq!(fresh["status"], "pending");
    let due = date(&fresh["due_on"]);
    assert!(due > f.today);
    assert_eq!(fresh["days_left"], (due - f.today).num_days());
    assert_eq!(fresh["days_late"], json!(null));
    assert_eq!(fresh["handlers"][0]["username"], "head");
    assert_eq!(page["next_cursor"], json!(null));
}

#[tokio::test]
async fn the_feed_filters_by_kind_status_handler_and_due_dates() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let feed = |query: &'static str| {
        let app = &app;
        async move { items(&get_ok(app, &app.officer, &format!("/api/v1/deadlines?{query}")).await) }
    };
    assert_eq!(
        feed("kind=compliance").await,
        [entry("compliance", &f.remake)]
    );
    assert_eq!(
        feed("status=pending").await,
        [entry("acceptance_review", &f.fresh)]
    );
    assert_eq!(
        feed("status=missed").await,
        [
            entry("copy_to_respondent", &f.stale),
            entry("copy_to_respondent", &f.theirs),
            entry("letter_report_back", &f.letter),
            entry("decision", &f.stale),
            entry("decision", &f.theirs),
            entry("compliance", &f.remake),
        ]
    );
    assert_eq!(
        items(
            &get_ok(
                &app,
                &app.officer,
                &format!("/api/v1/deadlines?handler={}", app.officer.id)
            )
            .await
        ),
        [
            entry("letter_report_back", &f.letter),
            entry("compliance", &f.remake)
        ]
    );
    assert_eq!(
        items(
            &get_ok(
                &app,
                &app.officer,
                &format!("/api/v1/deadlines?handler={}&status=pending", app.head.id)
            )
            .await
        ),
        [entry("acceptance_review", &f.fresh)]
    );
    assert_eq!(
        feed("due_from=2024-04-01&due_to=2024-12-31").await,
        [
            entry("letter_report_back", &f.letter),
            entry("decision", &f.stale),
            entry("decision", &f.theirs),
            entry("compliance", &f.remake),
        ]
    );
    assert_eq!(
        feed("due_to=2024-03-19&kind=copy_to_respondent").await,
        [
            entry("copy_to_respondent", &f.stale),
            entry("copy_to_respondent", &f.theirs),
        ]
    );
    assert!(
        feed("kind=letter_report_back&status=pending")
            .await
            .is_empty()
    );

    // Met deadlines leave the feed.
    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/compliance", id(&f.remake)),
        json!({"complied_on": "2024-06-01", "new_act_document_number": "榕公罚〔2024〕50号"}),
    )
    .await;
    assert!(feed("kind=compliance").await.is_empty());

    // Paging walks the same order.
    let all = items(&get_ok(&app, &app.officer, "/api/v1/deadlines").await);
    let mut seen = Vec::new();
    let mut path = "/api/v1/deadlines?limit=2".to_owned();
    loop {
        let page = get_ok(&app, &app.officer, &path).await;
        seen.extend(items(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/deadlines?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, all);
}

#[tokio::test]
async fn the_feed_stays_within_reach_and_refuses_bad_queries() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let theirs = get_ok(&app, &f.district.officer, "/api/v1/deadlines").await;
    assert_eq!(
        items(&theirs),
        [
            entry("copy_to_respondent", &f.theirs),
            entry("decision", &f.theirs)
        ]
    );
    let read = get_ok(&app, &app.admin, "/api/v1/deadlines").await;
    assert_eq!(read["items"].as_array().expect("items").len(), 7);
    // Statisticians get figures only.
    let (status, _) = get(&app, &app.statistician, "/api/v1/deadlines").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for query in [
        "status=late",
        "kind=holiday",
        "due_from=2024-05-01&due_to=2024-04-01",
        "limit=0",
        "limit=201",
        "cursor=garbage",
        "handler=someone",
        "colour=blue",
    ] {
        let (status, problem) =
            get(&app, &app.officer, &format!("/api/v1/deadlines?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
    }
}

#[tokio::test]
async fn a_calendar_change_moves_follow_up_due_dates() {
    let app = TestApp::spawn().await;
    let case = missed_compliance(&app, &app.officer).await;
    let path = format!("/api/v1/cases/{}/compliance", id(&case));
    assert_eq!(
        get_ok(&app, &app.officer, &path).await["due_on"],
        "2024-05-11"
    );

    // Without the make-up working day of Saturday 2024-05-11 the time limit ends on Monday.
    let mut year = get_ok(&app, &app.admin, "/api/v1/calendar/2024").await;
    let makeup: Vec<Value> = year["makeup_workdays"]
        .as_array()
        .expect("makeup days")
        .iter()
        .filter(|day| *day != "2024-05-11")
        .cloned()
        .collect();
    year["makeup_workdays"] = json!(makeup);
    let body = json!({"holidays": year["holidays"], "makeup_workdays": year["makeup_workdays"]});
    let (status, answer) = send(
        &app,
        &app.admin,
        Method::PUT,
        "/api/v1/calendar/2024",
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        get_ok(&app, &app.officer, &path).await["due_on"],
        "2024-05-13"
    );
    let feed = get_ok(&app, &app.officer, "/api/v1/deadlines?kind=compliance").await;
    assert_eq!(feed["items"][0]["due_on"], "2024-05-13");
}

#[tokio::test]
async fn paging_through_deadlines_due_the_same_day_sees_each_once() {
    let app = TestApp::spawn().await;
    let mut letters = Vec::new();
    for n in 1..=3 {
        let letter = post_ok(
            &app,
            &app.officer,
            "/api/v1/letters",
            json!({"kind": "opinion", "document_number": format!("榕政复意〔2024〕{n}号"),
                   "issued_on": "2024-03-01", "recipient_name": "福州市公安局", "summary": "请予纠正"}),
        )
        .await;
        letters.push(entry("letter_report_back", &letter));
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/deadlines?limit=1".to_owned();
    loop {
        let page = get_ok(&app, &app.officer, &path).await;
        seen.extend(items(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/deadlines?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, letters, "by due date, then in the order recorded");
}
