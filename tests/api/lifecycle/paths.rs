//! Every path through the lifecycle, and the fields each action leaves on the case and in its event.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{accept, allowed, deadline, decide, events, fields, filed, heard, reload};
use crate::support::TestApp;

/// The payload of the case's latest event: the action as recorded.
async fn last_recorded_action(app: &TestApp, case: &Value) -> Value {
    let history = events(app, &app.head, case).await;
    history.last().expect("an event")["payload"]["action"].clone()
}

#[tokio::test]
async fn an_ordinary_case_goes_from_acceptance_through_reply_and_hearing_to_a_decision() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    assert_eq!(case["state"], "received");
    // Received 2024-03-01, its review lapsed on 2024-03-08: the law has accepted it (art. 30),
    // so nobody may decline it or ask for a supplement any more.
    assert_eq!(case["deemed_accepted_on"], "2024-03-08");
    assert_eq!(
        allowed(&case),
        [
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "appoint_representative"
        ],
        "the registering officer"
    );
    let as_head = reload(&app, &app.head, &case).await;
    assert_eq!(
        allowed(&as_head),
        [
            "accept",
            "assign",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "appoint_representative"
        ]
    );
    assert_eq!(deadline(&case, "acceptance_review")["due_on"], "2024-03-08");

    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    assert_eq!(case["state"], "filed");
    assert_eq!(case["state_label"], "已受理");
    assert_eq!(case["version"], 2);
    assert_eq!(case["case_number"], "榕复〔2024〕1号");
    assert_eq!(case["lifecycle"]["procedure"], "ordinary");
    assert_eq!(case["lifecycle"]["accepted_on"], "2024-03-05");
    assert_eq!(deadline(&case, "acceptance_review")["status"], "met");
    // Ordinary procedure: the copy within 7 working days, the decision within 60 days, whose
    // last day (Saturday 2024-05-04) falls in the May Day holiday and moves to Monday.
    assert_eq!(
        deadline(&case, "copy_to_respondent")["due_on"],
        "2024-03-14"
    );
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-05-06");
    // Nothing to hear yet, nothing to decide: the reply is neither in nor overdue. Viewed
    // today, long after 2024-05-06, the decision period can no longer be extended (art. 62).
    assert_eq!(
        allowed(&case),
        [
            "assign",
            "record_reply",
            "suspend",
            "dismiss_application",
            "mediate",
            "terminate",
            "record_compensation_claim",
            "record_forwarding",
            "stay_enforcement",
            "refuse_stay",
            "request_normative_review",
            "add_third_party",
            "appoint_representative",
            "mark_for_committee",
            "record_committee_consultation"
        ]
    );

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-07", "copy_sent_on": "2024-03-07", "copy_received_on": "2024-03-07"}),
        )
        .await;
    assert_eq!(case["state"], "filed");
    assert_eq!(case["version"], 3);
    assert_eq!(deadline(&case, "copy_to_respondent")["status"], "met");
    assert_eq!(deadline(&case, "respondent_reply")["due_on"], "2024-03-21");
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-18", "reply_received_on": "2024-03-18"}),
        )
        .await;
    assert_eq!(deadline(&case, "respondent_reply")["status"], "met");
    assert_eq!(deadline(&case, "respondent_reply")["met_on"], "2024-03-18");
    assert_eq!(
        allowed(&case),
        [
            "record_reply",
            "hear",
            "suspend",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "add_third_party",
            "appoint_representative",
            "mark_for_committee",
            "record_committee_consultation"
        ]
    );

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "hear", "occurred_on": "2024-03-25", "method": "in_person"}),
        )
        .await;
    assert_eq!(case["state"], "heard");
    assert_eq!(case["lifecycle"]["heard_on"], "2024-03-25");
    // A formal hearing (听证) may still follow the opinions heard (art. 50).
    assert_eq!(
        allowed(&case),
        [
            "record_reply",
            "hear",
            "suspend",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "add_third_party",
            "appoint_representative",
            "mark_for_committee",
            "record_committee_consultation"
        ],
        "the officer"
    );
    let as_head = reload(&app, &app.head, &case).await;
    assert!(allowed(&as_head).contains(&"decide"), "{as_head}");

    let case = app
        .act_ok(&app.head, &case, decide("uphold", "2024-04-10", json!({})))
        .await;
    assert_eq!(case["state"], "upheld");
    assert_eq!(case["state_label"], "维持");
    assert_eq!(case["version"], 6);
    assert_eq!(case["allowed_actions"], json!([]));
    assert_eq!(case["lifecycle"]["concluded_on"], "2024-04-10");
    assert_eq!(case["lifecycle"]["disposition"], "uphold");
    assert_eq!(
        case["lifecycle"]["decision_document_number"],
        "榕政复决〔2024〕7号"
    );
    assert_eq!(deadline(&case, "decision")["status"], "met");
    assert_eq!(deadline(&case, "decision")["met_on"], "2024-04-10");
}

