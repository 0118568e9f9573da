//! Issue 15 over HTTP: every document kind generated from a case driven through the API and
//! read back from its `.docx`; numbering under races; final versions and corrections; service;
//! templates; attachments streamed in and out with their hashes, limits and access; the case file.

use std::io::Read;

use futures_util::future::join_all;
use fuyi::domain::documents::chinese_date;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    lifecycle::{accept, decide},
    support::{TestApp, TestUser, status_and_json},
};

/// Issues a document; returns the status and JSON answer.
async fn issue(app: &TestApp, user: &TestUser, case: &Value, body: Value) -> (StatusCode, Value) {
    let id = case["id"].as_str().expect("case id");
    let response = app
        .as_user(user, Method::POST, &format!("/api/v1/cases/{id}/documents"))
        .json(&body)
        .send()
        .await
        .expect("request");
    status_and_json(response).await
}

/// GETs `path` and returns the status and the raw bytes.
async fn bytes(app: &TestApp, user: &TestUser, path: &str) -> (StatusCode, Vec<u8>) {
    let response = app
        .as_user(user, Method::GET, path)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.bytes().await.expect("body").to_vec())
}

/// The text of a `.docx`: the runs of its main part, joined.
fn docx_text(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("the main part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut text = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<w:t") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</w:t>") else {
            break;
        };
        if !after[..open_end].contains("/") {
            text.push_str(
                body[..close]
                    .replace("&lt;", "<")
                    .replace("&amp;", "&")
                    .as_str(),
            );
            text.push('\n');
        }
        rest = &body[close..];
    }
    text
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn download(app: &TestApp, user: &TestUser, document: &Value) -> Vec<u8> {
    let path = format!(
        "/api/v1/cases/{}/documents/{}",
        document["case_id"].as_str().expect("case"),
        document["id"].as_str().expect("id")
    );
    let (status, body) = bytes(app, user, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        hex(&body),
        document["sha256"],
        "the stored hash is the file's"
    );
    body
}

/// The sample case driven from a supplement request to a decision: every step that issues a
/// document, on known dates.
async fn decided_case(app: &TestApp) -> Value {
    let case = app.sample_case().await;
    let steps = [
        json!({"action": "request_supplement", "occurred_on": "2024-03-04", "items": ["身份证明", "行政处罚决定书"]}),
        json!({"action": "supplement", "occurred_on": "2024-03-11"}),
        accept("ordinary", "2024-03-12"),
        json!({"action": "record_reply", "occurred_on": "2024-03-20", "copy_sent_on": "2024-03-13", "reply_received_on": "2024-03-20"}),
        json!({"action": "hear", "occurred_on": "2024-03-25", "method": "in_person"}),
        json!({"action": "suspend", "occurred_on": "2024-04-01", "ground": "related_case_pending"}),
        json!({"action": "resume", "occurred_on": "2024-04-11"}),
        json!({"action": "extend", "occurred_on": "2024-04-20", "days": 10, "reason": "案情复杂"}),
        decide("uphold", "2024-04-25", json!({})),
    ];
    let mut case = case;
    for step in steps {
        case = app.act_ok(&app.head, &case, step).await;
    }
    case
}

/// Issues `kind` on `case`, checks the file names the case, its parties, its date and its
/// number, and returns the document.
async fn issued_and_read(app: &TestApp, case: &Value, kind: &str, extra: Value) -> Value {
    let mut body = json!({"kind": kind});
    for (key, value) in extra.as_object().into_iter().flatten() {
        body[key] = value.clone();
    }
    let (status, document) = issue(app, &app.officer, case, body).await;
    assert_eq!(status, StatusCode::CREATED, "{kind}: {document}");
    let text = docx_text(&download(app, &app.officer, &document).await);
    let number = document["document_number"].as_str().expect("number");
    assert!(
        text.contains(number),
        "{kind} lacks its number {number}: {text}"
    );
    let issued: chrono::NaiveDate = document["issued_on"]
        .as_str()
        .expect("date")
        .parse()
        .expect("date");
    assert!(
        text.contains(&chinese_date(issued)),
        "{kind} lacks its date: {text}"
    );
    assert!(text.contains("张三"), "{kind} lacks the applicant: {text}");
    assert!(
        text.contains("福州市公安局"),
        "{kind} lacks the respondent: {text}"
    );
    match case["case_number"].as_str() {
        Some(case_number) if kind != "supplement_notice" => {
            assert!(
                text.contains(case_number),
                "{kind} lacks {case_number}: {text}"
            )
        }
        _ => assert!(
            text.contains("二〇二四年三月一日"),
            "{kind} lacks the receipt date: {text}"
        ),
    }
    document
}

