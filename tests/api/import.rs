//! `fuyi import`: historical cases from a CSV file, all rows or none, each with one `imported`
//! event; the cases read, list, continue and replay like registered ones.

use chrono::NaiveDate;
use diesel::{QueryableByName, sql_types::BigInt};
use diesel_async::RunQueryDsl;
use fuyi::{
    db::{
        self,
        statistics::{Grouping, StatsFilter},
    },
    service::{
        cases::replay,
        import::{ImportError, ImportReport, LineError, import_csv},
    },
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    lifecycle::{accept, events, register_on},
    support::{TestApp, status_and_json},
};

const HEADER: &str = "organ,case_number,received_on,channel,applicant_name,applicant_kind,\
respondent,act_type,act_date,learned_on,request,reasons,state,procedure,accepted_on,declined_on,\
decline_reason,heard_on,suspended_on,suspension_ground,suspended_days,extension_days,\
concluded_on,termination_ground,partial";

/// A revoked case with its number given (line 2), an open case accepted without a number
/// (line 3), an application not accepted (line 4), a suspended heard case (line 5), a case
/// terminated on withdrawal (line 6) and one still under review (line 7).
const GOOD: &[&str] = &[
    "city,榕复〔2024〕7号,2024-03-01,online,张三,natural_person,福州市公安局,administrative_penalty,2024-01-10,2024-01-12,撤销处罚决定,事实不清,revoked,ordinary,2024-03-05,,,2024-04-01,,,3,10,2024-05-20,,true",
    "city,,2024-04-02,post,某某有限公司,legal_person,福州市公安局,licensing,2024-03-01,2024-03-01,撤销许可,程序违法,filed,simplified,2024-04-08,,,,,,,,,,",
    "city,,2024-05-06,in_person,李四,natural_person,福州市公安局,confirmation,2024-04-01,2024-04-02,确认违法,超过期限,not_accepted,,,2024-05-10,time_barred,,,,,,,,",
    "city,,2024-06-03,online,王五,natural_person,福州市公安局,compulsory_measure,2024-05-20,2024-05-21,撤销扣押,证据不足,suspended,ordinary,2024-06-05,,,2024-07-01,2024-07-10,related_case_pending,,,,,",
    "city,,2024-07-01,online,赵六,natural_person,福州市公安局,administrative_penalty,2024-06-10,2024-06-11,撤销罚款,事实不清,terminated,ordinary,2024-07-03,,,,,,,,2024-08-01,withdrawn,",
    "city,,2024-08-01,oral,钱七,natural_person,福州市公安局,other,2024-07-20,2024-07-21,履行职责,不作为,received,,,,,,,,,,,,",
];