#[tokio::test]
async fn a_simplified_case_is_decided_without_a_hearing() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "simplified").await;
    assert_eq!(case["lifecycle"]["procedure"], "simplified");
    assert_eq!(case["lifecycle"]["simplified_ground"], "small_amount");
    // Simplified: the copy within 3 working days; the decision within 30 days, whose last day
    // (2024-04-04) is Qingming and moves past the holiday to Sunday 2024-04-07, a make-up
    // working day.
    assert_eq!(
        deadline(&case, "copy_to_respondent")["due_on"],
        "2024-03-08"
    );
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-04-07");
    // Not before the reply is in or its 5 working days from the respondent's receipt ran out (art. 54).
    assert!(!allowed(&case).contains(&"decide"), "{case}");
    assert!(!allowed(&case).contains(&"extend"), "{case}");
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-07", "copy_sent_on": "2024-03-06",
                   "copy_received_on": "2024-03-06", "reply_received_on": "2024-03-07"}),
        )
        .await;
    let case = reload(&app, &app.head, &case).await;
    assert!(allowed(&case).contains(&"decide"), "{case}");

    let case = app
        .act_ok(
            &app.head,
            &case,
            decide("reject_request", "2024-03-20", json!({})),
        )
        .await;
    assert_eq!(case["state"], "request_rejected");
    assert_eq!(deadline(&case, "decision")["status"], "met");
}

#[tokio::test]
async fn without_a_reply_in_time_the_head_may_decide_unheard_but_only_against_the_act() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "record_reply", "occurred_on": "2024-03-07", "copy_sent_on": "2024-03-07", "copy_received_on": "2024-03-07"}),
        )
        .await;
    // The reply is due 2024-03-21; the date of the action decides whether it was overdue.
    let (status, problem) = app
        .act(
            &app.head,
            &case,
            decide("confirm_illegal", "2024-03-21", json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_70");
    // Art. 70: an act the respondent does not defend is not upheld.
    let (status, problem) = app
        .act(&app.head, &case, decide("uphold", "2024-03-22", json!({})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_70");

    let case = app
        .act_ok(
            &app.head,
            &case,
            decide("confirm_illegal", "2024-03-22", json!({})),
        )
        .await;
    assert_eq!(case["state"], "confirmed_illegal");
    assert_eq!(deadline(&case, "respondent_reply")["status"], "missed");
    let history = events(&app, &app.head, &case).await;
    assert_eq!(
        history.last().unwrap()["payload"]["facts"]["reply_overdue"],
        true
    );
}

#[tokio::test]
async fn a_converted_case_can_be_extended_and_its_decision_deadline_follows() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "simplified").await;
    let extend =
        json!({"action": "extend", "occurred_on": "2024-03-20", "days": 10, "reason": "案情复杂"});
    let (status, problem) = app.act(&app.head, &case, extend.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_62");

    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "convert_to_ordinary", "occurred_on": "2024-03-15", "reason": "需要现场勘验"}),
        )
        .await;
    assert_eq!(case["state"], "filed");
    assert_eq!(case["lifecycle"]["procedure"], "ordinary");
    assert_eq!(case["lifecycle"]["converted_on"], "2024-03-15");
    assert!(!allowed(&case).contains(&"convert_to_ordinary"));
    // Now 60 days from acceptance, as if the case had always been ordinary.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-05-06");

    let case = app.act_ok(&app.head, &case, extend).await;
    assert_eq!(case["lifecycle"]["extension_days"], 10);
    // 2024-03-05 + 70 days.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-05-14");
    assert_eq!(
        last_recorded_action(&app, &case).await,
        json!({"action": "extend", "days": 10, "reason": "案情复杂"})
    );

    let too_much =
        json!({"action": "extend", "occurred_on": "2024-03-21", "days": 21, "reason": "仍需调查"});
    let (status, problem) = app.act(&app.head, &case, too_much).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_62");
}

