//! Figures as the statistics endpoints read them: counts from the rollups, follow-up counts per
//! period, and the names of the groups a breakdown is keyed by. The organ scope is decided by
//! [`super::organs::figure_scope`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;

use crate::{
    db::{
        self, Connections,
        followup_stats::FollowupFilter,
        statistics::{Grouping, StatsFilter, Tally},
    },
    domain::followup::FollowupCounts,
    service::error::ServiceResult,
};

/// The case counts matching `filter` from `from` to `to`, grouped by `grouping`.
pub async fn tally<'a>(
    pool: impl Into<Connections<'a>>,
    filter: &StatsFilter,
    grouping: Grouping,
    from: NaiveDate,
    to: NaiveDate,
) -> ServiceResult<Tally> {
    Ok(db::statistics::tally(pool, filter, grouping, from, to).await?)
}

/// The follow-up counts of the cases matching `filter`, one per period.
pub async fn followup_by_period(
    conn: &mut AsyncPgConnection,
    filter: &StatsFilter,
    periods: &[(NaiveDate, NaiveDate)],
) -> ServiceResult<Vec<FollowupCounts>> {
    let filter = FollowupFilter {
        organ_ids: filter.organ_ids.clone(),
        respondent_id: filter.respondent_id,
        domain: filter.domain.clone(),
        act_type: filter.act_type.clone(),
        enterprise_related: filter.enterprise_related,
        procedure: filter.procedure.clone(),
    };
    Ok(db::followup_stats::followup_figures_by_period(conn, &filter, periods).await?)
}

/// The display names of a breakdown's group keys (empty for groupings keyed by their names).
pub async fn labels(
    conn: &mut AsyncPgConnection,
    grouping: Grouping,
    keys: &[String],
) -> ServiceResult<BTreeMap<String, String>> {
    Ok(db::statistics::labels(conn, grouping, keys).await?)
}
