//! Issued documents and their versions, the per-organ, per-year, per-kind number sequences, the
//! organs' own templates and the service of documents on their recipients.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{pg::Pg, prelude::*};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{document_number_counters, document_services, document_templates, documents};
use crate::domain::{
    documents::{DocumentKind, DocumentOrigin},
    followup::{Recipient, ServiceMethod},
};

/// A document version as listed: everything but its bytes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents, check_for_backend(Pg))]
pub struct DocumentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub kind: DocumentKind,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub version: i32,
    pub origin: DocumentOrigin,
    pub replaces_id: Option<Uuid>,
    pub served_document_id: Option<Uuid>,
    pub note: Option<String>,
    pub file_name: String,
    pub sha256: Vec<u8>,
    pub size_bytes: i64,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A new document version with its bytes.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = documents)]
pub struct NewDocument {
    pub id: Uuid,
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub kind: DocumentKind,
    pub document_number: String,
    pub issued_on: NaiveDate,
    pub version: i32,
    pub origin: DocumentOrigin,
    pub replaces_id: Option<Uuid>,
    pub served_document_id: Option<Uuid>,
    pub note: Option<String>,
    pub file_name: String,
    pub content: Vec<u8>,
    pub sha256: Vec<u8>,
    pub size_bytes: i64,
    pub created_by: Uuid,
}

/// Allocates the next number of `kind` for `organ_id` in `year`. Runs inside the issuing
/// transaction: the counter row stays locked until commit, so racing issues queue up and a
/// rolled-back issue gives its number back (the approach of the case numbers).
pub async fn next_sequence(
    conn: &mut AsyncPgConnection,
    organ_id: Uuid,
    year: i32,
    kind: DocumentKind,
) -> QueryResult<i32> {
    use document_number_counters::dsl as counters;
    diesel::insert_into(counters::document_number_counters)
        .values((
            counters::organ_id.eq(organ_id),
            counters::year.eq(year),
            counters::kind.eq(kind),
            counters::last_seq.eq(1),
        ))
        .on_conflict((counters::organ_id, counters::year, counters::kind))
        .do_update()
        .set(counters::last_seq.eq(counters::last_seq + 1))
        .returning(counters::last_seq)
        .get_result(conn)
        .await
}

/// Stores a document version.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDocument) -> QueryResult<DocumentRow> {
    diesel::insert_into(documents::table)
        .values(new)
        .returning(DocumentRow::as_returning())
        .get_result(conn)
        .await
}

/// Every version of every document of a case, oldest first.
pub async fn of_case(conn: &mut AsyncPgConnection, case_id: Uuid) -> QueryResult<Vec<DocumentRow>> {
    documents::table
        .filter(documents::case_id.eq(case_id))
        .order((documents::created_at, documents::id))
        .select(DocumentRow::as_select())
        .load(conn)
        .await
}

/// One version of a document of `case_id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .filter(documents::case_id.eq(case_id))
        .filter(documents::id.eq(id))
        .select(DocumentRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The bytes of a version (a generated or uploaded `.docx`, bounded by the request body limit).
pub async fn content(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<u8>> {
    documents::table
        .find(id)
        .select(documents::content)
        .first(conn)
        .await
}

/// The version that replaced `id`, if any.
pub async fn replacement_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    documents::table
        .filter(documents::replaces_id.eq(id))
        .select(documents::id)
        .first(conn)
        .await
        .optional()
}

/// An organ's own template of `kind`, if it has one.
pub async fn template(
    conn: &mut AsyncPgConnection,
    organ_id: Uuid,
    kind: &str,
) -> QueryResult<Option<String>> {
    document_templates::table
        .filter(document_templates::organ_id.eq(organ_id))
        .filter(document_templates::kind.eq(kind))
        .select(document_templates::body)
        .first(conn)
        .await
        .optional()
}

/// Stores an organ's template of `kind`, replacing the one it had.
pub async fn put_template(
    conn: &mut AsyncPgConnection,
    organ_id: Uuid,
    kind: &str,
    body: &str,
    user_id: Uuid,
) -> QueryResult<usize> {
    use document_templates::dsl as t;
    diesel::insert_into(t::document_templates)
        .values((
            t::organ_id.eq(organ_id),
            t::kind.eq(kind),
            t::body.eq(body),
            t::updated_by.eq(user_id),
        ))
        .on_conflict((t::organ_id, t::kind))
        .do_update()
        .set((
            t::body.eq(body),
            t::updated_by.eq(user_id),
            t::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}

/// Drops an organ's template of `kind`, so the shipped one applies again.
pub async fn delete_template(
    conn: &mut AsyncPgConnection,
    organ_id: Uuid,
    kind: &str,
) -> QueryResult<usize> {
    diesel::delete(
        document_templates::table
            .filter(document_templates::organ_id.eq(organ_id))
            .filter(document_templates::kind.eq(kind)),
    )
    .execute(conn)
    .await
}

/// A record of service of a document on one recipient.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = document_services, check_for_backend(Pg))]
pub struct ServiceRow {
    pub id: Uuid,
    pub document_id: Uuid,
    pub case_id: Uuid,
    pub recipient_role: Recipient,
    pub recipient_name: String,
    pub method: ServiceMethod,
    pub served_on: NaiveDate,
    pub proof_attachment_id: Option<Uuid>,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// Stores a record of service.
pub async fn insert_service(
    conn: &mut AsyncPgConnection,
    row: &ServiceRow,
) -> QueryResult<ServiceRow> {
    diesel::insert_into(document_services::table)
        .values(row)
        .returning(ServiceRow::as_returning())
        .get_result(conn)
        .await
}

/// The records of service of a case's documents, in the order they were served.
pub async fn services_of_case(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Vec<ServiceRow>> {
    document_services::table
        .filter(document_services::case_id.eq(case_id))
        .order((document_services::served_on, document_services::recorded_at))
        .select(ServiceRow::as_select())
        .load(conn)
        .await
}

/// The day the respondent received the application copy: the earliest service of a reply notice
/// (提出答复通知书, which carries the copy) on the respondent.
pub async fn respondent_copy_received_on(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Option<NaiveDate>> {
    document_services::table
        .inner_join(documents::table)
        .filter(document_services::case_id.eq(case_id))
        .filter(document_services::recipient_role.eq(Recipient::Respondent))
        .filter(documents::kind.eq(DocumentKind::ReplyNotice))
        .select(diesel::dsl::min(document_services::served_on))
        .first(conn)
        .await
}
