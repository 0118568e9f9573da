//! Staff accounts as administrators manage them: list, create and change users of the organs they
//! administer. Users of other organs are out of reach and look absent.

use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Caller, Role, parse_roles, password, store_roles};
use crate::{
    db::{
        self,
        organs::Organ,
        users::{NewUser, UserChanges, UserRow},
    },
    domain::validation::FieldErrors,
    service::error::{ServiceError, ServiceResult},
    startup::AppState,
};

/// The organ a user works for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrganRef {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

impl From<&Organ> for OrganRef {
    fn from(organ: &Organ) -> Self {
        Self {
            id: organ.id,
            code: organ.code.clone(),
            name: organ.name.clone(),
        }
    }
}

/// A user as administrators see it. The password hash never leaves the service.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub organ: OrganRef,
    pub roles: Vec<Role>,
    /// Inactive users cannot sign in or refresh their tokens.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserView {
    fn of(user: UserRow, organ: &Organ) -> ServiceResult<Self> {
        Ok(Self {
            roles: parse_roles(&user.roles)?,
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            organ: OrganRef::from(organ),
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        })
    }
}

/// `POST /api/v1/users`: a new user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 2–64 letters, digits, `_`, `.` or `-`; unique.
    #[schema(pattern = r"^[A-Za-z0-9_.-]{2,64}$")]
    pub username: String,
    #[schema(pattern = r"\S", max_length = 100)]
    pub display_name: String,
    /// At least 8 characters.
    #[schema(format = Password, min_length = 8, max_length = 256)]
    pub password: String,
    /// The user's organ, within the administrator's; defaults to the administrator's own.
    pub organ_id: Option<Uuid>,
    /// At least one.
    #[schema(min_items = 1)]
    pub roles: Vec<Role>,
}

/// `PATCH /api/v1/users/{id}`: changes to a user. Absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(pattern = r"\S", max_length = 100)]
    pub display_name: Option<String>,
    /// Replaces the roles; at least one. Not allowed on your own account. The user's access
    /// tokens are refused from their next request; a refresh brings one with the new roles.
    #[schema(min_items = 1)]
    pub roles: Option<Vec<Role>>,
    /// `false` stops sign-in and refresh, revokes the user's refresh tokens and refuses their
    /// access tokens from their next request.
    pub active: Option<bool>,
    /// A new password (at least 8 characters); ends the user's sessions like `active: false`.
    #[schema(format = Password, min_length = 8, max_length = 256)]
    pub password: Option<String>,
}

/// Usernames as the database allows them: `^[A-Za-z0-9_.-]{2,64}$`.
fn valid_username(username: &str) -> bool {
    (2..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn check_password(errors: &mut FieldErrors, secret: &str) {
    let length = secret.chars().count();
    if length < password::MIN_LENGTH {
        errors.push(
            "password",
            format!("must be at least {} characters", password::MIN_LENGTH),
        );
    } else if length > password::MAX_LENGTH {
        errors.push(
            "password",
            format!("must be at most {} characters", password::MAX_LENGTH),
        );
    }
}

fn check_roles(errors: &mut FieldErrors, roles: &[Role]) {
    if roles.is_empty() {
        errors.push("roles", "must name at least one role");
    }
}

/// Hashes off the request threads and under the service's hashing bound: Argon2 takes tens of
/// milliseconds and 19 MiB by design.
async fn hash_password(state: &AppState, secret: &str) -> ServiceResult<String> {
    let secret = secret.to_owned();
    state
        .hashing
        .run(move || password::hash(&secret))
        .await?
        .map_err(|err| ServiceError::internal(anyhow::anyhow!("hashing a password failed: {err}")))
}

/// Administration needs the admin role.
pub fn require_admin(caller: &Caller) -> ServiceResult<()> {
    if caller.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "managing users needs the admin role",
        ))
    }
}

/// The caller as stored now, for `GET /api/v1/me`.
pub async fn me(state: &AppState, caller: &Caller) -> ServiceResult<(UserRow, Organ)> {
    let mut conn = state.pool.get().await?;
    db::users::find_with_organ(&mut conn, caller.user_id)
        .await?
        .ok_or_else(|| ServiceError::unauthorized("the token's user no longer exists", true))
}

/// Users of the administrator's organ and the organs below it, by username.
pub async fn list(state: &AppState, caller: &Caller) -> ServiceResult<Vec<UserView>> {
    require_admin(caller)?;
    let mut conn = state.pool.get().await?;
    db::users::list_within(&mut conn, &caller.organ_path)
        .await?
        .into_iter()
        .map(|(user, organ)| UserView::of(user, &organ))
        .collect()
}

/// One user within the administrator's reach, or 404.
pub async fn find(state: &AppState, caller: &Caller, id: Uuid) -> ServiceResult<UserView> {
    require_admin(caller)?;
    let mut conn = state.pool.get().await?;
    let (user, organ) = db::users::find_within(&mut conn, id, &caller.organ_path)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("user {id}")))?;
    UserView::of(user, &organ)
}

