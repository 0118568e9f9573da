//! Historical cases from older systems, one CSV row each: the columns, and the rules a row must
//! meet before it becomes a case whose aggregate is exactly what the lifecycle would have built.
//!
//! Looking up the organ and the respondent, checking case numbers against the database and
//! writing the rows is the service's part (`service::import`); everything here is pure.

mod ancillary;

use std::str::FromStr;

use chrono::NaiveDate;
use strum::{EnumCount, IntoEnumIterator};

use super::{
    ApiValue,
    case::{
        self, ActType, AdminDomain, ApplicationFacts, Channel, PartyInput, PartyKind, PartyRole,
    },
    lifecycle::{
        Approval, ApprovalRoute, CaseLifecycle, CaseState, DeclineReason, Disposition,
        LifecycleSettings, Procedure, SimplifiedGround, SuspensionGround, TerminationGround,
    },
    participation::{CommitteeConsultation, CommitteeGround, ThirdParty, ThirdPartyBasis},
    validation::{FieldError, FieldErrors},
};

/// The columns of an import file. The header row names them (any order); optional columns may
/// be left out of the header altogether, and an empty cell is the same as an absent one.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumCount,
    strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Column {
    /// Code of the organ the case belongs to.
    Organ,
    /// The case number given by the old system; assigned afresh when empty.
    CaseNumber,
    /// Date the application was received.
    ReceivedOn,
    /// How the application arrived.
    Channel,
    /// The (first) applicant's name.
    ApplicantName,
    /// The applicant's kind; a legal person makes the case enterprise-related.
    ApplicantKind,
    /// Unified social credit code or name of the respondent.
    Respondent,
    /// Administrative domain; the respondent's when empty.
    Domain,
    /// Type of the challenged act.
    ActType,
    /// Document number of the challenged act.
    ActDocumentNumber,
    /// Date of the challenged act.
    ActDate,
    /// Date the applicant learned of the act.
    LearnedOn,
    /// Amount involved, in fen.
    AmountFen,
    /// What the applicant asks for.
    Request,
    /// Facts and reasons of the application.
    Reasons,
    /// The case's state now: a terminal state, or an open one.
    State,
    /// Procedure of an accepted case.
    Procedure,
    /// Art. 53 ground of a simplified case.
    SimplifiedGround,
    /// Date of the supplement notice (cases awaiting a supplement, or declined).
    SupplementRequestedOn,
    /// Date the application was accepted.
    AcceptedOn,
    /// Date the application was declined.
    DeclinedOn,
    /// Why it was declined.
    DeclineReason,
    /// Date the copy was sent to the respondent.
    CopySentOn,
    /// Date the respondent's reply was received.
    ReplyReceivedOn,
    /// Date the parties were heard.
    HeardOn,
    /// Formal hearings (听证) held.
    HearingsHeld,
    /// Date the running suspension began (state `suspended`).
    SuspendedOn,
    /// Art. 39 ground of the running suspension.
    SuspensionGround,
    /// Days of ended suspensions.
    SuspendedDays,
    /// Days of extension granted.
    ExtensionDays,
    /// Date the case was concluded.
    ConcludedOn,
    /// Art. 41 ground of a terminated case.
    TerminationGround,
    /// Number of the decision or mediation document.
    DecisionDocumentNumber,
    /// A revocation in part (`true`/`false`).
    Partial,
    /// A revocation with a remake order (`true`/`false`).
    RemakeOrdered,
    /// Days to remake or perform.
    ComplyWithinDays,
    /// The posting date of a posted application (art. 20); the day received when empty.
    AppliedOn,
    /// The day the applicant learned of the right to apply, when the act did not say (art. 20 para 3).
    RightsLearnedOn,
    /// The act concerns immovable property (`true`/`false`, art. 21).
    ImmovableProperty,
    /// Date the applicant received the supplement notice (art. 31).
    SupplementNoticeReceivedOn,
    /// Date the respondent received the copy (arts. 48, 54).
    CopyReceivedOn,
    /// How a decision was approved (art. 61): `organ_head` or `collective_discussion`.
    ApprovalRoute,
    /// Who approved the decision: the responsible person, or the body that discussed it.
    Approver,
    /// Date the applicant withdrew the application before acceptance (state
    /// `withdrawn_before_acceptance`).
    WithdrawnOn,
    /// Names of the third parties (第三人, art. 16) of an accepted case, separated by `;`; each
    /// is recorded as joining on the day of acceptance, of unknown kind.
    ThirdPartyNames,
    /// How those third parties came to take part: `own_application` or `notified_by_organ`;
    /// required with `third_party_names`.
    ThirdPartyBasis,
    /// The art. 52 para 2 ground an accepted case was marked for the reconsideration committee
    /// on (e.g. `major_difficult_complex`).
    CommitteeGround,
    /// Date the reconsideration committee gave its opinion (art. 52).
    CommitteeConsultedOn,
    /// The committee's opinion; required with `committee_consulted_on`.
    CommitteeOpinion,
    /// Date the applicant submitted the application to the respondent (art. 32); the day the
    /// application counts as made (art. 20). The channel is then `forwarded`.
    SubmittedToRespondentOn,
    /// Date the respondent forwarded it.
    ForwardedOn,
    /// Art. 42 ground of a stay of enforcement.
    StayGround,
    /// Date enforcement was stopped.
    StayDecidedOn,
    /// Who decided the stay.
    StayDecidedBy,
    /// Title of the normative document whose review was requested (art. 13).
    NormativeDocumentName,
    /// Its issuing body.
    NormativeIssuingBody,
    /// Date the organ received the request.
    NormativeRequestedOn,
    /// The organ the request was transferred to (art. 56).
    NormativeTransferredTo,
    /// Date of the transfer.
    NormativeTransferredOn,
    /// Date of the review's outcome.
    NormativeConcludedOn,
    /// `lawful` or `unlawful`.
    NormativeFinding,
    /// The provisions concerned, separated by `;`.
    NormativeProvisions,
    /// The compensation claim joined to the application (art. 72), in words.
    CompensationClaim,
    /// The sum claimed, in fen.
    CompensationClaimFen,
    /// The decision's ruling: reject, award, return_property or restore_original_state.
    CompensationOutcome,
    /// The compensation awarded, in fen (with `award` only).
    CompensationAwardedFen,
}

