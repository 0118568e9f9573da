//! Issue 14 end to end, part A: third parties (art. 16) and the art. 63 bar on worsening the
//! applicant's position, representatives and the consent of those they represent (art. 15), the
//! reconsideration committee (art. 52), and the parties' written notices (arts. 39, 62).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::lifecycle::{allowed, decide, events, fields, heard, reload};
use crate::support::{TestApp, sample_case, status_and_json};

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

fn assert_refused(status: StatusCode, problem: &Value, rule: &str) {
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], rule, "{problem}");
}

fn worsening_alteration(requested_by: Option<u32>) -> Value {
    let mut extra = json!({"worsens_applicant": true});
    if let Some(number) = requested_by {
        extra["worsening_requested_by"] = json!(number);
    }
    decide("alter", "2024-04-01", extra)
}

#[tokio::test]
async fn third_parties_join_withdraw_and_alone_allow_a_worsening_alteration() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "add_third_party", "occurred_on": "2024-03-26", "name": "某建材公司",
                   "kind": "legal_person", "basis": "notified_by_organ"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "add_third_party", "occurred_on": "2024-03-27", "name": "李四",
                   "kind": "natural_person", "basis": "own_application"}),
        )
        .await;
    let third_parties = &case["lifecycle"]["third_parties"];
    assert_eq!(third_parties[0]["number"], 1, "{case}");
    assert_eq!(third_parties[0]["basis"], "notified_by_organ");
    assert_eq!(third_parties[1]["name"], "李四");
    assert_eq!(third_parties[1]["joined_on"], "2024-03-27");
    assert!(allowed(&case).contains(&"withdraw_third_party"), "{case}");

    // Art. 63 para 2: no worse for the applicant unless a third party asked for it.
    let (status, problem) = app.act(&app.head, &case, worsening_alteration(None)).await;
    assert_refused(status, &problem, "art_63");
    let (status, problem) = app
        .act(&app.head, &case, worsening_alteration(Some(7)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        fields(&problem).contains(&"worsening_requested_by"),
        "{problem}"
    );

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "withdraw_third_party", "occurred_on": "2024-03-28", "third_party": 2}),
        )
        .await;
    assert_eq!(
        case["lifecycle"]["third_parties"][1]["withdrawn_on"],
        "2024-03-28"
    );
    // A third party who withdrew no longer carries its request.
    let (status, problem) = app
        .act(&app.head, &case, worsening_alteration(Some(2)))
        .await;
    assert_refused(status, &problem, "art_63");

    let altered = app
        .act_ok(&app.head, &case, worsening_alteration(Some(1)))
        .await;
    assert_eq!(altered["state"], "altered");
    assert_eq!(altered["lifecycle"]["worsens_applicant"], true);
    assert_eq!(altered["lifecycle"]["worsening_requested_by"], 1);

    let history = events(&app, &app.head, &altered).await;
    let recorded: Vec<&str> = history
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.contains("third_party"))
        .collect();
    assert_eq!(
        recorded,
        ["add_third_party", "add_third_party", "withdraw_third_party"]
    );

    // Counted among the cases concluded in April, in both sources.
    let april = summary(&app, "2024-04-01", "2024-04-30").await;
    assert_eq!(april["total"]["counts"]["with_third_party"], 1, "{april}");
    let march = summary(&app, "2024-03-01", "2024-03-31").await;
    assert_eq!(march["total"]["counts"]["with_third_party"], 0, "{march}");
}