#[tokio::test]
async fn a_supplement_round_pauses_and_restarts_the_acceptance_review() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "request_supplement", "occurred_on": "2024-03-04", "notice_received_on": "2024-03-04", "items": ["身份证明", "行政处罚决定书"]}),
        )
        .await;
    assert_eq!(case["state"], "awaiting_supplement");
    assert_eq!(case["state_label"], "待补正");
    // Received with the request on 2024-03-04, its ten working days ran out long before today:
    // no extension is offered any more.
    assert_eq!(
        allowed(&case),
        [
            "supplement",
            "withdraw_application",
            "record_compensation_claim",
            "record_forwarding",
            "request_normative_review",
            "appoint_representative"
        ]
    );
    assert_eq!(deadline(&case, "acceptance_review")["status"], "paused");
    // Ten working days from Monday 2024-03-04.
    assert_eq!(deadline(&case, "supplement")["due_on"], "2024-03-18");

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "supplement", "occurred_on": "2024-03-11"}),
        )
        .await;
    assert_eq!(case["state"], "received");
    assert_eq!(case["lifecycle"]["review_started_on"], "2024-03-11");
    assert_eq!(deadline(&case, "supplement")["status"], "met");
    // The review restarts in full: five working days from the supplement's receipt.
    assert_eq!(deadline(&case, "acceptance_review")["due_on"], "2024-03-18");

    // Art. 31: the notice lists everything at once, so there is no second one.
    let again = json!({"action": "request_supplement", "occurred_on": "2024-03-12", "items": ["授权委托书"]});
    let (status, problem) = app.act(&app.officer, &case, again).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_31");

    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-15"))
        .await;
    assert_eq!(case["state"], "filed");
    assert_eq!(deadline(&case, "acceptance_review")["status"], "met");
}

