//! Versions as entity tags: `ETag` on responses, `If-Match` required on changes, and
//! `Idempotency-Key` replay of the first answer.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult};
use diesel_async::{AsyncConnection, AsyncPgConnection, TransactionManager};

use crate::{auth::Caller, db, startup::AppState};

/// The strong entity tag of a version: `"7"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version a change was based on, from `If-Match`; 428 when absent.
pub fn if_match(req: &HttpRequest) -> ApiResult<i32> {
    let raw = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or_else(ApiError::precondition_required)?
        .to_str()
        .map_err(|_| ApiError::bad_parameter("If-Match", "must be an ASCII entity tag"))?;
    parse_etag(raw.trim()).ok_or_else(|| {
        ApiError::bad_parameter("If-Match", "must be the ETag of the case, e.g. \"3\"")
    })
}

/// The version in an entity tag as this service writes it (`"7"`, or weakened by a proxy,
/// `W/"7"`): 1–9 digits in quotes, the form the document's pattern states. A bare `7` is not an
/// entity tag (RFC 9110 §8.8.3).
fn parse_etag(tag: &str) -> Option<i32> {
    let quoted = tag.strip_prefix("W/").unwrap_or(tag);
    let digits = quoted.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A JSON response carrying the version as `ETag`.
pub fn versioned<T: Serialize>(status: StatusCode, version: i32, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// A created resource's answer: `versioned`, plus `Location` at `{request path}/{id}`.
fn created(req: &HttpRequest, version: i32, body: &serde_json::Value) -> HttpResponse {
    let mut response = versioned(StatusCode::CREATED, version, body);
    let location = body
        .get("id")
        .and_then(serde_json::Value::as_str)
        .map(|id| format!("{}/{id}", req.path().trim_end_matches('/')))
        .and_then(|location| header::HeaderValue::from_str(&location).ok());
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `versioned`, or `created` for a 201.
fn answer(
    req: &HttpRequest,
    status: StatusCode,
    version: i32,
    body: &serde_json::Value,
) -> HttpResponse {
    if status == StatusCode::CREATED {
        created(req, version, body)
    } else {
        versioned(status, version, body)
    }
}

/// The `Idempotency-Key` header, if sent.
fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::bad_parameter("Idempotency-Key", "must be ASCII"))?
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::bad_parameter(
            "Idempotency-Key",
            "must be 1–200 characters",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// `METHOD /route/{pattern}` of a request, for the audit and the logs (never the concrete path).
pub fn endpoint(req: &HttpRequest) -> String {
    format!(
        "{} {}",
        req.method(),
        req.match_pattern().unwrap_or_else(|| req.path().to_owned())
    )
}

/// Runs `action` once per `Idempotency-Key`: a retry with the same key and body gets the first
/// answer back; the same key with another body is refused. Without a key, just runs `action`.
///
/// The claim of the key, `action`'s changes (its own transactions nest as savepoints) and the
/// stored answer are one transaction on one connection: a crash, a timeout or a dropped client
/// leaves the key either free or holding the finished answer, and a failed request frees its key,
/// so the client can retry it. A retry racing the first waits for it and gets its answer.
pub async fn idempotent<B, F>(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    request_body: &B,
    action: F,
) -> ApiResult<HttpResponse>
where
    B: Serialize,
    F: AsyncFnOnce(&mut AsyncPgConnection) -> ApiResult<(StatusCode, i32, serde_json::Value)>,
{
    let key = idempotency_key(req)?;
    // Keys are per user and per endpoint: two officers cannot collide.
    let scope = format!("{} {} {}", caller.user_id, req.method(), req.path());
    let retention = state.settings.limits.idempotency_retention;
    let mut guard = Abandoned(Some(state.pool.get().await?));
    let Some(pooled) = guard.0.as_mut() else {
        return Err(ApiError::internal(anyhow::anyhow!("no connection")));
    };
    let conn: &mut AsyncPgConnection = pooled;
    let Some(key) = key else {
        let outcome = action(conn).await;
        guard.release();
        let (status, version, body) = outcome?;
        return Ok(answer(req, status, version, &body));
    };

    // Only a keyed request is compared with a stored one.
    let hash = Sha256::digest(serde_json::to_vec(request_body).map_err(ApiError::internal)?);
    type Manager = <AsyncPgConnection as AsyncConnection>::TransactionManager;
    Manager::begin_transaction(&mut *conn).await?;
    let outcome = async {
        match db::idempotency::claim(&mut *conn, &scope, &key, &hash, retention).await? {
            Some(stored) => replay(&mut *conn, caller, req, &hash, stored).await,
            None => {
                let (status, version, body) = action(&mut *conn).await?;
                db::idempotency::complete(&mut *conn, &scope, &key, status.as_u16(), &body).await?;
                Ok(answer(req, status, version, &body))
            }
        }
    }
    .await;
    let result = match outcome {
        Ok(response) => Manager::commit_transaction(&mut *conn)
            .await
            .map(|()| response)
            .map_err(ApiError::from),
        Err(err) => {
            // A connection whose rollback fails is broken and the pool discards it; the server
            // then rolls back on its own.
            if let Err(rollback) = Manager::rollback_transaction(&mut *conn).await {
                tracing::warn!(error = %rollback, "rollback of a keyed request failed");
            }
            Err(err)
        }
    };
    guard.release();
    result
}

/// Holds the request's connection. Dropped before `release` (the request timed out, or the
/// client went away, in the middle of the transaction), it closes the connection instead of
/// returning it to the pool, so the server rolls the transaction back and frees the key now,
/// not when the pool next hands that connection out.
struct Abandoned(Option<db::DbConn>);

impl Abandoned {
    /// The request finished its transaction: the connection goes back to the pool.
    fn release(mut self) {
        self.0.take();
    }
}

impl Drop for Abandoned {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(deadpool::managed::Object::take(conn));
        }
    }
}

/// The stored answer to a retry, or why there is none.
async fn replay(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    req: &HttpRequest,
    hash: &[u8],
    stored: db::idempotency::StoredKey,
) -> ApiResult<HttpResponse> {
    if stored.request_hash[..] != hash[..] {
        return Err(ApiError::invalid_field(
            "Idempotency-Key",
            "this key was already used with a different request body",
        ));
    }
    // Answers are stored in the claiming transaction, so a visible key has one; a key of an
    // older release may not.
    let (Some(status), Some(body)) = (stored.response_status, stored.response_body) else {
        return Err(ApiError::conflict(
            "a request with this Idempotency-Key is still in progress",
        ));
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let version = body
        .get("version")
        .and_then(serde_json::Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or_default();
    // A replayed case shows its parties again, as its first answer did: audited the same way.
    if body.get("parties").is_some_and(serde_json::Value::is_array)
        && let Some(case_id) = body
            .get("id")
            .and_then(serde_json::Value::as_str)
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
    {
        db::audit::record(
            conn,
            caller.user_id,
            &caller.username,
            case_id,
            &endpoint(req),
        )
        .await?;
    }
    let mut response = answer(req, status, version, &body);
    response.headers_mut().insert(
        header::HeaderName::from_static("idempotent-replayed"),
        header::HeaderValue::from_static("true"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::parse_etag;

    #[test]
    fn only_quoted_digits_are_an_entity_tag() {
        assert_eq!(parse_etag("\"7\""), Some(7));
        assert_eq!(parse_etag("W/\"12\""), Some(12));
        for refused in [
            "7",
            "\"\"",
            "\"-1\"",
            "\"+1\"",
            "\"1234567890\"",
            "W/7",
            "\"7",
        ] {
            assert_eq!(parse_etag(refused), None, "{refused}");
        }
    }
}
