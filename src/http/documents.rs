//! Documents, attachments and the case file of a case: issuing documents generated from the
//! case's facts (`/cases/{id}/documents`), their final versions, corrections and service, the
//! organs' templates (`/organs/{id}/templates/{kind}`), attachments streamed in and out
//! (`/cases/{id}/attachments`) and the whole case file as a ZIP (`/cases/{id}/file`).
//!
//! Whoever reads the case (officers, heads, admins within reach) reads these; officers and heads
//! of the case's own organ add to them; statisticians get none.

use actix_web::{
    HttpRequest, HttpResponse, HttpResponseBuilder,
    http::{
        StatusCode,
        header::{
            self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
        },
    },
    web,
};
use base64::Engine;
use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    error::{ApiError, ApiResult, ProblemDetails},
    extract::Json,
};
use crate::{
    auth::Caller,
    domain::documents::{DocumentKind, DocumentOrigin},
    service::{
        archive,
        attachments::{self, AttachmentView, UploadFacts, Withdrawal},
        documents::{
            self as service, DOCX_TYPE, DocumentList, DocumentServiceRequest, DocumentServiceView,
            DocumentView, IssueRequest, TemplateView, UPLOADED_DOCUMENT_MAX_BYTES,
        },
        error::ServiceError,
        report::{self, ReportTemplateView},
    },
    startup::State,
};

fn json_response(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status).json(body)
}

/// `Content-Disposition: attachment` with the file's own (UTF-8) name, percent-encoded by
/// actix's typed header as RFC 6266 `filename*` asks.
fn disposition(name: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".to_owned()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        })],
    }
}

/// The headers of a stored file's download: its name, and its SHA-256 both as the `ETag` and as
/// `Repr-Digest` (RFC 9530).
fn file_headers(response: &mut HttpResponseBuilder, sha256: &[u8], file_name: &str) {
    response
        .insert_header((header::ETAG, format!("\"{}\"", attachments::hex(sha256))))
        .insert_header(disposition(file_name))
        .insert_header((
            "Repr-Digest",
            format!(
                "sha-256=:{}:",
                base64::engine::general_purpose::STANDARD.encode(sha256)
            ),
        ));
}

/// List a case's documents.
///
/// Every version of every document, oldest first (a replaced version names its replacement in
/// `replaced_by`), every record of service, and the day the respondent received the application
/// copy (from the service of the reply notice on the respondent).
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/documents", tag = "documents",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, body = DocumentList),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn list_documents(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let list = service::list(&mut conn, &caller, id.into_inner()).await?;
    Ok(json_response(StatusCode::OK, &list))
}

/// Generate and issue a document.
///
/// Generated from the case's recorded facts as a `.docx` (GB/T 9704-2012 layout) from the
/// organ's template of the kind, numbered from the organ's sequence of the kind and year (the
/// decision and mediation document carry the number recorded when the case was concluded). A
/// kind whose step is not on record is a 409 naming the rule.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/documents", tag = "documents",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = IssueRequest,
    responses(
        (status = 201, body = DocumentView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn issue_document(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(body): Json<IssueRequest>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let mut conn = state.pool.get().await?;
    let document = service::issue(&mut conn, &state, &caller, id, body).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/cases/{id}/documents/{}", document.id),
        ))
        .json(document))
}

/// Download a document version (`.docx`).
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/documents/{document_id}", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("document_id" = Uuid, Path, description = "Document version id"),
    ),
    responses(
        (status = 200, description = "The .docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         headers(("ETag" = String), ("Repr-Digest" = String), ("Content-Disposition" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn download_document(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, document_id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let (document, bytes) = service::download(&mut conn, &caller, id, document_id).await?;
    let mut response = HttpResponse::Ok();
    response.content_type(DOCX_TYPE);
    file_headers(&mut response, &document.sha256, &document.file_name);
    Ok(response.body(bytes))
}

/// How an uploaded version relates to the one it replaces.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// `final` for the edited final version, `correction` for a correction.
    #[param(inline)]
    pub origin: UploadedOrigin,
    /// Why; required for a correction.
    #[serde(default)]
    pub note: Option<String>,
}

/// Where an uploaded version came from: an officer's hands, never the service's generator, so
/// the document offers only these two.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadedOrigin {
    /// The edited final version issued in place of the generated one.
    Final,
    /// A correction of an issued version.
    Correction,
}

impl From<UploadedOrigin> for DocumentOrigin {
    fn from(origin: UploadedOrigin) -> Self {
        match origin {
            UploadedOrigin::Final => Self::Final,
            UploadedOrigin::Correction => Self::Correction,
        }
    }
}