#[tokio::test]
async fn a_declined_application_records_its_reason() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let (status, problem) = app
        .act(
            &app.head,
            &case,
            json!({"action": "decline", "occurred_on": "2024-03-04", "reason": "no_jurisdiction"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["competent_organ"]);

    let decline = json!({"action": "decline", "occurred_on": "2024-03-04",
                         "reason": "no_jurisdiction", "competent_organ": "福建省人民政府"});
    let case = app.act_ok(&app.head, &case, decline).await;
    assert_eq!(case["state"], "not_accepted");
    assert_eq!(case["lifecycle"]["decline_reason"], "no_jurisdiction");
    assert_eq!(case["lifecycle"]["declined_on"], "2024-03-04");
    assert_eq!(case["lifecycle"]["concluded_on"], Value::Null);
    assert_eq!(case["allowed_actions"], json!([]));
    assert_eq!(
        last_recorded_action(&app, &case).await,
        json!({"action": "decline", "reason": "no_jurisdiction",
               "competent_organ": "福建省人民政府", "explanation": null})
    );

    // An unanswered supplement notice ends the application (art. 31).
    let other = app.sample_case().await;
    let other = app
        .act_ok(
            &app.officer,
            &other,
            json!({"action": "request_supplement", "occurred_on": "2024-03-04", "notice_received_on": "2024-03-04", "items": ["身份证明"]}),
        )
        .await;
    let other = app
        .act_ok(
            &app.head,
            &other,
            json!({"action": "decline", "occurred_on": "2024-03-25", "reason": "supplement_not_provided"}),
        )
        .await;
    assert_eq!(other["state"], "not_accepted");
    assert_eq!(
        other["lifecycle"]["decline_reason"],
        "supplement_not_provided"
    );
    assert_eq!(deadline(&other, "supplement")["status"], "missed");
}

#[tokio::test]
async fn a_suspended_case_resumes_to_the_state_it_left() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-04-01", "ground": "related_case_pending"}),
        )
        .await;
    assert_eq!(case["state"], "suspended");
    assert_eq!(case["state_label"], "中止");
    assert_eq!(case["lifecycle"]["suspended_from"], "heard");
    assert_eq!(
        case["lifecycle"]["suspension_ground"],
        "related_case_pending"
    );
    assert_eq!(
        allowed(&case),
        [
            "resume",
            "record_compensation_claim",
            "record_forwarding",
            "add_third_party",
            "appoint_representative",
            "mark_for_committee",
            "record_committee_consultation"
        ],
        "the suspending officer"
    );
    assert_eq!(
        allowed(&reload(&app, &app.head, &case).await),
        [
            "assign",
            "resume",
            "mediate",
            "terminate",
            "record_compensation_claim",
            "record_forwarding",
            "stay_enforcement",
            "refuse_stay",
            "add_third_party",
            "appoint_representative",
            "mark_for_committee",
            "record_committee_consultation"
        ]
    );
    assert_eq!(deadline(&case, "decision")["status"], "paused");
    assert_eq!(
        last_recorded_action(&app, &case).await,
        json!({"action": "suspend", "ground": "related_case_pending"})
    );

    let (status, problem) = app
        .act(&app.head, &case, decide("uphold", "2024-04-05", json!({})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "resume", "occurred_on": "2024-04-11"}),
        )
        .await;
    assert_eq!(case["state"], "heard");
    assert_eq!(case["lifecycle"]["suspended_days"], 10);
    assert_eq!(case["lifecycle"]["suspension_ground"], Value::Null);
    // 60 days from 2024-03-05 plus the 10 days suspended: 2024-05-14.
    assert_eq!(deadline(&case, "decision")["due_on"], "2024-05-14");
    assert_eq!(deadline(&case, "decision")["status"], "missed");

    // From `filed` a suspension returns to `filed`.
    let other = filed(&app, "ordinary").await;
    let other = app
        .act_ok(
            &app.officer,
            &other,
            json!({"action": "suspend", "occurred_on": "2024-03-10", "ground": "force_majeure"}),
        )
        .await;
    let other = app
        .act_ok(
            &app.officer,
            &other,
            json!({"action": "resume", "occurred_on": "2024-03-12"}),
        )
        .await;
    assert_eq!(other["state"], "filed");
}

#[tokio::test]
async fn decisions_carry_their_fields_into_the_case_and_its_history() {
    let app = TestApp::spawn().await;
    let case = heard(&app).await;
    let revoke = decide(
        "revoke",
        "2024-04-10",
        json!({"partial": true, "remake_ordered": true, "comply_within_days": 30}),
    );
    let case = app.act_ok(&app.head, &case, revoke).await;
    assert_eq!(case["state"], "revoked");
    let lifecycle = &case["lifecycle"];
    assert_eq!(lifecycle["disposition"], "revoke");
    assert_eq!(lifecycle["partial"], true);
    assert_eq!(lifecycle["remake_ordered"], true);
    assert_eq!(lifecycle["comply_within_days"], 30);
    assert_eq!(lifecycle["decision_document_number"], "榕政复决〔2024〕7号");
    let recorded = last_recorded_action(&app, &case).await;
    assert_eq!(recorded["disposition"], "revoke");
    assert_eq!(recorded["partial"], true);
    assert_eq!(recorded["remake_ordered"], true);
    assert_eq!(recorded["comply_within_days"], 30);
    assert_eq!(recorded["reasoning"], "认定事实清楚，适用依据正确");
    assert_eq!(
        recorded["legal_basis"],
        "《中华人民共和国行政复议法》第六十八条"
    );

    let other = heard(&app).await;
    let perform = decide(
        "order_to_perform",
        "2024-04-12",
        json!({"comply_within_days": 15}),
    );
    let other = app.act_ok(&app.head, &other, perform).await;
    assert_eq!(other["state"], "ordered_to_perform");
    assert_eq!(other["lifecycle"]["comply_within_days"], 15);
    assert_eq!(other["lifecycle"]["partial"], false);
    assert_eq!(
        last_recorded_action(&app, &other).await["comply_within_days"],
        15
    );

    // A remake or perform order without its time limit, or a partial upholding, is refused
    // naming the field.
    let third = heard(&app).await;
    for (action, field) in [
        (
            decide("order_to_perform", "2024-04-12", json!({})),
            "comply_within_days",
        ),
        (
            decide("revoke", "2024-04-12", json!({"remake_ordered": true})),
            "comply_within_days",
        ),
        (
            decide("uphold", "2024-04-12", json!({"partial": true})),
            "partial",
        ),
    ] {
        let (status, problem) = app.act(&app.head, &third, action).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(fields(&problem), [field], "{problem}");
    }
}

