//! Attachments of a case and their bytes, stored in numbered chunks so that a file moves through
//! the service one chunk at a time.

use chrono::{DateTime, Utc};
use diesel::{pg::Pg, prelude::*};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{attachment_chunks, attachments};
use crate::domain::documents::{AttachmentKind, AttachmentSource};

/// An attachment as recorded.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments, check_for_backend(Pg))]
pub struct AttachmentRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: AttachmentKind,
    pub source: AttachmentSource,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: Vec<u8>,
    pub chunks: i32,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawal_reason: Option<String>,
}

/// The facts of an attachment known before its bytes arrive.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: AttachmentKind,
    pub source: AttachmentSource,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: Vec<u8>,
    pub chunks: i32,
    pub uploaded_by: Uuid,
}

/// Records an attachment whose chunks follow (in the same transaction).
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewAttachment) -> QueryResult<usize> {
    diesel::insert_into(attachments::table)
        .values(new)
        .execute(conn)
        .await
}

/// Stores chunk `seq` of an attachment.
pub async fn insert_chunk(
    conn: &mut AsyncPgConnection,
    attachment_id: Uuid,
    seq: i32,
    data: &[u8],
) -> QueryResult<usize> {
    diesel::insert_into(attachment_chunks::table)
        .values((
            attachment_chunks::attachment_id.eq(attachment_id),
            attachment_chunks::seq.eq(seq),
            attachment_chunks::data.eq(data),
        ))
        .execute(conn)
        .await
}

/// Completes an attachment once all its chunks are stored.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    content_type: &str,
    size_bytes: i64,
    sha256: &[u8],
    chunks: i32,
) -> QueryResult<AttachmentRow> {
    diesel::update(attachments::table.find(id))
        .set((
            attachments::content_type.eq(content_type),
            attachments::size_bytes.eq(size_bytes),
            attachments::sha256.eq(sha256),
            attachments::chunks.eq(chunks),
        ))
        .returning(AttachmentRow::as_returning())
        .get_result(conn)
        .await
}

/// The attachments of a case, withdrawn ones included, oldest first.
pub async fn of_case(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::case_id.eq(case_id))
        .order((attachments::uploaded_at, attachments::id))
        .select(AttachmentRow::as_select())
        .load(conn)
        .await
}

/// One attachment of `case_id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .filter(attachments::case_id.eq(case_id))
        .filter(attachments::id.eq(id))
        .select(AttachmentRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Chunk `seq` of an attachment.
pub async fn chunk(conn: &mut AsyncPgConnection, id: Uuid, seq: i32) -> QueryResult<Vec<u8>> {
    attachment_chunks::table
        .find((id, seq))
        .select(attachment_chunks::data)
        .first(conn)
        .await
}

/// Records a withdrawal; the bytes stay. Returns `None` when it was withdrawn already.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user_id: Uuid,
    reason: Option<&str>,
) -> QueryResult<Option<AttachmentRow>> {
    diesel::update(
        attachments::table
            .find(id)
            .filter(attachments::withdrawn_at.is_null()),
    )
    .set((
        attachments::withdrawn_at.eq(diesel::dsl::now),
        attachments::withdrawn_by.eq(user_id),
        attachments::withdrawal_reason.eq(reason),
    ))
    .returning(AttachmentRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}
