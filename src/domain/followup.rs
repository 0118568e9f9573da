//! What happens after a case is concluded, as pure rules: service of the decision and the day it
//! takes effect (art. 75), the respondent's compliance with a remake or perform order and the
//! measures of art. 77, litigation against the decision, opinion and recommendation letters
//! (art. 76; 2007 regulations art. 57), their due dates and where each stands, and the figures
//! counted from them.
//!
//! None of these records changes a case's state; they may be added only once it is concluded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    calendar::{CalendarError, WorkCalendar},
    case::PartyRole,
    deadlines::{DeadlineKind, DeadlineStatus},
    lifecycle::{CaseLifecycle, CaseState, Disposition},
    statistics::{Period, Rate},
    validation::FieldErrors,
};

/// Declares a closed set of API values stored as snake_case text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            ToSchema, strum::EnumString, strum::IntoStaticStr, strum::EnumIter, strum::Display,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}

/// Days an agency has to report back on an opinion letter, from its receipt (art. 76).
pub const REPORT_BACK_DAYS: u32 = 60;

/// The longest free text a record's note or summary may have.
pub const MAX_NOTE_CHARS: usize = 2000;

text_enum! {
    /// How a decision was served (Civil Procedure Law, applied by art. 88).
    ServiceMethod {
        /// 直接送达: handed over, the recipient signs the receipt.
        InPerson,
        /// 邮寄送达: by post; served on the day the recipient signs for it.
        Post,
        /// 电子送达: electronically, only with the recipient's consent.
        Electronic,
    }
}

text_enum! {
    /// Whose service a record is.
    Recipient {
        /// An applicant (named by position among the case's parties).
        Applicant,
        /// A third party (named by position).
        ThirdParty,
        /// The respondent agency.
        Respondent,
    }
}

text_enum! {
    /// What a decision ordered the respondent to do within a time limit.
    ComplianceOrder {
        /// Remake the revoked act (责令重作, art. 64).
        Remake,
        /// Perform its duty (责令履行, art. 66).
        Perform,
    }
}

text_enum! {
    /// Follow-up measures against a respondent who does not comply (art. 77).
    MeasureKind {
        /// 责令限期履行: ordered to comply within a time limit.
        OrderToComply,
        /// 约谈: an interview of the agency's responsible head.
        Interview,
        /// 通报批评: public criticism.
        PublicCriticism,
    }
}

text_enum! {
    /// A court instance.
    Instance {
        /// 一审.
        First,
        /// 二审 (appeal).
        Second,
        /// 再审.
        Retrial,
    }
}

text_enum! {
    /// How a court instance ended.
    JudgmentResult {
        /// 驳回诉讼请求: the claim is rejected (the agency wins).
        ClaimRejected,
        /// 裁定驳回起诉: the suit is dismissed (the agency wins).
        SuitDismissed,
        /// 撤诉: the plaintiff withdrew.
        Withdrawn,
        /// 调解: settled by court mediation.
        Mediated,
        /// 判决撤销: the act or decision is revoked (the agency loses).
        Revoked,
        /// 判决变更: the act is altered (the agency loses).
        Altered,
        /// 确认违法 (the agency loses).
        ConfirmedIllegal,
        /// 确认无效 (the agency loses).
        ConfirmedInvalid,
        /// 判决履行: ordered to perform (the agency loses).
        OrderedToPerform,
        /// 判决给付 or compensation ordered (the agency loses).
        OrderedToPay,
        /// 驳回上诉，维持原判: appeal rejected, the judgment below stands.
        AppealRejected,
        /// 改判: the judgment below is reversed or changed.
        Reversed,
        /// 发回重审: sent back for a new trial.
        Remanded,
        /// Anything else, explained in the note.
        Other,
    }
}

text_enum! {
    /// How an instance ended for the agency.
    Outcome {
        /// The agency won.
        Won,
        /// The agency lost, wholly or in part (败诉).
        Lost,
        /// Neither: withdrawn, mediated, sent back.
        Neither,
    }
}

text_enum! {
    /// The two kinds of letter an organ issues to agencies.
    LetterKind {
        /// 行政复议意见书 (art. 76): the recipient reports back within 60 days of receipt.
        Opinion,
        /// 行政复议建议书 (2007 regulations art. 57): no report-back is due.
        Recommendation,
    }
}

