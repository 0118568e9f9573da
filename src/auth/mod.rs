//! Authentication and authorisation: who the caller is (from a bearer token), what their roles
//! allow, and which organs' cases they may read or change.

use uuid::Uuid;

use crate::db::{organs::Organ, users::UserRow};
pub use crate::domain::lifecycle::Role;

pub mod accounts;
pub mod hashing;
pub mod password;
pub mod refresh;
pub mod revocation;
pub mod session;
pub mod tokens;

/// The authenticated caller of a request, taken from a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's sign-in name.
    pub username: String,
    /// The organ the user works for: the only organ whose cases they may change.
    pub organ_id: Uuid,
    /// Materialised path of that organ (`/root/…/organ/`): the user reads this subtree.
    pub organ_path: String,
    /// The user's roles.
    pub roles: Vec<Role>,
}

impl Caller {
    /// Whether the organ at materialised `path` is within the caller's reach (their organ's
    /// subtree), by the one rule [`crate::db::organs::is_within`].
    pub fn reaches_path(&self, path: &str) -> bool {
        crate::db::organs::is_within(path, &self.organ_path)
    }

    /// Whether `organ` is within the caller's reach.
    pub fn reaches(&self, organ: &Organ) -> bool {
        self.reaches_path(&organ.path)
    }

    /// The caller a stored user acts as, with the roles and organ stored now.
    pub fn of_user(user: &UserRow, organ: &Organ) -> anyhow::Result<Self> {
        Ok(Self {
            user_id: user.id,
            username: user.username.clone(),
            organ_id: organ.id,
            organ_path: organ.path.clone(),
            roles: parse_roles(&user.roles)?,
        })
    }

    /// True when the caller holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// True when the caller holds any of `roles`.
    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has_role(*role))
    }
}

/// Reads stored role names; the database's check constraint makes an unknown one a defect.
pub fn parse_roles(stored: &[String]) -> anyhow::Result<Vec<Role>> {
    stored
        .iter()
        .map(|name| {
            name.parse::<Role>()
                .map_err(|_| anyhow::anyhow!("unknown stored role {name:?}"))
        })
        .collect()
}

/// Role names to store, deduplicated and in a fixed order so equal sets compare equal.
pub fn store_roles(roles: &[Role]) -> Vec<String> {
    use strum::IntoEnumIterator;
    Role::iter()
        .filter(|role| roles.contains(role))
        .map(|role| role.to_string())
        .collect()
}