impl Column {
    /// Whether every row must fill the column.
    pub fn required(self) -> bool {
        matches!(
            self,
            Self::Organ
                | Self::ReceivedOn
                | Self::Channel
                | Self::ApplicantName
                | Self::ApplicantKind
                | Self::Respondent
                | Self::ActType
                | Self::ActDate
                | Self::LearnedOn
                | Self::Request
                | Self::Reasons
                | Self::State
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where each column sits in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    positions: [Option<usize>; Column::COUNT],
    width: usize,
}

impl Header {
    /// Reads the header row: every name a known column, none twice, every required one present.
    /// Errors name the column (a misspelt optional column would otherwise be silently ignored).
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, Vec<FieldError>> {
        let mut positions = [None; Column::COUNT];
        let mut errors = FieldErrors::default();
        let mut width = 0;
        for (position, raw) in names.into_iter().enumerate() {
            width = position + 1;
            // Spreadsheets save a byte-order mark before the first name.
            let name = raw.trim_start_matches('\u{feff}').trim();
            match Column::from_str(name) {
                Ok(column) if positions[column.index()].is_some() => {
                    errors.push(name, "the column is named twice");
                }
                Ok(column) => positions[column.index()] = Some(position),
                Err(_) => errors.push(
                    if name.is_empty() {
                        format!("column {}", position + 1)
                    } else {
                        name.to_owned()
                    },
                    format!("unknown column; known: {}", list::<Column>()),
                ),
            }
        }
        for column in Column::iter().filter(|c| c.required()) {
            if positions[column.index()].is_none() {
                errors.push(
                    column.to_string(),
                    "required column missing from the header",
                );
            }
        }
        errors.into_result().map_err(FieldErrors::into_vec)?;
        Ok(Self { positions, width })
    }

    /// How many columns the header names; every row must have as many fields.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The trimmed cell of `column` in `fields`, or `None` when the column is absent or empty.
    pub fn cell<'a>(&self, fields: &[&'a str], column: Column) -> Option<&'a str> {
        self.positions[column.index()]
            .and_then(|position| fields.get(position))
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }
}

/// One row, checked: the registration facts, the applicant and the aggregate the case starts
/// from. The organ and respondent are still the file's text, for the service to look up.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The organ's code.
    pub organ: String,
    /// The respondent's credit code or name.
    pub respondent: String,
    /// The domain given in the file, if any.
    pub domain: Option<AdminDomain>,
    /// The applicant.
    pub applicant: PartyInput,
    /// The registration facts.
    pub facts: ApplicationFacts,
    /// The aggregate as the lifecycle would have left it; an accepted case without a number in the
    /// file has none yet (the service assigns it).
    pub lifecycle: CaseLifecycle,
}

/// Reads and checks one row against the rules of registration and of the lifecycle: dates parse
/// and are in order and not after `today`, values are known, and the state agrees with the dates
/// and fields present. Every problem is reported, each under its column's name.
pub fn parse_row(
    header: &Header,
    fields: &[&str],
    today: NaiveDate,
    settings: &LifecycleSettings,
) -> Result<ImportRow, FieldErrors> {
    let mut cells = Cells {
        header,
        fields,
        errors: FieldErrors::default(),
    };
    let organ = cells.required_text(Column::Organ);
    let respondent = cells.required_text(Column::Respondent);
    let domain = cells.value::<AdminDomain>(Column::Domain);
    let received_on = cells.required_date(Column::ReceivedOn);
    let channel = cells.required_value::<Channel>(Column::Channel);
    let applicant_name = cells.required_text(Column::ApplicantName);
    let applicant_kind = cells.required_value::<PartyKind>(Column::ApplicantKind);
    let act_type = cells.required_value::<ActType>(Column::ActType);
    let act_document_number = cells.text(Column::ActDocumentNumber);
    let act_date = cells.required_date(Column::ActDate);
    let learned_on = cells.required_date(Column::LearnedOn);
    let amount_fen = cells.amount(Column::AmountFen);
    let request = cells.required_text(Column::Request);
    let reasons = cells.required_text(Column::Reasons);
    let applied_on = cells.date(Column::AppliedOn);
    let rights_learned_on = cells.date(Column::RightsLearnedOn);
    let immovable_property = cells.flag(Column::ImmovableProperty);
    let state = cells.required_value::<CaseState>(Column::State);
    let dates = Dates {
        supplement_requested_on: cells.date(Column::SupplementRequestedOn),
        accepted_on: cells.date(Column::AcceptedOn),
        declined_on: cells.date(Column::DeclinedOn),
        withdrawn_on: cells.date(Column::WithdrawnOn),
        copy_sent_on: cells.date(Column::CopySentOn),
        copy_received_on: cells.date(Column::CopyReceivedOn),
        supplement_notice_received_on: cells.date(Column::SupplementNoticeReceivedOn),
        reply_received_on: cells.date(Column::ReplyReceivedOn),
        heard_on: cells.date(Column::HeardOn),
        suspended_on: cells.date(Column::SuspendedOn),
        concluded_on: cells.date(Column::ConcludedOn),
        committee_consulted_on: cells.date(Column::CommitteeConsultedOn),
    };
    let details = Details {
        case_number: cells.text(Column::CaseNumber),
        procedure: cells.value::<Procedure>(Column::Procedure),
        simplified_ground: cells.value::<SimplifiedGround>(Column::SimplifiedGround),
        decline_reason: cells.value::<DeclineReason>(Column::DeclineReason),
        hearings_held: cells.count(Column::HearingsHeld),
        suspension_ground: cells.value::<SuspensionGround>(Column::SuspensionGround),
        suspended_days: cells.count(Column::SuspendedDays),
        extension_days: cells.count(Column::ExtensionDays),
        termination_ground: cells.value::<TerminationGround>(Column::TerminationGround),
        decision_document_number: cells.text(Column::DecisionDocumentNumber),
        partial: cells.flag(Column::Partial),
        remake_ordered: cells.flag(Column::RemakeOrdered),
        comply_within_days: cells.optional_count(Column::ComplyWithinDays),
        approval_route: cells.value::<ApprovalRoute>(Column::ApprovalRoute),
        approver: cells.text(Column::Approver),
        third_party_names: cells.names(Column::ThirdPartyNames),
        third_party_basis: cells.value::<ThirdPartyBasis>(Column::ThirdPartyBasis),
        committee_ground: cells.value::<CommitteeGround>(Column::CommitteeGround),
        committee_opinion: cells.text(Column::CommitteeOpinion),
    };
    let ancillary = ancillary::read(&mut cells);
    let mut errors = cells.errors;

    // Registration's own rules, once the dates they compare are readable.
    let applicant = PartyInput {
        role: PartyRole::Applicant,
        kind: applicant_kind.unwrap_or(PartyKind::NaturalPerson),
        name: applicant_name,
        id_number: None,
        phone: None,
        address: None,
        acts_for: None,
    };
    let facts = match (received_on, act_date, learned_on, channel, act_type) {
        (Some(received_on), Some(act_date), Some(learned_on), Some(channel), Some(act_type)) => {
            let facts = ApplicationFacts {
                received_on,
                channel,
                act_type,
                act_document_number,
                act_date,
                learned_on,
                amount_fen,
                request,
                reasons,
                applied_on,
                rights_learned_on,
                immovable_property,
            };
            if let Err(found) =
                case::validate_application(&facts, std::slice::from_ref(&applicant), today)
            {
                for error in found.into_vec() {
                    errors.push(registration_column(&error.field), error.reason);
                }
            }
            Some(facts)
        }
        _ => None,
    };
    // The lifecycle's rules need only the state and the dates, so a misspelt channel does not
    // hide a conclusion dated before the acceptance.
    check_dates_not_after(&dates, today, &mut errors);
    if let (Some(state), Some(received_on)) = (state, received_on) {
        let checks = Checks {
            state,
            received_on,
            today,
            dates: &dates,
            details: &details,
            settings,
        };
        checks.run(&mut errors);
        ancillary.check(state, received_on, channel, today, &mut errors);
    }
    if let (Some(submitted_on), Some(applied_on)) = (ancillary.submitted_on(), applied_on)
        && submitted_on != applied_on
    {
        errors.push(
            Column::AppliedOn.to_string(),
            "an application filed through the respondent is made the day it was submitted (submitted_to_respondent_on)",
        );
    }
    // Every missing or unreadable value has been reported by now.
    let (Some(facts), Some(state)) = (facts, state) else {
        return Err(errors);
    };
    errors.into_result()?;
    let mut facts = facts;
    if let Some(submitted_on) = ancillary.submitted_on() {
        facts.applied_on = Some(submitted_on);
    }
    let mut lifecycle = build_lifecycle(state, facts.received_on, &dates, details);
    ancillary.apply(&mut lifecycle);
    Ok(ImportRow {
        organ,
        respondent,
        domain,
        applicant,
        facts,
        lifecycle,
    })
}

