//! `/api/v1/users`: administrators manage the staff of the organs they administer.

use actix_web::{HttpResponse, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    error::{ApiResult, ProblemDetails},
    extract::Json,
};
use crate::{
    auth::{
        Caller,
        accounts::{self, NewUserRequest, UserPatch, UserView},
    },
    startup::State,
};

/// Users in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
}

/// List the users of your organ and the organs below it (admin).
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList), (status = 403, body = ProblemDetails)),
    security(("bearer" = []))
)]
pub async fn list_users(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let items = accounts::list(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(UserList { items }))
}

/// Create a user in your organ or one below it (admin).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users",
    request_body = NewUserRequest,
    responses(
        (status = 201, body = UserView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 409, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
        (status = 503, body = ProblemDetails, headers(("Retry-After" = u64))),
    ),
    security(("bearer" = []))
)]
pub async fn create_user(
    state: State,
    caller: Caller,
    Json(body): Json<NewUserRequest>,
) -> ApiResult<HttpResponse> {
    let user = accounts::create(&state, &caller, body).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(user))
}

/// Read a user (admin).
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserView), (status = 403, body = ProblemDetails),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn get_user(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let user = accounts::find(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Change a user's name, roles, password or whether they may sign in (admin).
///
/// A new password or `active: false` ends the user's sessions: their refresh tokens are revoked.
/// Both, and new roles, make their access tokens fail from their next request (after a role
/// change, a refresh brings a token with the new roles). Changing your own roles answers 403.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, body = UserView), (status = 403, body = ProblemDetails),
        (status = 404, body = ProblemDetails), (status = 422, body = ProblemDetails),
        (status = 503, body = ProblemDetails, headers(("Retry-After" = u64))),
    ),
    security(("bearer" = []))
)]
pub async fn patch_user(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(patch): Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    let user = accounts::update(&state, &caller, id.into_inner(), patch).await?;
    Ok(HttpResponse::Ok().json(user))
}