/// Issue an edited final version or a correction of a document.
///
/// The body is the `.docx` itself. It becomes a new version with the same number that names the
/// version it replaces (which must be the current one, else 409); both are kept and neither ever
/// changes.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/documents/{document_id}/versions", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("document_id" = Uuid, Path, description = "The version replaced"),
        VersionQuery,
    ),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    responses(
        (status = 201, body = DocumentView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails), (status = 413, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn upload_version(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<VersionQuery>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (id, document_id) = path.into_inner();
    let mut body = Vec::new();
    while let Some(piece) = payload.next().await {
        let piece = piece.map_err(|err| ApiError::bad_request(err.to_string()))?;
        if body.len() + piece.len() > UPLOADED_DOCUMENT_MAX_BYTES {
            return Err(ApiError::payload_too_large(UPLOADED_DOCUMENT_MAX_BYTES));
        }
        body.extend_from_slice(&piece);
    }
    let query = query.into_inner();
    let mut conn = state.pool.get().await?;
    let document = service::issue_version(
        &mut conn,
        &caller,
        id,
        document_id,
        query.origin.into(),
        query.note,
        body,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/cases/{id}/documents/{}", document.id),
        ))
        .json(document))
}

/// Record the service of a document on one recipient.
///
/// Method, the day received and, optionally, the attachment holding the signed proof. Service
/// of the reply notice on the respondent gives the case's `respondent_copy_received_on`.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/documents/{document_id}/services", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("document_id" = Uuid, Path, description = "Document version served"),
    ),
    request_body = DocumentServiceRequest,
    responses(
        (status = 201, body = DocumentServiceView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn record_service(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    Json(body): Json<DocumentServiceRequest>,
) -> ApiResult<HttpResponse> {
    let (id, document_id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let service = service::record_service(&mut conn, &caller, id, document_id, body).await?;
    Ok(json_response(StatusCode::CREATED, &service))
}

/// List a case's attachments (withdrawn ones included, marked).
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/attachments", tag = "documents",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, body = Vec<AttachmentView>),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn list_attachments(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let list = attachments::list(&mut conn, &caller, id.into_inner()).await?;
    Ok(json_response(StatusCode::OK, &list))
}

/// Upload an attachment.
///
/// The body is the file itself (any `Content-Type`; the type is told from the content). It is
/// streamed into the database: a file over `FUYI_ATTACHMENT_MAX_BYTES` is a 413, a type outside
/// the allow-list a 415, an empty file or a bad name a 422.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/attachments", tag = "documents",
    params(("id" = Uuid, Path, description = "Case id"), UploadFacts),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = AttachmentView, headers(("Location" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 413, body = ProblemDetails), (status = 415, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn upload_attachment(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: web::Query<UploadFacts>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let limit = state.settings.documents.attachment_max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ServiceError::TooLarge { limit }.into());
    }
    // The request body cannot leave this thread; a small channel carries it to the (Send) use
    // case, a few pieces at a time, so memory stays bounded whatever the file's size.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, String>>(4);
    actix_web::rt::spawn(async move {
        while let Some(piece) = payload.next().await {
            let failed = piece.is_err();
            if sender
                .send(piece.map_err(|err| err.to_string()))
                .await
                .is_err()
                || failed
            {
                break;
            }
        }
    });
    let body = Box::pin(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|piece| (piece, receiver)) },
    ));
    let mut conn = state.pool.get().await?;
    let stored =
        attachments::upload(&mut conn, &caller, id, query.into_inner(), limit, body).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/cases/{id}/attachments/{}", stored.id),
        ))
        .json(stored))
}

/// Download an attachment, streamed chunk by chunk.
///
/// Withdrawn attachments stay readable (their bytes stay until retention).
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/attachments/{attachment_id}", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("attachment_id" = Uuid, Path, description = "Attachment id"),
    ),
    responses(
        // Every type `domain::documents::sniff` can tell at upload, which the download answers.
        (status = 200, description = "The file, as the type told from its content at upload",
         content(
             ("application/pdf"), ("image/jpeg"), ("image/png"), ("image/tiff"),
             ("application/zip"), ("application/x-ole-storage"), ("video/mp4"),
         ),
         headers(("ETag" = String), ("Repr-Digest" = String), ("Content-Disposition" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn download_attachment(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, attachment_id) = path.into_inner();
    let row = {
        let mut conn = state.pool.get().await?;
        attachments::find(&mut conn, &caller, id, attachment_id).await?
    };
    let size = u64::try_from(row.size_bytes).unwrap_or(0);
    let mut response = HttpResponse::Ok();
    response
        .content_type(row.content_type.as_str())
        .no_chunking(size);
    file_headers(&mut response, &row.sha256, &row.file_name);
    let stream = attachments::chunks(state.pool.clone(), &row).map(|piece| {
        piece.map_err(|err| {
            tracing::error!(error = %err, "attachment download broke off");
            std::io::Error::other(err.to_string())
        })
    });
    Ok(response.streaming(stream))
}

/// Withdraw an attachment.
///
/// Recorded with who and why; the bytes stay until retention and the case file lists it as
/// withdrawn. A second withdrawal is a 409.
#[utoipa::path(
    delete, path = "/api/v1/cases/{id}/attachments/{attachment_id}", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("attachment_id" = Uuid, Path, description = "Attachment id"),
        Withdrawal,
    ),
    responses(
        (status = 200, body = AttachmentView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 409, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw_attachment(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<Withdrawal>,
) -> ApiResult<HttpResponse> {
    let (id, attachment_id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let withdrawn =
        attachments::withdraw(&mut conn, &caller, id, attachment_id, query.into_inner()).await?;
    Ok(json_response(StatusCode::OK, &withdrawn))
}

/// Download the whole case file as a ZIP.
///
/// The index (卷内目录.csv) in filing order, every document version, every attachment not
/// withdrawn, the case history (history.json) and a manifest with each file's SHA-256
/// (manifest.json).
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/file", tag = "documents",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case file", content_type = "application/zip",
         headers(("Content-Disposition" = String))),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn case_file(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let (file, size, name) = {
        let mut conn = state.pool.get().await?;
        archive::case_file(&mut conn, &caller, id.into_inner()).await?
    };
    let file = tokio::fs::File::from_std(file);
    let stream = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buffer)), file))
            }
            Err(err) => Some((Err(err), file)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(disposition(&name))
        .no_chunking(size)
        .streaming(stream))
}

