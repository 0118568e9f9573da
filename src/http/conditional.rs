//! Versions as entity tags: `ETag` on responses, `If-Match` required on changes, and
//! `Idempotency-Key` replay of the first answer.

use std::future::Future;

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult};
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
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i32>()
        .map_err(|_| {
            ApiError::bad_parameter("If-Match", "must be the ETag of the case, e.g. \"3\"")
        })
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

/// Runs `action` once per `Idempotency-Key`: a retry with the same key and body gets the first
/// answer back; the same key with another body is refused. Without a key, just runs `action`.
/// A failed request frees its key, so the client can retry it.
pub async fn idempotent<B, F, Fut>(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    request_body: &B,
    action: F,
) -> ApiResult<HttpResponse>
where
    B: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, i32, serde_json::Value)>>,
{
    let Some(key) = idempotency_key(req)? else {
        let (status, version, body) = action().await?;
        return Ok(answer(req, status, version, &body));
    };
    // Keys are per user and per endpoint: two officers cannot collide.
    let scope = format!("{} {} {}", caller.user_id, req.method(), req.path());
    let hash = Sha256::digest(serde_json::to_vec(request_body).map_err(ApiError::internal)?);
    {
        let mut conn = state.pool.get().await?;
        if let Some(stored) = db::idempotency::claim(&mut conn, &scope, &key, &hash).await? {
            if stored.request_hash[..] != hash[..] {
                return Err(ApiError::invalid_field(
                    "Idempotency-Key",
                    "this key was already used with a different request body",
                ));
            }
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
            let mut response = answer(req, status, version, &body);
            response.headers_mut().insert(
                header::HeaderName::from_static("idempotent-replayed"),
                header::HeaderValue::from_static("true"),
            );
            return Ok(response);
        }
    }
    match action().await {
        Ok((status, version, body)) => {
            let mut conn = state.pool.get().await?;
            db::idempotency::complete(&mut conn, &scope, &key, status.as_u16(), &body).await?;
            Ok(answer(req, status, version, &body))
        }
        Err(err) => {
            let mut conn = state.pool.get().await?;
            db::idempotency::release(&mut conn, &scope, &key).await?;
            Err(err)
        }
    }
}
