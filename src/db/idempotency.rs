//! Idempotency keys: the first answer to a keyed request, replayed to retries. The claim, the
//! request's own changes and the stored answer share one transaction (see
//! `http::conditional::idempotent`), so a key holds either nothing or a finished answer.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Double, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{DbPool, schema::idempotency_keys};

/// What a key already holds.
#[derive(Debug, Clone, Queryable)]
pub struct StoredKey {
    pub request_hash: Vec<u8>,
    pub response_status: Option<i16>,
    pub response_body: Option<serde_json::Value>,
}

/// Claims `key` in `scope` for a request with `request_hash`; returns what was already stored if
/// the key was taken. Call inside the request's transaction: a concurrent request holding the
/// same key makes the claim wait until that request commits (its answer is then returned) or
/// rolls back (the claim then succeeds). A stored answer older than `retention` is deleted
/// first, so it is never replayed, purged or not.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    request_hash: &[u8],
    retention: Duration,
) -> QueryResult<Option<StoredKey>> {
    diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 \
           AND created_at < now() - make_interval(secs => $3)",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .bind::<Double, _>(retention.as_secs_f64())
    .execute(conn)
    .await?;
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(scope),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(None);
    }
    idempotency_keys::table
        .find((scope, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .await
        .map(Some)
}

/// Records the answer given to the keyed request.
pub async fn complete(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((scope, key)))
        .set((
            idempotency_keys::response_status.eq(i16::try_from(status).unwrap_or(i16::MAX)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes keys older than `retention`; returns how many. For the maintenance schedule.
pub async fn purge_expired_idempotency_keys(
    pool: &DbPool,
    retention: Duration,
) -> anyhow::Result<usize> {
    let mut conn = pool.get().await?;
    Ok(diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
    )
    .bind::<Double, _>(retention.as_secs_f64())
    .execute(&mut conn)
    .await?)
}
