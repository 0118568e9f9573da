//! Documents of a case: generating and issuing them from the case's recorded facts, their
//! numbers, edited final versions and corrections, the service on each recipient, and the
//! organs' own templates.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::attachments::hex;
use crate::{
    auth::{Caller, Role},
    db::{
        self,
        cases::{CaseRow, PartyRow},
        documents::{DocumentRow, NewDocument, ServiceRow},
        events::EventRow,
        organs::Organ,
    },
    domain::{
        ApiValue,
        case::PartyRole,
        documents::{
            self as rules, DocumentKind, DocumentOrigin, TemplateError, chinese_date,
            chinese_number,
        },
        followup::{Recipient, ServiceMethod},
        lifecycle::{Action, ActionKind, CaseLifecycle},
    },
    service::{
        docx,
        error::{ConflictAbout, ServiceError, ServiceResult},
    },
    startup::AppState,
};

/// The largest edited `.docx` accepted as a final version or correction.
pub const UPLOADED_DOCUMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The media type of a `.docx`.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `POST /api/v1/cases/{id}/documents`: the document to generate and issue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// The kind of document.
    pub kind: DocumentKind,
    /// The date printed on it; by default the date of the step it records (the decision date
    /// for a decision), or today for kinds without one. Never in the future.
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    /// Opinion and recommendation letters: the addressee (default: the respondent). Proof of
    /// service: the person served.
    #[serde(default)]
    pub recipient: Option<String>,
    /// Opinion and recommendation letters: the text of the opinion or recommendation (required).
    #[serde(default)]
    pub letter_text: Option<String>,
    /// Proof of service: the issued document of this case it proves service of (required).
    #[serde(default)]
    pub served_document_id: Option<Uuid>,
}

/// A version of an issued document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: DocumentKind,
    /// The kind's title, e.g. 行政复议决定书.
    pub title: String,
    /// The document number, shared by all versions of a document.
    pub document_number: String,
    pub issued_on: NaiveDate,
    /// 1 for the generated document, then one more for each final version or correction.
    pub version: i32,
    pub origin: DocumentOrigin,
    /// The version this one replaces.
    pub replaces_id: Option<Uuid>,
    /// The version that replaced this one, if any; only the last version of a line is current.
    pub replaced_by: Option<Uuid>,
    /// Proof of service: the document it proves service of.
    pub served_document_id: Option<Uuid>,
    /// Why a final version or correction was issued.
    pub note: Option<String>,
    pub file_name: String,
    /// SHA-256 of the file, in hex.
    pub sha256: String,
    pub size_bytes: i64,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A record of service of a document on one recipient.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentServiceView {
    pub id: Uuid,
    pub document_id: Uuid,
    pub recipient_role: Recipient,
    pub recipient_name: String,
    pub method: ServiceMethod,
    /// The day the recipient received the document (the legal date of service).
    pub served_on: NaiveDate,
    /// The attachment holding the signed, returned proof of service.
    pub proof_attachment_id: Option<Uuid>,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// `POST /api/v1/cases/{id}/documents/{document_id}/services`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentServiceRequest {
    pub recipient_role: Recipient,
    /// Who was served (name of the person or agency).
    #[schema(pattern = r"\S")]
    pub recipient_name: String,
    pub method: ServiceMethod,
    /// The day the recipient received it; never in the future.
    pub served_on: NaiveDate,
    /// An attachment of this case (kind `proof_of_service`) holding the signed proof.
    #[serde(default)]
    pub proof_attachment_id: Option<Uuid>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The documents of a case with their service.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentList {
    /// Every version, oldest first.
    pub documents: Vec<DocumentView>,
    /// Every record of service, in the order served.
    pub services: Vec<DocumentServiceView>,
    /// The day the respondent received the application copy: the earliest service of a reply
    /// notice on the respondent (a legal date other rules can use).
    pub respondent_copy_received_on: Option<NaiveDate>,
}

/// A kind's template as it applies to an organ.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TemplateView {
    pub organ_id: Uuid,
    pub kind: DocumentKind,
    /// True when the organ replaced the shipped template.
    pub customised: bool,
    /// The template text: one paragraph a line; `# ` title, `= ` centred, `> ` right-aligned,
    /// `- ` flush left, other lines indented body text; `{{name}}` placeholders.
    pub body: String,
    /// The placeholders this kind offers.
    pub placeholders: Vec<String>,
}

