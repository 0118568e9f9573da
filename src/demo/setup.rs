//! The organ tree, its respondents and staff, stored in one transaction before any case.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow, bail};
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{
    DemoOptions, DemoUser,
    fixtures::{OrganSpec, TREE, UserSpec, user_specs},
    planner::PlanRespondent,
};
use crate::{
    auth::{Caller, Role, password, store_roles},
    db::{
        self,
        organs::{NewOrgan, NewRespondent, Organ},
        users::{NewUser, UserChanges},
    },
    domain::ApiValue,
    startup::AppState,
};

/// A demo organ as stored, with the staff who act on its cases.
pub(super) struct LiveOrgan {
    pub(super) spec: &'static OrganSpec,
    pub(super) organ: Organ,
    pub(super) officer: Caller,
    pub(super) head: Caller,
    pub(super) respondents: Vec<PlanRespondent>,
}

pub(super) struct Setup {
    pub(super) organs: Vec<LiveOrgan>,
    pub(super) users: Vec<DemoUser>,
    pub(super) admin_reused: bool,
}

/// Hashes off the async threads: Argon2 is slow by design.
async fn hash_password(secret: &str) -> anyhow::Result<String> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await?
        .map_err(|err| anyhow!("hashing the demo password failed: {err}"))
}

/// Creates the organs, respondents and users in one transaction, refusing when any demo organ
/// or user exists already.
pub(super) async fn set_up(state: &AppState, options: &DemoOptions) -> anyhow::Result<Setup> {
    let specs = user_specs();
    let mut hashes = Vec::with_capacity(specs.len() + 1);
    for _ in 0..=specs.len() {
        hashes.push(hash_password(&options.password).await?);
    }
    let time_zone = state.settings.rules.default_time_zone.name();
    let mut conn = state.pool.get().await?;
    conn.transaction(async |conn| {
        refuse_existing(conn, &specs).await?;
        let admin = db::users::find_by_username(conn, "admin").await?;
        let mut organs: Vec<Organ> = Vec::new();
        for (index, spec) in TREE.iter().enumerate() {
            let parent_id = match index {
                0 => admin.as_ref().map(|admin| admin.organ_id),
                _ => organs.first().map(|city| city.id),
            };
            let organ = db::organs::insert_organ(
                conn,
                NewOrgan {
                    code: spec.code,
                    name: spec.name,
                    short_name: spec.short_name,
                    parent_id,
                    time_zone,
                },
            )
            .await?;
            organs.push(organ);
        }
        let mut respondents: Vec<Vec<PlanRespondent>> = Vec::new();
        for (spec, organ) in TREE.iter().zip(&organs) {
            let mut list = Vec::new();
            for respondent in spec.respondents {
                let row = db::organs::insert_respondent(
                    conn,
                    &NewRespondent {
                        id: Uuid::now_v7(),
                        organ_id: organ.id,
                        name: respondent.name,
                        credit_code: None,
                        domain: respondent.domain.as_str(),
                    },
                )
                .await?;
                list.push(PlanRespondent {
                    id: row.id,
                    spec: respondent,
                });
            }
            respondents.push(list);
        }

        let mut users = Vec::new();
        let mut callers: BTreeMap<String, Caller> = BTreeMap::new();
        let mut hashes = hashes.into_iter();
        for spec in &specs {
            let organ = organs.get(spec.organ).context("demo organ")?;
            let hash = hashes.next().context("a password hash per user")?;
            let row = db::users::insert(
                conn,
                &NewUser {
                    id: Uuid::now_v7(),
                    username: &spec.username,
                    display_name: &spec.display_name,
                    password_hash: &hash,
                    organ_id: organ.id,
                    roles: store_roles(&spec.roles),
                },
            )
            .await?;
            callers.insert(spec.username.clone(), Caller::of_user(&row, organ)?);
            users.push(DemoUser {
                username: spec.username.clone(),
                organ: organ.code.clone(),
                roles: spec.roles.clone(),
            });
        }
        let admin_hash = hashes.next().context("a password hash for admin")?;
        let admin_reused = match admin {
            Some(admin) => {
                db::users::update(
                    conn,
                    admin.id,
                    &UserChanges {
                        password_hash: Some(admin_hash),
                        ..UserChanges::default()
                    },
                )
                .await?;
                // As when an administrator changes a password: sessions under the old one end.
                db::users::revoke_all_of_user(conn, admin.id, Utc::now()).await?;
                let organ = db::organs::find_organ(conn, admin.organ_id).await?;
                users.push(DemoUser {
                    username: admin.username.clone(),
                    organ: organ.code,
                    roles: crate::auth::parse_roles(&admin.roles)?,
                });
                true
            }
            None => {
                let city = organs.first().context("the city organ")?;
                db::users::insert(
                    conn,
                    &NewUser {
                        id: Uuid::now_v7(),
                        username: "admin",
                        display_name: "系统管理员",
                        password_hash: &admin_hash,
                        organ_id: city.id,
                        roles: store_roles(&[Role::Admin]),
                    },
                )
                .await?;
                users.push(DemoUser {
                    username: "admin".to_owned(),
                    organ: city.code.clone(),
                    roles: vec![Role::Admin],
                });
                false
            }
        };

        let mut live = Vec::new();
        for ((spec, organ), respondents) in TREE.iter().zip(organs).zip(respondents) {
            let (officer, head) = if spec.code == TREE[0].code {
                ("officer".to_owned(), "head".to_owned())
            } else {
                (
                    format!("{}-officer", spec.code),
                    format!("{}-head", spec.code),
                )
            };
            live.push(LiveOrgan {
                spec,
                officer: callers.get(&officer).cloned().context("officer")?,
                head: callers.get(&head).cloned().context("head")?,
                organ,
                respondents,
            });
        }
        Ok::<_, anyhow::Error>(Setup {
            organs: live,
            users,
            admin_reused,
        })
    })
    .await
}

async fn refuse_existing(conn: &mut AsyncPgConnection, users: &[UserSpec]) -> anyhow::Result<()> {
    use diesel::OptionalExtension;
    for organ in TREE {
        if db::organs::find_organ_by_code(conn, organ.code)
            .await
            .optional()?
            .is_some()
        {
            bail!(
                "demo data is already there (organ `{}` exists); the demo runs once, on a database without it (e.g. a fresh FUYI_DATA_DIR)",
                organ.code
            );
        }
    }
    for user in users {
        if db::users::find_by_username(conn, &user.username)
            .await?
            .is_some()
        {
            bail!(
                "user `{}` already exists; the demo runs once, on a database without its users (e.g. a fresh FUYI_DATA_DIR)",
                user.username
            );
        }
    }
    Ok(())
}
