//! The service signs in as `fuyi_app`, which reads and writes rows but owns no table: it cannot
//! switch off the triggers that keep history append-only. (The whole suite runs the service as
//! this role, so it also shows the role suffices.)

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use secrecy::ExposeSecret;

use crate::support::TestApp;

#[derive(QueryableByName)]
struct Who {
    #[diesel(sql_type = diesel::sql_types::Text)]
    who: String,
}

#[tokio::test]
async fn the_services_role_cannot_alter_tables_or_disable_triggers_and_the_owner_can() {
    let app = TestApp::spawn().await;
    let service_url = app
        .settings
        .database_url
        .as_ref()
        .expect("the service's URL")
        .expose_secret()
        .to_owned();
    let mut service = fuyi::db::connect(&service_url).await.expect("connect");
    let who: Who = diesel::sql_query("SELECT current_user::text AS who")
        .get_result(&mut service)
        .await
        .expect("who");
    assert_eq!(who.who, fuyi::db::APP_ROLE);
    // The pool the service uses is the same role.
    let mut pooled = app.pool.get().await.expect("connection");
    let who: Who = diesel::sql_query("SELECT current_user::text AS who")
        .get_result(&mut pooled)
        .await
        .expect("who");
    assert_eq!(who.who, fuyi::db::APP_ROLE);

    for statement in [
        "ALTER TABLE case_events DISABLE TRIGGER ALL",
        "ALTER TABLE case_events DISABLE TRIGGER USER",
        "ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_or_delete",
        "DROP TRIGGER case_events_no_update_or_delete ON case_events",
        "ALTER TABLE personal_data_audit DISABLE TRIGGER ALL",
        "ALTER TABLE case_services DISABLE TRIGGER USER",
        "ALTER TABLE cases ADD COLUMN sneaky text",
        "TRUNCATE case_events",
        "UPDATE case_events SET payload = '{}'",
        "DELETE FROM personal_data_audit",
        "CREATE TABLE sneaky (id int)",
    ] {
        let err = diesel::sql_query(statement)
            .execute(&mut service)
            .await
            .expect_err(statement);
        let message = err.to_string();
        assert!(
            message.contains("must be owner") || message.contains("permission denied"),
            "{statement}: {message}"
        );
    }

    let mut owner = fuyi::db::connect(app.owner_url()).await.expect("connect");
    for statement in [
        "BEGIN",
        "ALTER TABLE case_events DISABLE TRIGGER ALL",
        "ALTER TABLE case_events ENABLE TRIGGER ALL",
        "ROLLBACK",
    ] {
        diesel::sql_query(statement)
            .execute(&mut owner)
            .await
            .expect(statement);
    }
}