/// Reading documents and attachments needs a role that works with cases or oversees them.
pub fn require_reader(caller: &Caller) -> ServiceResult<()> {
    if caller.has_any_role(&[Role::Officer, Role::Head, Role::Admin]) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "documents and attachments need the officer, head or admin role; statisticians read figures",
        ))
    }
}

/// A case the caller may read, or 404 (403 for statisticians).
pub async fn readable_case(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<CaseRow> {
    require_reader(caller)?;
    crate::service::cases::find(conn, caller, id).await
}

/// A case the caller may add documents or files to: an officer or head of the case's own organ.
/// A superior organ reads it (403 on a change); out of reach is 404.
pub async fn writable_case(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<CaseRow> {
    let row = readable_case(conn, caller, id).await?;
    if !caller.has_any_role(&[Role::Officer, Role::Head]) {
        return Err(ServiceError::forbidden(
            "issuing documents and adding files needs the officer or head role",
        ));
    }
    if row.organ_id != caller.organ_id {
        return Err(ServiceError::forbidden(
            "cases of a subordinate organ can be read but not changed",
        ));
    }
    Ok(row)
}

fn view(row: DocumentRow, replaced_by: Option<Uuid>) -> DocumentView {
    DocumentView {
        id: row.id,
        case_id: row.case_id,
        kind: row.kind,
        title: row.kind.title_zh().to_owned(),
        document_number: row.document_number,
        issued_on: row.issued_on,
        version: row.version,
        origin: row.origin,
        replaces_id: row.replaces_id,
        replaced_by,
        served_document_id: row.served_document_id,
        note: row.note,
        file_name: row.file_name,
        sha256: hex(&row.sha256),
        size_bytes: row.size_bytes,
        created_by: row.created_by,
        created_at: row.created_at,
    }
}

fn service_view(row: ServiceRow) -> DocumentServiceView {
    DocumentServiceView {
        id: row.id,
        document_id: row.document_id,
        recipient_role: row.recipient_role,
        recipient_name: row.recipient_name,
        method: row.method,
        served_on: row.served_on,
        proof_attachment_id: row.proof_attachment_id,
        note: row.note,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at,
    }
}

/// The template of `kind` that applies to `organ_id`: its own, else the shipped one.
async fn template_text(
    conn: &mut AsyncPgConnection,
    organ_id: Uuid,
    kind: DocumentKind,
) -> ServiceResult<String> {
    Ok(db::documents::template(conn, organ_id, kind.as_str())
        .await?
        .unwrap_or_else(|| kind.default_template().to_owned()))
}

/// The latest event of `action` in `history`.
fn latest(history: &[EventRow], action: ActionKind) -> Option<&EventRow> {
    history
        .iter()
        .rev()
        .find(|event| event.action == action.as_str())
}

/// The action recorded by `event`.
fn action_of(event: &EventRow) -> ServiceResult<Action> {
    serde_json::from_value(event.payload["action"].clone()).map_err(ServiceError::internal)
}

fn names(parties: &[PartyRow], role: PartyRole) -> String {
    let list: Vec<&str> = parties
        .iter()
        .filter(|p| p.role == role)
        .map(|p| p.name.as_str())
        .collect();
    if list.is_empty() {
        "无".to_owned()
    } else {
        list.join("、")
    }
}

/// Everything a document needs to be generated.
struct Facts<'a> {
    kind: DocumentKind,
    organ: &'a Organ,
    row: &'a CaseRow,
    lifecycle: &'a CaseLifecycle,
    parties: &'a [PartyRow],
    respondent: &'a str,
    history: &'a [EventRow],
    number: &'a str,
    issued_on: NaiveDate,
    request: &'a IssueRequest,
    served: Option<&'a DocumentRow>,
}

/// The placeholder values of a document, from the case's recorded facts.
fn values(facts: &Facts<'_>) -> ServiceResult<BTreeMap<&'static str, String>> {
    let Facts {
        kind,
        organ,
        row,
        lifecycle: lc,
        parties,
        respondent,
        ..
    } = facts;
    let date = |d: Option<NaiveDate>| d.map(chinese_date).unwrap_or_default();
    let mut v: BTreeMap<&'static str, String> = BTreeMap::from([
        ("title", kind.title_zh().to_owned()),
        ("organ_name", organ.name.clone()),
        ("organ_short_name", organ.short_name.clone()),
        ("case_number", row.case_number.clone().unwrap_or_default()),
        ("document_number", facts.number.to_owned()),
        ("issued_date", chinese_date(facts.issued_on)),
        ("applicants", names(parties, PartyRole::Applicant)),
        ("agents", names(parties, PartyRole::Agent)),
        ("third_parties", names(parties, PartyRole::ThirdParty)),
        ("respondent", (*respondent).to_owned()),
        ("received_date", chinese_date(row.received_on)),
        (
            "act_document_number",
            row.act_document_number.clone().unwrap_or_default(),
        ),
        ("act_date", chinese_date(row.act_date)),
        ("request", row.request.clone()),
        ("reasons", row.reasons.clone()),
        ("accepted_date", date(lc.accepted_on)),
        (
            "recipient_name",
            facts.request.recipient.clone().unwrap_or_default(),
        ),
        ("channel", row.channel.as_str().to_owned()),
    ]);
    if let Some(procedure) = lc.procedure {
        v.insert("procedure", rules::procedure_zh(procedure).to_owned());
    }
    v.insert(
        "reply_period",
        rules::reply_period_zh(lc.procedure).to_owned(),
    );
    v.insert(
        "copy_sent_date",
        lc.copy_sent_on
            .map_or("　　年　　月　　日".to_owned(), chinese_date),
    );
    if let Some(event) = kind.source_action().and_then(|a| latest(facts.history, a)) {
        let on = chinese_date(event.occurred_on);
        match action_of(event)? {
            Action::RequestSupplement { items, .. } => {
                let list: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| format!("{}. {item}", i + 1))
                    .collect();
                v.insert("supplement_items", list.join("；"));
                v.insert("supplement_requested_date", on);
            }
            Action::Decline {
                reason,
                competent_organ,
                ..
            } => {
                v.insert(
                    "decline_reason",
                    rules::decline_reason_zh(reason).to_owned(),
                );
                v.insert(
                    "competent_organ",
                    competent_organ
                        .map(|o| format!("申请人可以向{o}申请行政复议。"))
                        .unwrap_or_default(),
                );
                v.insert("declined_date", on);
            }
            Action::Suspend { ground, .. } => {
                v.insert(
                    "suspension_ground",
                    rules::suspension_ground_zh(ground).to_owned(),
                );
                v.insert("suspended_date", on);
            }
            Action::Resume { .. } => {
                v.insert("resumed_date", on);
            }
            Action::Extend { days, reason, .. } => {
                v.insert("extension_days", chinese_number(days));
                v.insert("extension_reason", reason);
                v.insert("extended_date", on);
            }
            Action::Terminate { ground, .. } => {
                v.insert(
                    "termination_ground",
                    rules::termination_ground_zh(ground).to_owned(),
                );
                v.insert("terminated_date", on);
            }
            Action::Decide {
                disposition,
                reasoning,
                legal_basis,
                partial,
                remake_ordered,
                comply_within_days,
                ..
            } => {
                v.insert(
                    "disposition",
                    rules::disposition_zh(disposition, partial, remake_ordered),
                );
                v.insert("reasoning", reasoning);
                v.insert("legal_basis", legal_basis);
                v.insert("decided_date", on);
                v.insert(
                    "comply_within_days",
                    comply_within_days
                        .map(|d| {
                            format!(
                                "被申请人应当自收到本决定书之日起{}日内履行。",
                                chinese_number(d)
                            )
                        })
                        .unwrap_or_default(),
                );
            }
            Action::Mediate { .. } => {
                v.insert("mediated_date", on);
            }
            Action::DismissApplication { reason } => {
                v.insert("dismissal_reason", reason);
                v.insert("dismissed_date", on);
            }
            _ => {}
        }
    }
    if let Some(event) = latest(facts.history, ActionKind::Hear)
        && let Action::Hear {
            method, hearing_on, ..
        } = action_of(event)?
    {
        v.insert(
            "hearing_method",
            rules::hearing_method_zh(method).to_owned(),
        );
        v.insert(
            "hearing_date",
            chinese_date(hearing_on.unwrap_or(event.occurred_on)),
        );
    }
    if matches!(
        kind,
        DocumentKind::OpinionLetter | DocumentKind::RecommendationLetter
    ) {
        v.insert(
            "recipient",
            facts
                .request
                .recipient
                .clone()
                .unwrap_or_else(|| (*respondent).to_owned()),
        );
        v.insert(
            "letter_text",
            facts.request.letter_text.clone().unwrap_or_default(),
        );
    }
    if let Some(served) = facts.served {
        v.insert("served_document_title", served.kind.title_zh().to_owned());
        v.insert("served_document_number", served.document_number.clone());
    }
    Ok(v)
}

