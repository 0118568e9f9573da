//! Field-level validation results shared by every domain type that checks its input.

use serde::Serialize;
use utoipa::ToSchema;

/// One field that breaks a rule, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The JSON path of the field, e.g. `parties[0].phone`.
    pub field: String,
    /// What is wrong with it, in words an officer understands.
    pub reason: String,
}

/// Every rule an input breaks, gathered so a client can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// A single failing field.
    pub fn single(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(field, reason);
        errors
    }

    /// Records one more failing field.
    pub fn push(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// Checks a required free-text field: not blank and not longer than `max_chars`.
    pub fn check_text(&mut self, field: &str, value: &str, max_chars: usize) {
        if value.trim().is_empty() {
            self.push(field, "must not be blank");
        } else if value.chars().count() > max_chars {
            self.push(field, format!("must be at most {max_chars} characters"));
        }
    }

    /// `Ok` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The recorded failures, in the order found.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// The schema of a list of required free-text items, as [`FieldErrors::check_text`] reads each
/// one: at least one item, none blank.
pub fn non_blank_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"\S")),
        )
        .min_items(Some(1))
        .build()
}

/// The schema of a list of ids naming at least one record, none twice.
pub fn distinct_ids() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        )
        .min_items(Some(1))
        .unique_items(true)
        .build()
}
