//! The personal-data audit: one row per answer that showed a case's personal data unmasked.
//! Rows are only ever added (the table refuses updates and deletes).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{cases, organs, personal_data_audit};

/// A stored audit row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = personal_data_audit)]
pub struct AuditRow {
    pub id: i64,
    pub viewed_at: DateTime<Utc>,
    pub user_id: Uuid,
    pub username: String,
    pub case_id: Uuid,
    pub endpoint: String,
}

/// Records that user `user_id` (`username`) was shown case `case_id`'s personal data through
/// `endpoint`.
pub async fn record(
    conn: &AsyncPgConnection,
    user_id: Uuid,
    username: &str,
    case_id: Uuid,
    endpoint: &str,
) -> QueryResult<()> {
    diesel::insert_into(personal_data_audit::table)
        .values((
            personal_data_audit::user_id.eq(user_id),
            personal_data_audit::username.eq(username),
            personal_data_audit::case_id.eq(case_id),
            personal_data_audit::endpoint.eq(endpoint),
        ))
        .execute(&mut &*conn)
        .await
        .map(drop)
}

/// Which audit rows to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub case_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// Viewed at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Viewed before this instant.
    pub before: Option<DateTime<Utc>>,
}

/// Audit rows of cases under `organ_path`, newest first, after the row `after` (keyset paging).
pub async fn list_within(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
    filter: &AuditFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let organ_ids = organs::table
        .filter(super::organs::path_within(organ_path))
        .select(organs::id);
    let case_ids = cases::table
        .filter(cases::organ_id.eq_any(organ_ids))
        .select(cases::id);
    let mut query = personal_data_audit::table
        .filter(personal_data_audit::case_id.eq_any(case_ids))
        .select(AuditRow::as_select())
        .order(personal_data_audit::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(case_id) = filter.case_id {
        query = query.filter(personal_data_audit::case_id.eq(case_id));
    }
    if let Some(user_id) = filter.user_id {
        query = query.filter(personal_data_audit::user_id.eq(user_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(personal_data_audit::viewed_at.ge(from));
    }
    if let Some(before) = filter.before {
        query = query.filter(personal_data_audit::viewed_at.lt(before));
    }
    if let Some(after) = after {
        query = query.filter(personal_data_audit::id.lt(after));
    }
    query.load(conn).await
}