/// Read the template of a document kind that applies to an organ.
#[utoipa::path(
    get, path = "/api/v1/organs/{id}/templates/{kind}", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Organ id"),
        ("kind" = DocumentKind, Path, description = "Document kind"),
    ),
    responses(
        (status = 200, body = TemplateView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn get_template(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, DocumentKind)>,
) -> ApiResult<HttpResponse> {
    let (organ_id, kind) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let view = service::get_template(&mut conn, &caller, organ_id, kind).await?;
    Ok(json_response(StatusCode::OK, &view))
}

/// A template to store.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// The template text (see `TemplateView.body`).
    pub body: String,
}

/// Replace an organ's template of a document kind (admin).
///
/// Its placeholders are checked: an unknown one is a 422 naming it.
#[utoipa::path(
    put, path = "/api/v1/organs/{id}/templates/{kind}", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Organ id"),
        ("kind" = DocumentKind, Path, description = "Document kind"),
    ),
    request_body = TemplateBody,
    responses(
        (status = 200, body = TemplateView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn put_template(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, DocumentKind)>,
    Json(body): Json<TemplateBody>,
) -> ApiResult<HttpResponse> {
    let (organ_id, kind) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let view = service::put_template(&mut conn, &caller, organ_id, kind, &body.body).await?;
    Ok(json_response(StatusCode::OK, &view))
}

/// Drop an organ's template of a document kind (admin); the shipped one applies again.
#[utoipa::path(
    delete, path = "/api/v1/organs/{id}/templates/{kind}", tag = "documents",
    params(
        ("id" = Uuid, Path, description = "Organ id"),
        ("kind" = DocumentKind, Path, description = "Document kind"),
    ),
    responses(
        (status = 200, body = TemplateView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn reset_template(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, DocumentKind)>,
) -> ApiResult<HttpResponse> {
    let (organ_id, kind) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let view = service::reset_template(&mut conn, &caller, organ_id, kind).await?;
    Ok(json_response(StatusCode::OK, &view))
}

/// Read the statistics report template that applies to an organ.
#[utoipa::path(
    get, path = "/api/v1/organs/{id}/report-template", tag = "statistics",
    params(("id" = Uuid, Path, description = "Organ id")),
    responses(
        (status = 200, body = ReportTemplateView),
        (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn get_report_template(
    state: State,
    caller: Caller,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = report::get_template(&mut conn, &caller, path.into_inner()).await?;
    Ok(json_response(StatusCode::OK, &view))
}

/// Replace an organ's statistics report template (admin).
///
/// Its placeholders are checked: an unknown one, or a table not alone on its line, is a 422
/// naming it.
#[utoipa::path(
    put, path = "/api/v1/organs/{id}/report-template", tag = "statistics",
    params(("id" = Uuid, Path, description = "Organ id")),
    request_body = TemplateBody,
    responses(
        (status = 200, body = ReportTemplateView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
        (status = 422, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn put_report_template(
    state: State,
    caller: Caller,
    path: web::Path<Uuid>,
    Json(body): Json<TemplateBody>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = report::put_template(&mut conn, &caller, path.into_inner(), &body.body).await?;
    Ok(json_response(StatusCode::OK, &view))
}

/// Drop an organ's statistics report template (admin); the shipped one applies again.
#[utoipa::path(
    delete, path = "/api/v1/organs/{id}/report-template", tag = "statistics",
    params(("id" = Uuid, Path, description = "Organ id")),
    responses(
        (status = 200, body = ReportTemplateView),
        (status = 403, body = ProblemDetails), (status = 404, body = ProblemDetails),
    ),
    security(("bearer" = []))
)]
pub async fn reset_report_template(
    state: State,
    caller: Caller,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = report::reset_template(&mut conn, &caller, path.into_inner()).await?;
    Ok(json_response(StatusCode::OK, &view))
}