/// The file's column for a field `case::validate_application` names.
fn registration_column(field: &str) -> String {
    if field.starts_with("parties") {
        Column::ApplicantName.to_string()
    } else {
        field.to_owned()
    }
}

/// `a, b, c`: the values of a closed set, for an error message.
fn list<T: IntoEnumIterator + Into<&'static str>>() -> String {
    T::iter().map(Into::into).collect::<Vec<_>>().join(", ")
}

/// Reads cells of one row, gathering what is wrong with them.
struct Cells<'a, 'f> {
    header: &'a Header,
    fields: &'a [&'f str],
    errors: FieldErrors,
}

impl<'f> Cells<'_, 'f> {
    fn raw(&self, column: Column) -> Option<&'f str> {
        self.header.cell(self.fields, column)
    }

    fn missing(&mut self, column: Column) {
        self.errors.push(column.to_string(), "required");
    }

    fn text(&mut self, column: Column) -> Option<String> {
        self.raw(column).map(str::to_owned)
    }

    fn required_text(&mut self, column: Column) -> String {
        let value = self.text(column);
        if value.is_none() {
            self.missing(column);
        }
        value.unwrap_or_default()
    }

    fn date(&mut self, column: Column) -> Option<NaiveDate> {
        let raw = self.raw(column)?;
        match raw.parse::<NaiveDate>() {
            Ok(date) => Some(date),
            Err(_) => {
                self.errors.push(
                    column.to_string(),
                    format!("{raw:?} is not a date written YYYY-MM-DD"),
                );
                None
            }
        }
    }

    fn required_date(&mut self, column: Column) -> Option<NaiveDate> {
        if self.raw(column).is_none() {
            self.missing(column);
        }
        self.date(column)
    }

    fn value<T>(&mut self, column: Column) -> Option<T>
    where
        T: FromStr + IntoEnumIterator + Into<&'static str>,
    {
        let raw = self.raw(column)?;
        match raw.parse::<T>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.errors.push(
                    column.to_string(),
                    format!("unknown value {raw:?}; allowed: {}", list::<T>()),
                );
                None
            }
        }
    }

    fn required_value<T>(&mut self, column: Column) -> Option<T>
    where
        T: FromStr + IntoEnumIterator + Into<&'static str>,
    {
        if self.raw(column).is_none() {
            self.missing(column);
        }
        self.value(column)
    }

    fn optional_count(&mut self, column: Column) -> Option<u32> {
        let raw = self.raw(column)?;
        match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.errors.push(
                    column.to_string(),
                    format!("{raw:?} is not a whole number of 0 or more"),
                );
                None
            }
        }
    }

    /// A list of names separated by `;` (or the full-width `；`), each within a party's limit.
    fn names(&mut self, column: Column) -> Vec<String> {
        let Some(raw) = self.raw(column) else {
            return Vec::new();
        };
        let names: Vec<String> = raw
            .split([';', '；'])
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        if names
            .iter()
            .any(|name| name.chars().count() > case::MAX_NAME_CHARS)
        {
            self.errors.push(
                column.to_string(),
                format!("a name is longer than {} characters", case::MAX_NAME_CHARS),
            );
        }
        names
    }

    fn count(&mut self, column: Column) -> u32 {
        self.optional_count(column).unwrap_or(0)
    }

    fn amount(&mut self, column: Column) -> Option<i64> {
        let raw = self.raw(column)?;
        match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.errors.push(
                    column.to_string(),
                    format!("{raw:?} is not a whole number of fen"),
                );
                None
            }
        }
    }

    fn flag(&mut self, column: Column) -> bool {
        match self.raw(column) {
            None | Some("false") => false,
            Some("true") => true,
            Some(raw) => {
                self.errors
                    .push(column.to_string(), format!("{raw:?} is not true or false"));
                false
            }
        }
    }
}

