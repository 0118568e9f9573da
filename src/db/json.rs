//! JSONB columns read as their text, for rows whose JSON is decoded straight into a domain type.

use diesel::{
    deserialize::{self, FromSql, FromSqlRow},
    pg::{Pg, PgValue},
    sql_types::Jsonb,
};
use serde::de::DeserializeOwned;

/// A JSONB value as the server sent it: decoding it with [`StoredJson::decode`] goes straight to
/// the target type, where reading a `serde_json::Value` first would build (and then drop) a map
/// of every key on each read.
#[derive(Debug, Clone, PartialEq, Eq, FromSqlRow)]
pub struct StoredJson(Box<str>);

impl StoredJson {
    /// The value decoded as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

/// The binary JSONB format: a version byte (1), then the JSON text.
const JSONB_VERSION: u8 = 1;

impl FromSql<Jsonb, Pg> for StoredJson {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes().split_first() {
            Some((&JSONB_VERSION, text)) => Ok(Self(std::str::from_utf8(text)?.into())),
            _ => Err("unsupported JSONB encoding version".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_into_the_target_type() {
        let stored = StoredJson(r#"{"a": [1, 2]}"#.into());
        let value: std::collections::BTreeMap<String, Vec<u8>> = stored.decode().expect("decodes");
        assert_eq!(value["a"], vec![1, 2]);
    }
}