text_enum! {
    /// What a deadline in the feed is for: a case's own deadlines, a respondent's compliance, or
    /// an opinion letter's report-back.
    FeedKind {
        /// Accept or decline the application (art. 30).
        AcceptanceReview,
        /// The applicant supplements the application (art. 31).
        Supplement,
        /// Send the application to the respondent (arts. 48, 54).
        CopyToRespondent,
        /// The respondent replies (arts. 48, 54).
        RespondentReply,
        /// Decide the case (art. 62).
        Decision,
        /// The respondent forwards an application filed with it (art. 32).
        Forwarding,
        /// Transfer a normative-document review the organ may not handle (art. 56).
        NormativeReviewTransfer,
        /// Handle a normative-document review (art. 56).
        NormativeReviewHandling,
        /// Notify the drafting body of the normative document (art. 58).
        DraftingBodyNotice,
        /// The drafting body replies (art. 58).
        DraftingBodyReply,
        /// The organ a review was transferred to answers (art. 60).
        TransferredReviewAnswer,
        /// The respondent remakes the act or performs within the decision's time limit.
        Compliance,
        /// The recipient of an opinion letter reports back (art. 76).
        LetterReportBack,
    }
}

text_enum! {
    /// Where a deadline in the feed stands: the feed lists only deadlines still to meet.
    FeedStatus {
        /// Not done yet, not past due.
        Pending,
        /// Not done and past due.
        Missed,
    }
}

impl FeedKind {
    /// The feed kind of a case deadline; the suspension limit is an option the organ gains, not
    /// a duty, so it has none.
    pub fn of_case_deadline(kind: DeadlineKind) -> Option<Self> {
        match kind {
            DeadlineKind::AcceptanceReview => Some(Self::AcceptanceReview),
            DeadlineKind::Supplement => Some(Self::Supplement),
            DeadlineKind::CopyToRespondent => Some(Self::CopyToRespondent),
            DeadlineKind::RespondentReply => Some(Self::RespondentReply),
            DeadlineKind::Decision => Some(Self::Decision),
            DeadlineKind::Forwarding => Some(Self::Forwarding),
            DeadlineKind::NormativeReviewTransfer => Some(Self::NormativeReviewTransfer),
            DeadlineKind::NormativeReviewHandling => Some(Self::NormativeReviewHandling),
            DeadlineKind::DraftingBodyNotice => Some(Self::DraftingBodyNotice),
            DeadlineKind::DraftingBodyReply => Some(Self::DraftingBodyReply),
            DeadlineKind::TransferredReviewAnswer => Some(Self::TransferredReviewAnswer),
            DeadlineKind::SuspensionLimit => None,
        }
    }

    /// Whether the deadline belongs to a case still being handled.
    pub fn is_case_deadline(self) -> bool {
        !matches!(self, Self::Compliance | Self::LetterReportBack)
    }
}

impl JudgmentResult {
    /// The outcome this result fixes, if it fixes one. Results of an appeal or a retrial depend
    /// on the judgment below, so the outcome must be given with them.
    pub fn fixed_outcome(self) -> Option<Outcome> {
        match self {
            Self::ClaimRejected | Self::SuitDismissed => Some(Outcome::Won),
            Self::Revoked
            | Self::Altered
            | Self::ConfirmedIllegal
            | Self::ConfirmedInvalid
            | Self::OrderedToPerform
            | Self::OrderedToPay => Some(Outcome::Lost),
            Self::Withdrawn | Self::Mediated => Some(Outcome::Neither),
            Self::AppealRejected | Self::Reversed | Self::Remanded | Self::Other => None,
        }
    }

    /// Results that only a court reviewing a judgment below can reach.
    fn needs_judgment_below(self) -> bool {
        matches!(self, Self::AppealRejected | Self::Reversed | Self::Remanded)
    }
}

impl Instance {
    /// The instance whose judgment must exist before this one starts.
    pub fn previous(self) -> Option<Self> {
        match self {
            Self::First => None,
            Self::Second | Self::Retrial => Some(Self::First),
        }
    }
}

/// Records may be added only to a concluded case; otherwise the refusal names its state.
pub fn check_concluded(state: CaseState) -> Result<(), String> {
    if state.is_concluded() {
        Ok(())
    } else {
        Err(format!(
            "follow-up records are kept only on a concluded case; this case is {state} ({})",
            state.label_zh()
        ))
    }
}

/// What the decision ordered the respondent to do within a time limit, and the limit in days:
/// a revocation with a remake order, or an order to perform.
pub fn compliance_order(lifecycle: &CaseLifecycle) -> Option<(ComplianceOrder, u32)> {
    let days = lifecycle.comply_within_days?;
    match lifecycle.disposition? {
        Disposition::Revoke if lifecycle.remake_ordered => Some((ComplianceOrder::Remake, days)),
        Disposition::OrderToPerform => Some((ComplianceOrder::Perform, days)),
        _ => None,
    }
}