/// The optional dates of a row.
struct Dates {
    supplement_requested_on: Option<NaiveDate>,
    accepted_on: Option<NaiveDate>,
    declined_on: Option<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
    committee_consulted_on: Option<NaiveDate>,
    copy_sent_on: Option<NaiveDate>,
    copy_received_on: Option<NaiveDate>,
    supplement_notice_received_on: Option<NaiveDate>,
    reply_received_on: Option<NaiveDate>,
    heard_on: Option<NaiveDate>,
    suspended_on: Option<NaiveDate>,
    concluded_on: Option<NaiveDate>,
}

impl Dates {
    fn named(&self) -> [(Column, Option<NaiveDate>); 12] {
        [
            (Column::SupplementRequestedOn, self.supplement_requested_on),
            (
                Column::SupplementNoticeReceivedOn,
                self.supplement_notice_received_on,
            ),
            (Column::CopyReceivedOn, self.copy_received_on),
            (Column::AcceptedOn, self.accepted_on),
            (Column::DeclinedOn, self.declined_on),
            (Column::WithdrawnOn, self.withdrawn_on),
            (Column::CommitteeConsultedOn, self.committee_consulted_on),
            (Column::CopySentOn, self.copy_sent_on),
            (Column::ReplyReceivedOn, self.reply_received_on),
            (Column::HeardOn, self.heard_on),
            (Column::SuspendedOn, self.suspended_on),
            (Column::ConcludedOn, self.concluded_on),
        ]
    }

    /// The latest date of the row: no later action may be dated before it.
    fn latest(&self, received_on: NaiveDate) -> NaiveDate {
        self.named()
            .into_iter()
            .filter_map(|(_, date)| date)
            .fold(received_on, NaiveDate::max)
    }
}

/// The other optional fields of a row.
struct Details {
    case_number: Option<String>,
    procedure: Option<Procedure>,
    simplified_ground: Option<SimplifiedGround>,
    decline_reason: Option<DeclineReason>,
    hearings_held: u32,
    suspension_ground: Option<SuspensionGround>,
    suspended_days: u32,
    extension_days: u32,
    termination_ground: Option<TerminationGround>,
    decision_document_number: Option<String>,
    partial: bool,
    remake_ordered: bool,
    comply_within_days: Option<u32>,
    approval_route: Option<ApprovalRoute>,
    approver: Option<String>,
    third_party_names: Vec<String>,
    third_party_basis: Option<ThirdPartyBasis>,
    committee_ground: Option<CommitteeGround>,
    committee_opinion: Option<String>,
}

fn check_dates_not_after(dates: &Dates, today: NaiveDate, errors: &mut FieldErrors) {
    for (column, date) in dates.named() {
        if let Some(date) = date
            && date > today
        {
            errors.push(
                column.to_string(),
                format!("{date} is in the future (today is {today})"),
            );
        }
    }
}

/// The cross-field rules: what a state needs, what it cannot have, and the order of dates.
struct Checks<'a> {
    state: CaseState,
    received_on: NaiveDate,
    today: NaiveDate,
    dates: &'a Dates,
    details: &'a Details,
    settings: &'a LifecycleSettings,
}

