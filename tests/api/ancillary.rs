//! Issue 14, part B, end to end: applications filed through the respondent (art. 32), stays of
//! enforcement (art. 42), normative-document reviews (arts. 13, 56–60) with their periods in the
//! case view and the deadline feed, and the figures counting them and compensation.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::lifecycle::{deadline, decide, events, fields, filed, find_deadline, heard, reload};
use crate::support::{TestApp, sample_case, status_and_json};

async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = status_and_json(
        app.as_user(&app.head, Method::GET, path)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The feed's entries of `kind` for `case`, as (status, due_on).
async fn feed(app: &TestApp, kind: &str, case: &Value) -> Vec<(String, String)> {
    let body = get_ok(app, &format!("/api/v1/deadlines?kind={kind}&limit=100")).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| item["case_id"] == case["id"])
        .map(|item| {
            assert_eq!(item["kind"], kind, "{item}");
            (
                item["status"].as_str().expect("status").to_owned(),
                item["due_on"].as_str().expect("due_on").to_owned(),
            )
        })
        .collect()
}

fn forwarding(on: &str, submitted: &str, forwarded: Option<&str>) -> Value {
    json!({
        "action": "record_forwarding",
        "occurred_on": on,
        "submitted_on": submitted,
        "forwarded_on": forwarded,
    })
}

fn status_of<'a>(case: &'a Value, kind: &str) -> (&'a str, &'a str) {
    let d = deadline(case, kind);
    (
        d["status"].as_str().expect("status"),
        d["due_on"].as_str().expect("due_on"),
    )
}

#[tokio::test]
async fn an_application_filed_through_the_respondent_is_made_the_day_it_was_submitted() {
    let app = TestApp::spawn().await;
    // Learned of the act on 2024-01-12: the 60 days ran out on 2024-03-12, so an application
    // received on 2024-03-15 is late, unless it was handed to the respondent in time.
    let mut body = sample_case(app.respondent);
    body["received_on"] = json!("2024-03-15");
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["late_application"], true, "{case}");

    let (status, problem) = app
        .act(
            &app.officer,
            &case,
            forwarding("2024-03-15", "2024-03-18", None),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["submitted_on"], "{problem}");

    // Submitted to the respondent on Friday 2024-03-08; not yet forwarded when recorded. The
    // respondent has 5 working days: until Friday 2024-03-15.
    let case = app
        .act_ok(
            &app.officer,
            &case,
            forwarding("2024-03-15", "2024-03-08", None),
        )
        .await;
    let read = reload(&app, &app.officer, &case).await;
    assert_eq!(read["late_application"], false, "{read}");
    assert_eq!(read["applied_on"], "2024-03-08", "{read}");
    assert_eq!(read["channel"], "forwarded", "{read}");
    assert_eq!(
        read["lifecycle"]["forwarding"],
        json!({"submitted_on": "2024-03-08", "forwarded_on": null})
    );
    // Long past today, and not done: missed, in the view and the feed.
    assert_eq!(status_of(&read, "forwarding"), ("missed", "2024-03-15"));
    assert_eq!(
        feed(&app, "forwarding", &read).await,
        [("missed".to_owned(), "2024-03-15".to_owned())]
    );

    // Forwarded on the last day: met, and no longer in the feed.
    let case = app
        .act_ok(
            &app.officer,
            &read,
            forwarding("2024-03-15", "2024-03-08", Some("2024-03-15")),
        )
        .await;
    assert_eq!(status_of(&case, "forwarding"), ("met", "2024-03-15"));
    assert!(feed(&app, "forwarding", &case).await.is_empty());

    // Forwarded a day later (Monday 2024-03-18 from a submission on Friday 2024-03-08) it
    // would have been late.
    let (_, other) = app
        .register(&app.officer, &sample_case(app.respondent))
        .await;
    let other = app
        .act_ok(
            &app.officer,
            &other,
            forwarding("2024-03-01", "2024-02-22", Some("2024-03-01")),
        )
        .await;
    let late = deadline(&other, "forwarding");
    assert_eq!(late["status"], "late", "{other}");
    assert_eq!(late["due_on"], "2024-02-29", "{other}");
    assert_eq!(late["days_late"], 1, "{other}");
    let history = events(&app, &app.officer, &other).await;
    assert_eq!(
        history.last().expect("an event")["payload"]["action"]["submitted_on"],
        "2024-02-22"
    );
}