#[tokio::test]
async fn every_kind_is_generated_from_the_case_and_reads_back() {
    let app = TestApp::spawn().await;
    let case = decided_case(&app).await;
    assert_eq!(case["case_number"], "榕复〔2024〕1号");

    let mut documents = Vec::new();
    for kind in [
        "application_record",
        "supplement_notice",
        "acceptance_notice",
        "reply_notice",
        "hearing_notice",
        "suspension_notice",
        "resumption_notice",
        "extension_notice",
        "decision",
        "recommendation_letter",
    ] {
        let extra = if kind == "recommendation_letter" {
            json!({"letter_text": "建议规范行政处罚程序"})
        } else {
            json!({})
        };
        documents.push(issued_and_read(&app, &case, kind, extra).await);
    }
    // The decision carries the number recorded when the case was decided, on the decision date.
    let decision = &documents[8];
    assert_eq!(decision["document_number"], "榕政复决〔2024〕7号");
    assert_eq!(decision["issued_on"], "2024-04-25");
    let text = docx_text(&download(&app, &app.officer, decision).await);
    assert!(
        text.contains("维持被申请人作出的行政行为") && text.contains("二〇二四年四月二十五日"),
        "{text}"
    );
    // Other kinds draw from their own sequence, in the default style, by the year of the step.
    assert_eq!(documents[2]["document_number"], "榕复受字〔2024〕1号");
    assert_eq!(documents[1]["document_number"], "榕复补字〔2024〕1号");
    let supplement = docx_text(&download(&app, &app.officer, &documents[1]).await);
    assert!(supplement.contains("身份证明"), "{supplement}");

    let opinion = issued_and_read(
        &app,
        &case,
        "opinion_letter",
        json!({"letter_text": "处罚程序违法，请予纠正", "recipient": "福州市公安局"}),
    )
    .await;
    assert_eq!(opinion["document_number"], "榕复意字〔2024〕1号");
    let proof = issued_and_read(
        &app,
        &case,
        "proof_of_service",
        json!({"served_document_id": decision["id"], "recipient": "张三", "issued_on": "2024-04-26"}),
    )
    .await;
    let text = docx_text(&download(&app, &app.officer, &proof).await);
    assert!(
        text.contains("行政复议决定书") && text.contains("榕政复决〔2024〕7号"),
        "{text}"
    );

    // The decision exists once: a changed text is a version of it, not a second decision.
    let (status, problem) = issue(&app, &app.officer, &case, json!({"kind": "decision"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "document_issued_once");

    // Kinds whose step the case never took are refused, naming the rule.
    let (status, problem) = issue(
        &app,
        &app.officer,
        &case,
        json!({"kind": "mediation_document"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["rule"], "document_needs_state");
    let (status, problem) =
        issue(&app, &app.officer, &case, json!({"kind": "opinion_letter"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // The four other conclusions, each on a case of its own.
    let declined = app
        .act_ok(
            &app.head,
            &app.sample_case().await,
            json!({"action": "decline", "occurred_on": "2024-03-04", "reason": "no_jurisdiction", "competent_organ": "福建省人民政府"}),
        )
        .await;
    let refusal = issued_and_read(&app, &declined, "not_accepted_decision", json!({})).await;
    let text = docx_text(&download(&app, &app.officer, &refusal).await);
    assert!(
        text.contains("福建省人民政府") && text.contains("二〇二四年三月四日"),
        "{text}"
    );

    let filed = || async {
        let case = app.sample_case().await;
        app.act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
            .await
    };
    let terminated = app
        .act_ok(
            &app.head,
            &filed().await,
            json!({"action": "terminate", "occurred_on": "2024-03-12", "ground": "withdrawn"}),
        )
        .await;
    issued_and_read(&app, &terminated, "termination_decision", json!({})).await;
    let dismissed = app
        .act_ok(
            &app.head,
            &filed().await,
            json!({"action": "dismiss_application", "occurred_on": "2024-03-20", "reason": "不属于行政复议范围"}),
        )
        .await;
    issued_and_read(&app, &dismissed, "dismissal_decision", json!({})).await;
    let suspended = app
        .act_ok(
            &app.head,
            &filed().await,
            json!({"action": "suspend", "occurred_on": "2024-03-10", "ground": "mediation_or_settlement"}),
        )
        .await;
    let mediated = app
        .act_ok(
            &app.head,
            &suspended,
            json!({"action": "mediate", "occurred_on": "2024-03-30", "document_number": "榕复调〔2024〕1号"}),
        )
        .await;
    let mediation = issued_and_read(&app, &mediated, "mediation_document", json!({})).await;
    assert_eq!(mediation["document_number"], "榕复调〔2024〕1号");
}

#[tokio::test]
async fn racing_issues_take_consecutive_numbers() {
    const N: usize = 12;
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let answers = join_all((0..N).map(|_| {
        issue(
            &app,
            &app.officer,
            &case,
            json!({"kind": "acceptance_notice"}),
        )
    }))
    .await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|(status, document)| {
            assert_eq!(*status, StatusCode::CREATED, "{document}");
            document["document_number"]
                .as_str()
                .expect("number")
                .to_owned()
        })
        .collect();
    numbers.sort();
    let mut expected: Vec<String> = (1..=N).map(|n| format!("榕复受字〔2024〕{n}号")).collect();
    expected.sort();
    assert_eq!(numbers, expected, "consecutive from 1, none twice");
    // Another kind has a sequence of its own.
    let (_, reply) = issue(&app, &app.officer, &case, json!({"kind": "reply_notice"})).await;
    assert_eq!(reply["document_number"], "榕复答字〔2024〕1号");
}

#[tokio::test]
async fn number_styles_are_configurable_per_kind() {
    let app = TestApp::spawn_with(&[(
        "FUYI_DOCUMENT_NUMBER_STYLES",
        "acceptance_notice={organ_short}政复受〔{year}〕第{seq}号",
    )])
    .await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let (_, notice) = issue(
        &app,
        &app.officer,
        &case,
        json!({"kind": "acceptance_notice"}),
    )
    .await;
    assert_eq!(notice["document_number"], "榕政复受〔2024〕第1号");
    let (_, reply) = issue(&app, &app.officer, &case, json!({"kind": "reply_notice"})).await;
    assert_eq!(reply["document_number"], "榕复答字〔2024〕1号");
}

#[tokio::test]
async fn a_final_version_keeps_both_and_service_gives_the_respondents_receipt() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let id = case["id"].as_str().expect("id");
    let (_, generated) = issue(&app, &app.officer, &case, json!({"kind": "reply_notice"})).await;
    let original = download(&app, &app.officer, &generated).await;

    let upload = |replaces: &Value, query: &str, body: Vec<u8>| {
        let path = format!(
            "/api/v1/cases/{id}/documents/{}/versions?{query}",
            replaces["id"].as_str().expect("id")
        );
        let request = app.as_user(&app.officer, Method::POST, &path).body(body);
        async move { status_and_json(request.send().await.expect("request")).await }
    };
    // Not a Word document.
    let (status, problem) = upload(&generated, "origin=final", b"%PDF-1.4 nope".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, edited) = upload(&generated, "origin=final", original.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["replaces_id"], generated["id"]);
    assert_eq!(edited["document_number"], generated["document_number"]);
    // Version 1 is replaced already: a correction must name the current version.
    let (status, _) = upload(&generated, "origin=correction&note=x", original.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, problem) = upload(&edited, "origin=correction", original.clone()).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction says why: {problem}"
    );
    let (status, corrected) = upload(
        &edited,
        "origin=correction&note=更正答复期限",
        original.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{corrected}");
    assert_eq!(corrected["version"], 3);

    // Serve the reply notice on the respondent: that day is the respondent's receipt of the copy.
    let path = format!(
        "/api/v1/cases/{id}/documents/{}/services",
        corrected["id"].as_str().expect("id")
    );
    let (status, served) = status_and_json(
        app.as_user(&app.officer, Method::POST, &path)
            .json(
                &json!({"recipient_role": "respondent", "recipient_name": "福州市公安局",
                          "method": "post", "served_on": "2024-03-08"}),
            )
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{served}");
    let (status, list) = status_and_json(
        app.as_user(
            &app.head,
            Method::GET,
            &format!("/api/v1/cases/{id}/documents"),
        )
        .send()
        .await
        .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["respondent_copy_received_on"], "2024-03-08");
    let versions = list["documents"].as_array().expect("documents");
    assert_eq!(versions.len(), 3, "every version kept");
    assert_eq!(versions[0]["replaced_by"], edited["id"]);
    assert_eq!(versions[2]["replaced_by"], Value::Null);
    // Stored versions never change, even from inside the database.
    let mut conn = app.pool.get().await.expect("connection");
    let changed = diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE documents SET note = 'edited' WHERE version = 1"),
        &mut conn,
    )
    .await;
    assert!(
        changed.is_err(),
        "the database refuses to change an issued document"
    );
}

#[tokio::test]
async fn templates_are_replaced_per_organ_and_checked() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/organs/{}/templates/acceptance_notice", app.city.id);
    let put = |user: &TestUser, body: &str| {
        let request = app
            .as_user(user, Method::PUT, &path)
            .json(&json!({"body": body}));
        async move { status_and_json(request.send().await.expect("request")).await }
    };
    let (status, problem) = put(&app.admin, "# {{title}}\n{{applicant_name}}").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("applicant_name"), "{problem}");
    let (status, _) = put(&app.officer, "# {{title}}").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = "# 福州市人民政府行政复议办公室\n# {{title}}\n= {{document_number}}\n- {{applicants}}：\n本机关已受理你的申请，案号{{case_number}}。\n> {{issued_date}}";
    let (status, view) = put(&app.admin, own).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["customised"], true);

    let case = app.sample_case().await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let (_, notice) = issue(
        &app,
        &app.officer,
        &case,
        json!({"kind": "acceptance_notice"}),
    )
    .await;
    let text = docx_text(&download(&app, &app.officer, &notice).await);
    assert!(
        text.contains("福州市人民政府行政复议办公室") && text.contains("榕复〔2024〕1号"),
        "{text}"
    );
}

/// A file of `size` bytes that sniffs as a PDF, with varied content.
fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut state: u32 = 7;
    while bytes.len() < size {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((state >> 16) as u8);
    }
    bytes
}

async fn upload(
    app: &TestApp,
    user: &TestUser,
    case: &Value,
    name: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let id = case["id"].as_str().expect("id");
    let response = app
        .as_user(
            user,
            Method::POST,
            &format!("/api/v1/cases/{id}/attachments"),
        )
        .query(&[
            ("file_name", name),
            ("kind", "evidence"),
            ("source", "applicant"),
        ])
        .body(body)
        .send()
        .await
        .expect("request");
    status_and_json(response).await
}

#[tokio::test]
async fn attachments_stream_in_and_out_with_their_hashes_and_limits() {
    let app = TestApp::spawn_with(&[("FUYI_ATTACHMENT_MAX_BYTES", "1000000")]).await;
    let case = app.sample_case().await;
    let id = case["id"].as_str().expect("id");
    let file = pdf(700_000);
    let (status, stored) = upload(&app, &app.officer, &case, "证据一.pdf", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["sha256"], hex(&file));
    assert_eq!(stored["size_bytes"], 700_000);
    assert_eq!(stored["content_type"], "application/pdf");
    let path = format!(
        "/api/v1/cases/{id}/attachments/{}",
        stored["id"].as_str().expect("id")
    );
    let response = app
        .as_user(&app.head, Method::GET, &path)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("UTF-8''")
    );
    assert_eq!(
        hex(&response.bytes().await.expect("body")),
        hex(&file),
        "the same bytes back"
    );

    // Over the limit, a type outside the allow-list (named .pdf, but an executable), empty, a bad name.
    let (status, _) = upload(&app, &app.officer, &case, "big.pdf", pdf(1_000_001)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = upload(
        &app,
        &app.officer,
        &case,
        "evil.pdf",
        b"MZ\x90\0\x03\0\0\0\x04\0\0\0".repeat(10),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = upload(&app, &app.officer, &case, "empty.pdf", Vec::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The document states these limits on `file_name` (its length and pattern); the service
    // refuses exactly what they exclude.
    let too_long = format!("{}.pdf", "证".repeat(252));
    for name in ["../x.pdf", "..", " . ", "", too_long.as_str()] {
        let (status, _) = upload(&app, &app.officer, &case, name, pdf(100)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
    }
    let (_, list) = status_and_json(
        app.as_user(
            &app.officer,
            Method::GET,
            &format!("/api/v1/cases/{id}/attachments"),
        )
        .send()
        .await
        .expect("request"),
    )
    .await;
    assert_eq!(
        list.as_array().expect("list").len(),
        1,
        "refused uploads leave nothing: {list}"
    );

    // Statisticians get nothing; an organ that does not reach the case does not see it.
    let (status, _) = bytes(&app, &app.statistician, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = upload(&app, &app.statistician, &case, "x.pdf", pdf(100)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let district = app
        .user(
            "gulou_officer",
            app.district.id,
            &[fuyi::auth::Role::Officer],
        )
        .await;
    let (status, _) = bytes(&app, &district, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = bytes(&app, &district, &format!("/api/v1/cases/{id}/file")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Deleting is a recorded withdrawal; the bytes stay.
    let withdraw = || {
        app.as_user(&app.officer, Method::DELETE, &path)
            .query(&[("reason", "重复提交")])
            .send()
    };
    let (status, withdrawn) = status_and_json(withdraw().await.expect("request")).await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["withdrawal_reason"], "重复提交");
    assert!(withdrawn["withdrawn_at"].is_string());
    let (status, _) = status_and_json(withdraw().await.expect("request")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, again) = bytes(&app, &app.officer, &path).await;
    assert_eq!((status, hex(&again)), (StatusCode::OK, hex(&file)));
}

#[tokio::test]
async fn the_case_file_holds_index_documents_attachments_history_and_hashes() {
    let app = TestApp::spawn().await;
    let case = app.sample_case().await;
    let case = app
        .act_ok(&app.head, &case, accept("ordinary", "2024-03-05"))
        .await;
    let id = case["id"].as_str().expect("id");
    issue(
        &app,
        &app.officer,
        &case,
        json!({"kind": "acceptance_notice"}),
    )
    .await;
    issue(
        &app,
        &app.officer,
        &case,
        json!({"kind": "application_record"}),
    )
    .await;
    let evidence = pdf(300_000);
    upload(&app, &app.officer, &case, "证据.pdf", evidence.clone()).await;
    let (_, withdrawn) = upload(&app, &app.officer, &case, "撤回.pdf", pdf(1000)).await;
    app.as_user(
        &app.officer,
        Method::DELETE,
        &format!(
            "/api/v1/cases/{id}/attachments/{}",
            withdrawn["id"].as_str().expect("id")
        ),
    )
    .send()
    .await
    .expect("request");

    let (status, zip_bytes) = bytes(&app, &app.head, &format!("/api/v1/cases/{id}/file")).await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("read");
        files.insert(entry.name().to_owned(), content);
    }
    let names: Vec<&String> = files.keys().collect();
    // Filed in order: the application record, the evidence, then the acceptance notice.
    assert!(files.contains_key("001-行政复议申请笔录.docx"), "{names:?}");
    assert!(
        files.contains_key("002-行政复议受理通知书.docx"),
        "{names:?}"
    );
    assert!(files.contains_key("003-证据.pdf"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("撤回")),
        "withdrawn files stay out: {names:?}"
    );
    assert_eq!(hex(&files["003-证据.pdf"]), hex(&evidence));
    let index = String::from_utf8(files["卷内目录.csv"].clone()).expect("utf-8");
    assert!(
        index.contains("行政复议受理通知书") && index.contains("榕复受字〔2024〕1号"),
        "{index}"
    );
    let history: Value = serde_json::from_slice(&files["history.json"]).expect("json");
    assert_eq!(history[1]["action"], "accept");
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("json");
    assert_eq!(manifest["case_number"], "榕复〔2024〕1号");
    for entry in manifest["files"].as_array().expect("files") {
        let name = entry["file"].as_str().expect("name");
        assert_eq!(
            entry["sha256"].as_str(),
            Some(hex(&files[name]).as_str()),
            "{name}"
        );
    }
    assert_eq!(
        manifest["withdrawn_attachments"][0]["file_name"],
        "撤回.pdf"
    );
    let (status, _) = bytes(&app, &app.statistician, &format!("/api/v1/cases/{id}/file")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