async fn respondent_name(conn: &mut AsyncPgConnection, id: Uuid) -> ServiceResult<String> {
    use crate::db::schema::respondents;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    Ok(respondents::table
        .find(id)
        .select(respondents::name)
        .first(conn)
        .await?)
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// Generates a document of `request.kind` from the case's recorded facts, numbers it and stores
/// it as version 1. A kind whose step is not on record is refused with 409 naming the rule.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    case_id: Uuid,
    request: IssueRequest,
) -> ServiceResult<DocumentView> {
    let kind = request.kind;
    if matches!(
        kind,
        DocumentKind::OpinionLetter | DocumentKind::RecommendationLetter
    ) && request
        .letter_text
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        return Err(ServiceError::invalid_field(
            "letter_text",
            "an opinion or recommendation letter needs its text",
        ));
    }
    if kind == DocumentKind::ProofOfService && request.served_document_id.is_none() {
        return Err(ServiceError::invalid_field(
            "served_document_id",
            "a proof of service names the document served",
        ));
    }
    conn.transaction(async |conn| {
        let row = writable_case(conn, caller, case_id).await?;
        let lifecycle = row.lifecycle().map_err(ServiceError::internal)?;
        let history: Vec<EventRow> = db::events::history(conn, row.id)
            .await?
            .into_iter()
            .map(|(event, _)| event)
            .collect();
        rules::check_issuable(kind, lifecycle.state, |action| {
            latest(&history, action).is_some()
        })
        .map_err(|refusal| ServiceError::RuleViolated {
            rule: refusal.rule,
            reason: refusal.reason,
            // Issuing a document is not a lifecycle action; the case's own actions are in its view.
            allowed: Vec::new(),
        })?;
        let served =
            match request.served_document_id {
                Some(id) => Some(db::documents::find(conn, row.id, id).await?.ok_or_else(
                    || {
                        ServiceError::invalid_field(
                            "served_document_id",
                            format!("no document {id} of this case"),
                        )
                    },
                )?),
                None => None,
            };
        let organ = db::organs::find_organ(conn, row.organ_id).await?;
        let today = organ.today();
        let step_date = kind
            .source_action()
            .and_then(|action| latest(&history, action))
            .map(|event| event.occurred_on);
        let issued_on = request.issued_on.or(step_date).unwrap_or(today);
        if issued_on > today {
            return Err(ServiceError::invalid_field(
                "issued_on",
                format!("{issued_on} is in the future (today is {today})"),
            ));
        }
        let number = match (
            kind.number_recorded_on_case(),
            &lifecycle.decision_document_number,
        ) {
            (true, Some(recorded)) => {
                // The concluding document exists once; a changed text is a new version of it.
                let existing = db::documents::of_case(conn, row.id).await?;
                if let Some(first) = existing
                    .iter()
                    .find(|d| d.version == 1 && &d.document_number == recorded)
                {
                    return Err(ServiceError::conflict_about(
                        format!(
                            "{kind} {recorded} was issued already as document {}; issue a \
                             final version or a correction of its current version instead",
                            first.id
                        ),
                        ConflictAbout::Rule("document_issued_once"),
                    ));
                }
                recorded.clone()
            }
            _ => {
                let year = issued_on.year();
                let seq = db::documents::next_sequence(conn, organ.id, year, kind).await?;
                rules::format_number(
                    state.settings.documents.number_style(kind),
                    &organ.short_name,
                    kind,
                    year,
                    seq,
                )
            }
        };
        let parties = db::cases::parties_of(conn, row.id).await?;
        let respondent = respondent_name(conn, row.respondent_id).await?;
        let template = template_text(conn, organ.id, kind).await?;
        let facts = Facts {
            kind,
            organ: &organ,
            row: &row,
            lifecycle: &lifecycle,
            parties: &parties,
            respondent: &respondent,
            history: &history,
            number: &number,
            issued_on,
            request: &request,
            served: served.as_ref(),
        };
        let values = values(&facts)?;
        let lines: Vec<_> = rules::parse_template(&template)
            .into_iter()
            .map(|mut line| {
                line.text = rules::fill(&line.text, &values);
                line
            })
            .collect();
        let bytes = docx::render(&lines).map_err(ServiceError::internal)?;
        let stored = db::documents::insert(
            conn,
            &NewDocument {
                id: Uuid::now_v7(),
                case_id: row.id,
                organ_id: organ.id,
                kind,
                document_number: number,
                issued_on,
                version: 1,
                origin: DocumentOrigin::Generated,
                replaces_id: None,
                served_document_id: served.map(|s| s.id),
                note: None,
                file_name: format!("{kind}-v1.docx"),
                sha256: sha256(&bytes),
                size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                content: bytes,
                created_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(case_id = %row.id, document_id = %stored.id, %kind, "document issued");
        Ok(view(stored, None))
    })
    .await
}

/// Issues an edited final version, or a correction, of the current version `replaces`: a new
/// version with the same number that names the one it replaces. Both stay.
pub async fn issue_version(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    replaces: Uuid,
    origin: DocumentOrigin,
    note: Option<String>,
    bytes: Vec<u8>,
) -> ServiceResult<DocumentView> {
    if origin == DocumentOrigin::Generated {
        return Err(ServiceError::invalid_field(
            "origin",
            "an uploaded version is `final` or `correction`",
        ));
    }
    if origin == DocumentOrigin::Correction && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(ServiceError::invalid_field(
            "note",
            "a correction says what it corrects",
        ));
    }
    check_docx(&bytes)?;
    conn.transaction(async |conn| {
        let row = writable_case(conn, caller, case_id).await?;
        let previous = db::documents::find(conn, row.id, replaces)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("document {replaces}")))?;
        if let Some(newer) = db::documents::replacement_of(conn, previous.id).await? {
            return Err(ServiceError::conflict(format!(
                "version {} was already replaced by {newer}; replace the current version",
                previous.version
            )));
        }
        let version = previous.version + 1;
        let stored = db::documents::insert(
            conn,
            &NewDocument {
                id: Uuid::now_v7(),
                case_id: row.id,
                organ_id: previous.organ_id,
                kind: previous.kind,
                document_number: previous.document_number.clone(),
                issued_on: previous.issued_on,
                version,
                origin,
                replaces_id: Some(previous.id),
                served_document_id: previous.served_document_id,
                note,
                file_name: format!("{}-v{version}.docx", previous.kind),
                sha256: sha256(&bytes),
                size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                content: bytes,
                created_by: caller.user_id,
            },
        )
        .await?;
        Ok(view(stored, None))
    })
    .await
}