impl Checks<'_> {
    fn run(&self, errors: &mut FieldErrors) {
        let state = self.state;
        let accepted = !matches!(
            state,
            CaseState::Received
                | CaseState::AwaitingSupplement
                | CaseState::NotAccepted
                | CaseState::WithdrawnBeforeAcceptance
        );
        let d = self.dates;
        let x = self.details;

        // Each field with the states it belongs to: required where the state implies it happened,
        // refused where the state says it cannot have.
        let needs =
            |column: Column, present: bool, wanted: bool, why: &str, errors: &mut FieldErrors| {
                match (present, wanted) {
                    (false, true) => errors.push(column.to_string(), format!("required {why}")),
                    (true, false) => errors.push(
                        column.to_string(),
                        format!("not possible for a case that is {state}"),
                    ),
                    _ => {}
                }
            };
        let optional = |column: Column, present: bool, allowed: bool, errors: &mut FieldErrors| {
            if present && !allowed {
                errors.push(
                    column.to_string(),
                    format!("not possible for a case that is {state}"),
                );
            }
        };
        let accepted_why = "for an accepted case";
        needs(
            Column::AcceptedOn,
            d.accepted_on.is_some(),
            accepted,
            accepted_why,
            errors,
        );
        needs(
            Column::Procedure,
            x.procedure.is_some(),
            accepted,
            accepted_why,
            errors,
        );
        optional(
            Column::CaseNumber,
            x.case_number.is_some(),
            accepted,
            errors,
        );
        let declined = state == CaseState::NotAccepted;
        needs(
            Column::DeclinedOn,
            d.declined_on.is_some(),
            declined,
            "for a case not accepted",
            errors,
        );
        optional(
            Column::DeclineReason,
            x.decline_reason.is_some(),
            declined,
            errors,
        );
        let withdrawn = state == CaseState::WithdrawnBeforeAcceptance;
        needs(
            Column::WithdrawnOn,
            d.withdrawn_on.is_some(),
            withdrawn,
            "for an application withdrawn before acceptance",
            errors,
        );
        let awaiting = state == CaseState::AwaitingSupplement;
        // A declined or withdrawn application may or may not have had a supplement notice.
        if awaiting || !(declined || withdrawn) {
            needs(
                Column::SupplementRequestedOn,
                d.supplement_requested_on.is_some(),
                awaiting,
                "for a case awaiting a supplement",
                errors,
            );
        }
        let decided = disposition_of(state).is_some();
        optional(
            Column::ApprovalRoute,
            x.approval_route.is_some(),
            decided,
            errors,
        );
        optional(Column::Approver, x.approver.is_some(), decided, errors);
        if x.approval_route.is_some() != x.approver.is_some() {
            errors.push(
                Column::Approver.to_string(),
                "an approval names both its route and who approved",
            );
        }
        optional(
            Column::SupplementNoticeReceivedOn,
            d.supplement_notice_received_on.is_some(),
            d.supplement_requested_on.is_some(),
            errors,
        );
        for (column, present) in [
            (Column::CopySentOn, d.copy_sent_on.is_some()),
            (Column::CopyReceivedOn, d.copy_received_on.is_some()),
            (Column::ReplyReceivedOn, d.reply_received_on.is_some()),
            (Column::HearingsHeld, x.hearings_held > 0),
            (Column::SuspendedDays, x.suspended_days > 0),
            (Column::ExtensionDays, x.extension_days > 0),
        ] {
            optional(column, present, accepted, errors);
        }
        let heard_needed = state == CaseState::Heard;
        if heard_needed || state == CaseState::Filed || !accepted {
            needs(
                Column::HeardOn,
                d.heard_on.is_some(),
                heard_needed,
                "for a heard case",
                errors,
            );
        }
        let suspended = state == CaseState::Suspended;
        let why = "for a suspended case";
        needs(
            Column::SuspendedOn,
            d.suspended_on.is_some(),
            suspended,
            why,
            errors,
        );
        needs(
            Column::SuspensionGround,
            x.suspension_ground.is_some(),
            suspended,
            why,
            errors,
        );
        let concluded = state.is_concluded();
        needs(
            Column::ConcludedOn,
            d.concluded_on.is_some(),
            concluded,
            "for a concluded case",
            errors,
        );
        let terminated = state == CaseState::Terminated;
        needs(
            Column::TerminationGround,
            x.termination_ground.is_some(),
            terminated,
            "for a terminated case",
            errors,
        );
        let documented = state.is_merits_decision() || state == CaseState::Mediated;
        optional(
            Column::DecisionDocumentNumber,
            x.decision_document_number.is_some(),
            documented,
            errors,
        );
        let revoked = state == CaseState::Revoked;
        optional(Column::Partial, x.partial, revoked, errors);
        optional(Column::RemakeOrdered, x.remake_ordered, revoked, errors);
        let ordered = x.remake_ordered || state == CaseState::OrderedToPerform;
        if let Some(days) = x.comply_within_days {
            if !ordered {
                errors.push(
                    Column::ComplyWithinDays.to_string(),
                    "only with a remake order or an order to perform",
                );
            } else if days == 0 {
                errors.push(
                    Column::ComplyWithinDays.to_string(),
                    "give at least one day",
                );
            }
        }
        if x.simplified_ground.is_some() && x.procedure != Some(Procedure::Simplified) {
            errors.push(
                Column::SimplifiedGround.to_string(),
                "only a case under simplified procedure has an art. 53 ground",
            );
        }
        if x.extension_days > 0 && x.procedure == Some(Procedure::Simplified) {
            errors.push(
                Column::ExtensionDays.to_string(),
                "only ordinary procedure can be extended (art. 62)",
            );
        }
        let max = self.settings.max_extension_days;
        if x.extension_days > max {
            errors.push(
                Column::ExtensionDays.to_string(),
                format!("extensions add up to at most {max} days (art. 62)"),
            );
        }
        if let Some(number) = &x.case_number {
            errors.check_text(Column::CaseNumber.as_str(), number, case::MAX_NAME_CHARS);
        }
        if let Some(number) = &x.decision_document_number {
            errors.check_text(
                Column::DecisionDocumentNumber.as_str(),
                number,
                case::MAX_NAME_CHARS,
            );
        }
        self.check_order(errors);
        self.check_participation(accepted, errors);
    }

    /// Each step happens on or after the one it follows.
    /// Third parties and the committee (arts. 16, 52) belong to accepted cases; a case marked
    /// for the committee and decided on the merits was decided after its consultation.
    fn check_participation(&self, accepted: bool, errors: &mut FieldErrors) {
        let d = self.dates;
        let x = self.details;
        let state = self.state;
        for (column, present) in [
            (Column::ThirdPartyNames, !x.third_party_names.is_empty()),
            (Column::CommitteeGround, x.committee_ground.is_some()),
            (
                Column::CommitteeConsultedOn,
                d.committee_consulted_on.is_some(),
            ),
        ] {
            if present && !accepted {
                errors.push(
                    column.to_string(),
                    format!("not possible for a case that is {state}"),
                );
            }
        }
        match (x.third_party_names.is_empty(), x.third_party_basis) {
            (false, None) => errors.push(
                Column::ThirdPartyBasis.to_string(),
                "required with third_party_names",
            ),
            (true, Some(_)) => errors.push(
                Column::ThirdPartyBasis.to_string(),
                "only with third_party_names",
            ),
            _ => {}
        }
        match (d.committee_consulted_on, &x.committee_opinion) {
            (Some(_), None) => errors.push(
                Column::CommitteeOpinion.to_string(),
                "required with committee_consulted_on",
            ),
            (None, Some(_)) => errors.push(
                Column::CommitteeOpinion.to_string(),
                "only with committee_consulted_on",
            ),
            _ => {}
        }
        if x.committee_ground.is_some()
            && d.committee_consulted_on.is_none()
            && state.is_merits_decision()
        {
            errors.push(
                Column::CommitteeConsultedOn.to_string(),
                "a case marked for the reconsideration committee is decided after its consultation (art. 52)",
            );
        }
        for (later, limit) in [
            (Column::AcceptedOn, d.accepted_on),
            (Column::ConcludedOn, d.concluded_on),
        ] {
            let Some((consulted, limit)) = d.committee_consulted_on.zip(limit) else {
                continue;
            };
            let wrong = match later {
                Column::AcceptedOn => consulted < limit,
                _ => consulted > limit,
            };
            if wrong {
                errors.push(
                    Column::CommitteeConsultedOn.to_string(),
                    format!("{consulted} is outside the case's handling ({later} {limit})"),
                );
            }
        }
    }

    fn check_order(&self, errors: &mut FieldErrors) {
        let d = self.dates;
        let received = Some(self.received_on);
        let after = |column: Column,
                     date: Option<NaiveDate>,
                     earlier: Column,
                     earlier_date: Option<NaiveDate>,
                     errors: &mut FieldErrors| {
            if let (Some(date), Some(earlier_date)) = (date, earlier_date)
                && date < earlier_date
            {
                errors.push(
                    column.to_string(),
                    format!("{date} is before {earlier} ({earlier_date})"),
                );
            }
        };
        after(
            Column::SupplementRequestedOn,
            d.supplement_requested_on,
            Column::ReceivedOn,
            received,
            errors,
        );
        after(
            Column::DeclinedOn,
            d.declined_on,
            Column::ReceivedOn,
            received,
            errors,
        );
        after(
            Column::DeclinedOn,
            d.declined_on,
            Column::SupplementRequestedOn,
            d.supplement_requested_on,
            errors,
        );
        after(
            Column::WithdrawnOn,
            d.withdrawn_on,
            Column::ReceivedOn,
            received,
            errors,
        );
        after(
            Column::WithdrawnOn,
            d.withdrawn_on,
            Column::SupplementRequestedOn,
            d.supplement_requested_on,
            errors,
        );
        after(
            Column::AcceptedOn,
            d.accepted_on,
            Column::ReceivedOn,
            received,
            errors,
        );
        for (column, date) in [
            (Column::CopySentOn, d.copy_sent_on),
            (Column::ReplyReceivedOn, d.reply_received_on),
            (Column::HeardOn, d.heard_on),
            (Column::SuspendedOn, d.suspended_on),
            (Column::ConcludedOn, d.concluded_on),
        ] {
            after(column, date, Column::AcceptedOn, d.accepted_on, errors);
        }
        after(
            Column::ReplyReceivedOn,
            d.reply_received_on,
            Column::CopySentOn,
            d.copy_sent_on,
            errors,
        );
        after(
            Column::SupplementNoticeReceivedOn,
            d.supplement_notice_received_on,
            Column::SupplementRequestedOn,
            d.supplement_requested_on,
            errors,
        );
        after(
            Column::CopyReceivedOn,
            d.copy_received_on,
            Column::CopySentOn,
            d.copy_sent_on,
            errors,
        );
        after(
            Column::SuspendedOn,
            d.suspended_on,
            Column::HeardOn,
            d.heard_on,
            errors,
        );
        for (column, date) in [
            (Column::CopySentOn, d.copy_sent_on),
            (Column::ReplyReceivedOn, d.reply_received_on),
            (Column::HeardOn, d.heard_on),
        ] {
            after(Column::ConcludedOn, d.concluded_on, column, date, errors);
        }
        // Ended suspensions lie between acceptance and the end of the case (or the running
        // suspension, or today): more suspended days than that cannot have passed.
        if let Some(accepted_on) = d.accepted_on {
            let end = d.concluded_on.or(d.suspended_on).unwrap_or(self.today);
            let span = (end - accepted_on).num_days().max(0);
            if i64::from(self.details.suspended_days) > span {
                errors.push(
                    Column::SuspendedDays.to_string(),
                    format!(
                        "{} days cannot fit between acceptance ({accepted_on}) and {end} ({span} days)",
                        self.details.suspended_days
                    ),
                );
            }
        }
    }
}