/// Checks a record's date: not in the future, and not before `not_before` (named by
/// `what_before`, e.g. "the decision (2024-05-06)").
pub fn check_date(
    errors: &mut FieldErrors,
    field: &str,
    date: NaiveDate,
    today: NaiveDate,
    not_before: Option<(NaiveDate, &str)>,
) {
    if date > today {
        errors.push(field, format!("{date} is in the future (today is {today})"));
    } else if let Some((earliest, what)) = not_before
        && date < earliest
    {
        errors.push(field, format!("{date} is before {what} ({earliest})"));
    }
}

/// Checks an optional free-text note.
pub fn check_note(errors: &mut FieldErrors, field: &str, note: Option<&str>) {
    if let Some(note) = note
        && note.chars().count() > MAX_NOTE_CHARS
    {
        errors.push(
            field,
            format!("must be at most {MAX_NOTE_CHARS} characters"),
        );
    }
}

/// A party of a case as far as service is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyFact {
    pub position: i32,
    pub role: PartyRole,
    /// For agents and representatives: the position of the party they act for.
    pub acts_for: Option<i32>,
}

/// A service as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceFact {
    pub recipient: Recipient,
    pub party_position: Option<i32>,
    pub served_on: NaiveDate,
}

/// Resolves who a service is for: the party at `position` if an applicant or a third party, or
/// the party an agent or representative at `position` acts for (service on them counts as
/// service on that party, Civil Procedure Law art. 88). Returns the recipient kind, the
/// principal's position and the position of whoever signed for them.
pub fn resolve_service_party(
    parties: &[PartyFact],
    position: i32,
) -> Result<(Recipient, i32, Option<i32>), String> {
    let find = |position: i32| parties.iter().find(|p| p.position == position);
    let party =
        find(position).ok_or_else(|| format!("the case has no party at position {position}"))?;
    let (principal, signed_by) = match party.role {
        PartyRole::Applicant | PartyRole::ThirdParty => (party, None),
        PartyRole::Agent | PartyRole::Representative => {
            let principal = party.acts_for.and_then(find).ok_or_else(|| {
                format!("the party at position {position} acts for nobody on record")
            })?;
            (principal, Some(position))
        }
    };
    let recipient = match principal.role {
        PartyRole::Applicant => Recipient::Applicant,
        PartyRole::ThirdParty => Recipient::ThirdParty,
        PartyRole::Agent | PartyRole::Representative => {
            return Err(format!(
                "the party at position {position} acts for another agent or representative"
            ));
        }
    };
    Ok((recipient, principal.position, signed_by))
}

/// Where service of the decision stands for one party who must receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceStatus {
    pub recipient: Recipient,
    /// The party's position among the case's parties; none for the respondent.
    pub party_position: Option<i32>,
    /// The first day it was served on them; none while not served.
    pub served_on: Option<NaiveDate>,
}

/// Service on each party the decision must reach before it takes effect for all of them: every
/// applicant and the respondent. A third party's service is recorded but does not hold the
/// effective date back, as the decision binds the applicant and the respondent.
pub fn service_statuses(parties: &[PartyFact], services: &[ServiceFact]) -> Vec<ServiceStatus> {
    let first = |recipient: Recipient, position: Option<i32>| {
        services
            .iter()
            .filter(|s| s.recipient == recipient && s.party_position == position)
            .map(|s| s.served_on)
            .min()
    };
    parties
        .iter()
        .filter(|p| p.role == PartyRole::Applicant)
        .map(|p| ServiceStatus {
            recipient: Recipient::Applicant,
            party_position: Some(p.position),
            served_on: first(Recipient::Applicant, Some(p.position)),
        })
        .chain(std::iter::once(ServiceStatus {
            recipient: Recipient::Respondent,
            party_position: None,
            served_on: first(Recipient::Respondent, None),
        }))
        .collect()
}

/// The day a concluded case's decision took effect (art. 75): once served on every applicant and
/// the respondent, the day the last of them was served. A mediation document takes effect when
/// the parties sign it (art. 73), which is the day the case was concluded.
pub fn effective_on(
    state: CaseState,
    concluded_on: Option<NaiveDate>,
    statuses: &[ServiceStatus],
) -> Option<NaiveDate> {
    if !state.is_concluded() {
        return None;
    }
    if state == CaseState::Mediated {
        return concluded_on;
    }
    statuses
        .iter()
        .map(|s| s.served_on)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
}

/// The last day of a compliance time limit of `days` calendar days, counted from the day the
/// decision was served on the respondent (the day it binds them, art. 75) under the Civil
/// Procedure Law's rules (art. 88).
pub fn compliance_due_on(
    calendar: &WorkCalendar,
    respondent_served_on: NaiveDate,
    days: u32,
) -> Result<NaiveDate, CalendarError> {
    calendar.calendar_period_end(respondent_served_on, days)
}

