//! The domain's closed sets of values as typed columns: each is stored as its snake_case text (the
//! column SQL type stays `Text`, so the rollup SQL and the triggers keep comparing the same
//! strings), and rows carry the enum instead of a string the service would have to parse.
//!
//! The domain stays free of diesel; the impls live here, which the orphan rules allow because the
//! types belong to this crate.

use std::io::Write;

use diesel::{
    deserialize::{self, FromSql, Queryable},
    expression::AsExpression,
    pg::{Pg, PgValue},
    serialize::{self, IsNull, Output, ToSql},
    sql_types::{Nullable, Text},
};

use crate::domain::{
    ApiValue,
    case::{ActType, AdminDomain, Channel, PartyKind, PartyRole},
    documents::{AttachmentKind, AttachmentSource, DocumentKind, DocumentOrigin},
    followup::{
        ComplianceOrder, Instance, JudgmentResult, LetterKind, MeasureKind, Outcome, Recipient,
        ServiceMethod,
    },
    lifecycle::{CaseState, Procedure, TerminationGround},
};

/// Implements reading and writing `Text` columns for enums with `FromStr` and `as_str`. Binding
/// goes through the `&'static str` the value names, so no string is allocated on the way in; an
/// unknown stored text is a deserialization error that names the text and the type.
macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let raw = std::str::from_utf8(bytes.as_bytes())?;
                raw.parse().map_err(|_| {
                    format!("unknown stored value {raw:?} for {}", stringify!($ty)).into()
                })
            }
        }

        impl Queryable<Text, Pg> for $ty {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl AsExpression<Text> for $ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Text>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Text> for &$ty {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Text>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<Text>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for &$ty {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<Text>>::as_expression(self.as_str())
            }
        }
    )+};
}

stored_as_text!(
    ActType,
    AdminDomain,
    Procedure,
    TerminationGround,
    Channel,
    PartyRole,
    PartyKind,
    CaseState,
    ServiceMethod,
    Recipient,
    ComplianceOrder,
    MeasureKind,
    Instance,
    JudgmentResult,
    Outcome,
    LetterKind,
    DocumentKind,
    DocumentOrigin,
    AttachmentKind,
    AttachmentSource,
);
