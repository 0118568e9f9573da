//! Users: staff accounts with roles, bound to one organ; their refresh tokens; and the record of
//! failed sign-ins, by username and source address, that throttles sign-in after too many.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;
use uuid::Uuid;

use super::{
    organs::{Organ, path_within},
    schema::{login_failures, organs, refresh_tokens, users},
};

/// A user as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub organ_id: Uuid,
    pub roles: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Raised to refuse every access token issued before.
    pub token_version: i32,
}

/// A new user.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub organ_id: Uuid,
    pub roles: Vec<String>,
}

/// Changes to a user; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub roles: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Inserts a user.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewUser<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// A user by sign-in name.
pub async fn find_by_username(
    conn: &mut AsyncPgConnection,
    username: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A user with their organ, by id.
pub async fn find_with_organ(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(UserRow, Organ)>> {
    users::table
        .inner_join(organs::table)
        .filter(users::id.eq(id))
        .select((UserRow::as_select(), Organ::as_select()))
        .first(conn)
        .await
        .optional()
}

/// A user with their organ, if the organ lies under `organ_path` (an administrator's reach).
pub async fn find_within(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    organ_path: &str,
) -> QueryResult<Option<(UserRow, Organ)>> {
    users::table
        .inner_join(organs::table)
        .filter(users::id.eq(id))
        .filter(path_within(organ_path))
        .select((UserRow::as_select(), Organ::as_select()))
        .first(conn)
        .await
        .optional()
}

/// Users of organs under `organ_path` with their organs, by username.
pub async fn list_within(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
) -> QueryResult<Vec<(UserRow, Organ)>> {
    users::table
        .inner_join(organs::table)
        .filter(path_within(organ_path))
        .order(users::username)
        .select((UserRow::as_select(), Organ::as_select()))
        .load(conn)
        .await
}

/// Applies `changes` to a user and stamps `updated_at`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &UserChanges,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((changes, users::updated_at.eq(diesel::dsl::now)))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Raises a user's token version, refusing every access token issued before; returns the new one.
pub async fn bump_token_version(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<i32> {
    diesel::update(users::table.find(id))
        .set(users::token_version.eq(users::token_version + 1))
        .returning(users::token_version)
        .get_result(conn)
        .await
}

/// What decides whether an access token still holds, as stored now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionState {
    /// The user may sign in.
    pub active: bool,
    /// The user's current token version.
    pub token_version: i32,
    /// The sign-in (refresh-token family) has a token not revoked.
    pub live: bool,
}

/// The state of `user_id`'s session `family_id`, in one query; `None` when the user is gone.
pub async fn session_state(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    family_id: Uuid,
) -> QueryResult<Option<SessionState>> {
    let live = diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    );
    users::table
        .find(user_id)
        .select((users::active, users::token_version, live))
        .first::<(bool, i32, bool)>(conn)
        .await
        .optional()
        .map(|row| {
            row.map(|(active, token_version, live)| SessionState {
                active,
                token_version,
                live,
            })
        })
}

/// A refresh token as stored (only the SHA-256 of the token itself).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: Vec<u8>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub replaced_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

/// Stores a refresh token.
pub async fn insert_refresh_token(
    conn: &mut AsyncPgConnection,
    new: &NewRefreshToken<'_>,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(new)
        .execute(conn)
        .await
        .map(drop)
}

/// The refresh token with this hash, locked until the transaction ends so two concurrent uses of
/// one token cannot both rotate it.
pub async fn lock_refresh_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The refresh token with this hash, unlocked.
pub async fn find_refresh_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Marks a refresh token as used up by rotation.
pub async fn mark_replaced(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::replaced_at.eq(at))
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes every still-valid token of a family; returns how many were revoked.
pub async fn revoke_family(
    conn: &mut AsyncPgConnection,
    family_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
    .await
}

/// Revokes every still-valid refresh token of a user (password changed, account deactivated).
pub async fn revoke_all_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
    .await
}

/// Records a sign-in attempt for `username` from `address` as a failure until it is proven
/// right; returns its id. Recording before checking the password means parallel guesses count
/// against the limits.
pub async fn record_sign_in_attempt(
    conn: &mut AsyncPgConnection,
    username: &str,
    address: IpAddr,
    at: DateTime<Utc>,
) -> QueryResult<i64> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::username.eq(username),
            login_failures::source_address.eq(IpNet::from(address)),
            login_failures::failed_at.eq(at),
        ))
        .returning(login_failures::id)
        .get_result(conn)
        .await
}

/// Times of the failures of `username` from `address` after `since` other than attempt
/// `own_id`, newest first, at most `limit`. Attempts still being checked count too: of two racing
/// attempts the later to count always sees the other, so no more than the limit can ever be
/// checked at once.
pub async fn other_failures_of_pair(
    conn: &mut AsyncPgConnection,
    username: &str,
    address: IpAddr,
    since: DateTime<Utc>,
    own_id: i64,
    limit: i64,
) -> QueryResult<Vec<DateTime<Utc>>> {
    login_failures::table
        .filter(login_failures::username.eq(username))
        .filter(login_failures::source_address.eq(IpNet::from(address)))
        .filter(login_failures::failed_at.gt(since))
        .filter(login_failures::id.ne(own_id))
        .order(login_failures::failed_at.desc())
        .limit(limit)
        .select(login_failures::failed_at)
        .load(conn)
        .await
}

/// Like [`other_failures_of_pair`], for every username tried from `address`.
pub async fn other_failures_of_address(
    conn: &mut AsyncPgConnection,
    address: IpAddr,
    since: DateTime<Utc>,
    own_id: i64,
    limit: i64,
) -> QueryResult<Vec<DateTime<Utc>>> {
    login_failures::table
        .filter(login_failures::source_address.eq(IpNet::from(address)))
        .filter(login_failures::failed_at.gt(since))
        .filter(login_failures::id.ne(own_id))
        .order(login_failures::failed_at.desc())
        .limit(limit)
        .select(login_failures::failed_at)
        .load(conn)
        .await
}

/// Forgets one recorded attempt.
pub async fn forget_attempt(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<()> {
    diesel::delete(login_failures::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// Forgets the failures of `username` from `address` (after a successful sign-in from there).
/// Failures from other addresses stay: they were someone else's guesses.
pub async fn clear_failures(
    conn: &mut AsyncPgConnection,
    username: &str,
    address: IpAddr,
) -> QueryResult<()> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::username.eq(username))
            .filter(login_failures::source_address.eq(IpNet::from(address))),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Deletes every failure recorded at or before `before`: they no longer count. Returns how many.
pub async fn purge_failures_before(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.le(before)))
        .execute(conn)
        .await
}