/// The last day for an opinion letter's report-back: 60 days from receipt (art. 76), or from
/// issue while the receipt is not recorded (the earliest it can be).
pub fn report_back_due_on(
    calendar: &WorkCalendar,
    issued_on: NaiveDate,
    received_on: Option<NaiveDate>,
) -> Result<NaiveDate, CalendarError> {
    calendar.calendar_period_end(received_on.unwrap_or(issued_on), REPORT_BACK_DAYS)
}

/// Where a follow-up deadline stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DueStatus {
    /// `pending`, `met`, `late`, `missed`, or `unknown` while the due day cannot be computed.
    pub status: DeadlineStatus,
    /// Days from today to the due day, while pending.
    pub days_left: Option<i64>,
    /// Days past the due day: to today while missed, to the day it was done when late.
    pub days_late: Option<i64>,
}

/// Judges a deadline due on `due_on` against the day it was met, if it was.
pub fn due_status(
    due_on: Option<NaiveDate>,
    met_on: Option<NaiveDate>,
    today: NaiveDate,
) -> DueStatus {
    let days = |from: NaiveDate, to: NaiveDate| (to - from).num_days();
    let (status, days_left, days_late) = match (due_on, met_on) {
        (None, _) => (DeadlineStatus::Unknown, None, None),
        (Some(due), Some(done)) if done <= due => (DeadlineStatus::Met, None, None),
        (Some(due), Some(done)) => (DeadlineStatus::Late, None, Some(days(due, done))),
        (Some(due), None) if today <= due => {
            (DeadlineStatus::Pending, Some(days(today, due)), None)
        }
        (Some(due), None) => (DeadlineStatus::Missed, None, Some(days(due, today))),
    };
    DueStatus {
        status,
        days_left,
        days_late,
    }
}

/// A new compliance record, checked against the decision.
#[derive(Debug, Clone, Copy)]
pub struct ComplianceCheck<'a> {
    pub decided_on: NaiveDate,
    pub complied_on: NaiveDate,
    pub new_act_document_number: Option<&'a str>,
    pub order: ComplianceOrder,
    pub today: NaiveDate,
}

/// Compliance is not in the future, not before the decision, and a remake names the new act.
pub fn check_compliance(check: &ComplianceCheck<'_>) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    check_date(
        &mut errors,
        "complied_on",
        check.complied_on,
        check.today,
        Some((check.decided_on, "the decision")),
    );
    match check.new_act_document_number {
        Some(number) => errors.check_text("new_act_document_number", number, 100),
        None if check.order == ComplianceOrder::Remake => errors.push(
            "new_act_document_number",
            "a remade act has a document number; name it",
        ),
        None => {}
    }
    errors.into_result()
}

/// A judgment to record, with what is known of the suit.
#[derive(Debug, Clone, Copy)]
pub struct JudgmentCheck {
    pub instance: Instance,
    pub decided_on: NaiveDate,
    pub result: JudgmentResult,
    pub outcome: Outcome,
    pub filed_on: NaiveDate,
    /// The day the instance below was decided, if it was.
    pub below_decided_on: Option<NaiveDate>,
    /// The last hearing of this instance, if any.
    pub last_hearing_on: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// A judgment is not in the future, not before the suit was filed, the instance below, or a
/// hearing of its own instance; its result fits the instance and the outcome fits the result.
pub fn check_judgment(check: &JudgmentCheck) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut floor = (check.filed_on, "the suit was filed".to_owned());
    if let Some(below) = check.below_decided_on
        && below > floor.0
    {
        floor = (below, "the judgment of the instance below".to_owned());
    }
    if let Some(heard) = check.last_hearing_on
        && heard > floor.0
    {
        floor = (heard, "a hearing of this instance".to_owned());
    }
    check_date(
        &mut errors,
        "decided_on",
        check.decided_on,
        check.today,
        Some((floor.0, &floor.1)),
    );
    if check.instance == Instance::First && check.result.needs_judgment_below() {
        errors.push(
            "result",
            format!(
                "{} reviews a judgment below; a first instance has none",
                check.result
            ),
        );
    }
    if let Some(fixed) = check.result.fixed_outcome()
        && fixed != check.outcome
    {
        errors.push(
            "outcome",
            format!("{} means the agency's outcome is {fixed}", check.result),
        );
    }
    errors.into_result()
}

