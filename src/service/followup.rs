//! Follow-up use cases on a concluded case: service of the decision and its effective date,
//! the respondent's compliance and the measures of art. 77, and litigation (suits, hearings,
//! judgments). Each record is appended with its acting user and the time it was recorded; none
//! changes the case's state or version.
//!
//! Reads follow the case: anyone who reaches the case's organ reads its records. Writes need the
//! officer or head role in the case's own organ: a superior organ reads but does not record
//! (403), a case out of reach answers 404 like one that does not exist.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Caller, Role},
    db::{
        self,
        cases::CaseRow,
        followup::{
            ComplianceRow, HearingRow, JudgmentRow, LawsuitRow, MeasureRow, NewCompliance,
            NewHearing, NewJudgment, NewLawsuit, NewMeasure, NewService, ServiceRow,
        },
        organs::Organ,
    },
    domain::{
        calendar::WorkCalendar,
        followup::{
            self, ComplianceCheck, ComplianceOrder, DueStatus, Instance, JudgmentCheck,
            JudgmentResult, MeasureKind, Outcome, PartyFact, Recipient, ServiceFact, ServiceMethod,
            ServiceStatus,
        },
        lifecycle::{CaseLifecycle, CaseState},
        validation::FieldErrors,
    },
    service::error::{ConflictAbout, ServiceError, ServiceResult},
    service::letters::{self, LetterView},
};

/// Follow-up records need a role that works with cases: officers and heads record them.
pub fn require_recorder(caller: &Caller) -> ServiceResult<()> {
    if caller.has_any_role(&[Role::Officer, Role::Head]) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "recording follow-up needs the officer or head role",
        ))
    }
}

/// Follow-up records, letters and the deadline feed name cases and people, so reading them needs a
/// role that works with cases (officer, head) or administers the organ (admin). Statisticians get
/// figures only.
pub fn require_reader(caller: &Caller) -> ServiceResult<()> {
    if caller.has_any_role(&[Role::Officer, Role::Head, Role::Admin]) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "reading follow-up records, letters and deadlines needs the officer, head or admin role; statisticians read figures",
        ))
    }
}

fn version_of(records: usize) -> i32 {
    i32::try_from(records).unwrap_or(i32::MAX).saturating_add(1)
}