/// An uploaded version must be a Word document: a ZIP package with `word/document.xml`.
fn check_docx(bytes: &[u8]) -> ServiceResult<()> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes));
    match archive {
        Ok(archive) if archive.file_names().any(|n| n == "word/document.xml") => Ok(()),
        _ => Err(ServiceError::invalid_field(
            "body",
            "not a .docx (a ZIP package with word/document.xml)",
        )),
    }
}

/// The documents of a case, with their service and the respondent's receipt of the copy.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<DocumentList> {
    let row = readable_case(conn, caller, case_id).await?;
    let rows = db::documents::of_case(conn, row.id).await?;
    let replaced: BTreeMap<Uuid, Uuid> = rows
        .iter()
        .filter_map(|d| d.replaces_id.map(|old| (old, d.id)))
        .collect();
    let documents = rows
        .into_iter()
        .map(|d| {
            let by = replaced.get(&d.id).copied();
            view(d, by)
        })
        .collect();
    let services = db::documents::services_of_case(conn, row.id)
        .await?
        .into_iter()
        .map(service_view)
        .collect();
    Ok(DocumentList {
        documents,
        services,
        respondent_copy_received_on: respondent_copy_received_on(conn, row.id).await?,
    })
}

/// The day the respondent received the application copy, from the service of the reply notice
/// (提出答复通知书) on the respondent; `None` until that service is recorded. For rules that run
/// from that day (the reply period of arts. 48 and 54).
pub async fn respondent_copy_received_on(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
) -> ServiceResult<Option<NaiveDate>> {
    Ok(db::documents::respondent_copy_received_on(conn, case_id).await?)
}