/// Creates a user in an organ the administrator administers.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    request: NewUserRequest,
) -> ServiceResult<UserView> {
    require_admin(caller)?;
    let mut errors = FieldErrors::default();
    if !valid_username(&request.username) {
        errors.push(
            "username",
            "must be 2–64 letters, digits, underscores, dots or hyphens",
        );
    }
    errors.check_text("display_name", &request.display_name, 100);
    check_password(&mut errors, &request.password);
    check_roles(&mut errors, &request.roles);
    errors.into_result()?;

    let organ = {
        let mut conn = state.pool.get().await?;
        let organ_id = request.organ_id.unwrap_or(caller.organ_id);
        db::organs::find_organ(&mut conn, organ_id)
            .await
            .ok()
            .filter(|organ| caller.reaches(organ))
            .ok_or_else(|| {
                ServiceError::invalid_field("organ_id", "no such organ within your administration")
            })?
    };
    let password_hash = hash_password(state, &request.password).await?;
    let mut conn = state.pool.get().await?;
    let user = db::users::insert(
        &mut conn,
        &NewUser {
            id: Uuid::now_v7(),
            username: &request.username,
            display_name: request.display_name.trim(),
            password_hash: &password_hash,
            organ_id: organ.id,
            roles: store_roles(&request.roles),
        },
    )
    .await
    .map_err(|err| match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ServiceError::Taken {
            field: "username",
            detail: format!("the username {} is taken", request.username),
        },
        other => ServiceError::from(other),
    })?;
    tracing::info!(user_id = %user.id, by = %caller.user_id, "user created");
    UserView::of(user, &organ)
}

/// Changes a user within the administrator's reach. A new password or deactivation ends the
/// user's sessions: their refresh tokens are revoked. Both, and new roles, raise the user's token
/// version, so their access tokens are refused from their next request; after a role change a
/// refresh brings a token with the new roles. No one changes their own roles.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    patch: UserPatch,
) -> ServiceResult<UserView> {
    require_admin(caller)?;
    // Roles are granted by someone else: an admin must not make themselves head, nor anything.
    if id == caller.user_id && patch.roles.is_some() {
        return Err(ServiceError::forbidden(
            "you cannot change your own roles; another administrator must",
        ));
    }
    let mut errors = FieldErrors::default();
    if let Some(display_name) = &patch.display_name {
        errors.check_text("display_name", display_name, 100);
    }
    if let Some(secret) = &patch.password {
        check_password(&mut errors, secret);
    }
    if let Some(roles) = &patch.roles {
        check_roles(&mut errors, roles);
    }
    // Guards against an organ left without anyone able to administer it by accident.
    if id == caller.user_id && patch.active == Some(false) {
        errors.push("active", "you cannot deactivate your own account");
    }
    errors.into_result()?;

    let current = {
        let mut conn = state.pool.get().await?;
        db::users::find_within(&mut conn, id, &caller.organ_path)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("user {id}")))?
            .0
    };
    let password_hash = match &patch.password {
        Some(secret) => Some(hash_password(state, secret).await?),
        None => None,
    };
    let roles = patch.roles.as_deref().map(store_roles);
    let roles_change = roles.as_ref().is_some_and(|roles| *roles != current.roles);
    // A new password or deactivation ends the sign-ins; new roles only void the access tokens
    // carrying the old ones, and a refresh brings a token with the new roles.
    let ends_sessions = password_hash.is_some() || (patch.active == Some(false) && current.active);
    let voids_access_tokens = ends_sessions || roles_change;
    let changes = UserChanges {
        display_name: patch
            .display_name
            .as_deref()
            .map(|name| name.trim().to_owned()),
        password_hash,
        roles,
        active: patch.active,
    };
    let mut conn = state.pool.get().await?;
    let user = conn
        .transaction(async |conn| {
            let mut user = db::users::update(conn, id, &changes).await?;
            if ends_sessions {
                db::users::revoke_all_of_user(conn, id, Utc::now()).await?;
            }
            if voids_access_tokens {
                user.token_version = db::users::bump_token_version(conn, id).await?;
            }
            Ok::<_, ServiceError>(user)
        })
        .await?;
    if voids_access_tokens {
        // After the commit: a check reading the database now sees the new version.
        state.sessions.forget_user(id);
    }
    let organ = db::organs::find_organ(&mut conn, user.organ_id).await?;
    tracing::info!(
        user_id = %id,
        by = %caller.user_id,
        ends_sessions,
        voids_access_tokens,
        "user changed"
    );
    UserView::of(user, &organ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_database_pattern() {
        assert!(valid_username("wang.li-2"));
        assert!(valid_username("ab"));
        assert!(!valid_username("a"));
        assert!(!valid_username("王丽"));
        assert!(!valid_username("has space"));
        assert!(!valid_username(&"x".repeat(65)));
    }

    #[test]
    fn passwords_are_measured_in_characters() {
        let mut errors = FieldErrors::default();
        check_password(&mut errors, "密码密码密码密码");
        assert!(errors.into_result().is_ok());
        let mut errors = FieldErrors::default();
        check_password(&mut errors, "short");
        assert_eq!(errors.into_vec()[0].field, "password");
    }
}
