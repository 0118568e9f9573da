//! Follow-up records are append-only in the database too: rows are never changed or deleted,
//! and a fact filled in later is written once.

use diesel_async::RunQueryDsl;
use serde_json::json;

use super::{decided, id, post_ok, remake, respondent_served};
use crate::support::TestApp;

#[tokio::test]
async fn records_cannot_be_rewritten_or_deleted() {
    let app = TestApp::spawn().await;
    let case = decided(&app, "revoke", remake(30)).await;
    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/services", id(&case)),
        respondent_served("2024-04-11"),
    )
    .await;
    post_ok(
        &app,
        &app.officer,
        &format!("/api/v1/cases/{}/compliance", id(&case)),
        json!({"complied_on": "2024-05-20", "new_act_document_number": "A1"}),
    )
    .await;
    let letter = post_ok(
        &app,
        &app.officer,
        "/api/v1/letters",
        json!({"kind": "opinion", "document_number": "榕政复意〔2024〕1号", "issued_on": "2024-03-01",
               "recipient_name": "福州市公安局", "summary": "请予纠正", "case_ids": [case["id"]]}),
    )
    .await;
    let letter_id = id(&letter);

    // As the tables' owner: the triggers hold even for the role that may do most (the service's
    // own role is not even granted TRUNCATE).
    let mut conn = fuyi::db::connect(app.owner_url())
        .await
        .expect("connection");
    for statement in [
        "UPDATE case_services SET method = 'post'".to_owned(),
        "DELETE FROM case_services".to_owned(),
        "TRUNCATE case_services CASCADE".to_owned(),
        "UPDATE case_compliance SET complied_on = '2024-05-01'".to_owned(),
        "UPDATE case_compliance SET new_act_document_number = 'B2'".to_owned(),
        "DELETE FROM case_compliance".to_owned(),
        "DELETE FROM letter_cases".to_owned(),
        format!("UPDATE letters SET summary = 'x' WHERE id = '{letter_id}'"),
        format!("DELETE FROM letters WHERE id = '{letter_id}'"),
    ] {
        let err = diesel::sql_query(&statement)
            .execute(&mut conn)
            .await
            .expect_err(&statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    // Filling a fact in once, and re-projecting a due date, are allowed.
    for statement in [
        format!("UPDATE letters SET received_on = '2024-03-04' WHERE id = '{letter_id}'"),
        format!("UPDATE letters SET report_due_on = '2024-05-06' WHERE id = '{letter_id}'"),
        "UPDATE case_compliance SET due_on = '2024-05-13'".to_owned(),
    ] {
        diesel::sql_query(&statement)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
    }
    let err = diesel::sql_query(format!(
        "UPDATE letters SET received_on = '2024-03-05' WHERE id = '{letter_id}'"
    ))
    .execute(&mut conn)
    .await
    .expect_err("a recorded receipt stays");
    assert!(err.to_string().contains("letters.received_on"), "{err}");
}
