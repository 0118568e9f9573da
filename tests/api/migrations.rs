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

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    primary_key: bool,
}

/// Diesel's name for a column type, as `diesel print-schema` writes it.
fn diesel_type(udt_name: &str, nullable: bool) -> String {
    let base = match udt_name.strip_prefix('_') {
        Some(element) => format!("Array<Nullable<{}>>", diesel_type(element, false)),
        None => match udt_name {
            "uuid" => "Uuid",
            "text" => "Text",
            "varchar" => "Varchar",
            "bpchar" => "Bpchar",
            "int2" => "Int2",
            "int4" => "Int4",
            "int8" => "Int8",
            "bool" => "Bool",
            "date" => "Date",
            "timestamptz" => "Timestamptz",
            "timestamp" => "Timestamp",
            "jsonb" => "Jsonb",
            "json" => "Json",
            "numeric" => "Numeric",
            "bytea" => "Bytea",
            "inet" => "Inet",
            "daterange" => "Daterange",
            "interval" => "Interval",
            other => return format!("?{other}"),
        }
        .to_owned(),
    };
    if nullable {
        format!("Nullable<{base}>")
    } else {
        base
    }
}

/// `table (primary key) column Type` lines of the `diesel::table!` declarations in `source`.
fn declared_columns(source: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut table: Option<(String, String)> = None;
    let mut in_macro = false;
    let mut sql_name: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if line.starts_with("diesel::table!") {
            in_macro = true;
            continue;
        }
        if !in_macro || line.starts_with("///") || line.starts_with("//") {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("#[sql_name = \"")
            .and_then(|rest| rest.strip_suffix("\"]"))
        {
            sql_name = Some(name.to_owned());
            continue;
        }
        if line.starts_with("#[") {
            continue;
        }
        match &table {
            None => {
                let (name, rest) = line.split_once(' ').expect("`name (pk) {`");
                let key = rest
                    .trim_start_matches('(')
                    .split_once(')')
                    .expect("the primary key")
                    .0;
                table = Some((name.to_owned(), key.replace(' ', "")));
            }
            Some((name, key)) => {
                if line == "}" {
                    table = None;
                    in_macro = false;
                    continue;
                }
                let (column, ty) = line.split_once(" -> ").expect("`column -> Type,`");
                let column = sql_name.take().unwrap_or_else(|| column.to_owned());
                lines.push(format!(
                    "{name} ({key}) {column} {}",
                    ty.trim_end_matches(',')
                ));
            }
        }
    }
    lines.sort();
    lines
}

/// `(column, generated type) → patched type` for each column line the patch replaces.
fn patched_types(patch: &str) -> std::collections::HashMap<(String, String), String> {
    let column = |line: &str| {
        let (name, ty) = line.trim().split_once(" -> ")?;
        Some((name.to_owned(), ty.trim_end_matches(',').to_owned()))
    };
    let removed: Vec<(String, String)> = patch
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .filter_map(|l| column(&l[1..]))
        .collect();
    let added: Vec<(String, String)> = patch
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .filter_map(|l| column(&l[1..]))
        .collect();
    removed
        .into_iter()
        .filter_map(|(name, old)| {
            let new = added.iter().find(|(n, _)| *n == name)?.1.clone();
            Some(((name, old), new))
        })
        .collect()
}

/// `src/db/schema.rs` declares exactly the tables and columns the migrations create, with the
/// types `diesel print-schema` gives them, so the Rust side cannot drift from the database.
#[tokio::test]
async fn schema_rs_declares_what_the_migrations_create() {
    let db = TestDatabase::empty().await;
    fuyi::db::migrate_up(db.url()).await.expect("up");
    let mut conn = fuyi::db::connect(db.url()).await.expect("connect");
    let query = r"
        SELECT c.table_name::text, c.column_name::text, c.udt_name::text,
               c.is_nullable = 'YES' AS nullable,
               EXISTS (SELECT 1 FROM information_schema.key_column_usage k
                         JOIN information_schema.table_constraints t
                           ON t.constraint_name = k.constraint_name
                          AND t.table_schema = k.table_schema
                        WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = 'public'
                          AND k.table_name = c.table_name AND k.column_name = c.column_name)
                   AS primary_key
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name <> '__diesel_schema_migrations'
         ORDER BY c.table_name, c.ordinal_position";
    let columns = diesel::sql_query(query)
        .load::<Column>(&mut conn)
        .await
        .expect("the catalog");
    let mut keys = std::collections::BTreeMap::<&str, Vec<&str>>::new();
    for column in columns.iter().filter(|c| c.primary_key) {
        keys.entry(&column.table_name)
            .or_default()
            .push(&column.column_name);
    }
    let mut migrated: Vec<String> = columns
        .iter()
        .map(|c| {
            let key = keys
                .get(c.table_name.as_str())
                .map(|k| k.join(","))
                .unwrap_or_default();
            format!(
                "{} ({key}) {} {}",
                c.table_name,
                c.column_name,
                diesel_type(&c.udt_name, c.nullable)
            )
        })
        .collect();
    // The types `diesel.toml`'s patch file changes on purpose (arrays without null elements).
    let patch =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.patch"))
            .expect("src/db/schema.patch");
    let patched = patched_types(&patch);
    for line in &mut migrated {
        let mut words = line.rsplitn(3, ' ');
        let (ty, column) = (
            words.next().unwrap_or_default(),
            words.next().unwrap_or_default(),
        );
        if let Some(new) = patched.get(&(column.to_owned(), ty.to_owned())) {
            let head = line[..line.len() - ty.len()].to_owned();
            *line = format!("{head}{new}");
        }
    }
    migrated.sort();
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs"))
        .expect("src/db/schema.rs");
    let declared = declared_columns(&source);
    let missing: Vec<&String> = migrated.iter().filter(|l| !declared.contains(l)).collect();
    let extra: Vec<&String> = declared.iter().filter(|l| !migrated.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src/db/schema.rs differs from the migrated database (regenerate it with \
         `diesel print-schema`):\nin the database only: {missing:#?}\nin schema.rs only: {extra:#?}"
    );
}

#[tokio::test]
async fn replicas_starting_together_apply_the_migrations_once() {
    let db = TestDatabase::empty().await;
    let (first, second) = tokio::join!(
        fuyi::db::migrate_up(db.url()),
        fuyi::db::migrate_up(db.url())
    );
    let (first, second) = (
        first.expect("first replica"),
        second.expect("second replica"),
    );
    let all = fuyi::db::migration_status(db.url()).await.expect("status");
    assert!(all.iter().all(|(_, applied)| *applied), "{all:?}");
    // One of them applied everything; the other waited and found nothing pending.
    let mut counts = [first.len(), second.len()];
    counts.sort_unstable();
    assert_eq!(counts, [0, all.len()]);
}
