//! Issue 11, the parts about holding under load and keeping personal data accountable: timeouts
//! everywhere, the statistics' share of the pool, atomic idempotency, the service's database
//! role, the personal-data audit, masked addresses and a readiness answer without driver text.

mod audit;
mod idempotency;
mod roles;
mod timeouts;

use std::time::Duration;

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// Longer than any answer in these tests should take; a request still unanswered after it is
/// the hang the test is about, not a slow machine.
pub const HANG: Duration = Duration::from_secs(20);

/// A connection as the schema's owner with an open transaction holding the row lock of case
/// `id`: requests that change the case wait until it is dropped.
pub async fn lock_case(app: &TestApp, id: &str) -> AsyncPgConnection {
    let mut conn = fuyi::db::connect(app.owner_url()).await.expect("connect");
    diesel::sql_query("BEGIN")
        .execute(&mut conn)
        .await
        .expect("begin");
    diesel::sql_query(format!("SELECT 1 FROM cases WHERE id = '{id}' FOR UPDATE"))
        .execute(&mut conn)
        .await
        .expect("lock the case");
    conn
}

/// Checks a problem+json answer's status and returns its `detail`.
pub fn problem_detail(status: StatusCode, body: &Value, expected: StatusCode) -> String {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    body["detail"].as_str().expect("a detail").to_owned()
}

/// Counts the rows `sql` (a `SELECT count(*) AS n ...`) finds, as the schema's owner.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = fuyi::db::connect(app.owner_url()).await.expect("connect");
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .await
        .expect(sql)
        .n
}
