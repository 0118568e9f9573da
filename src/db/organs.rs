//! Organs (the tree of reconsideration organs) and respondents (the agencies cases are against).

use crate::domain::case::AdminDomain;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{organs, respondents};

/// An organ as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organs)]
pub struct Organ {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub time_zone: String,
    pub case_number_pattern: String,
    pub created_at: DateTime<Utc>,
}

impl Organ {
    /// The organ's time zone; legal dates are dates there. Stored zones are checked on insert.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// Today's legal date in the organ's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.legal_date(Utc::now())
    }

    /// The legal date of an instant: the calendar date in the organ's time zone, so that an
    /// action at 02:00 on 1 January in Shanghai (18:00 UTC on 31 December) falls in January.
    pub fn legal_date(&self, at: DateTime<Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.tz()).date_naive()
    }
}

/// A new organ.
#[derive(Debug, Clone)]
pub struct NewOrgan<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub short_name: &'a str,
    pub parent_id: Option<Uuid>,
    pub time_zone: &'a str,
}

/// Inserts an organ under its parent, computing its materialised path.
pub async fn insert_organ(conn: &mut AsyncPgConnection, new: NewOrgan<'_>) -> QueryResult<Organ> {
    let id = Uuid::now_v7();
    let parent_path = match new.parent_id {
        Some(parent) => {
            organs::table
                .find(parent)
                .select(organs::path)
                .first::<String>(conn)
                .await?
        }
        None => "/".to_owned(),
    };
    diesel::insert_into(organs::table)
        .values((
            organs::id.eq(id),
            organs::code.eq(new.code),
            organs::name.eq(new.name),
            organs::short_name.eq(new.short_name),
            organs::parent_id.eq(new.parent_id),
            organs::path.eq(format!("{parent_path}{id}/")),
            organs::time_zone.eq(new.time_zone),
        ))
        .returning(Organ::as_returning())
        .get_result(conn)
        .await
}

/// One organ by id.
pub async fn find_organ(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Organ> {
    organs::table
        .find(id)
        .select(Organ::as_select())
        .first(conn)
        .await
}

/// One organ by its code.
pub async fn find_organ_by_code(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Organ> {
    organs::table
        .filter(organs::code.eq(code))
        .select(Organ::as_select())
        .first(conn)
        .await
}

/// Every organ in the subtree rooted at the organ with materialised path `path`, ordered by path
/// so parents come before children.
pub async fn list_subtree(conn: &mut AsyncPgConnection, path: &str) -> QueryResult<Vec<Organ>> {
    organs::table
        .filter(path_within(path))
        .order(organs::path)
        .select(Organ::as_select())
        .load(conn)
        .await
}

/// The number of organs (an empty database has none).
pub async fn count_organs(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    organs::table.count().get_result(conn).await
}

/// Whether the organ at materialised `path` lies in the subtree rooted at `root` (the root
/// included): the one reach rule, here in Rust and in [`path_within`] in SQL.
pub fn is_within(path: &str, root: &str) -> bool {
    path.starts_with(root)
}

/// The SQL form of [`is_within`]: `organs.path` lies in the subtree rooted at `root`.
pub fn path_within(root: &str) -> diesel::dsl::Like<organs::path, String> {
    organs::path.like(format!("{}%", escape_like(root)))
}

/// Escapes `%`, `_` and `\` so a value is matched literally by LIKE.
pub fn escape_like(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A respondent as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = respondents)]
pub struct Respondent {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub name: String,
    pub credit_code: Option<String>,
    pub domain: AdminDomain,
    pub created_at: DateTime<Utc>,
}

/// A new respondent.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = respondents)]
pub struct NewRespondent<'a> {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub name: &'a str,
    pub credit_code: Option<&'a str>,
    pub domain: &'a str,
}

/// Inserts a respondent.
pub async fn insert_respondent(
    conn: &mut AsyncPgConnection,
    new: &NewRespondent<'_>,
) -> QueryResult<Respondent> {
    diesel::insert_into(respondents::table)
        .values(new)
        .returning(Respondent::as_returning())
        .get_result(conn)
        .await
}

/// One respondent by id, if it answers to an organ under `organ_path`.
pub async fn find_respondent_within(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    organ_path: &str,
) -> QueryResult<Option<Respondent>> {
    respondents::table
        .inner_join(organs::table)
        .filter(respondents::id.eq(id))
        .filter(path_within(organ_path))
        .select(Respondent::as_select())
        .first(conn)
        .await
        .optional()
}

/// Respondents answering to organs under `organ_path`, by name.
pub async fn list_respondents_within(
    conn: &mut AsyncPgConnection,
    organ_path: &str,
) -> QueryResult<Vec<Respondent>> {
    respondents::table
        .inner_join(organs::table)
        .filter(path_within(organ_path))
        .order((respondents::name, respondents::id))
        .select(Respondent::as_select())
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn organ(time_zone: &str) -> Organ {
        Organ {
            id: Uuid::nil(),
            code: "fz".to_owned(),
            name: "福州市人民政府".to_owned(),
            short_name: "榕".to_owned(),
            parent_id: None,
            path: "/fz/".to_owned(),
            time_zone: time_zone.to_owned(),
            case_number_pattern: String::new(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn two_in_the_morning_of_new_year_in_shanghai_is_january_not_december() {
        let at = Utc
            .with_ymd_and_hms(2023, 12, 31, 18, 0, 0)
            .single()
            .expect("instant");
        assert_eq!(
            organ("Asia/Shanghai").legal_date(at),
            NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
        );
        assert_eq!(
            organ("UTC").legal_date(at),
            NaiveDate::from_ymd_opt(2023, 12, 31).expect("date")
        );
    }
}
