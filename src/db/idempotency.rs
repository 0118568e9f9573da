//! Idempotency keys: the first answer to a keyed request, replayed to retries.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::idempotency_keys;

/// What a key already holds.
#[derive(Debug, Clone, Queryable)]
pub struct StoredKey {
    pub request_hash: Vec<u8>,
    pub response_status: Option<i16>,
    pub response_body: Option<serde_json::Value>,
}

/// Claims `key` in `scope` for a request with `request_hash`; returns what was already stored if
/// the key was taken. Call inside the request's transaction so a failed request frees the key.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    request_hash: &[u8],
) -> QueryResult<Option<StoredKey>> {
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

/// Deletes keys older than `hours` (they are kept at least 24 hours).
pub async fn purge_older_than(conn: &mut AsyncPgConnection, hours: i32) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
    )
    .bind::<diesel::sql_types::Integer, _>(hours)
    .execute(conn)
    .await
}

/// Frees a key whose request failed, so a retry runs afresh.
pub async fn release(conn: &mut AsyncPgConnection, scope: &str, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((scope, key)))
        .execute(conn)
        .await?;
    Ok(())
}
