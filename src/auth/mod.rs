//! Authentication and authorisation: who the caller is (from a bearer token), what their roles
//! allow, and which organs' cases they may read or change.

use uuid::Uuid;

pub use crate::domain::lifecycle::Role;

pub mod password;
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
    /// True when the caller holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// True when the caller holds any of `roles`.
    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has_role(*role))
    }
}