fn file(rows: &[&str]) -> String {
    let mut text = String::from(HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}

async fn import(app: &TestApp, text: &str) -> Result<ImportReport, ImportError> {
    let mut conn = app.pool.get().await.expect("connection");
    import_csv(
        &mut conn,
        &app.settings.rules,
        || Ok(text.as_bytes()),
        "test.csv",
    )
    .await
}

async fn bad_lines(app: &TestApp, text: &str) -> Vec<LineError> {
    match import(app, text).await {
        Err(ImportError::Rows(errors)) => errors,
        other => panic!("expected problems with the rows, got {other:?}"),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows in cases, their parties and events, to show a refused import wrote nothing.
async fn row_counts(app: &TestApp) -> Vec<i64> {
    let mut conn = app.pool.get().await.expect("connection");
    let mut counts = Vec::new();
    for table in [
        "cases",
        "case_parties",
        "case_events",
        "case_number_counters",
    ] {
        let count: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(&mut conn)
            .await
            .expect("count");
        counts.push(count.n);
    }
    counts
}

async fn case(app: &TestApp, id: Uuid) -> Value {
    let (status, body) = app.get_case(&app.head, &id.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_good_file_is_imported_with_one_event_per_case() {
    let app = TestApp::spawn().await;
    let report = import(&app, &file(GOOD)).await.expect("imported");
    assert_eq!(report.imported(), 6);
    assert_eq!(report.numbered, 3, "three accepted cases had no number");

    let revoked = case(&app, report.ids[0]).await;
    assert_eq!(revoked["state"], "revoked");
    assert_eq!(revoked["case_number"], "榕复〔2024〕7号");
    assert_eq!(revoked["received_on"], "2024-03-01");
    assert_eq!(revoked["lifecycle"]["accepted_on"], "2024-03-05");
    assert_eq!(revoked["lifecycle"]["concluded_on"], "2024-05-20");
    assert_eq!(revoked["lifecycle"]["disposition"], "revoke");
    assert_eq!(revoked["lifecycle"]["partial"], true);
    assert_eq!(revoked["lifecycle"]["suspended_days"], 3);
    assert_eq!(revoked["respondent"]["id"], json!(app.respondent));
    assert_eq!(revoked["parties"][0]["name"], "张三");
    assert_eq!(revoked["allowed_actions"], json!([]));
    // Decision period: 60 days from 2024-03-05, plus 10 extended and 3 suspended.
    let decision = revoked["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == "decision")
        .expect("decision deadline");
    assert_eq!(decision["due_on"], "2024-05-17");
    assert_eq!(decision["status"], "late");

    // Numbers continue above the highest given one, per organ and year of acceptance.
    let filed = case(&app, report.ids[1]).await;
    assert_eq!(filed["state"], "filed");
    assert_eq!(filed["case_number"], "榕复〔2024〕8号");
    assert_eq!(filed["enterprise_related"], true);
    assert_eq!(
        case(&app, report.ids[3]).await["case_number"],
        "榕复〔2024〕9号"
    );
    let declined = case(&app, report.ids[2]).await;
    assert_eq!(declined["state"], "not_accepted");
    assert_eq!(declined["case_number"], Value::Null);
    assert_eq!(declined["lifecycle"]["declined_on"], "2024-05-10");
    let suspended = case(&app, report.ids[3]).await;
    assert_eq!(suspended["lifecycle"]["suspended_from"], "heard");
    let terminated = case(&app, report.ids[4]).await;
    assert_eq!(terminated["lifecycle"]["termination_ground"], "withdrawn");
    assert_eq!(terminated["case_number"], "榕复〔2024〕10号");
    assert_eq!(case(&app, report.ids[5]).await["state"], "received");

    for &id in &report.ids {
        let history = events(&app, &app.head, &json!({"id": id})).await;
        assert_eq!(history.len(), 1, "{history:?}");
        assert_eq!(history[0]["action"], "imported");
        assert_eq!(history[0]["seq"], 1);
        assert_eq!(history[0]["payload"]["source"], "test.csv");
    }
    let (status, list) = status_and_json(
        app.as_user(&app.head, Method::GET, "/api/v1/cases?state=suspended")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["id"], json!(report.ids[3]));

    // An imported open case goes on like any other, and the next acceptance of the year
    // continues the organ's numbering after the imported ones.
    let resumed = app
        .act_ok(
            &app.officer,
            &suspended,
            json!({"action": "resume", "occurred_on": "2024-08-01"}),
        )
        .await;
    assert_eq!(resumed["state"], "heard");
    let live = register_on(&app, "2024-09-02").await;
    let live = app
        .act_ok(&app.head, &live, accept("ordinary", "2024-09-03"))
        .await;
    assert_eq!(live["case_number"], "榕复〔2024〕11号");

    // The history replays: the imported aggregate, then the actions taken since.
    let mut conn = app.pool.get().await.expect("connection");
    for id in [report.ids[0], report.ids[3]] {
        let row = db::cases::find_within(&conn, id, &app.city.path)
            .await
            .expect("query")
            .expect("case");
        let history: Vec<_> = db::events::history(&mut conn, id)
            .await
            .expect("history")
            .into_iter()
            .map(|(event, _)| event)
            .collect();
        let replayed = replay(row.received_on, &history, &app.settings.rules).expect("replay");
        assert_eq!(replayed, row.lifecycle().expect("stored aggregate"));
    }

    // The imported cases count in the figures: the per-day rollups, filled in one pass at the
    // import's end, agree with counting the cases.
    let filter = StatsFilter {
        organ_ids: vec![app.city.id],
        ..StatsFilter::default()
    };
    let day = |s: &str| s.parse::<NaiveDate>().expect("a date");
    let (from, to) = (day("2024-01-01"), day("2024-12-31"));
    for grouping in [Grouping::Month, Grouping::Whole] {
        let rollups = app
            .rollups_agreeing_with_cases(&filter, grouping, from, to)
            .await;
        let counts = &rollups.total.counts;
        assert_eq!(
            (counts.received, counts.accepted, counts.not_accepted),
            (7, 5, 1)
        );
        assert_eq!((counts.revoked, counts.terminated), (1, 1));
    }
}

#[tokio::test]
async fn a_file_with_bad_rows_reports_each_and_imports_nothing() {
    let app = TestApp::spawn().await;
    let before = row_counts(&app).await;
    let rows = [
        GOOD[0],
        // Line 3: accepted before it was received, and an unknown channel.
        "city,,2024-04-02,pigeon,某某有限公司,legal_person,福州市公安局,licensing,2024-03-01,2024-03-01,撤销许可,程序违法,filed,simplified,2024-03-08,,,,,,,,,,",
        // Line 4: not a date.
        "city,,2024-13-06,in_person,李四,natural_person,福州市公安局,confirmation,2024-04-01,2024-04-02,确认违法,超过期限,not_accepted,,,2024-05-10,time_barred,,,,,,,,",
        // Line 5: concluded without a conclusion date, in an organ that does not exist.
        "nowhere,,2024-07-01,online,赵六,natural_person,福州市公安局,administrative_penalty,2024-06-10,2024-06-11,撤销罚款,事实不清,upheld,ordinary,2024-07-03,,,2024-07-20,,,,,,,",
        // Line 6: the district cannot name the city's respondent; the state is unknown.
        "gulou,,2024-08-01,oral,钱七,natural_person,福州市公安局,other,2024-07-20,2024-07-21,履行职责,不作为,closed,,,,,,,,,,,,",
        // Line 7: one field too few.
        "city,,2024-08-01,oral,钱七",
    ];
    let errors = bad_lines(&app, &file(&rows)).await;
    let found: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(
        found,
        [
            (3, "channel"),
            (3, "accepted_on"),
            (4, "received_on"),
            (5, "organ"),
            (5, "concluded_on"),
            (6, "state"),
            (6, "respondent"),
            (7, "row"),
        ],
        "{errors:#?}"
    );
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.contains(&"line 5: organ: no organ has the code \"nowhere\"".to_owned()),
        "{text:#?}"
    );
    assert!(text[1].starts_with("line 3: accepted_on: 2024-03-08 is before received_on"));
    assert_eq!(row_counts(&app).await, before);

    // A broken header is reported as line 1 before any row is read.
    let errors = bad_lines(&app, "organ,recieved_on\ncity,2024-01-01\n").await;
    assert_eq!(errors[0].to_string().split(':').next(), Some("line 1"));
    assert!(errors.iter().any(|e| e.field == "recieved_on"));
    assert_eq!(row_counts(&app).await, before);
}

#[tokio::test]
async fn a_duplicate_case_number_is_reported() {
    let app = TestApp::spawn().await;
    let live = register_on(&app, "2024-03-01").await;
    let live = app
        .act_ok(&app.head, &live, accept("ordinary", "2024-03-04"))
        .await;
    assert_eq!(live["case_number"], "榕复〔2024〕1号");
    let before = row_counts(&app).await;
    let taken = GOOD[0].replace("榕复〔2024〕7号", "榕复〔2024〕1号");
    let twice = GOOD[1].replace("city,,", "city,榕复〔2024〕3号,");
    let again = GOOD[3].replace("city,,", "city,榕复〔2024〕3号,");
    let errors = bad_lines(&app, &file(&[&taken, &twice, &again])).await;
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "line 2: case_number: 榕复〔2024〕1号 is already the number of another case of this organ",
            "line 4: case_number: 榕复〔2024〕3号 is also the number of line 3 (numbers are unique within an organ)",
        ]
    );
    assert_eq!(row_counts(&app).await, before);
}