/// One version's facts and bytes.
pub async fn download(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    id: Uuid,
) -> ServiceResult<(DocumentRow, Vec<u8>)> {
    let row = readable_case(conn, caller, case_id).await?;
    let document = db::documents::find(conn, row.id, id)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("document {id}")))?;
    let bytes = db::documents::content(conn, document.id).await?;
    Ok((document, bytes))
}

/// Records the service of a document on one recipient.
pub async fn record_service(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    document_id: Uuid,
    request: DocumentServiceRequest,
) -> ServiceResult<DocumentServiceView> {
    if request.recipient_name.trim().is_empty() {
        return Err(ServiceError::invalid_field(
            "recipient_name",
            "must not be blank",
        ));
    }
    conn.transaction(async |conn| {
        let row = writable_case(conn, caller, case_id).await?;
        let document = db::documents::find(conn, row.id, document_id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("document {document_id}")))?;
        let organ = db::organs::find_organ(conn, row.organ_id).await?;
        if request.served_on > organ.today() {
            return Err(ServiceError::invalid_field(
                "served_on",
                "must not be in the future",
            ));
        }
        if request.served_on < document.issued_on {
            return Err(ServiceError::invalid_field(
                "served_on",
                format!("before the document was issued ({})", document.issued_on),
            ));
        }
        if let Some(proof) = request.proof_attachment_id
            && db::attachments::find(conn, row.id, proof).await?.is_none()
        {
            return Err(ServiceError::invalid_field(
                "proof_attachment_id",
                format!("no attachment {proof} of this case"),
            ));
        }
        let stored = db::documents::insert_service(
            conn,
            &ServiceRow {
                id: Uuid::now_v7(),
                document_id: document.id,
                case_id: row.id,
                recipient_role: request.recipient_role,
                recipient_name: request.recipient_name.trim().to_owned(),
                method: request.method,
                served_on: request.served_on,
                proof_attachment_id: request.proof_attachment_id,
                note: request.note.clone(),
                recorded_by: caller.user_id,
                recorded_at: Utc::now(),
            },
        )
        .await?;
        Ok(service_view(stored))
    })
    .await
}