#[tokio::test]
async fn a_representative_withdraws_only_with_the_consent_of_everyone_it_represents() {
    let app = TestApp::spawn().await;
    // Applicants at positions 0, 2 and 3; position 1 is the first applicant's agent.
    let mut body = sample_case(app.respondent);
    for name in ["李四", "王五"] {
        body["parties"]
            .as_array_mut()
            .expect("parties")
            .push(json!({"role": "applicant", "kind": "natural_person", "name": name}));
    }
    let (status, case) = app.register(&app.officer, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");

    let appoint = |applicants: Value| {
        json!({"action": "appoint_representative", "occurred_on": "2024-03-04", "name": "张三",
               "applicants": applicants})
    };
    let (status, problem) = app.act(&app.officer, &case, appoint(json!([0, 1]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["applicants"], "{problem}");
    let case = app
        .act_ok(&app.officer, &case, appoint(json!([0, 2, 3])))
        .await;
    assert_eq!(
        case["lifecycle"]["representatives"][0]["applicants"],
        json!([0, 2, 3])
    );

    let withdraw = |consent: Value| {
        let mut through = json!({"representative": 1});
        if !consent.is_null() {
            through["consent"] = json!({"given_on": "2024-03-05", "applicants": consent});
        }
        json!({"action": "withdraw_application", "occurred_on": "2024-03-05",
               "through_representative": through})
    };
    let (status, problem) = app.act(&app.officer, &case, withdraw(Value::Null)).await;
    assert_refused(status, &problem, "art_15");
    let (status, problem) = app.act(&app.officer, &case, withdraw(json!([0, 2]))).await;
    assert_refused(status, &problem, "art_15");
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains('3')),
        "{problem}"
    );

    let withdrawn = app
        .act_ok(&app.officer, &case, withdraw(json!([3, 2, 0])))
        .await;
    assert_eq!(withdrawn["state"], "withdrawn_before_acceptance");
    assert_eq!(
        withdrawn["lifecycle"]["concluded_through_representative"]["consent"]["given_on"],
        "2024-03-05"
    );
    let history = events(&app, &app.head, &withdrawn).await;
    assert_eq!(
        history.last().expect("an event")["payload"]["action"]["through_representative"]["consent"]
            ["applicants"],
        json!([3, 2, 0])
    );
}

#[tokio::test]
async fn a_case_marked_for_the_committee_is_decided_after_its_consultation() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "mark_for_committee", "occurred_on": "2024-03-26",
                   "ground": "major_difficult_complex"}),
        )
        .await;
    assert_eq!(
        case["lifecycle"]["committee_ground"],
        "major_difficult_complex"
    );
    let as_head = reload(&app, &app.head, &case).await;
    assert!(!allowed(&as_head).contains(&"decide"), "{as_head}");
    let (status, problem) = app
        .act(&app.head, &case, decide("uphold", "2024-04-01", json!({})))
        .await;
    assert_refused(status, &problem, "art_52");

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_committee_consultation", "occurred_on": "2024-03-29",
                   "requested_on": "2024-03-27", "opinion": "多数委员认为原行政行为适当，建议维持"}),
        )
        .await;
    let consultation = &case["lifecycle"]["committee_consultations"][0];
    assert_eq!(consultation["opinion_on"], "2024-03-29");
    assert_eq!(consultation["requested_on"], "2024-03-27");
    let upheld = app
        .act_ok(&app.head, &case, decide("uphold", "2024-04-01", json!({})))
        .await;
    assert_eq!(upheld["state"], "upheld");

    let april = summary(&app, "2024-04-01", "2024-04-30").await;
    assert_eq!(
        april["total"]["counts"]["committee_consultations"], 1,
        "{april}"
    );
}

#[tokio::test]
async fn suspension_resumption_and_extension_record_when_the_parties_were_notified() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let (status, problem) = app
        .act(
            &app.officer,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-03-26", "ground": "force_majeure",
                   "parties_notified_on": "2024-03-25"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["parties_notified_on"], "{problem}");

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-03-26", "ground": "force_majeure",
                   "parties_notified_on": "2024-03-27"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "resume", "occurred_on": "2024-04-08",
                   "parties_notified_on": "2024-04-08"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "extend", "occurred_on": "2024-04-10", "days": 10,
                   "reason": "案情复杂", "parties_notified_on": "2024-04-11"}),
        )
        .await;
    assert_eq!(
        case["lifecycle"]["written_notices"],
        json!([
            {"action": "suspend", "action_on": "2024-03-26", "notified_on": "2024-03-27"},
            {"action": "resume", "action_on": "2024-04-08", "notified_on": "2024-04-08"},
            {"action": "extend", "action_on": "2024-04-10", "notified_on": "2024-04-11"},
        ])
    );
    let history = events(&app, &app.head, &case).await;
    assert_eq!(
        history.last().expect("an event")["payload"]["action"]["parties_notified_on"],
        "2024-04-11"
    );
}