#[tokio::test]
async fn dismissal_mediation_and_termination_conclude_a_case() {
    let app = TestApp::spawn().await;
    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "dismiss_application", "occurred_on": "2024-03-20", "reason": "不属于行政复议范围"}),
        )
        .await;
    assert_eq!(case["state"], "application_dismissed");
    assert_eq!(case["lifecycle"]["concluded_on"], "2024-03-20");

    // Mediation may end a suspension for settlement.
    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-03-10", "ground": "mediation_or_settlement"}),
        )
        .await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "mediate", "occurred_on": "2024-03-30", "document_number": "榕复调〔2024〕1号"}),
        )
        .await;
    assert_eq!(case["state"], "mediated");
    assert_eq!(
        case["lifecycle"]["decision_document_number"],
        "榕复调〔2024〕1号"
    );
    // Concluding ends the suspension, and its days are counted.
    assert_eq!(case["lifecycle"]["suspended_days"], 20);

    let case = heard(&app).await;
    let case = app
        .act_ok(
            &app.officer,
            &case,
            json!({"action": "suspend", "occurred_on": "2024-04-01", "ground": "applicant_died"}),
        )
        .await;
    // Art. 41(5) needs sixty days of such a suspension first.
    let early =
        json!({"action": "terminate", "occurred_on": "2024-05-01", "ground": "long_suspension"});
    let (status, problem) = app.act(&app.head, &case, early).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "art_41");
    let terminate = json!({"action": "terminate", "occurred_on": "2024-06-01",
                           "ground": "long_suspension", "explanation": "近亲属未表示参加"});
    let case = app.act_ok(&app.head, &case, terminate).await;
    assert_eq!(case["state"], "terminated");
    assert_eq!(case["state_label"], "终止");
    assert_eq!(case["lifecycle"]["termination_ground"], "long_suspension");
    assert_eq!(
        last_recorded_action(&app, &case).await,
        json!({"action": "terminate", "ground": "long_suspension", "explanation": "近亲属未表示参加"})
    );

    let case = filed(&app, "ordinary").await;
    let case = app
        .act_ok(
            &app.head,
            &case,
            json!({"action": "terminate", "occurred_on": "2024-03-12", "ground": "withdrawn"}),
        )
        .await;
    assert_eq!(case["lifecycle"]["termination_ground"], "withdrawn");
}

#[tokio::test]
async fn assigning_officers_changes_no_state_and_needs_the_head() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let assign = json!({"action": "assign", "occurred_on": "2024-03-02", "handlers": [app.officer.id, app.head.id]});

    let (status, problem) = app.act(&app.officer, &case, assign.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    let twice = json!({"action": "assign", "handlers": [app.officer.id, app.officer.id]});
    let (status, problem) = app.act(&app.head, &case, twice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["handlers"]);

    // Only active officers of the case's organ handle it.
    for stranger in [uuid::Uuid::now_v7(), app.statistician.id] {
        let action = json!({"action": "assign", "handlers": [app.officer.id, stranger]});
        let (status, problem) = app.act(&app.head, &case, action).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(fields(&problem), ["handlers"]);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&stranger.to_string()),
            "{problem}"
        );
    }

    let case = app.act_ok(&app.head, &case, assign).await;
    assert_eq!(case["state"], "received");
    assert_eq!(case["version"], 2);
    assert_eq!(
        case["lifecycle"]["handlers"],
        json!([app.officer.id, app.head.id])
    );
    let history = events(&app, &app.head, &case).await;
    assert_eq!(history.last().unwrap()["from_state"], "received");
    assert_eq!(history.last().unwrap()["to_state"], "received");
}