/// The aggregate the lifecycle would hold for a case with these facts.
fn build_lifecycle(
    state: CaseState,
    received_on: NaiveDate,
    dates: &Dates,
    details: Details,
) -> CaseLifecycle {
    let mut lifecycle = CaseLifecycle::new(received_on);
    lifecycle.state = state;
    lifecycle.supplement_requested_on = dates.supplement_requested_on;
    lifecycle.procedure = details.procedure;
    lifecycle.simplified_ground = details.simplified_ground;
    lifecycle.accepted_on = dates.accepted_on;
    lifecycle.case_number = details.case_number;
    lifecycle.copy_sent_on = dates.copy_sent_on;
    lifecycle.copy_received_on = dates.copy_received_on;
    lifecycle.supplement_notice_received_on = dates.supplement_notice_received_on;
    lifecycle.approval = details
        .approval_route
        .zip(details.approver)
        .map(|(route, approver)| Approval { route, approver });
    lifecycle.reply_received_on = dates.reply_received_on;
    lifecycle.heard_on = dates.heard_on;
    lifecycle.hearings_held = details.hearings_held;
    if state == CaseState::Suspended {
        // A suspended case resumes to the state it left: heard if it had been heard.
        lifecycle.suspended_from = Some(if dates.heard_on.is_some() {
            CaseState::Heard
        } else {
            CaseState::Filed
        });
        lifecycle.suspended_on = dates.suspended_on;
        lifecycle.suspension_ground = details.suspension_ground;
    }
    lifecycle.suspended_days = details.suspended_days;
    lifecycle.extension_days = details.extension_days;
    lifecycle.declined_on = dates.declined_on;
    lifecycle.withdrawn_on = dates.withdrawn_on;
    lifecycle.decline_reason = details.decline_reason;
    lifecycle.concluded_on = dates.concluded_on;
    lifecycle.disposition = disposition_of(state);
    lifecycle.termination_ground = details.termination_ground;
    lifecycle.partial = details.partial;
    lifecycle.remake_ordered = details.remake_ordered;
    lifecycle.comply_within_days = details.comply_within_days;
    lifecycle.decision_document_number = details.decision_document_number;
    // The file does not say when each third party joined; the acceptance is the earliest it can.
    let joined_on = dates.accepted_on.unwrap_or(received_on);
    if let Some(basis) = details.third_party_basis {
        lifecycle.third_parties = details
            .third_party_names
            .into_iter()
            .zip(1..)
            .map(|(name, number)| ThirdParty {
                number,
                name,
                // The file does not say.
                kind: None,
                basis,
                joined_on,
                withdrawn_on: None,
            })
            .collect();
    }
    lifecycle.committee_ground = details.committee_ground;
    if let (Some(opinion_on), Some(opinion)) =
        (dates.committee_consulted_on, details.committee_opinion)
    {
        lifecycle.committee_consultations = vec![CommitteeConsultation {
            requested_on: None,
            opinion_on,
            opinion,
        }];
    }
    lifecycle.last_event_on = dates.latest(received_on);
    lifecycle
}