/// Templates are the organ's own: its admin reads and replaces them for organs within reach.
pub(crate) async fn template_organ(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
) -> ServiceResult<Organ> {
    let organ = db::organs::find_organ(conn, organ_id)
        .await
        .map_err(|_| ServiceError::not_found(format!("organ {organ_id}")))?;
    if !caller.reaches(&organ) {
        return Err(ServiceError::not_found(format!("organ {organ_id}")));
    }
    Ok(organ)
}

fn template_view(organ_id: Uuid, kind: DocumentKind, own: Option<String>) -> TemplateView {
    let mut placeholders: Vec<String> = rules::COMMON_PLACEHOLDERS
        .iter()
        .chain(kind.own_placeholders())
        .map(|s| (*s).to_owned())
        .collect();
    placeholders.sort();
    TemplateView {
        organ_id,
        kind,
        customised: own.is_some(),
        body: own.unwrap_or_else(|| kind.default_template().to_owned()),
        placeholders,
    }
}

/// The template of `kind` that applies to an organ.
pub async fn get_template(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
    kind: DocumentKind,
) -> ServiceResult<TemplateView> {
    require_reader(caller)?;
    let organ = template_organ(conn, caller, organ_id).await?;
    let own = db::documents::template(conn, organ.id, kind.as_str()).await?;
    Ok(template_view(organ.id, kind, own))
}

/// Replaces an organ's template of `kind` (admin only); an unknown placeholder is a 422 naming it.
pub async fn put_template(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
    kind: DocumentKind,
    body: &str,
) -> ServiceResult<TemplateView> {
    if !caller.has_role(Role::Admin) {
        return Err(ServiceError::forbidden(
            "templates are replaced by an admin",
        ));
    }
    let organ = template_organ(conn, caller, organ_id).await?;
    rules::validate_template(kind, body)
        .map_err(|err: TemplateError| ServiceError::invalid_field("body", err.to_string()))?;
    db::documents::put_template(conn, organ.id, kind.as_str(), body, caller.user_id).await?;
    Ok(template_view(organ.id, kind, Some(body.to_owned())))
}

/// Drops an organ's template of `kind` (admin only), so the shipped one applies again.
pub async fn reset_template(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    organ_id: Uuid,
    kind: DocumentKind,
) -> ServiceResult<TemplateView> {
    if !caller.has_role(Role::Admin) {
        return Err(ServiceError::forbidden(
            "templates are replaced by an admin",
        ));
    }
    let organ = template_organ(conn, caller, organ_id).await?;
    db::documents::delete_template(conn, organ.id, kind.as_str()).await?;
    Ok(template_view(organ.id, kind, None))
}
