//! First start on an empty database: a root organ and an `admin` user, so a new user can sign in
//! straight away.

use anyhow::Context;
use diesel_async::AsyncConnection;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::{
    auth::{Role, password},
    config::Settings,
    db::{self, DbPool, organs::NewOrgan, users::NewUser},
};

/// Creates the root organ and the admin user when there are no organs yet. The admin's password
/// is `FUYI_ADMIN_PASSWORD`, or a generated one printed once on standard error.
pub async fn ensure_admin(pool: &DbPool, settings: &Settings) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    if db::organs::count_organs(&mut conn).await? > 0 {
        return Ok(());
    }
    let (secret, generated) = match &settings.auth.admin_password {
        Some(secret) => (secret.expose_secret().to_owned(), false),
        None => (password::generate(), true),
    };
    let hash = password::hash(&secret).map_err(|err| anyhow::anyhow!("{err}"))?;
    let time_zone = settings.rules.default_time_zone.name();
    conn.transaction(async |conn| {
        let organ = db::organs::insert_organ(
            conn,
            NewOrgan {
                code: "root",
                name: "行政复议机关",
                short_name: "复",
                parent_id: None,
                time_zone,
            },
        )
        .await?;
        db::users::insert(
            conn,
            &NewUser {
                id: Uuid::now_v7(),
                username: "admin",
                display_name: "Administrator",
                password_hash: &hash,
                organ_id: organ.id,
                roles: vec![Role::Admin.to_string()],
            },
        )
        .await?;
        Ok::<_, diesel::result::Error>(())
    })
    .await
    .context("creating the first organ and admin user")?;
    if generated {
        // Printed, not logged: log collectors must never hold a password.
        eprintln!(
            "\nfuyi: first start — created organ `root` and user `admin` with one-time password:\n\n    {secret}\n\nSign in at /docs (POST /api/v1/auth/token) and change it.\n"
        );
    } else {
        tracing::info!(
            "first start: created organ `root` and user `admin` (password from FUYI_ADMIN_PASSWORD)"
        );
    }
    Ok(())
}