/// The disposition that leads to a decision state.
fn disposition_of(state: CaseState) -> Option<Disposition> {
    Disposition::iter().find(|d| d.target_state() == state)
}

/// The parts of a case number built by an organ's pattern (`{organ_short}`, `{year}`, `{seq}`),
/// so numbers given in a file can be matched against the ones the counter hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPattern {
    prefix: String,
    suffix: String,
}

impl NumberPattern {
    /// The pattern of `year`'s numbers; `None` when the pattern has no `{seq}`.
    pub fn new(pattern: &str, organ_short: &str, year: i32) -> Option<Self> {
        let filled = pattern
            .replace("{organ_short}", organ_short)
            .replace("{year}", &year.to_string());
        let (prefix, suffix) = filled.split_once("{seq}")?;
        Some(Self {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// The sequence number of `number`, if the pattern made it.
    pub fn seq_of(&self, number: &str) -> Option<i32> {
        let digits = number
            .strip_prefix(&self.prefix)?
            .strip_suffix(&self.suffix)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// The number with sequence `seq`.
    pub fn format(&self, seq: i32) -> String {
        format!("{}{seq}{}", self.prefix, self.suffix)
    }
}

/// Whether `value` has the form of a unified social credit code (统一社会信用代码), the way a
/// respondent is named unambiguously.
pub fn looks_like_credit_code(value: &str) -> bool {
    value.len() == 18 && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    const TODAY: &str = "2025-06-30";

    fn header(names: &[&str]) -> Header {
        Header::parse(names.iter().copied()).expect("valid header")
    }

    /// A complete row of a case revoked after a hearing, as (column, value) pairs.
    fn revoked() -> Vec<(&'static str, &'static str)> {
        vec![
            ("organ", "city"),
            ("received_on", "2024-03-01"),
            ("channel", "online"),
            ("applicant_name", "张三"),
            ("applicant_kind", "legal_person"),
            ("respondent", "福州市公安局"),
            ("act_type", "administrative_penalty"),
            ("act_date", "2024-01-10"),
            ("learned_on", "2024-01-12"),
            ("request", "撤销处罚决定"),
            ("reasons", "事实不清"),
            ("state", "revoked"),
            ("procedure", "ordinary"),
            ("accepted_on", "2024-03-05"),
            ("heard_on", "2024-04-01"),
            ("suspended_days", "3"),
            ("extension_days", "10"),
            ("concluded_on", "2024-05-20"),
            ("partial", "true"),
        ]
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<ImportRow, Vec<(String, String)>> {
        let names: Vec<&str> = pairs.iter().map(|(n, _)| *n).collect();
        let values: Vec<&str> = pairs.iter().map(|(_, v)| *v).collect();
        parse_row(
            &header(&names),
            &values,
            date(TODAY),
            &LifecycleSettings::default(),
        )
        .map_err(|e| {
            e.into_vec()
                .into_iter()
                .map(|f| (f.field, f.reason))
                .collect()
        })
    }

    fn with(
        mut pairs: Vec<(&'static str, &'static str)>,
        name: &'static str,
        value: &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        match pairs.iter_mut().find(|(n, _)| *n == name) {
            Some(pair) => pair.1 = value,
            None => pairs.push((name, value)),
        }
        pairs
    }

    fn fields_of(result: Result<ImportRow, Vec<(String, String)>>) -> Vec<String> {
        match result {
            Ok(row) => panic!("unexpectedly valid: {row:?}"),
            Err(errors) => errors.into_iter().map(|(f, _)| f).collect(),
        }
    }

    #[test]
    fn a_complete_row_builds_the_aggregate_the_lifecycle_would() {
        let row = parse(&revoked()).expect("valid");
        let lc = &row.lifecycle;
        assert_eq!(lc.state, CaseState::Revoked);
        assert_eq!(lc.disposition, Some(Disposition::Revoke));
        assert_eq!(lc.accepted_on, Some(date("2024-03-05")));
        assert_eq!(lc.concluded_on, Some(date("2024-05-20")));
        assert_eq!(lc.last_event_on, date("2024-05-20"));
        assert_eq!((lc.suspended_days, lc.extension_days), (3, 10));
        assert!(lc.partial);
        assert_eq!(lc.case_number, None);
        assert_eq!(row.applicant.kind, PartyKind::LegalPerson);
        assert!(case::is_enterprise_related(std::slice::from_ref(
            &row.applicant
        )));
    }

    #[test]
    fn the_header_names_unknown_twice_and_missing_columns() {
        let errors = Header::parse(["\u{feff}organ", "organ", "colour"]).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields[..2], ["organ", "colour"]);
        assert!(fields.contains(&"received_on"));
        assert!(
            !fields.contains(&"case_number"),
            "optional columns may be left out"
        );
    }

    #[test]
    fn every_bad_field_of_a_row_is_reported() {
        let pairs = with(
            with(
                with(revoked(), "received_on", "2024-02-30"),
                "channel",
                "pigeon",
            ),
            "hearings_held",
            "-1",
        );
        assert_eq!(
            fields_of(parse(&pairs)),
            ["received_on", "channel", "hearings_held"]
        );
    }

    #[test]
    fn dates_must_follow_each_other_and_not_lie_ahead() {
        let pairs = with(revoked(), "accepted_on", "2024-02-01");
        assert_eq!(fields_of(parse(&pairs)), ["accepted_on"]);
        let pairs = with(revoked(), "concluded_on", "2025-07-01");
        assert_eq!(fields_of(parse(&pairs)), ["concluded_on"]);
        let pairs = with(revoked(), "act_date", "2024-03-02");
        assert!(fields_of(parse(&pairs)).contains(&"received_on".to_owned()));
    }

    #[test]
    fn the_state_must_agree_with_the_fields_present() {
        // An open case cannot have a conclusion; a concluded one needs it.
        let pairs = with(revoked(), "state", "heard");
        assert_eq!(fields_of(parse(&pairs)), ["concluded_on", "partial"]);
        let pairs: Vec<_> = revoked()
            .into_iter()
            .filter(|(n, _)| *n != "concluded_on")
            .collect();
        assert_eq!(fields_of(parse(&pairs)), ["concluded_on"]);
        // Not accepted: no acceptance, and the decline date is needed.
        let pairs = with(revoked(), "state", "not_accepted");
        let fields = fields_of(parse(&pairs));
        for field in [
            "accepted_on",
            "procedure",
            "declined_on",
            "heard_on",
            "concluded_on",
        ] {
            assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
        }
        let pairs = with(revoked(), "state", "terminated");
        assert_eq!(fields_of(parse(&pairs)), ["termination_ground", "partial"]);
    }

    /// Issue 14: an application withdrawn before acceptance carries its withdrawal date and
    /// nothing of a case that was accepted.
    #[test]
    fn an_application_withdrawn_before_acceptance_needs_its_date() {
        let before_acceptance: Vec<_> = revoked()
            .into_iter()
            .filter(|(n, _)| {
                !matches!(
                    *n,
                    "procedure"
                        | "accepted_on"
                        | "heard_on"
                        | "suspended_days"
                        | "extension_days"
                        | "concluded_on"
                        | "partial"
                )
            })
            .collect();
        let pairs = with(before_acceptance, "state", "withdrawn_before_acceptance");
        assert_eq!(fields_of(parse(&pairs)), ["withdrawn_on"]);
        let early = with(pairs.clone(), "withdrawn_on", "2024-02-28");
        assert_eq!(fields_of(parse(&early)), ["withdrawn_on"]);
        let row = parse(&with(pairs, "withdrawn_on", "2024-03-04")).expect("valid");
        assert_eq!(row.lifecycle.state, CaseState::WithdrawnBeforeAcceptance);
        assert_eq!(row.lifecycle.withdrawn_on, Some(date("2024-03-04")));
        assert_eq!(row.lifecycle.concluded_on, None);
        assert_eq!(row.lifecycle.last_event_on, date("2024-03-04"));
        // Only that state has the date.
        let pairs = with(revoked(), "withdrawn_on", "2024-03-04");
        assert_eq!(fields_of(parse(&pairs)), ["withdrawn_on"]);
    }

    /// Issue 14: third parties and the committee's consultation travel with an accepted case;
    /// a marked case decided on the merits needs its consultation (art. 52).
    #[test]
    fn third_parties_and_the_committee_are_imported_with_an_accepted_case() {
        let pairs = with(revoked(), "third_party_names", "某公司；王某");
        assert_eq!(fields_of(parse(&pairs)), ["third_party_basis"]);
        let pairs = with(pairs, "third_party_basis", "own_application");
        let marked = with(pairs, "committee_ground", "major_difficult_complex");
        assert_eq!(fields_of(parse(&marked)), ["committee_consulted_on"]);
        let consulted = with(marked, "committee_consulted_on", "2024-03-20");
        assert_eq!(fields_of(parse(&consulted)), ["committee_opinion"]);
        let row = parse(&with(consulted, "committee_opinion", "建议撤销")).expect("valid");
        let names: Vec<&str> = row
            .lifecycle
            .third_parties
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["某公司", "王某"]);
        assert_eq!(row.lifecycle.third_parties[1].number, 2);
        assert_eq!(
            row.lifecycle.committee_consultations[0].opinion_on,
            date("2024-03-20")
        );
        let before_acceptance: Vec<_> = revoked()
            .into_iter()
            .filter(|(n, _)| {
                !matches!(
                    *n,
                    "procedure"
                        | "accepted_on"
                        | "heard_on"
                        | "suspended_days"
                        | "extension_days"
                        | "concluded_on"
                        | "partial"
                )
            })
            .collect();
        let pairs = with(before_acceptance, "state", "withdrawn_before_acceptance");
        let pairs = with(pairs, "withdrawn_on", "2024-03-04");
        let pairs = with(pairs, "third_party_names", "某公司");
        let pairs = with(pairs, "third_party_basis", "own_application");
        assert_eq!(fields_of(parse(&pairs)), ["third_party_names"]);
    }

    #[test]
    fn a_suspended_case_resumes_to_where_it_was() {
        let pairs: Vec<_> = revoked()
            .into_iter()
            .filter(|(n, _)| !matches!(*n, "concluded_on" | "partial"))
            .collect();
        let pairs = with(
            with(
                with(pairs, "state", "suspended"),
                "suspended_on",
                "2024-04-10",
            ),
            "suspension_ground",
            "force_majeure",
        );
        let row = parse(&pairs).expect("valid");
        assert_eq!(row.lifecycle.suspended_from, Some(CaseState::Heard));
        assert_eq!(row.lifecycle.suspended_on, Some(date("2024-04-10")));
        let pairs = with(pairs, "suspended_days", "40");
        assert_eq!(fields_of(parse(&pairs)), ["suspended_days"]);
    }

    #[test]
    fn extensions_are_for_ordinary_procedure_within_the_maximum() {
        let pairs = with(revoked(), "extension_days", "31");
        assert_eq!(fields_of(parse(&pairs)), ["extension_days"]);
        let pairs = with(revoked(), "procedure", "simplified");
        assert_eq!(fields_of(parse(&pairs)), ["extension_days"]);
    }

    #[test]
    fn numbers_made_by_a_pattern_are_recognised() {
        let pattern =
            NumberPattern::new("{organ_short}复〔{year}〕{seq}号", "榕", 2020).expect("pattern");
        assert_eq!(pattern.format(12), "榕复〔2020〕12号");
        assert_eq!(pattern.seq_of("榕复〔2020〕12号"), Some(12));
        assert_eq!(pattern.seq_of("榕复〔2021〕12号"), None);
        assert_eq!(pattern.seq_of("榕复〔2020〕十二号"), None);
    }
}