/// The counts of follow-up figures in a period, before rates are formed. Each counts by its own
/// date: letters by the day issued, compliance by the day complied (a missed time limit by its
/// last day), head appearance by the hearing day, losses by the first-instance judgment's day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FollowupCounts {
    /// Letters issued, by kind.
    pub letters_issued: LettersIssued,
    /// Remake or perform orders complied with within their time limit.
    pub compliance_on_time: u64,
    /// Complied with after the time limit, or not at all by its last day (counted on that day
    /// once it has passed).
    pub compliance_late: u64,
    /// Court cases (one instance of one suit) with a hearing in the period.
    pub court_cases_heard: u64,
    /// Of those, the ones where the agency's head appeared at a hearing in the period.
    pub head_appeared: u64,
    /// First instances concluded (judged, ruled on, withdrawn, mediated) in the period.
    pub first_instance_concluded: u64,
    /// Of those, lost by the agency.
    pub first_instance_lost: u64,
}

/// Letters issued, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LettersIssued {
    /// 行政复议意见书.
    pub opinion: u64,
    /// 行政复议建议书.
    pub recommendation: u64,
}

impl LettersIssued {
    /// Both kinds together (the annual report's "意见书、建议书 26 份").
    pub fn total(&self) -> u64 {
        self.opinion + self.recommendation
    }
}

/// The rates formed from [`FollowupCounts`], each with its numerator and denominator.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FollowupRates {
    /// 负责人出庭率: court cases where the agency's head appeared ÷ court cases heard.
    pub head_appearance_rate: Rate,
    /// 败诉率: first-instance cases lost ÷ first-instance cases concluded.
    pub first_instance_loss_rate: Rate,
    /// Compliance on time ÷ (on time + late).
    pub compliance_on_time_rate: Rate,
}

impl FollowupCounts {
    /// 负责人出庭率: court cases where the agency's head appeared ÷ court cases heard.
    pub fn head_appearance_rate(&self) -> Rate {
        Rate::new(
            "head_appearance",
            self.head_appeared,
            self.court_cases_heard,
        )
    }

    /// 败诉率: first-instance cases lost ÷ first-instance cases concluded.
    pub fn first_instance_loss_rate(&self) -> Rate {
        Rate::new(
            "first_instance_loss",
            self.first_instance_lost,
            self.first_instance_concluded,
        )
    }

    /// Compliance on time ÷ compliance judged (on time + late).
    pub fn compliance_on_time_rate(&self) -> Rate {
        Rate::new(
            "compliance_on_time",
            self.compliance_on_time,
            self.compliance_on_time + self.compliance_late,
        )
    }

    /// Every rate at once.
    pub fn rates(&self) -> FollowupRates {
        FollowupRates {
            head_appearance_rate: self.head_appearance_rate(),
            first_instance_loss_rate: self.first_instance_loss_rate(),
            compliance_on_time_rate: self.compliance_on_time_rate(),
        }
    }
}

/// A letter as the figures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterFact {
    pub kind: LetterKind,
    pub issued_on: NaiveDate,
}

/// A compliance duty as the figures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplianceFact {
    pub due_on: Option<NaiveDate>,
    pub complied_on: Option<NaiveDate>,
}

/// A court hearing as the figures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HearingFact {
    pub lawsuit_id: Uuid,
    pub instance: Instance,
    pub held_on: NaiveDate,
    pub head_appeared: bool,
}

/// A judgment as the figures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JudgmentFact {
    pub instance: Instance,
    pub decided_on: NaiveDate,
    pub outcome: Outcome,
}

/// Everything the follow-up figures count.
#[derive(Debug, Clone, Copy)]
pub struct FollowupFacts<'a> {
    pub letters: &'a [LetterFact],
    pub compliance: &'a [ComplianceFact],
    pub hearings: &'a [HearingFact],
    pub judgments: &'a [JudgmentFact],
}