#[tokio::test]
async fn a_stay_of_enforcement_and_a_refused_request_are_recorded_once() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    assert!(
        crate::lifecycle::allowed(&reload(&app, &app.head, &case).await)
            .contains(&"stay_enforcement")
    );
    let refused = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "refuse_stay", "occurred_on": "2024-03-26",
                   "requested_by": "applicant", "reason": "停止执行可能损害社会公共利益"}),
        )
        .await;
    assert_eq!(
        refused["lifecycle"]["stay_refusals"],
        json!([{"refused_on": "2024-03-26", "requested_by": "applicant",
                "reason": "停止执行可能损害社会公共利益"}])
    );
    let (status, problem) = app
        .act(
            &app.officer,
            &refused,
            json!({"action": "stay_enforcement", "occurred_on": "2024-03-27",
                   "ground": "organ_deems_necessary", "decided_by": "王局长"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    let stayed = app
        .act_ok(
            &app.head,
            &refused,
            json!({"action": "stay_enforcement", "occurred_on": "2024-03-27",
                   "ground": "organ_deems_necessary", "decided_by": "王局长"}),
        )
        .await;
    assert_eq!(stayed["state"], "heard");
    assert_eq!(
        stayed["lifecycle"]["enforcement_stay"],
        json!({"ground": "organ_deems_necessary", "decided_on": "2024-03-27", "decided_by": "王局长"})
    );
    let history = events(&app, &app.head, &stayed).await;
    let last = history.last().expect("an event");
    assert_eq!(last["action"], "stay_enforcement");
    assert_eq!(last["payload"]["action"]["ground"], "organ_deems_necessary");

    for action in [
        json!({"action": "stay_enforcement", "occurred_on": "2024-03-28",
               "ground": "respondent_deems_necessary", "decided_by": "被申请人"}),
        json!({"action": "refuse_stay", "occurred_on": "2024-03-28",
               "requested_by": "third_party", "reason": "理由不成立"}),
    ] {
        let (status, problem) = app.act(&app.head, &stayed, action).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["rule"], "art_42", "{problem}");
    }

    // Before acceptance there is no reconsideration under way to stop enforcement in.
    let received = app.sample_case().await;
    let (status, problem) = app
        .act(
            &app.head,
            &received,
            json!({"action": "stay_enforcement", "occurred_on": "2024-03-04",
                   "ground": "provided_by_law", "decided_by": "王局长"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
}

fn review_request(on: &str) -> Value {
    json!({"action": "request_normative_review", "occurred_on": on,
           "document_name": "福州市城市管理综合执法办法", "issuing_body": "福州市城市管理委员会"})
}

#[tokio::test]
async fn a_normative_document_review_the_organ_handles_runs_its_periods_and_holds_the_decision() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let suspend = |on: &str| json!({"action": "suspend", "occurred_on": on, "ground": "normative_document_review"});
    // Ground 39(9) needs a review under way.
    let (status, problem) = app.act(&app.officer, &case, suspend("2024-03-26")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_39", "{problem}");

    let case = app
        .act_ok(&app.officer, &case, review_request("2024-03-26"))
        .await;
    assert_eq!(
        case["lifecycle"]["normative_review"]["document_name"],
        "福州市城市管理综合执法办法"
    );
    // 30 calendar days from Tuesday 2024-03-26 end on Thursday 2024-04-25; 7 working days to
    // transfer run over the Qingming holiday (Apr 4–6) and the make-up Sunday Apr 7.
    assert_eq!(
        status_of(&case, "normative_review_handling"),
        ("missed", "2024-04-25")
    );
    assert_eq!(
        status_of(&case, "normative_review_transfer"),
        ("missed", "2024-04-07")
    );
    assert_eq!(
        feed(&app, "normative_review_handling", &case).await,
        [("missed".to_owned(), "2024-04-25".to_owned())]
    );

    // The decision waits for the review (arts. 56, 59).
    let (status, problem) = app
        .act(&app.head, &case, decide("uphold", "2024-03-27", json!({})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_56", "{problem}");
    // The drafting body is notified after the suspension on art. 39(9).
    let notify = |on: &str| json!({"action": "notify_drafting_body", "occurred_on": on});
    let (status, problem) = app.act(&app.officer, &case, notify("2024-03-27")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_58", "{problem}");

    let case = app.act_ok(&app.officer, &case, suspend("2024-03-27")).await;
    // 3 working days from Wednesday 2024-03-27: Monday 2024-04-01.
    assert_eq!(
        status_of(&case, "drafting_body_notice"),
        ("missed", "2024-04-01")
    );
    assert_eq!(
        feed(&app, "drafting_body_notice", &case).await,
        [("missed".to_owned(), "2024-04-01".to_owned())]
    );
    let case = app.act_ok(&app.officer, &case, notify("2024-03-29")).await;
    assert_eq!(
        status_of(&case, "drafting_body_notice"),
        ("met", "2024-04-01")
    );
    // Handling it itself, the organ no longer transfers it.
    assert!(find_deadline(&case, "normative_review_transfer").is_none());
    let (status, problem) = app
        .act(
            &app.head,
            &case,
            json!({"action": "transfer_normative_review", "occurred_on": "2024-03-29",
                   "competent_organ": "福州市人民政府"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_56", "{problem}");
    // The drafting body's 10 working days from Friday 2024-03-29 count the make-up Sunday
    // 2024-04-07 and end on Monday 2024-04-15.
    assert_eq!(
        status_of(&case, "drafting_body_reply"),
        ("missed", "2024-04-15")
    );
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_drafting_body_reply", "occurred_on": "2024-04-10"}),
        )
        .await;
    assert_eq!(
        status_of(&case, "drafting_body_reply"),
        ("met", "2024-04-15")
    );

    let conclude = |finding: &str, provisions: Value| {
        json!({"action": "conclude_normative_review", "occurred_on": "2024-04-12",
               "finding": finding, "provisions": provisions})
    };
    let (status, problem) = app
        .act(&app.head, &case, conclude("unlawful", json!([])))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["provisions"], "{problem}");
    let case = app
        .act_ok(
            &app.head,
            &case,
            conclude("unlawful", json!(["第五条第二款"])),
        )
        .await;
    let review = &case["lifecycle"]["normative_review"];
    assert_eq!(review["finding"], "unlawful");
    assert_eq!(review["provisions"], json!(["第五条第二款"]));
    assert_eq!(
        status_of(&case, "normative_review_handling"),
        ("met", "2024-04-25")
    );
    assert!(
        feed(&app, "normative_review_handling", &case)
            .await
            .is_empty()
    );

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "resume", "occurred_on": "2024-04-12"}),
        )
        .await;
    let decided = app
        .act_ok(&app.head, &case, decide("revoke", "2024-04-15", json!({})))
        .await;
    assert_eq!(decided["state"], "revoked");
}

#[tokio::test]
async fn a_review_the_organ_may_not_handle_is_transferred_and_answered_within_60_days() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(&app.officer, &case, review_request("2024-03-06"))
        .await;
    let (status, problem) = app
        .act(&app.officer, &case, review_request("2024-03-07"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_13", "{problem}");

    // 7 working days from Wednesday 2024-03-06 end on Friday 2024-03-15; transferred on the
    // Monday after, late by 3 days.
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "transfer_normative_review", "occurred_on": "2024-03-18",
                   "competent_organ": "福州市人民政府"}),
        )
        .await;
    let transfer = deadline(&case, "normative_review_transfer");
    assert_eq!(transfer["status"], "late", "{case}");
    assert_eq!(transfer["due_on"], "2024-03-15", "{case}");
    assert_eq!(transfer["days_late"], 3, "{case}");
    assert!(find_deadline(&case, "normative_review_handling").is_none());
    // 60 days from 2024-03-18: Friday 2024-05-17.
    assert_eq!(
        status_of(&case, "transferred_review_answer"),
        ("missed", "2024-05-17")
    );
    assert_eq!(
        feed(&app, "transferred_review_answer", &case).await,
        [("missed".to_owned(), "2024-05-17".to_owned())]
    );
    let (status, problem) = app
        .act(
            &app.officer,
            &case,
            json!({"action": "notify_drafting_body", "occurred_on": "2024-03-19"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_58", "{problem}");

    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "conclude_normative_review", "occurred_on": "2024-05-10",
                   "finding": "lawful"}),
        )
        .await;
    assert_eq!(
        status_of(&case, "transferred_review_answer"),
        ("met", "2024-05-17")
    );
    let (status, problem) = app
        .act(
            &app.head,
            &case,
            json!({"action": "conclude_normative_review", "occurred_on": "2024-05-10",
                   "finding": "unlawful", "provisions": ["第一条"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_56", "{problem}");
}

#[tokio::test]
async fn a_decision_confirming_the_act_invalid_must_rule_on_the_compensation_claim_too() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_compensation_claim", "occurred_on": "2024-03-25",
                   "claim": {"description": "返还罚没款", "amount_fen": 200000}}),
        )
        .await;
    for disposition in ["alter", "revoke", "confirm_illegal", "confirm_invalid"] {
        let (status, problem) = app
            .act(
                &app.head,
                &case,
                decide(disposition, "2024-04-01", json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{disposition}: {problem}");
        assert_eq!(problem["rule"], "art_72", "{disposition}: {problem}");
    }
    let decided = app
        .act_ok(
            &app.head,
            &case,
            decide(
                "confirm_invalid",
                "2024-04-01",
                json!({"compensation": {"outcome": "return_property"}}),
            ),
        )
        .await;
    assert_eq!(decided["state"], "confirmed_invalid");
    assert_eq!(
        decided["lifecycle"]["compensation_ruling"]["outcome"],
        "return_property"
    );
}

/// Stays, reviews and compensation counted from the cases and from the rollups alike, as the
/// domain defines them: claims and review requests by the day received, stays, unlawful
/// findings and awards by the day the case concluded.
#[tokio::test]
async fn the_figures_count_stays_reviews_and_compensation_from_both_sources() {
    use chrono::NaiveDate;
    use fuyi::{
        db::statistics::{Grouping, StatsFilter, case_facts},
        domain::{
            measures::MEASURES,
            statistics::{self as defs, Period},
        },
    };

    let app = TestApp::spawn().await;
    // Received 2024-03-01; a claim, a stay, then a revocation awarding 800 yuan on 2024-04-01.
    let awarded = heard(&app).await;
    let awarded = app
        .act_ok(
            &app.officer,
            &awarded,
            json!({"action": "record_compensation_claim", "occurred_on": "2024-03-25",
                   "claim": {"description": "赔偿损失", "amount_fen": 120000}}),
        )
        .await;
    let awarded = app
        .act_ok(
            &app.head,
            &awarded,
            json!({"action": "stay_enforcement", "occurred_on": "2024-03-26",
                   "ground": "party_request_granted", "decided_by": "王局长"}),
        )
        .await;
    app.act_ok(
        &app.head,
        &awarded,
        decide(
            "revoke",
            "2024-04-01",
            json!({"compensation": {"outcome": "award", "amount_fen": 80000}}),
        ),
    )
    .await;
    // Received 2024-03-01; a review found unlawful, then a revocation on 2024-04-15.
    let reviewed = heard(&app).await;
    let reviewed = app
        .act_ok(&app.officer, &reviewed, review_request("2024-03-26"))
        .await;
    let reviewed = app
        .act_ok(
            &app.head,
            &reviewed,
            json!({"action": "conclude_normative_review", "occurred_on": "2024-04-10",
                   "finding": "unlawful", "provisions": ["第五条"]}),
        )
        .await;
    app.act_ok(
        &app.head,
        &reviewed,
        decide("revoke", "2024-04-15", json!({})),
    )
    .await;
    // Received 2024-03-01, still open: a claim and a review request, counted on receipt.
    let open = app.sample_case().await;
    let open = app
        .act_ok(&app.officer, &open, review_request("2024-03-04"))
        .await;
    app.act_ok(
        &app.officer,
        &open,
        json!({"action": "record_compensation_claim", "occurred_on": "2024-03-04",
               "claim": {"description": "返还财产"}}),
    )
    .await;

    let body = get_ok(
        &app,
        "/api/v1/statistics/summary?from=2024-03-01&to=2024-04-30",
    )
    .await;
    let counts = &body["total"]["counts"];
    assert_eq!(counts["enforcement_stayed"], 1, "{counts}");
    assert_eq!(counts["normative_reviews_requested"], 2, "{counts}");
    assert_eq!(counts["normative_found_unlawful"], 1, "{counts}");
    assert_eq!(counts["compensation_claims"], 2, "{counts}");
    assert_eq!(counts["compensation_awarded"], 1, "{counts}");
    assert_eq!(counts["compensation_awarded_fen"], 80000, "{counts}");
    // April alone: the conclusions, not the receipts.
    let april = get_ok(
        &app,
        "/api/v1/statistics/summary?from=2024-04-01&to=2024-04-30",
    )
    .await;
    let counts = &april["total"]["counts"];
    assert_eq!(counts["compensation_claims"], 0, "{counts}");
    assert_eq!(counts["normative_reviews_requested"], 0, "{counts}");
    assert_eq!(counts["compensation_awarded_fen"], 80000, "{counts}");
    assert_eq!(counts["normative_found_unlawful"], 1, "{counts}");

    let mut conn = app.pool.get().await.expect("a connection");
    let filter = StatsFilter {
        organ_ids: vec![app.city.id],
        ..StatsFilter::default()
    };
    let facts = case_facts(&mut conn, &filter).await.expect("facts");
    let day = |s: &str| s.parse::<NaiveDate>().expect("a date");
    for (from, to) in [
        ("2024-03-01", "2024-04-30"),
        ("2024-03-02", "2024-04-10"),
        ("2024-04-01", "2024-04-01"),
        ("2024-04-02", "2024-05-31"),
    ] {
        let (from, to) = (day(from), day(to));
        let sql = app
            .rollups_agreeing_with_cases(&filter, Grouping::Month, from, to)
            .await;
        let defined = defs::tally_measures(&facts, Period { from, to });
        for m in MEASURES {
            assert_eq!(
                sql.total.measure(m),
                defined[m.name],
                "{} in {from}..{to}",
                m.name
            );
        }
    }
}

/// The import file carries the ancillary procedures, and the imported case reads and counts
/// like one recorded action by action.
#[tokio::test]
async fn an_import_row_carries_the_ancillary_procedures() {
    use fuyi::service::import::import_csv;

    let app = TestApp::spawn().await;
    let text = "organ,received_on,channel,applicant_name,applicant_kind,respondent,act_type,\
act_date,learned_on,request,reasons,state,procedure,accepted_on,heard_on,concluded_on,\
submitted_to_respondent_on,forwarded_on,stay_ground,stay_decided_on,stay_decided_by,\
normative_document_name,normative_issuing_body,normative_requested_on,normative_concluded_on,\
normative_finding,normative_provisions,compensation_claim,compensation_claim_fen,\
compensation_outcome,compensation_awarded_fen
city,2024-03-15,forwarded,张三,natural_person,福州市公安局,administrative_penalty,2024-01-10,\
2024-01-12,撤销处罚决定,事实不清,revoked,ordinary,2024-03-18,2024-04-01,2024-05-20,2024-03-08,\
2024-03-14,organ_deems_necessary,2024-03-20,王局长,停车管理办法,市人民政府,2024-03-18,2024-04-15,\
unlawful,第三条；第五条,赔偿损失,300000,award,150000
";
    let mut conn = app.pool.get().await.expect("connection");
    let report = import_csv(
        &mut conn,
        &app.settings.rules,
        || Ok(text.as_bytes()),
        "b.csv",
    )
    .await
    .expect("imported");
    drop(conn);
    let id = report.ids[0].to_string();
    let (status, case) = app.get_case(&app.head, &id).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    // Submitted to the respondent in time, though received after the 60 days (art. 20).
    assert_eq!(case["applied_on"], "2024-03-08", "{case}");
    assert_eq!(case["late_application"], false, "{case}");
    let lc = &case["lifecycle"];
    assert_eq!(lc["forwarding"]["forwarded_on"], "2024-03-14");
    assert_eq!(lc["enforcement_stay"]["ground"], "organ_deems_necessary");
    assert_eq!(
        lc["normative_review"]["provisions"],
        json!(["第三条", "第五条"])
    );
    assert_eq!(lc["compensation_ruling"]["amount_fen"], 150000);
    assert_eq!(status_of(&case, "forwarding"), ("met", "2024-03-15"));

    let body = get_ok(
        &app,
        "/api/v1/statistics/summary?from=2024-03-01&to=2024-05-31",
    )
    .await;
    let counts = &body["total"]["counts"];
    for (name, value) in [
        ("enforcement_stayed", 1),
        ("normative_reviews_requested", 1),
        ("normative_found_unlawful", 1),
        ("compensation_claims", 1),
        ("compensation_awarded", 1),
        ("compensation_awarded_fen", 150000),
    ] {
        assert_eq!(counts[name], value, "{name}: {counts}");
    }
}
