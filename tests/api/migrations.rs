//! Every migration applies, reverts and re-applies, leaving the same schema.

use diesel::{QueryableByName, sql_types::Text};
use diesel_async::RunQueryDsl;

use crate::support::TestDatabase;

#[derive(QueryableByName, Debug, PartialEq)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// A textual fingerprint of the schema: columns, constraints, indexes, triggers.
async fn schema(url: &str) -> Vec<String> {
    let mut conn = fuyi::db::connect(url).await.expect("connect");
    let query = r"
        SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
               || ' ' || coalesce(column_default, '') AS line
          FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL
        SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
        ORDER BY 1";
    diesel::sql_query(query)
        .load::<Line>(&mut conn)
        .await
        .expect("schema query")
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[tokio::test]
async fn every_migration_runs_up_down_and_up_again() {
    let db = TestDatabase::empty().await;
    let applied = fuyi::db::migrate_up(db.url()).await.expect("up");
    assert!(!applied.is_empty());
    let first = schema(db.url()).await;
    assert!(
        first.iter().any(|l| l.starts_with("cases.state ")),
        "{first:?}"
    );

    for _ in &applied {
        fuyi::db::migrate_down(db.url()).await.expect("down");
    }
    let empty = schema(db.url()).await;
    assert!(
        empty
            .iter()
            .all(|l| l.contains("__diesel_schema_migrations")),
        "everything but diesel's own table is gone: {empty:?}"
    );

    fuyi::db::migrate_up(db.url()).await.expect("up again");
    assert_eq!(schema(db.url()).await, first);
}

#[tokio::test]
async fn events_cannot_be_changed_or_deleted() {
    let db = TestDatabase::new().await;
    let mut conn = fuyi::db::connect(db.url()).await.expect("connect");
    // The triggers fire per row for UPDATE and DELETE, so a row must exist first.
    let seed = r"
        INSERT INTO organs (id, code, name, short_name, path) VALUES
            ('00000000-0000-0000-0000-000000000001', 'o', 'O', 'O', '/00000000-0000-0000-0000-000000000001/');
        INSERT INTO respondents (id, organ_id, name, domain) VALUES
            ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'R', 'other');
        INSERT INTO cases (id, organ_id, respondent_id, domain, state, received_on, channel, act_type,
                           act_date, learned_on, request, reasons, enterprise_related,
                           late_application, search_text)
            VALUES ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000001',
                    '00000000-0000-0000-0000-000000000002', 'other', 'received', '2024-01-02', 'post',
                    'other', '2024-01-01', '2024-01-01', 'r', 'r', false, false, '');
        INSERT INTO case_events (case_id, seq, action, to_state, occurred_on, payload)
            VALUES ('00000000-0000-0000-0000-000000000003', 1, 'register', 'received', '2024-01-02', '{}');";
    for statement in seed.split(';').filter(|s| !s.trim().is_empty()) {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .expect("seed");
    }
    for statement in [
        "UPDATE case_events SET action = 'x'",
        "DELETE FROM case_events",
        "TRUNCATE case_events",
    ] {
        let err = diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .expect_err(statement);
        assert!(err.to_string().contains("immutable"), "{statement}: {err}");
    }
}

/// The rollup functions of the latest migration that carries them are the ones the table of
/// measures generates (`fuyi::db::measures::rollup_functions`): the trigger counts what the
/// table defines. `FUYI_UPDATE_MIGRATION_SQL=1` rewrites that migration's generated part.
#[test]
fn the_rollup_functions_in_the_migrations_follow_the_table_of_measures() {
    use fuyi::db::measures::{GENERATED_BEGIN, GENERATED_END, rollup_functions};

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let mut carriers: Vec<(std::path::PathBuf, String)> = std::fs::read_dir(dir)
        .expect("the migrations")
        .map(|entry| entry.expect("a migration").path().join("up.sql"))
        .filter_map(|path| Some((path.clone(), std::fs::read_to_string(path).ok()?)))
        .filter(|(_, sql)| sql.contains(GENERATED_BEGIN))
        .collect();
    carriers.sort();
    let (path, sql) = carriers
        .pop()
        .expect("a migration with the generated rollup functions");
    let begin = sql.find(GENERATED_BEGIN).expect("the begin marker");
    let end = sql[begin..]
        .find(GENERATED_END)
        .map(|at| begin + at + GENERATED_END.len() + 1)
        .expect("the end marker after the begin marker")
        .min(sql.len());
    let generated = rollup_functions();
    if std::env::var_os("FUYI_UPDATE_MIGRATION_SQL").is_some() {
        let updated = format!("{}{generated}{}", &sql[..begin], &sql[end..]);
        std::fs::write(&path, updated).expect("write the migration");
    }
    let committed = std::fs::read_to_string(&path).expect("the migration");
    assert!(
        committed.contains(&generated),
        "{} is out of date with src/domain/measures.rs: run \
         `FUYI_UPDATE_MIGRATION_SQL=1 cargo test --test api measures` and commit it",
        path.display()
    );
}
