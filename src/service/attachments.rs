//! Attachments of a case: streamed in and out of PostgreSQL one chunk at a time, typed by their
//! content (never their name), hashed with SHA-256, and withdrawn rather than deleted.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Caller,
    db::{
        self, DbPool,
        attachments::{AttachmentRow, NewAttachment},
    },
    domain::documents::{self as rules, AttachmentKind, AttachmentSource, SNIFF_BYTES},
    service::{
        documents::{readable_case, writable_case},
        error::{ServiceError, ServiceResult},
    },
};

/// Bytes per stored chunk: large enough that a 50 MiB file is 200 rows, small enough that a
/// request holds little of it at once.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// An attachment as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: AttachmentKind,
    /// The party it came from.
    pub source: AttachmentSource,
    pub file_name: String,
    /// The type told from its content.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, in hex.
    pub sha256: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
    /// Set once withdrawn; the bytes stay until retention.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawal_reason: Option<String>,
}

/// What an upload says about its file (query parameters of the upload).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadFacts {
    /// The file's name, kept for the download and the case file: no `/`, `\` or control
    /// character, and not only dots and spaces (`domain::documents::check_file_name`).
    #[param(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^/\\\x00-\x1f\x7f-\x9f]*[^/\\.\s\x00-\x1f\x7f-\x9f][^/\\\x00-\x1f\x7f-\x9f]*$"
    )]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^/\\\x00-\x1f\x7f-\x9f]*[^/\\.\s\x00-\x1f\x7f-\x9f][^/\\\x00-\x1f\x7f-\x9f]*$"
    )]
    pub file_name: String,
    pub kind: AttachmentKind,
    /// The party it came from.
    pub source: AttachmentSource,
}

/// `DELETE` of an attachment: why it is withdrawn.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    #[serde(default)]
    pub reason: Option<String>,
}

/// Hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The API view of a stored attachment.
pub fn view(row: AttachmentRow) -> AttachmentView {
    AttachmentView {
        id: row.id,
        case_id: row.case_id,
        kind: row.kind,
        source: row.source,
        file_name: row.file_name,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        sha256: hex(&row.sha256),
        uploaded_by: row.uploaded_by,
        uploaded_at: row.uploaded_at,
        withdrawn_at: row.withdrawn_at,
        withdrawn_by: row.withdrawn_by,
        withdrawal_reason: row.withdrawal_reason,
    }
}

/// Stores an upload read from `body` piece by piece. The file is refused with 413 as soon as it
/// passes `max_bytes`, with 415 as soon as its first bytes show a type outside the allow-list,
/// and with 422 when empty; a refused upload leaves nothing behind (one transaction).
pub async fn upload<S, E>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    facts: UploadFacts,
    max_bytes: u64,
    mut body: S,
) -> ServiceResult<AttachmentView>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
    E: std::fmt::Display + Send,
{
    rules::check_file_name(&facts.file_name)
        .map_err(|reason| ServiceError::invalid_field("file_name", reason))?;
    conn.transaction(async |conn| {
        let row = writable_case(conn, caller, case_id).await?;
        let id = Uuid::now_v7();
        db::attachments::insert(
            conn,
            &NewAttachment {
                id,
                case_id: row.id,
                kind: facts.kind,
                source: facts.source,
                file_name: facts.file_name.clone(),
                content_type: String::new(),
                size_bytes: 0,
                sha256: Vec::new(),
                chunks: 0,
                uploaded_by: caller.user_id,
            },
        )
        .await?;
        let mut hasher = Sha256::new();
        let mut pending: Vec<u8> = Vec::with_capacity(CHUNK_BYTES * 2);
        let mut total: u64 = 0;
        let mut seq: i32 = 0;
        let mut content_type: Option<&'static str> = None;
        while let Some(piece) = body.next().await {
            let piece = piece.map_err(|err| {
                ServiceError::invalid_field("body", format!("the upload broke off: {err}"))
            })?;
            total += piece.len() as u64;
            if total > max_bytes {
                return Err(ServiceError::TooLarge { limit: max_bytes });
            }
            hasher.update(&piece);
            pending.extend_from_slice(&piece);
            if content_type.is_none() && pending.len() >= SNIFF_BYTES {
                content_type = Some(sniffed(&pending)?);
            }
            while pending.len() >= CHUNK_BYTES {
                db::attachments::insert_chunk(conn, id, seq, &pending[..CHUNK_BYTES]).await?;
                pending.drain(..CHUNK_BYTES);
                seq += 1;
            }
        }
        if total == 0 {
            return Err(ServiceError::invalid_field("body", "the file is empty"));
        }
        let content_type = match content_type {
            Some(found) => found,
            None => sniffed(&pending)?,
        };
        if !pending.is_empty() {
            db::attachments::insert_chunk(conn, id, seq, &pending).await?;
            seq += 1;
        }
        let stored = db::attachments::finish(
            conn,
            id,
            content_type,
            i64::try_from(total).unwrap_or(i64::MAX),
            &hasher.finalize(),
            seq,
        )
        .await?;
        tracing::info!(case_id = %row.id, attachment_id = %id, size = total, "attachment stored");
        Ok(view(stored))
    })
    .await
}

fn sniffed(head: &[u8]) -> ServiceResult<&'static str> {
    rules::sniff(head).ok_or_else(|| ServiceError::UnsupportedType {
        detail: "the file's content is not an allowed type (PDF, JPEG, PNG, TIFF, OFD or Office \
                 documents, MP4); the type is told from the content, not the name"
            .to_owned(),
    })
}

/// The attachments of a case, withdrawn ones included.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<Vec<AttachmentView>> {
    let row = readable_case(conn, caller, case_id).await?;
    Ok(db::attachments::of_case(conn, row.id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// One attachment the caller may read (its bytes follow with [`chunks`]).
pub async fn find(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
) -> ServiceResult<AttachmentRow> {
    let row = readable_case(conn, caller, case_id).await?;
    db::attachments::find(conn, row.id, id)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("attachment {id}")))
}

/// The bytes of an attachment as a stream of its chunks, each read on a pooled connection of its
/// own when it is wanted, so a slow client holds neither a connection nor the file.
pub fn chunks(
    pool: DbPool,
    attachment: &AttachmentRow,
) -> impl Stream<Item = Result<Bytes, ServiceError>> + 'static {
    let id = attachment.id;
    let count = attachment.chunks;
    futures_util::stream::unfold(0, move |seq| {
        let pool = pool.clone();
        async move {
            if seq >= count {
                return None;
            }
            let read = async {
                let mut conn = pool.get().await?;
                Ok::<_, ServiceError>(Bytes::from(
                    db::attachments::chunk(&mut conn, id, seq).await?,
                ))
            };
            Some((read.await, seq + 1))
        }
    })
}

/// Withdraws an attachment: recorded with who and why; the bytes stay until retention. A second
/// withdrawal is a 409.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
    withdrawal: Withdrawal,
) -> ServiceResult<AttachmentView> {
    let row = writable_case(conn, caller, case_id).await?;
    db::attachments::find(conn, row.id, id)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("attachment {id}")))?;
    let withdrawn =
        db::attachments::withdraw(conn, id, caller.user_id, withdrawal.reason.as_deref())
            .await?
            .ok_or_else(|| {
                ServiceError::conflict(format!("attachment {id} is already withdrawn"))
            })?;
    Ok(view(withdrawn))
}