/// The definition of every follow-up count over plain facts; `today` decides whether a time
/// limit not complied with has passed. `db::followup_stats` computes the same in SQL.
pub fn tally(facts: FollowupFacts<'_>, period: Period, today: NaiveDate) -> FollowupCounts {
    let within = |date: NaiveDate| period.from <= date && date <= period.to;
    let mut counts = FollowupCounts::default();
    for letter in facts.letters.iter().filter(|l| within(l.issued_on)) {
        match letter.kind {
            LetterKind::Opinion => counts.letters_issued.opinion += 1,
            LetterKind::Recommendation => counts.letters_issued.recommendation += 1,
        }
    }
    for duty in facts.compliance {
        match (duty.due_on, duty.complied_on) {
            (Some(due), Some(done)) if within(done) && done <= due => {
                counts.compliance_on_time += 1;
            }
            (Some(_), Some(done)) if within(done) => counts.compliance_late += 1,
            (Some(due), None) if within(due) && due < today => counts.compliance_late += 1,
            _ => {}
        }
    }
    let mut heard: Vec<(Uuid, Instance, bool)> = Vec::new();
    for hearing in facts.hearings.iter().filter(|h| within(h.held_on)) {
        match heard
            .iter_mut()
            .find(|(id, instance, _)| *id == hearing.lawsuit_id && *instance == hearing.instance)
        {
            Some(entry) => entry.2 |= hearing.head_appeared,
            None => heard.push((hearing.lawsuit_id, hearing.instance, hearing.head_appeared)),
        }
    }
    counts.court_cases_heard = heard.len() as u64;
    counts.head_appeared = heard.iter().filter(|(_, _, appeared)| *appeared).count() as u64;
    for judgment in facts
        .judgments
        .iter()
        .filter(|j| j.instance == Instance::First && within(j.decided_on))
    {
        counts.first_instance_concluded += 1;
        counts.first_instance_lost += u64::from(judgment.outcome == Outcome::Lost);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::official_calendars;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn year_2023() -> Period {
        Period {
            from: date("2023-01-01"),
            to: date("2023-12-31"),
        }
    }

    fn no_facts() -> FollowupFacts<'static> {
        FollowupFacts {
            letters: &[],
            compliance: &[],
            hearings: &[],
            judgments: &[],
        }
    }

    #[test]
    fn the_2023_report_reads_98_39_and_13_82() {
        // 62 court cases heard, the head appeared in 61; 152 first instances concluded, 21 lost.
        let hearings: Vec<HearingFact> = (0..62)
            .map(|i| HearingFact {
                lawsuit_id: Uuid::from_u128(i),
                instance: Instance::First,
                held_on: date("2023-06-01"),
                head_appeared: i != 0,
            })
            .collect();
        let judgments: Vec<JudgmentFact> = (0..152)
            .map(|i| JudgmentFact {
                instance: Instance::First,
                decided_on: date("2023-09-01"),
                outcome: if i < 21 { Outcome::Lost } else { Outcome::Won },
            })
            .collect();
        let letters: Vec<LetterFact> = (0..26)
            .map(|i| LetterFact {
                kind: if i < 20 {
                    LetterKind::Opinion
                } else {
                    LetterKind::Recommendation
                },
                issued_on: date("2023-11-01"),
            })
            .collect();
        let counts = tally(
            FollowupFacts {
                letters: &letters,
                hearings: &hearings,
                judgments: &judgments,
                ..no_facts()
            },
            year_2023(),
            date("2024-01-01"),
        );
        assert_eq!(counts.letters_issued.total(), 26);
        assert_eq!(counts.letters_issued.opinion, 20);
        let head = counts.head_appearance_rate();
        assert_eq!((head.numerator, head.denominator), (61, 62));
        assert_eq!(head.percent, Some(98.39));
        assert_eq!(head.definition, "head_appearance");
        let loss = counts.first_instance_loss_rate();
        assert_eq!((loss.numerator, loss.denominator), (21, 152));
        assert_eq!(loss.percent, Some(13.82));
        assert_eq!(loss.definition, "first_instance_loss");
    }

    #[test]
    fn rates_without_a_base_have_no_value() {
        let counts = FollowupCounts::default();
        let rates = counts.rates();
        assert_eq!(rates.head_appearance_rate.percent, None);
        assert_eq!(rates.first_instance_loss_rate.percent, None);
        assert_eq!(rates.compliance_on_time_rate.percent, None);
        assert_eq!(rates.compliance_on_time_rate.denominator, 0);
    }

    #[test]
    fn a_court_case_heard_twice_counts_once_and_any_appearance_counts() {
        let suit = Uuid::from_u128(1);
        let hearing = |instance, on: &str, head_appeared| HearingFact {
            lawsuit_id: suit,
            instance,
            held_on: date(on),
            head_appeared,
        };
        let hearings = [
            hearing(Instance::First, "2023-03-01", false),
            hearing(Instance::First, "2023-04-01", true),
            hearing(Instance::Second, "2023-08-01", false),
            // Outside the period: neither heard nor appeared in 2023.
            hearing(Instance::Retrial, "2024-02-01", true),
        ];
        let counts = tally(
            FollowupFacts {
                hearings: &hearings,
                ..no_facts()
            },
            year_2023(),
            date("2024-06-01"),
        );
        assert_eq!(counts.court_cases_heard, 2);
        assert_eq!(counts.head_appeared, 1);
    }

    #[test]
    fn only_first_instances_count_toward_the_loss_rate() {
        let judgment = |instance, outcome| JudgmentFact {
            instance,
            decided_on: date("2023-05-05"),
            outcome,
        };
        let judgments = [
            judgment(Instance::First, Outcome::Lost),
            judgment(Instance::First, Outcome::Neither),
            judgment(Instance::Second, Outcome::Lost),
        ];
        let counts = tally(
            FollowupFacts {
                judgments: &judgments,
                ..no_facts()
            },
            year_2023(),
            date("2024-01-01"),
        );
        assert_eq!(counts.first_instance_concluded, 2);
        assert_eq!(counts.first_instance_lost, 1);
        assert_eq!(counts.first_instance_loss_rate().percent, Some(50.0));
    }

    #[test]
    fn compliance_counts_by_its_date_and_a_missed_limit_by_its_last_day() {
        let duty = |due: Option<&str>, done: Option<&str>| ComplianceFact {
            due_on: due.map(date),
            complied_on: done.map(date),
        };
        let duties = [
            duty(Some("2023-03-01"), Some("2023-02-20")), // on time
            duty(Some("2023-03-01"), Some("2023-03-01")), // on time, on the last day
            duty(Some("2023-03-01"), Some("2023-03-02")), // late
            duty(Some("2022-12-01"), Some("2023-01-10")), // late, counted by its compliance
            duty(Some("2023-11-30"), None),               // missed, counted on its last day
            duty(Some("2023-12-20"), None),               // still running on "today"
            duty(Some("2023-12-31"), Some("2024-01-02")), // complied in 2024: not 2023's
            duty(None, Some("2023-05-05")),               // time limit unknown: not judged
        ];
        let counts = tally(
            FollowupFacts {
                compliance: &duties,
                ..no_facts()
            },
            year_2023(),
            date("2023-12-15"),
        );
        assert_eq!(counts.compliance_on_time, 2);
        assert_eq!(counts.compliance_late, 3);
        let rate = counts.compliance_on_time_rate();
        assert_eq!((rate.numerator, rate.denominator), (2, 5));
        assert_eq!(rate.percent, Some(40.0));
    }

    #[test]
    fn letters_count_by_the_day_issued_and_by_kind() {
        let letters = [
            LetterFact {
                kind: LetterKind::Opinion,
                issued_on: date("2023-01-01"),
            },
            LetterFact {
                kind: LetterKind::Recommendation,
                issued_on: date("2023-12-31"),
            },
            LetterFact {
                kind: LetterKind::Opinion,
                issued_on: date("2024-01-01"),
            },
        ];
        let counts = tally(
            FollowupFacts {
                letters: &letters,
                ..no_facts()
            },
            year_2023(),
            date("2024-06-01"),
        );
        assert_eq!(
            counts.letters_issued,
            LettersIssued {
                opinion: 1,
                recommendation: 1
            }
        );
    }

    fn parties() -> Vec<PartyFact> {
        vec![
            PartyFact {
                position: 0,
                role: PartyRole::Applicant,
                acts_for: None,
            },
            PartyFact {
                position: 1,
                role: PartyRole::Agent,
                acts_for: Some(0),
            },
            PartyFact {
                position: 2,
                role: PartyRole::Applicant,
                acts_for: None,
            },
            PartyFact {
                position: 3,
                role: PartyRole::ThirdParty,
                acts_for: None,
            },
        ]
    }

    #[test]
    fn service_on_an_agent_counts_for_the_party_they_act_for() {
        let parties = parties();
        assert_eq!(
            resolve_service_party(&parties, 1),
            Ok((Recipient::Applicant, 0, Some(1)))
        );
        assert_eq!(
            resolve_service_party(&parties, 3),
            Ok((Recipient::ThirdParty, 3, None))
        );
        assert!(resolve_service_party(&parties, 9).is_err());
    }

    #[test]
    fn a_decision_takes_effect_once_every_applicant_and_the_respondent_is_served() {
        let parties = parties();
        let served = |recipient, position, on: &str| ServiceFact {
            recipient,
            party_position: position,
            served_on: date(on),
        };
        let mut services = vec![
            served(Recipient::Applicant, Some(0), "2024-05-08"),
            served(Recipient::Respondent, None, "2024-05-07"),
            served(Recipient::ThirdParty, Some(3), "2024-05-20"),
        ];
        let concluded = Some(date("2024-05-06"));
        let statuses = service_statuses(&parties, &services);
        assert_eq!(statuses.len(), 3, "two applicants and the respondent");
        assert_eq!(effective_on(CaseState::Upheld, concluded, &statuses), None);

        services.push(served(Recipient::Applicant, Some(2), "2024-05-10"));
        // A second service on the first applicant does not move the first.
        services.push(served(Recipient::Applicant, Some(0), "2024-05-30"));
        let statuses = service_statuses(&parties, &services);
        assert_eq!(
            effective_on(CaseState::Upheld, concluded, &statuses),
            Some(date("2024-05-10"))
        );
        assert_eq!(
            effective_on(CaseState::Mediated, concluded, &[]),
            concluded,
            "a mediation document takes effect when signed"
        );
        assert_eq!(effective_on(CaseState::Heard, None, &statuses), None);
    }

    #[test]
    fn time_limits_end_on_a_working_day() {
        let calendar = WorkCalendar::new(official_calendars());
        // Served 2024-04-01 with 30 days: 2024-05-01 falls in the May Day holiday (May 1–5).
        assert_eq!(
            compliance_due_on(&calendar, date("2024-04-01"), 30),
            Ok(date("2024-05-06"))
        );
        // Issued 2024-03-01, receipt unknown: 60 days is Tuesday 2024-04-30.
        assert_eq!(
            report_back_due_on(&calendar, date("2024-03-01"), None),
            Ok(date("2024-04-30"))
        );
        // Received 2024-03-05: 60 days is 2024-05-04, a holiday, so Monday 2024-05-06.
        assert_eq!(
            report_back_due_on(&calendar, date("2024-03-01"), Some(date("2024-03-05"))),
            Ok(date("2024-05-06"))
        );
    }

    #[test]
    fn due_statuses_count_days_left_and_late() {
        let today = date("2024-05-10");
        let due = Some(date("2024-05-06"));
        assert_eq!(due_status(due, None, today).status, DeadlineStatus::Missed);
        assert_eq!(due_status(due, None, today).days_late, Some(4));
        assert_eq!(
            due_status(Some(date("2024-05-13")), None, today).days_left,
            Some(3)
        );
        assert_eq!(
            due_status(due, Some(date("2024-05-06")), today).status,
            DeadlineStatus::Met
        );
        let late = due_status(due, Some(date("2024-05-08")), today);
        assert_eq!(
            (late.status, late.days_late),
            (DeadlineStatus::Late, Some(2))
        );
        assert_eq!(
            due_status(None, None, today).status,
            DeadlineStatus::Unknown
        );
    }

    #[test]
    fn compliance_may_not_precede_the_decision_and_a_remake_names_the_new_act() {
        let check = ComplianceCheck {
            decided_on: date("2024-05-06"),
            complied_on: date("2024-05-01"),
            new_act_document_number: None,
            order: ComplianceOrder::Remake,
            today: date("2024-06-01"),
        };
        let errors = check_compliance(&check).expect_err("refused").into_vec();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["complied_on", "new_act_document_number"]);
        assert!(
            errors[0].reason.contains("before the decision"),
            "{errors:?}"
        );
        let future = ComplianceCheck {
            complied_on: date("2024-07-01"),
            order: ComplianceOrder::Perform,
            ..check
        };
        let errors = check_compliance(&future).expect_err("refused").into_vec();
        assert!(errors[0].reason.contains("future"), "{errors:?}");
        assert!(
            check_compliance(&ComplianceCheck {
                complied_on: date("2024-05-20"),
                new_act_document_number: Some("榕公罚〔2024〕30号"),
                ..check
            })
            .is_ok()
        );
    }

    #[test]
    fn a_judgment_follows_filing_the_instance_below_and_its_hearings() {
        let base = JudgmentCheck {
            instance: Instance::First,
            decided_on: date("2024-08-01"),
            result: JudgmentResult::ClaimRejected,
            outcome: Outcome::Won,
            filed_on: date("2024-06-01"),
            below_decided_on: None,
            last_hearing_on: Some(date("2024-07-01")),
            today: date("2024-12-01"),
        };
        assert!(check_judgment(&base).is_ok());
        let before_filing = JudgmentCheck {
            decided_on: date("2024-05-01"),
            ..base
        };
        let errors = check_judgment(&before_filing)
            .expect_err("refused")
            .into_vec();
        assert_eq!(errors[0].field, "decided_on");
        assert!(
            errors[0].reason.contains("a hearing of this instance"),
            "{errors:?}"
        );
        let wrong_outcome = JudgmentCheck {
            result: JudgmentResult::Revoked,
            ..base
        };
        let errors = check_judgment(&wrong_outcome)
            .expect_err("refused")
            .into_vec();
        assert_eq!(errors[0].field, "outcome");
        let appeal_at_first = JudgmentCheck {
            result: JudgmentResult::AppealRejected,
            ..base
        };
        let errors = check_judgment(&appeal_at_first)
            .expect_err("refused")
            .into_vec();
        assert_eq!(errors[0].field, "result");
        let appeal = JudgmentCheck {
            instance: Instance::Second,
            result: JudgmentResult::AppealRejected,
            outcome: Outcome::Won,
            below_decided_on: Some(date("2024-09-01")),
            last_hearing_on: None,
            decided_on: date("2024-08-20"),
            ..base
        };
        let errors = check_judgment(&appeal).expect_err("refused").into_vec();
        assert!(errors[0].reason.contains("instance below"), "{errors:?}");
    }
}
