//! The case file (案卷) as one ZIP: the index (卷内目录) in the order archives file a
//! reconsideration case, every document version, every attachment not withdrawn, the case
//! history and a manifest with each file's SHA-256. Built in a temporary file, attachment chunk
//! by chunk, so no file is ever whole in memory.

use std::io::{Seek, SeekFrom, Write};

use diesel_async::AsyncPgConnection;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zip::{ZipWriter, write::SimpleFileOptions};

use crate::{
    auth::Caller,
    db,
    domain::documents::{AttachmentKind, DocumentKind},
    service::{
        attachments::hex,
        documents::readable_case,
        error::{ServiceError, ServiceResult},
    },
};

/// Where a document kind is filed: application, acceptance, reply and evidence, hearing,
/// procedural notices, the conclusion, then service and letters.
fn document_rank(kind: DocumentKind) -> u8 {
    use DocumentKind as K;
    match kind {
        K::ApplicationRecord => 10,
        K::SupplementNotice => 12,
        K::NotAcceptedDecision => 14,
        K::AcceptanceNotice => 16,
        K::ReplyNotice => 18,
        K::HearingNotice => 30,
        K::SuspensionNotice => 32,
        K::ResumptionNotice => 34,
        K::ExtensionNotice => 36,
        K::Decision | K::MediationDocument | K::TerminationDecision | K::DismissalDecision => 40,
        K::ProofOfService => 50,
        K::OpinionLetter | K::RecommendationLetter => 60,
    }
}

fn attachment_rank(kind: AttachmentKind) -> u8 {
    match kind {
        AttachmentKind::ApplicationMaterial => 11,
        AttachmentKind::Evidence => 20,
        AttachmentKind::Reply => 22,
        AttachmentKind::ReplyEvidence => 24,
        AttachmentKind::ProofOfService => 51,
        AttachmentKind::Other => 70,
    }
}

/// One filed item of the index.
struct Item {
    rank: u8,
    at: chrono::DateTime<chrono::Utc>,
    title: String,
    number: String,
    date: String,
    source: Source,
}

enum Source {
    Document(Uuid),
    Attachment { id: Uuid, chunks: i32, name: String },
}

fn zip_err(err: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal(anyhow::anyhow!("writing the case file: {err}"))
}

/// Writes `bytes` as `name` and notes its hash in the manifest.
fn put(
    zip: &mut ZipWriter<std::fs::File>,
    manifest: &mut Vec<serde_json::Value>,
    name: &str,
    bytes: &[u8],
) -> ServiceResult<()> {
    zip.start_file(name, SimpleFileOptions::default())
        .map_err(zip_err)?;
    zip.write_all(bytes).map_err(zip_err)?;
    manifest
        .push(json!({"file": name, "sha256": hex(&Sha256::digest(bytes)), "size": bytes.len()}));
    Ok(())
}

/// Builds the case file of a case the caller may read; returns the file, rewound, with its size.
pub async fn case_file(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<(std::fs::File, u64, String)> {
    let row = readable_case(conn, caller, case_id).await?;
    let documents = db::documents::of_case(conn, row.id).await?;
    let attachments = db::attachments::of_case(conn, row.id).await?;
    let history = db::events::history(conn, row.id).await?;

    let mut items: Vec<Item> = documents
        .iter()
        .map(|d| Item {
            rank: document_rank(d.kind),
            at: d.created_at,
            title: if d.version > 1 {
                format!("{}（第{}版，{}）", d.kind.title_zh(), d.version, d.origin)
            } else {
                d.kind.title_zh().to_owned()
            },
            number: d.document_number.clone(),
            date: d.issued_on.to_string(),
            source: Source::Document(d.id),
        })
        .collect();
    items.extend(
        attachments
            .iter()
            .filter(|a| a.withdrawn_at.is_none())
            .map(|a| Item {
                rank: attachment_rank(a.kind),
                at: a.uploaded_at,
                title: a.file_name.clone(),
                number: String::new(),
                date: a.uploaded_at.date_naive().to_string(),
                source: Source::Attachment {
                    id: a.id,
                    chunks: a.chunks,
                    name: a.file_name.clone(),
                },
            }),
    );
    items.sort_by_key(|item| (item.rank, item.at));

    let file = tempfile::tempfile().map_err(zip_err)?;
    let mut zip = ZipWriter::new(file);
    let mut manifest = Vec::new();
    let mut index = String::from("\u{feff}序号,题名,文号,日期,文件\r\n");
    for (n, item) in items.iter().enumerate() {
        let n = n + 1;
        let name = match &item.source {
            Source::Document(id) => {
                let name = format!("{n:03}-{}.docx", item.title);
                let bytes = db::documents::content(conn, *id).await?;
                put(&mut zip, &mut manifest, &name, &bytes)?;
                name
            }
            Source::Attachment { id, chunks, name } => {
                let name = format!("{n:03}-{name}");
                zip.start_file(&name, SimpleFileOptions::default())
                    .map_err(zip_err)?;
                let mut hasher = Sha256::new();
                let mut size = 0usize;
                for seq in 0..*chunks {
                    let chunk = db::attachments::chunk(conn, *id, seq).await?;
                    hasher.update(&chunk);
                    size += chunk.len();
                    zip.write_all(&chunk).map_err(zip_err)?;
                }
                manifest
                    .push(json!({"file": name, "sha256": hex(&hasher.finalize()), "size": size}));
                name
            }
        };
        let cell = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        index.push_str(&format!(
            "{n},{},{},{},{}\r\n",
            cell(&item.title),
            cell(&item.number),
            item.date,
            cell(&name)
        ));
    }
    let events: Vec<serde_json::Value> = history
        .iter()
        .map(|(e, username)| {
            json!({"seq": e.seq, "action": e.action, "from_state": e.from_state,
                   "to_state": e.to_state, "occurred_on": e.occurred_on, "actor": username,
                   "recorded_at": e.recorded_at, "payload": e.payload})
        })
        .collect();
    let history_json = serde_json::to_vec_pretty(&events).map_err(ServiceError::internal)?;
    put(&mut zip, &mut manifest, "history.json", &history_json)?;
    put(&mut zip, &mut manifest, "卷内目录.csv", index.as_bytes())?;
    let withdrawn: Vec<serde_json::Value> = attachments
        .iter()
        .filter(|a| a.withdrawn_at.is_some())
        .map(|a| {
            json!({"id": a.id, "file_name": a.file_name, "sha256": hex(&a.sha256),
                         "withdrawn_at": a.withdrawn_at, "reason": a.withdrawal_reason})
        })
        .collect();
    let manifest_json = serde_json::to_vec_pretty(&json!({
        "case_id": row.id,
        "case_number": row.case_number,
        "files": manifest,
        "withdrawn_attachments": withdrawn,
    }))
    .map_err(ServiceError::internal)?;
    zip.start_file("manifest.json", SimpleFileOptions::default())
        .map_err(zip_err)?;
    zip.write_all(&manifest_json).map_err(zip_err)?;
    let mut file = zip.finish().map_err(zip_err)?;
    let size = file.seek(SeekFrom::End(0)).map_err(zip_err)?;
    file.seek(SeekFrom::Start(0)).map_err(zip_err)?;
    let name = format!("case-{}.zip", row.id);
    Ok((file, size, name))
}
