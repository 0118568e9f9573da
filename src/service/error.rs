//! What can go wrong in a use case, in the service's own terms. The service, `auth` and the demo
//! know nothing of HTTP; `http::error` maps each variant to its problem+json answer, in one place.

use diesel::result::Error as DieselError;
use diesel_async::pooled_connection::deadpool::PoolError;

use crate::domain::{
    followup::LetterKind,
    lifecycle::{ActionKind, CaseState},
    validation::FieldErrors,
};

/// Why a use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such thing within the caller's reach (`what` names it, e.g. `case 1234…`).
    #[error("{what} was not found")]
    NotFound {
        /// The thing looked for.
        what: String,
    },
    /// The caller is known, but their roles or organ do not allow this.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// Why not, in words the caller can act on.
        reason: String,
    },
    /// The caller could not be identified (wrong password, bad or revoked token).
    #[error("unauthorized: {reason}")]
    Unauthorized {
        /// Why not.
        reason: String,
        /// A token was presented and is not valid (rather than no or wrong credentials).
        invalid_token: bool,
    },
    /// Fields of the request break the rules.
    #[error("invalid: {}", list_fields(.0))]
    Invalid(FieldErrors),
    /// The request contradicts what is on record.
    #[error("{detail}")]
    Conflict {
        /// What contradicts what.
        detail: String,
        /// The fact on record the request ran into, if one is worth naming.
        about: Option<ConflictAbout>,
    },
    /// A record with the same unique `field` already exists.
    #[error("{detail}")]
    Taken {
        /// The request field that must be unique.
        field: &'static str,
        /// What is taken.
        detail: String,
    },
    /// The lifecycle does not allow `action` in `state`; `allowed` is what this caller may do now.
    #[error("{action} is not allowed while the case is {state}")]
    NotAllowedInState {
        /// The case's state.
        state: CaseState,
        /// The refused action.
        action: ActionKind,
        /// The actions this caller may take now.
        allowed: Vec<ActionKind>,
    },
    /// A legal precondition of the action is not met.
    #[error("{reason} ({rule})")]
    RuleViolated {
        /// The rule, usually the article, e.g. `art_70`.
        rule: &'static str,
        /// What is missing.
        reason: String,
        /// The actions the caller may take now.
        allowed: Vec<ActionKind>,
    },
    /// The caller changed a record from a version that is no longer current.
    #[error("stale version {sent}, now {current}")]
    StaleVersion {
        /// The version the caller saw.
        sent: i32,
        /// The version on record.
        current: i32,
    },
    /// Too many attempts (sign-ins); the next may succeed after `retry_after` seconds.
    #[error("{detail}")]
    TooManyAttempts {
        /// What was attempted too often.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// The service is saturated (e.g. the password-hashing queue); retry after `retry_after` s.
    #[error("{detail}")]
    Busy {
        /// What is busy.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// An uploaded file is larger than the configured limit.
    #[error("the file exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// An uploaded file's content is not of an allowed type.
    #[error("{detail}")]
    UnsupportedType {
        /// What was found and what is allowed.
        detail: String,
    },
    /// A query failed; its meaning (unique or foreign-key violation, timeout …) is read at the edge.
    #[error("database: {0}")]
    Database(#[from] DieselError),
    /// No database connection could be had.
    #[error("database connection: {0}")]
    Pool(#[from] PoolError),
    /// A bug or a broken invariant; logged, never shown.
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// The fact on record a [`ServiceError::Conflict`] ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictAbout {
    /// The case's state.
    State(CaseState),
    /// The letter's kind.
    LetterKind(LetterKind),
    /// The rule (article) the request would break.
    Rule(&'static str),
}

fn list_fields(errors: &FieldErrors) -> String {
    errors
        .clone()
        .into_vec()
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Shorthand for use-case results.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// No `what` within the caller's reach.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// The caller may not do this.
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Self::Forbidden {
            reason: reason.into(),
        }
    }

    /// The caller is not identified; `invalid_token` when a presented token is at fault.
    pub fn unauthorized(reason: impl Into<String>, invalid_token: bool) -> Self {
        Self::Unauthorized {
            reason: reason.into(),
            invalid_token,
        }
    }

    /// The request contradicts the record.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            about: None,
        }
    }

    /// The request contradicts the record's `about`.
    pub fn conflict_about(detail: impl Into<String>, about: ConflictAbout) -> Self {
        Self::Conflict {
            detail: detail.into(),
            about: Some(about),
        }
    }

    /// One field is at fault.
    pub fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::single(field, reason))
    }

    /// A bug or broken invariant.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<crate::db::statistics::TallyError> for ServiceError {
    fn from(err: crate::db::statistics::TallyError) -> Self {
        match err {
            crate::db::statistics::TallyError::Pool(err) => Self::Pool(err),
            crate::db::statistics::TallyError::Query(err) => Self::Database(err),
        }
    }
}