/// A case within the caller's reach with its aggregate, or 404.
pub async fn find_case(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<(CaseRow, CaseLifecycle)> {
    let row = crate::service::cases::find(conn, caller, id).await?;
    let lifecycle = row.lifecycle().map_err(ServiceError::internal)?;
    Ok((row, lifecycle))
}

/// A concluded case of the caller's own organ, locked until the transaction ends so records on
/// it are checked and written one at a time. A subordinate organ's case answers 403, one out of
/// reach 404, one not yet concluded 409 naming its state.
async fn lock_concluded(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<(CaseRow, CaseLifecycle, Organ)> {
    let Some(row) = db::cases::lock_for_update(conn, id, caller.organ_id).await? else {
        return Err(
            match db::cases::find_within(conn, id, &caller.organ_path).await? {
                Some(_) => ServiceError::forbidden(
                    "cases of a subordinate organ can be read but not recorded on",
                ),
                None => ServiceError::not_found(format!("case {id}")),
            },
        );
    };
    let lifecycle = row.lifecycle().map_err(ServiceError::internal)?;
    followup::check_concluded(lifecycle.state).map_err(|reason| {
        ServiceError::conflict_about(reason, ConflictAbout::State(lifecycle.state))
    })?;
    let organ = db::organs::find_organ(conn, row.organ_id).await?;
    Ok((row, lifecycle, organ))
}

/// The day the decision (or other conclusion) was made.
fn decided_on(lifecycle: &CaseLifecycle) -> ServiceResult<NaiveDate> {
    lifecycle.concluded_on.ok_or_else(|| {
        ServiceError::internal(anyhow::anyhow!(
            "a concluded case without a conclusion date"
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Service (送达) and the effective date.

/// `POST /api/v1/cases/{id}/services`: the decision served on one party.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// Whose service this is.
    pub recipient: Recipient,
    /// For an applicant or a third party: their position among the case's parties, or the
    /// position of the agent or representative who signed for them. None for the respondent.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub party_position: Option<i32>,
    pub method: ServiceMethod,
    /// The recipient consented to electronic service (required for `electronic`).
    #[serde(default)]
    pub electronic_consent: bool,
    /// The day it was served (signed for); not in the future, not before the decision.
    pub served_on: NaiveDate,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// One service record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceRecordView {
    pub id: Uuid,
    pub recipient: Recipient,
    /// The position of the party served (the applicant or third party); none for the
    /// respondent.
    pub party_position: Option<i32>,
    /// The position of the agent or representative who signed for the party, if one did.
    pub signed_by_position: Option<i32>,
    pub method: ServiceMethod,
    pub electronic_consent: bool,
    pub served_on: NaiveDate,
    pub note: Option<String>,
    /// The user who recorded it.
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<ServiceRow> for ServiceRecordView {
    type Error = ServiceError;

    fn try_from(row: ServiceRow) -> ServiceResult<Self> {
        Ok(Self {
            id: row.id,
            recipient: row.recipient,
            party_position: row.party_position,
            signed_by_position: row.signed_by_position,
            method: row.method,
            electronic_consent: row.electronic_consent,
            served_on: row.served_on,
            note: row.note,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        })
    }
}

/// Service of a case's decision: who has been served, and the day it took effect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceList {
    pub case_id: Uuid,
    /// Grows with every record; also the `ETag`.
    pub version: i32,
    /// The day the case was concluded (the decision's date).
    pub decided_on: Option<NaiveDate>,
    /// The day the decision took effect (art. 75): once served on every applicant and the
    /// respondent, the day the last of them was; a mediation document's on signing. None while
    /// someone is still to be served.
    pub effective_on: Option<NaiveDate>,
    /// Each party the decision must reach before it takes effect, and when it first did.
    pub recipients: Vec<ServiceStatus>,
    /// Every service record, in the order served.
    pub items: Vec<ServiceRecordView>,
}

async fn party_facts(conn: &mut AsyncPgConnection, case_id: Uuid) -> ServiceResult<Vec<PartyFact>> {
    db::cases::parties_of(conn, case_id)
        .await?
        .into_iter()
        .map(|party| {
            Ok(PartyFact {
                position: party.position,
                role: party.role,
                acts_for: party.acts_for,
            })
        })
        .collect()
}

fn service_facts(rows: &[ServiceRow]) -> ServiceResult<Vec<ServiceFact>> {
    rows.iter()
        .map(|row| {
            Ok(ServiceFact {
                recipient: row.recipient,
                party_position: row.party_position,
                served_on: row.served_on,
            })
        })
        .collect()
}

/// The service of a case's decision as the API shows it.
pub async fn service_list(
    conn: &mut AsyncPgConnection,
    row: &CaseRow,
    lifecycle: &CaseLifecycle,
) -> ServiceResult<ServiceList> {
    let parties = party_facts(conn, row.id).await?;
    let rows = db::followup::services_of(conn, row.id).await?;
    let recipients = followup::service_statuses(&parties, &service_facts(&rows)?);
    Ok(ServiceList {
        case_id: row.id,
        version: version_of(rows.len()),
        decided_on: lifecycle.concluded_on,
        effective_on: followup::effective_on(lifecycle.state, lifecycle.concluded_on, &recipients),
        recipients,
        items: rows
            .into_iter()
            .map(ServiceRecordView::try_from)
            .collect::<ServiceResult<_>>()?,
    })
}

/// Records service of the decision on one party. Service on the respondent starts the time
/// limit of a remake or perform order.
pub async fn record_service(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    request: ServiceRequest,
) -> ServiceResult<ServiceList> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        db::calendar::lock_shared(conn).await?;
        let (row, lifecycle, organ) = lock_concluded(conn, caller, case_id).await?;
        let decided = decided_on(&lifecycle)?;
        let mut errors = FieldErrors::default();
        followup::check_date(
            &mut errors,
            "served_on",
            request.served_on,
            organ.today(),
            Some((decided, "the decision")),
        );
        if request.method == ServiceMethod::Electronic && !request.electronic_consent {
            errors.push(
                "electronic_consent",
                "electronic service needs the recipient's consent",
            );
        }
        followup::check_note(&mut errors, "note", request.note.as_deref());
        let parties = party_facts(conn, case_id).await?;
        let (party_position, signed_by_position) = match (request.recipient, request.party_position)
        {
            (Recipient::Respondent, None) => (None, None),
            (Recipient::Respondent, Some(_)) => {
                errors.push("party_position", "the respondent is not one of the parties");
                (None, None)
            }
            (_, None) => {
                errors.push(
                    "party_position",
                    "name the party served by their position among the case's parties",
                );
                (None, None)
            }
            (wanted, Some(position)) => match followup::resolve_service_party(&parties, position) {
                Ok((found, principal, signed_by)) if found == wanted => {
                    (Some(principal), signed_by)
                }
                Ok((found, principal, _)) => {
                    errors.push(
                        "party_position",
                        format!("the party at position {principal} is a {found}, not a {wanted}"),
                    );
                    (None, None)
                }
                Err(reason) => {
                    errors.push("party_position", reason);
                    (None, None)
                }
            },
        };
        errors.into_result()?;
        db::followup::insert_service(
            conn,
            &NewService {
                id: Uuid::now_v7(),
                case_id,
                recipient: request.recipient,
                party_position,
                signed_by_position,
                method: request.method,
                electronic_consent: request.electronic_consent,
                served_on: request.served_on,
                note: request.note.clone(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        if request.recipient == Recipient::Respondent
            && let Some((order, days)) = followup::compliance_order(&lifecycle)
        {
            let calendar = db::calendar::load(conn).await?;
            open_compliance(conn, caller, &row, order, days, decided).await?;
            start_compliance(conn, case_id, days, &calendar).await?;
        }
        tracing::info!(%case_id, recipient = %request.recipient, "service recorded");
        service_list(conn, &row, &lifecycle).await
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Compliance and the measures of art. 77.

/// `POST /api/v1/cases/{id}/compliance`: the respondent complied with the decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplianceRequest {
    /// The day the respondent remade the act or performed; not in the future, not before the
    /// decision.
    pub complied_on: NaiveDate,
    /// The new act's document number (required after a remake order).
    #[serde(default)]
    #[schema(pattern = r"\S", max_length = 100)]
    pub new_act_document_number: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// `POST /api/v1/cases/{id}/compliance/measures`: a measure against a respondent who did not
/// comply in time (art. 77).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureRequest {
    pub kind: MeasureKind,
    /// The day it was taken; after the time limit ran out, not in the future.
    pub taken_on: NaiveDate,
    /// With an order to comply: the new time limit's last day.
    #[serde(default)]
    pub comply_by: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// One follow-up measure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeasureView {
    pub id: Uuid,
    pub kind: MeasureKind,
    pub taken_on: NaiveDate,
    pub comply_by: Option<NaiveDate>,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<MeasureRow> for MeasureView {
    type Error = ServiceError;

    fn try_from(row: MeasureRow) -> ServiceResult<Self> {
        Ok(Self {
            id: row.id,
            kind: row.kind,
            taken_on: row.taken_on,
            comply_by: row.comply_by,
            note: row.note,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        })
    }
}

/// The respondent's duty under a remake or perform order, and where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplianceView {
    pub case_id: Uuid,
    /// Grows with every record; also the `ETag`.
    pub version: i32,
    /// What the decision ordered.
    pub ordered: ComplianceOrder,
    /// The time limit in days, from the decision.
    pub time_limit_days: u32,
    /// The decision's date.
    pub decided_on: NaiveDate,
    /// The first day the decision was served on the respondent: the time limit runs from
    /// here. None until that service is recorded.
    pub starts_on: Option<NaiveDate>,
    /// The time limit's last day (moved off a rest day); none until it has started, or while
    /// its year's calendar is not loaded.
    pub due_on: Option<NaiveDate>,
    /// `pending`, `met`, `late`, `missed` (visible as soon as the last day has passed), or
    /// `unknown` before the time limit has started.
    #[serde(flatten)]
    pub status: DueStatus,
    pub complied_on: Option<NaiveDate>,
    pub new_act_document_number: Option<String>,
    pub note: Option<String>,
    /// Who recorded the compliance, and when.
    pub complied_recorded_by: Option<Uuid>,
    pub complied_recorded_at: Option<DateTime<Utc>>,
    /// Measures taken against non-compliance, in the order taken.
    pub measures: Vec<MeasureView>,
}

/// Opens the compliance duty of a case the first time it matters.
async fn open_compliance(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: &CaseRow,
    order: ComplianceOrder,
    days: u32,
    decided: NaiveDate,
) -> ServiceResult<ComplianceRow> {
    Ok(db::followup::open_compliance(
        conn,
        &NewCompliance {
            case_id: row.id,
            organ_id: row.organ_id,
            ordered: order,
            time_limit_days: i32::try_from(days).unwrap_or(i32::MAX),
            decided_on: decided,
            created_by: caller.user_id,
        },
    )
    .await?)
}

/// Starts the time limit on the first day the respondent was served and projects its last day.
async fn start_compliance(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    days: u32,
    calendar: &WorkCalendar,
) -> ServiceResult<()> {
    let first = db::followup::services_of(conn, case_id)
        .await?
        .into_iter()
        .filter(|s| s.recipient == Recipient::Respondent)
        .map(|s| s.served_on)
        .min();
    if let Some(starts_on) = first {
        let due_on = followup::compliance_due_on(calendar, starts_on, days).ok();
        db::followup::set_compliance_start(conn, case_id, starts_on, due_on).await?;
    }
    Ok(())
}

/// The compliance duty of a case as the API shows it, or `None` if the decision ordered none.
pub async fn compliance_view(
    conn: &mut AsyncPgConnection,
    row: &CaseRow,
    lifecycle: &CaseLifecycle,
    today: NaiveDate,
) -> ServiceResult<Option<ComplianceView>> {
    let Some((order, days)) = followup::compliance_order(lifecycle) else {
        return Ok(None);
    };
    let Some(decided) = lifecycle.concluded_on else {
        return Ok(None);
    };
    let stored = db::followup::compliance_of(conn, row.id).await?;
    let measures = db::followup::measures_of(conn, row.id).await?;
    let starts_on = stored.as_ref().and_then(|c| c.starts_on);
    let due_on = stored.as_ref().and_then(|c| c.due_on);
    let complied_on = stored.as_ref().and_then(|c| c.complied_on);
    let records =
        usize::from(starts_on.is_some()) + usize::from(complied_on.is_some()) + measures.len();
    Ok(Some(ComplianceView {
        case_id: row.id,
        version: version_of(records),
        ordered: order,
        time_limit_days: days,
        decided_on: decided,
        starts_on,
        due_on,
        status: followup::due_status(due_on, complied_on, today),
        complied_on,
        new_act_document_number: stored
            .as_ref()
            .and_then(|c| c.new_act_document_number.clone()),
        note: stored.as_ref().and_then(|c| c.compliance_note.clone()),
        complied_recorded_by: stored.as_ref().and_then(|c| c.complied_recorded_by),
        complied_recorded_at: stored.as_ref().and_then(|c| c.complied_recorded_at),
        measures: measures
            .into_iter()
            .map(MeasureView::try_from)
            .collect::<ServiceResult<_>>()?,
    }))
}

/// The compliance duty of a case within reach, or 404 when its decision ordered none.
pub async fn find_compliance(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<ComplianceView> {
    let (row, lifecycle) = find_case(conn, caller, case_id).await?;
    let today = db::organs::find_organ(conn, row.organ_id).await?.today();
    compliance_view(conn, &row, &lifecycle, today)
        .await?
        .ok_or_else(|| no_compliance_duty(case_id, lifecycle.state))
}

fn no_compliance_duty(case_id: Uuid, state: CaseState) -> ServiceError {
    ServiceError::not_found(format!(
        "a compliance duty of case {case_id} (it is {state}; only a revocation with a remake order or an order to perform carries one)"
    ))
}

/// The concluded case's remake or perform order, or 409 naming what the decision was.
fn require_order(lifecycle: &CaseLifecycle) -> ServiceResult<(ComplianceOrder, u32)> {
    followup::compliance_order(lifecycle).ok_or_else(|| {
        ServiceError::conflict_about(
            format!(
                "the case is {} without a remake or perform order; there is no compliance to record",
                lifecycle.state
            ),
            ConflictAbout::State(lifecycle.state),
        )
    })
}

/// Records the respondent's compliance (once).
pub async fn record_compliance(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    request: ComplianceRequest,
) -> ServiceResult<ComplianceView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        let (row, lifecycle, organ) = lock_concluded(conn, caller, case_id).await?;
        let (order, days) = require_order(&lifecycle)?;
        let decided = decided_on(&lifecycle)?;
        let today = organ.today();
        let mut errors = followup::check_compliance(&ComplianceCheck {
            decided_on: decided,
            complied_on: request.complied_on,
            new_act_document_number: request.new_act_document_number.as_deref(),
            order,
            today,
        })
        .err()
        .unwrap_or_default();
        followup::check_note(&mut errors, "note", request.note.as_deref());
        errors.into_result()?;
        let stored = open_compliance(conn, caller, &row, order, days, decided).await?;
        if let Some(done) = stored.complied_on {
            return Err(ServiceError::conflict(format!(
                "the respondent's compliance is already recorded (on {done}); records are append-only"
            )));
        }
        db::followup::record_compliance(
            conn,
            case_id,
            &db::followup::Compliance {
                complied_on: request.complied_on,
                new_act_document_number: request.new_act_document_number.as_deref(),
                note: request.note.as_deref(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(%case_id, "compliance recorded");
        compliance_view(conn, &row, &lifecycle, today)
            .await?
            .ok_or_else(|| no_compliance_duty(case_id, lifecycle.state))
    })
    .await
}

/// Records a measure of art. 77 against a respondent who did not comply in time.
pub async fn record_measure(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    request: MeasureRequest,
) -> ServiceResult<ComplianceView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        let (row, lifecycle, organ) = lock_concluded(conn, caller, case_id).await?;
        require_order(&lifecycle)?;
        let decided = decided_on(&lifecycle)?;
        let today = organ.today();
        let mut errors = FieldErrors::default();
        followup::check_date(
            &mut errors,
            "taken_on",
            request.taken_on,
            today,
            Some((decided, "the decision")),
        );
        match (request.kind, request.comply_by) {
            (MeasureKind::OrderToComply, Some(by)) if by < request.taken_on => errors.push(
                "comply_by",
                format!("{by} is before the order itself ({})", request.taken_on),
            ),
            (MeasureKind::OrderToComply, _) | (_, None) => {}
            (kind, Some(_)) => errors.push(
                "comply_by",
                format!("only an order to comply sets a new time limit, not {kind}"),
            ),
        }
        followup::check_note(&mut errors, "note", request.note.as_deref());
        errors.into_result()?;
        let stored = db::followup::compliance_of(conn, case_id).await?;
        let due_on = stored.as_ref().and_then(|c| c.due_on);
        let Some(due_on) = due_on else {
            return Err(ServiceError::conflict(
                "the time limit has not started or its last day is unknown: record the decision's service on the respondent first",
            ));
        };
        if request.taken_on <= due_on {
            return Err(ServiceError::invalid_field(
                "taken_on",
                format!(
                    "the time limit runs until {due_on}; measures against non-compliance come after it (art. 77)"
                ),
            ));
        }
        if let Some(done) = stored.and_then(|c| c.complied_on)
            && done <= request.taken_on
        {
            return Err(ServiceError::conflict(format!(
                "the respondent complied on {done}, before this measure"
            )));
        }
        db::followup::insert_measure(
            conn,
            &NewMeasure {
                id: Uuid::now_v7(),
                case_id,
                kind: request.kind,
                taken_on: request.taken_on,
                comply_by: request.comply_by,
                note: request.note.clone(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(%case_id, kind = %request.kind, "compliance measure recorded");
        compliance_view(conn, &row, &lifecycle, today)
            .await?
            .ok_or_else(|| no_compliance_duty(case_id, lifecycle.state))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Litigation.

/// `POST /api/v1/cases/{id}/lawsuits`: a suit brought against the decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LawsuitRequest {
    /// The court of first instance.
    #[schema(pattern = r"\S", max_length = 200)]
    pub court: String,
    /// The court's case number, e.g. `(2024)闽0102行初15号`; unique per court.
    #[schema(pattern = r"\S", max_length = 100)]
    pub court_case_number: String,
    /// The day the suit was filed (立案); not in the future, not before the decision.
    pub filed_on: NaiveDate,
    /// The organ is sued together with the original agency (共同被告).
    pub organ_co_defendant: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// `POST /api/v1/lawsuits/{id}/hearings`: a court hearing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingRequest {
    pub instance: Instance,
    /// Not in the future, not before the suit was filed (nor, on appeal or retrial, before the
    /// first instance's judgment), not after its own instance's judgment.
    pub held_on: NaiveDate,
    /// The agency's head appeared in court (负责人出庭).
    pub head_appeared: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// `POST /api/v1/lawsuits/{id}/judgments`: how an instance ended (once per instance).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgmentRequest {
    pub instance: Instance,
    /// Not in the future, not before the suit was filed, the instance below or a hearing of
    /// this instance.
    pub decided_on: NaiveDate,
    pub result: JudgmentResult,
    /// Won, lost or neither, for the agency. Optional where the result decides it (e.g.
    /// `claim_rejected` is won, `revoked` lost); required after an appeal or retrial.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// One court hearing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HearingView {
    pub id: Uuid,
    pub instance: Instance,
    pub held_on: NaiveDate,
    pub head_appeared: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<HearingRow> for HearingView {
    type Error = ServiceError;

    fn try_from(row: HearingRow) -> ServiceResult<Self> {
        Ok(Self {
            id: row.id,
            instance: row.instance,
            held_on: row.held_on,
            head_appeared: row.head_appeared,
            note: row.note,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        })
    }
}

/// How one instance ended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JudgmentView {
    pub id: Uuid,
    pub instance: Instance,
    pub decided_on: NaiveDate,
    pub result: JudgmentResult,
    pub outcome: Outcome,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<JudgmentRow> for JudgmentView {
    type Error = ServiceError;

    fn try_from(row: JudgmentRow) -> ServiceResult<Self> {
        Ok(Self {
            id: row.id,
            instance: row.instance,
            decided_on: row.decided_on,
            result: row.result,
            outcome: row.outcome,
            note: row.note,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        })
    }
}

/// A suit against a decision, with its hearings and the result of each instance.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LawsuitView {
    pub id: Uuid,
    /// Grows with every hearing and judgment; also the `ETag`.
    pub version: i32,
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub court: String,
    pub court_case_number: String,
    pub filed_on: NaiveDate,
    pub organ_co_defendant: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    /// Hearings in the order held.
    pub hearings: Vec<HearingView>,
    /// One per instance ended, in the order decided.
    pub judgments: Vec<JudgmentView>,
}

/// Suits of a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LawsuitList {
    pub items: Vec<LawsuitView>,
}

/// Builds the views of some suits with their hearings and judgments.
pub async fn lawsuit_views(
    conn: &mut AsyncPgConnection,
    rows: Vec<LawsuitRow>,
) -> ServiceResult<Vec<LawsuitView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut hearings = db::followup::hearings_of(conn, &ids).await?;
    let mut judgments = db::followup::judgments_of(conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let (own_hearings, rest): (Vec<_>, Vec<_>) =
                hearings.drain(..).partition(|h| h.lawsuit_id == row.id);
            hearings = rest;
            let (own_judgments, rest): (Vec<_>, Vec<_>) =
                judgments.drain(..).partition(|j| j.lawsuit_id == row.id);
            judgments = rest;
            Ok(LawsuitView {
                version: version_of(own_hearings.len() + own_judgments.len()),
                id: row.id,
                case_id: row.case_id,
                organ_id: row.organ_id,
                court: row.court,
                court_case_number: row.court_case_number,
                filed_on: row.filed_on,
                organ_co_defendant: row.organ_co_defendant,
                note: row.note,
                recorded_by: row.recorded_by,
                recorded_at: row.recorded_at,
                hearings: own_hearings
                    .into_iter()
                    .map(HearingView::try_from)
                    .collect::<ServiceResult<_>>()?,
                judgments: own_judgments
                    .into_iter()
                    .map(JudgmentView::try_from)
                    .collect::<ServiceResult<_>>()?,
            })
        })
        .collect()
}

async fn lawsuit_view(conn: &mut AsyncPgConnection, row: LawsuitRow) -> ServiceResult<LawsuitView> {
    lawsuit_views(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("a lawsuit view went missing")))
}

/// A suit within the caller's reach, or 404.
pub async fn find_lawsuit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<LawsuitView> {
    let row = db::followup::find_lawsuit_within(conn, id, &caller.organ_path)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("lawsuit {id}")))?;
    lawsuit_view(conn, row).await
}

/// The suits of a case within reach.
pub async fn case_lawsuits(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<LawsuitList> {
    let (row, _) = find_case(conn, caller, case_id).await?;
    let rows = db::followup::lawsuits_of(conn, row.id).await?;
    Ok(LawsuitList {
        items: lawsuit_views(conn, rows).await?,
    })
}

/// Records a suit brought against a concluded case's decision.
pub async fn record_lawsuit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
    request: LawsuitRequest,
) -> ServiceResult<LawsuitView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        let (row, lifecycle, organ) = lock_concluded(conn, caller, case_id).await?;
        let decided = decided_on(&lifecycle)?;
        let mut errors = FieldErrors::default();
        errors.check_text("court", &request.court, 200);
        errors.check_text("court_case_number", &request.court_case_number, 100);
        followup::check_date(
            &mut errors,
            "filed_on",
            request.filed_on,
            organ.today(),
            Some((decided, "the decision")),
        );
        followup::check_note(&mut errors, "note", request.note.as_deref());
        errors.into_result()?;
        let court = request.court.trim();
        let number = request.court_case_number.trim();
        if db::followup::court_case_exists(conn, court, number).await? {
            return Err(ServiceError::conflict(format!(
                "{court} already has a suit {number} on record"
            )));
        }
        let id = Uuid::now_v7();
        db::followup::insert_lawsuit(
            conn,
            &NewLawsuit {
                id,
                case_id,
                organ_id: row.organ_id,
                court: court.to_owned(),
                court_case_number: number.to_owned(),
                filed_on: request.filed_on,
                organ_co_defendant: request.organ_co_defendant,
                note: request.note.clone(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(%case_id, lawsuit_id = %id, "lawsuit recorded");
        find_lawsuit(conn, caller, id).await
    })
    .await
}

/// Locks a suit of the caller's own organ: a subordinate organ's answers 403, one out of reach
/// 404.
async fn lock_lawsuit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<(LawsuitRow, Organ)> {
    let Some(row) = db::followup::lock_lawsuit(conn, id, caller.organ_id).await? else {
        return Err(
            match db::followup::find_lawsuit_within(conn, id, &caller.organ_path).await? {
                Some(_) => ServiceError::forbidden(
                    "lawsuits of a subordinate organ can be read but not recorded on",
                ),
                None => ServiceError::not_found(format!("lawsuit {id}")),
            },
        );
    };
    let organ = db::organs::find_organ(conn, row.organ_id).await?;
    Ok((row, organ))
}

/// The judgment of `instance` among `judgments`, if recorded.
fn judgment_of(judgments: &[JudgmentRow], instance: Instance) -> Option<&JudgmentRow> {
    judgments.iter().find(|j| j.instance == instance)
}

/// Records a court hearing of one instance of a suit.
pub async fn record_hearing(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    lawsuit_id: Uuid,
    request: HearingRequest,
) -> ServiceResult<LawsuitView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        let (row, organ) = lock_lawsuit(conn, caller, lawsuit_id).await?;
        let judgments = db::followup::judgments_of(conn, &[lawsuit_id]).await?;
        let mut floor = (row.filed_on, "the suit was filed".to_owned());
        if let Some(previous) = request.instance.previous() {
            let Some(below) = judgment_of(&judgments, previous) else {
                return Err(ServiceError::conflict(format!(
                    "a {} instance follows the {previous} instance's judgment, which is not on record",
                    request.instance
                )));
            };
            floor = (below.decided_on, format!("the {previous} instance's judgment"));
        }
        let mut errors = FieldErrors::default();
        followup::check_date(
            &mut errors,
            "held_on",
            request.held_on,
            organ.today(),
            Some((floor.0, &floor.1)),
        );
        if let Some(own) = judgment_of(&judgments, request.instance)
            && request.held_on > own.decided_on
        {
            errors.push(
                "held_on",
                format!(
                    "the {} instance ended on {}; no hearing follows its judgment",
                    request.instance, own.decided_on
                ),
            );
        }
        followup::check_note(&mut errors, "note", request.note.as_deref());
        errors.into_result()?;
        db::followup::insert_hearing(
            conn,
            &NewHearing {
                id: Uuid::now_v7(),
                lawsuit_id,
                instance: request.instance,
                held_on: request.held_on,
                head_appeared: request.head_appeared,
                note: request.note.clone(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(%lawsuit_id, instance = %request.instance, "court hearing recorded");
        lawsuit_view(conn, row).await
    })
    .await
}

/// Records how one instance of a suit ended (once per instance).
pub async fn record_judgment(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    lawsuit_id: Uuid,
    request: JudgmentRequest,
) -> ServiceResult<LawsuitView> {
    require_recorder(caller)?;
    conn.transaction(async |conn| {
        let (row, organ) = lock_lawsuit(conn, caller, lawsuit_id).await?;
        let judgments = db::followup::judgments_of(conn, &[lawsuit_id]).await?;
        if let Some(own) = judgment_of(&judgments, request.instance) {
            return Err(ServiceError::conflict(format!(
                "the {} instance's judgment is already recorded (decided on {}); records are append-only",
                request.instance, own.decided_on
            )));
        }
        let below_decided_on = match request.instance.previous() {
            None => None,
            Some(previous) => match judgment_of(&judgments, previous) {
                Some(below) => Some(below.decided_on),
                None => {
                    return Err(ServiceError::conflict(format!(
                        "a {} instance follows the {previous} instance's judgment, which is not on record",
                        request.instance
                    )));
                }
            },
        };
        let outcome = match (request.outcome, request.result.fixed_outcome()) {
            (Some(outcome), _) | (None, Some(outcome)) => outcome,
            (None, None) => {
                return Err(ServiceError::invalid_field(
                    "outcome",
                    format!(
                        "{} does not say whether the agency won; give won, lost or neither",
                        request.result
                    ),
                ));
            }
        };
        let last_hearing_on = db::followup::hearings_of(conn, &[lawsuit_id])
            .await?
            .into_iter()
            .filter(|h| h.instance == request.instance)
            .map(|h| h.held_on)
            .max();
        let mut errors = followup::check_judgment(&JudgmentCheck {
            instance: request.instance,
            decided_on: request.decided_on,
            result: request.result,
            outcome,
            filed_on: row.filed_on,
            below_decided_on,
            last_hearing_on,
            today: organ.today(),
        })
        .err()
        .unwrap_or_default();
        followup::check_note(&mut errors, "note", request.note.as_deref());
        errors.into_result()?;
        db::followup::insert_judgment(
            conn,
            &NewJudgment {
                id: Uuid::now_v7(),
                lawsuit_id,
                instance: request.instance,
                decided_on: request.decided_on,
                result: request.result,
                outcome,
                note: request.note.clone(),
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tracing::info!(%lawsuit_id, instance = %request.instance, %outcome, "judgment recorded");
        lawsuit_view(conn, row).await
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// The whole follow-up of a case, and due dates after a calendar change.

/// Everything recorded on a case after its conclusion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FollowupSummary {
    pub case_id: Uuid,
    pub state: CaseState,
    /// The day the case was concluded (the decision's date); none while open.
    pub decided_on: Option<NaiveDate>,
    /// The day the decision took effect (art. 75); none until served on every applicant and
    /// the respondent.
    pub effective_on: Option<NaiveDate>,
    pub service: ServiceList,
    /// The remake or perform order and its compliance; none when the decision ordered neither.
    pub compliance: Option<ComplianceView>,
    pub lawsuits: Vec<LawsuitView>,
    /// Opinion and recommendation letters this case prompted.
    pub letters: Vec<LetterView>,
}

/// The follow-up of a case within reach.
pub async fn summary(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case_id: Uuid,
) -> ServiceResult<FollowupSummary> {
    let (row, lifecycle) = find_case(conn, caller, case_id).await?;
    let today = db::organs::find_organ(conn, row.organ_id).await?.today();
    let service = service_list(conn, &row, &lifecycle).await?;
    let compliance = compliance_view(conn, &row, &lifecycle, today).await?;
    let suits = db::followup::lawsuits_of(conn, row.id).await?;
    let lawsuits = lawsuit_views(conn, suits).await?;
    let letters = letters::letters_of_case(conn, caller, row.id).await?;
    Ok(FollowupSummary {
        case_id: row.id,
        state: lifecycle.state,
        decided_on: lifecycle.concluded_on,
        effective_on: service.effective_on,
        service,
        compliance,
        lawsuits,
        letters,
    })
}

/// Re-computes every stored follow-up due date (compliance time limits, report-backs) with
/// `calendar`, inside the transaction that replaced a year of it; returns how many changed.
pub async fn reproject_due_dates(
    conn: &mut AsyncPgConnection,
    calendar: &WorkCalendar,
) -> ServiceResult<usize> {
    let mut changed = 0;
    for (case_id, starts_on, days, stored) in db::followup::started_compliance(conn).await? {
        let days = u32::try_from(days).unwrap_or(0);
        let due_on = followup::compliance_due_on(calendar, starts_on, days).ok();
        if due_on != stored {
            db::followup::set_compliance_due(conn, case_id, due_on).await?;
            changed += 1;
        }
    }
    for (id, issued_on, received_on, stored) in db::followup::opinion_letters(conn).await? {
        let due_on = followup::report_back_due_on(calendar, issued_on, received_on).ok();
        if due_on != stored {
            db::followup::set_report_due(conn, id, due_on).await?;
            changed += 1;
        }
    }
    Ok(changed)
}
