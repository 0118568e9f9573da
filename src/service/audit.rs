//! The personal-data audit as administrators read it: views of cases within the caller's reach,
//! narrowed by case, user and whole days in the caller's organ's time zone.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::{
    auth::Caller,
    db::{
        self,
        audit::{AuditFilter, AuditRow},
    },
    service::{error::ServiceResult, organs},
};

/// What the audit list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct AuditSelection {
    /// Only views of this case.
    pub case_id: Option<Uuid>,
    /// Only views by this user.
    pub user_id: Option<Uuid>,
    /// Views on or after this day (in the caller's organ's time zone).
    pub from: Option<NaiveDate>,
    /// Views on or before this day (in the caller's organ's time zone).
    pub to: Option<NaiveDate>,
}

/// Up to `limit` audit rows within the caller's reach, newest first, after the row `after` (a
/// row id from a previous page).
pub async fn list_within_reach(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    selection: &AuditSelection,
    after: Option<i64>,
    limit: i64,
) -> ServiceResult<Vec<AuditRow>> {
    let tz = organs::own(conn, caller).await?.tz();
    // A date is the whole day in the organ's time zone.
    let start_of = |date: NaiveDate| {
        tz.from_local_datetime(&date.and_time(NaiveTime::MIN))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    };
    let filter = AuditFilter {
        case_id: selection.case_id,
        user_id: selection.user_id,
        from: selection.from.and_then(start_of),
        before: selection.to.and_then(|to| to.succ_opt()).and_then(start_of),
    };
    Ok(db::audit::list_within(conn, &caller.organ_path, &filter, after, limit).await?)
}
