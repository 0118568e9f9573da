//! The `Caller` extractor: every `/api/v1` handler that takes one requires a valid bearer token
//! whose session still holds.
//!
//! A token is refused on the next request once its user is deactivated, their password or roles
//! change, or its sign-in is ended (logout, refresh-token reuse). Each process checks this in
//! the database at most once per session every `FUYI_SESSION_CACHE_SECONDS` (default 5; 0 checks
//! every request); changes made through the same process take effect on the next request, other
//! processes see them within that time.

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;

use super::error::ApiError;
use crate::{
    auth::{Caller, revocation},
    startup::AppState,
};

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state is missing")))?;
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("sign in: send `Authorization: Bearer <token>`", false)
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`", true)
        })?;
    let (caller, session) = state.tokens.verify(token).map_err(|err| {
        tracing::info!(reason = %err, "access token refused");
        ApiError::unauthorized(err.to_string(), true)
    })?;
    revocation::check(&state.pool, &state.sessions, caller.user_id, session).await?;
    Ok(caller)
}
