//! A case's statutory deadlines (arts. 30, 31, 32, 41, 48, 54, 56–58, 60, 62), computed from plain
//! facts.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    ancillary::{Forwarding, NormativeReview},
    calendar::{CalendarError, WorkCalendar},
    law::LawInForce,
    lifecycle::PeriodDueDates,
};

/// The facts about a case that its deadlines depend on, as of the day they are computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineFacts {
    /// The law the case runs under.
    pub law: LawInForce,
    /// The day the application was received.
    pub received_on: NaiveDate,
    /// The day the current acceptance review started: `received_on`, or the day the last
    /// supplement was received (art. 31 restarts the review).
    pub review_started_on: NaiveDate,
    /// The day the latest supplement notice was sent.
    pub supplement_requested_on: Option<NaiveDate>,
    /// The day the applicant received that notice; the time to supplement runs from it.
    pub supplement_notice_received_on: Option<NaiveDate>,
    /// Working days added to the time to supplement for good reason.
    pub supplement_extension_working_days: u32,
    /// The day the supplement answering that notice was received.
    pub supplement_received_on: Option<NaiveDate>,
    /// The case is waiting for the applicant's supplement now.
    pub awaiting_supplement: bool,
    /// The acceptance review is still open (state `received` or `awaiting_supplement`).
    pub in_review: bool,
    /// The day the application was accepted or declined.
    pub reviewed_on: Option<NaiveDate>,
    /// The case is under simplified procedure now.
    pub simplified: bool,
    /// The day a simplified case was converted to ordinary procedure, if it was.
    pub was_simplified_then_converted_on: Option<NaiveDate>,
    /// The day the application was accepted.
    pub accepted_on: Option<NaiveDate>,
    /// The day the application was sent to the respondent.
    pub copy_sent_on: Option<NaiveDate>,
    /// The day the respondent received it; the reply period runs from it.
    pub copy_received_on: Option<NaiveDate>,
    /// The day the respondent's written reply was received.
    pub reply_received_on: Option<NaiveDate>,
    /// The day the current suspension started, if the case is suspended now.
    pub suspended_on: Option<NaiveDate>,
    /// The current suspension rests on art. 39(1), (2) or (4), so 60 days of it open
    /// termination under art. 41(5).
    pub suspended_ground_allows_termination: bool,
    /// Calendar days spent in earlier suspensions that have ended.
    pub completed_suspended_days: u32,
    /// Calendar days of extension granted in total (art. 62).
    pub extension_days: u32,
    /// The day the case reached a terminal state.
    pub concluded_on: Option<NaiveDate>,
    /// The application was filed through the respondent (art. 32).
    pub forwarding: Option<Forwarding>,
    /// The incidental review of a normative document (arts. 56–60).
    pub normative_review: Option<NormativeReview>,
}

/// Where the decision period of a case converted from simplified to ordinary procedure starts.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ConvertedDecisionPeriod {
    /// The ordinary period runs from acceptance, as if the case had always been ordinary.
    #[default]
    FromAcceptance,
    /// The ordinary period runs afresh from the day of conversion.
    FromConversion,
}

/// What a change to the working-day calendar does to closed cases (the law is silent).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClosedCaseDeadlines {
    /// Closed cases are re-judged on the new calendar like open ones, so their on-time/late
    /// figures always follow the calendar in force (a corrected holiday corrects the figures).
    #[default]
    FollowCalendar,
    /// Closed cases keep the deadlines they were judged by when they closed, so published
    /// figures for past periods do not move.
    FrozenAtClosing,
}

/// In which order an extension and the rest-day rule lengthen the decision period (the law is
/// silent).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ExtensionRestDayOrder {
    /// The extension lengthens the unadjusted period; the rest-day rule applies once, at the end.
    #[default]
    ExtendThenAdjust,
    /// The period first ends on a working day; the extension runs from that day and the rest-day
    /// rule applies again at its end.
    AdjustThenExtend,
}

/// The figures and choices deadlines are computed with: statutory figures, and defaults for
/// what the law leaves open, kept as settings so an organ can change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DeadlineSettings {
    /// Days spent suspended do not count toward the decision deadline (the law is silent).
    pub suspension_pauses_decision_deadline: bool,
    /// Where a converted case's decision period starts (the law is silent).
    pub converted_decision_period: ConvertedDecisionPeriod,
    /// Whether an extension is added before or after the rest-day rule moves the period's end
    /// (the law is silent).
    pub extension_rest_day_order: ExtensionRestDayOrder,
    /// Decision period under ordinary procedure, calendar days (art. 62).
    pub ordinary_decision_days: u32,
    /// Decision period under simplified procedure, calendar days (art. 62).
    pub simplified_decision_days: u32,
    /// Acceptance review, working days (art. 30).
    pub acceptance_review_working_days: u32,
    /// The applicant's time to supplement, working days (art. 31).
    pub supplement_working_days: u32,
    /// Sending the application to the respondent, working days (art. 48).
    pub copy_working_days: u32,
    /// Sending the application to the respondent under simplified procedure, working days (art. 54).
    pub copy_working_days_simplified: u32,
    /// The respondent's reply, working days (art. 48).
    pub reply_working_days: u32,
    /// The respondent's reply under simplified procedure, working days (art. 54).
    pub reply_working_days_simplified: u32,
    /// Calendar days of suspension after which the case may be terminated (art. 41(5)).
    pub long_suspension_days: u32,
    /// The respondent forwards an application filed with it, working days (art. 32).
    pub forwarding_working_days: u32,
    /// The organ handles a normative-document review it may handle, calendar days from the
    /// request (art. 56).
    pub normative_review_days: u32,
    /// The organ transfers a review it may not handle, working days from the request (art. 56).
    pub normative_transfer_working_days: u32,
    /// The drafting body is notified, working days from the suspension on art. 39(9) (art. 58).
    pub drafting_body_notice_working_days: u32,
    /// The drafting body replies, working days from the notice (art. 58).
    pub drafting_body_reply_working_days: u32,
    /// The organ a review was transferred to answers, calendar days from the transfer (art. 60).
    pub transferred_review_answer_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        Self {
            suspension_pauses_decision_deadline: true,
            converted_decision_period: ConvertedDecisionPeriod::FromAcceptance,
            extension_rest_day_order: ExtensionRestDayOrder::ExtendThenAdjust,
            ordinary_decision_days: 60,
            simplified_decision_days: 30,
            acceptance_review_working_days: 5,
            supplement_working_days: 10,
            copy_working_days: 7,
            copy_working_days_simplified: 3,
            reply_working_days: 10,
            reply_working_days_simplified: 5,
            long_suspension_days: 60,
            forwarding_working_days: 5,
            normative_review_days: 30,
            normative_transfer_working_days: 7,
            drafting_body_notice_working_days: 3,
            drafting_body_reply_working_days: 10,
            transferred_review_answer_days: 60,
        }
    }
}

/// Which deadline a [`Deadline`] is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DeadlineKind {
    /// Accept or decline the application (art. 30).
    AcceptanceReview,
    /// The applicant supplements the application (art. 31).
    Supplement,
    /// Send the application to the respondent (arts. 48, 54).
    CopyToRespondent,
    /// The respondent replies in writing (arts. 48, 54).
    RespondentReply,
    /// Decide the case (art. 62).
    Decision,
    /// The last day of 60 days of suspension on art. 39(1), (2) or (4); from the next day the
    /// case may be terminated (art. 41(5)).
    SuspensionLimit,
    /// The respondent forwards an application filed with it (art. 32).
    Forwarding,
    /// The organ transfers a normative-document review it may not handle (art. 56).
    NormativeReviewTransfer,
    /// The organ handles a normative-document review it may handle (art. 56).
    NormativeReviewHandling,
    /// The organ notifies the drafting body after suspending the case on art. 39(9) (art. 58).
    DraftingBodyNotice,
    /// The drafting body replies in writing (art. 58).
    DraftingBodyReply,
    /// The organ a review was transferred to answers (art. 60).
    TransferredReviewAnswer,
}

/// Where a deadline stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DeadlineStatus {
    /// Not done yet, not past due.
    Pending,
    /// Done on or before the due day.
    Met,
    /// Done after the due day.
    Late,
    /// Not done and past due.
    Missed,
    /// The clock is stopped: the acceptance review while a supplement is awaited, the decision
    /// while the case is suspended (if the settings say so).
    Paused,
    /// The working-day calendar of a year the computation needs is not loaded.
    Unknown,
}

/// One deadline of a case and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    /// Which deadline this is.
    pub kind: DeadlineKind,
    /// The last day to act; none while paused with no date yet, or when unknown. For a paused
    /// decision it is the day it would fall if the suspension ended today.
    pub due_on: Option<NaiveDate>,
    /// Where the deadline stands.
    pub status: DeadlineStatus,
    /// The day the step was done.
    pub met_on: Option<NaiveDate>,
    /// Days from today to the due day, for pending and paused deadlines.
    pub days_left: Option<i64>,
    /// How late: to today for a missed deadline, to the day it was done for a late one, and to
    /// the day the case moved on for one missed in a case that has since moved on.
    pub days_late: Option<i64>,
    /// Why the status is unknown, or why a paused deadline has no day.
    pub error: Option<String>,
}

impl Deadline {
    fn paused(kind: DeadlineKind, due_on: Option<NaiveDate>, today: NaiveDate) -> Self {
        Self {
            kind,
            due_on,
            status: DeadlineStatus::Paused,
            met_on: None,
            days_left: due_on.map(|due_on| days_from(today, due_on)),
            days_late: None,
            error: None,
        }
    }

    fn unknown(kind: DeadlineKind, met_on: Option<NaiveDate>, error: &CalendarError) -> Self {
        Self {
            kind,
            due_on: None,
            status: DeadlineStatus::Unknown,
            met_on,
            days_left: None,
            days_late: None,
            error: Some(error.to_string()),
        }
    }
}

/// The deadlines that apply to the case so far, in procedural order.
///
/// A deadline appears once the step that starts it has happened (no copy deadline before
/// acceptance, no reply deadline before the copy is sent). In a case that has moved past a step
/// without doing it (declined, concluded), that step's deadline is dropped if it was not yet due
/// and reported missed, with the lateness frozen at the day the case moved on, if it was.
pub fn case_deadlines(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Vec<Deadline> {
    let mut list: Vec<Deadline> = [
        forwarding(facts, calendar, settings, today),
        acceptance_review(facts, calendar, settings, today),
        supplement(facts, calendar, settings, today),
        copy_to_respondent(facts, calendar, settings, today),
        respondent_reply(facts, calendar, settings, today),
    ]
    .into_iter()
    .flatten()
    .collect();
    list.extend(normative_review(facts, calendar, settings, today));
    list.extend(
        [
            decision(facts, calendar, settings, today),
            suspension_limit(facts, settings, today),
        ]
        .into_iter()
        .flatten(),
    );
    list
}

/// The last day to decide the case, or `None` before acceptance.
///
/// The period (60 or 30 days) is lengthened by the extensions granted and, when suspension
/// pauses the deadline, by the days suspended; only then is the rest-day rule applied, so a
/// period that lands on a holiday before lengthening is not moved twice. A suspension still
/// running counts up to `today` (or to the conclusion, if the case ended while suspended).
/// Counting from a conversion still adds every suspended day, as the facts do not say which
/// suspensions came before it.
pub fn decision_due_on(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    let Some(accepted_on) = facts.accepted_on else {
        return Ok(None);
    };
    let (start, period) = if facts.simplified {
        (accepted_on, settings.simplified_decision_days)
    } else {
        let start = match (
            facts.was_simplified_then_converted_on,
            settings.converted_decision_period,
        ) {
            (Some(converted_on), ConvertedDecisionPeriod::FromConversion) => converted_on,
            _ => accepted_on,
        };
        (start, settings.ordinary_decision_days)
    };
    let paused = suspended_days(facts, settings, today);
    match settings.extension_rest_day_order {
        ExtensionRestDayOrder::ExtendThenAdjust => {
            let days = period
                .saturating_add(facts.extension_days)
                .saturating_add(paused);
            calendar.calendar_period_end(start, days).map(Some)
        }
        ExtensionRestDayOrder::AdjustThenExtend => {
            let base = calendar.calendar_period_end(start, period.saturating_add(paused))?;
            if facts.extension_days == 0 {
                return Ok(Some(base));
            }
            calendar
                .calendar_period_end(base, facts.extension_days)
                .map(Some)
        }
    }
}

/// The last day for the respondent's reply, or `None` before the respondent received the copy.
///
/// The period runs from the respondent's receipt of the copy (arts. 48, 54), not from sending
/// it. Under the earlier law its 10 days are calendar days (its art. 40), moved off a rest day.
pub fn reply_due_on(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
) -> Result<Option<NaiveDate>, CalendarError> {
    facts
        .copy_received_on
        .map(|received_on| {
            if simplified_on(facts, received_on) {
                calendar.add_working_days(received_on, settings.reply_working_days_simplified)
            } else if facts.law.reply_period_in_working_days() {
                calendar.add_working_days(received_on, settings.reply_working_days)
            } else {
                calendar.calendar_period_end(received_on, settings.reply_working_days)
            }
        })
        .transpose()
}

/// The last day of the acceptance review now running, or `None` when the case is not in review
/// (or waits for a supplement, which stops the review clock).
pub fn review_due_on(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
) -> Result<Option<NaiveDate>, CalendarError> {
    if !facts.in_review || facts.awaiting_supplement {
        return Ok(None);
    }
    calendar
        .add_working_days(
            facts.review_started_on,
            settings.acceptance_review_working_days,
        )
        .map(Some)
}

/// The last day for the applicant to supplement: 10 working days from the receipt of the notice,
/// plus any extension granted for good reason (art. 31); `None` before the receipt is recorded.
pub fn supplement_due_on(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
) -> Result<Option<NaiveDate>, CalendarError> {
    facts
        .supplement_notice_received_on
        .map(|received_on| {
            calendar.add_working_days(
                received_on,
                settings
                    .supplement_working_days
                    .saturating_add(facts.supplement_extension_working_days),
            )
        })
        .transpose()
}

/// The last days of the periods running, for judging an action dated `on`. A day that cannot be
/// placed (a year without a calendar) is left out, so the rules that need it treat the period as
/// still running.
pub fn period_due_dates(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    on: NaiveDate,
) -> PeriodDueDates {
    PeriodDueDates {
        review_due_on: review_due_on(facts, calendar, settings).ok().flatten(),
        supplement_due_on: supplement_due_on(facts, calendar, settings).ok().flatten(),
        reply_due_on: reply_due_on(facts, calendar, settings).ok().flatten(),
        decision_due_on: decision_due_on(facts, calendar, settings, on)
            .ok()
            .flatten(),
    }
}

/// Whether the respondent's reply is overdue today: the copy was sent, no reply is recorded and
/// the reply period has run out. Art. 70 and the hearing precondition rest on this.
pub fn reply_overdue(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Result<bool, CalendarError> {
    if facts.reply_received_on.is_some() {
        return Ok(false);
    }
    Ok(reply_due_on(facts, calendar, settings)?.is_some_and(|due_on| today > due_on))
}

fn acceptance_review(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let kind = DeadlineKind::AcceptanceReview;
    // The review restarts in full once the supplement arrives, so there is no due day to show.
    if facts.awaiting_supplement {
        return Some(Deadline::paused(kind, None, today));
    }
    let due = calendar.add_working_days(
        facts.review_started_on,
        settings.acceptance_review_working_days,
    );
    // A notice the applicant never answered stopped the clock; an application later declined for
    // want of the supplement is judged on when the notice went out (art. 31: within five days).
    let met_on = if facts.in_review {
        None
    } else {
        unanswered_supplement_notice(facts)
            .or(facts.reviewed_on)
            .or(facts.accepted_on)
    };
    judge(kind, due, met_on, None, today)
}

fn supplement(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let notice_on = facts.supplement_requested_on?;
    let due = match supplement_due_on(facts, calendar, settings) {
        Ok(Some(due)) => Ok(due),
        Err(error) => Err(error),
        // Until the applicant's receipt is recorded the time to supplement has not started.
        Ok(None) if facts.awaiting_supplement => {
            return Some(Deadline {
                kind: DeadlineKind::Supplement,
                due_on: None,
                status: DeadlineStatus::Pending,
                met_on: None,
                days_left: None,
                days_late: None,
                error: Some(
                    "the applicant's receipt of the notice is not recorded; the 10 working days run from it"
                        .to_owned(),
                ),
            });
        }
        Ok(None) => return None,
    };
    // A receipt before the notice answered an earlier round, not this one.
    let met_on = facts.supplement_received_on.filter(|&on| on >= notice_on);
    let moved_on = if facts.awaiting_supplement {
        None
    } else {
        facts.reviewed_on.or(facts.concluded_on)
    };
    judge(DeadlineKind::Supplement, due, met_on, moved_on, today)
}

fn copy_to_respondent(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let accepted_on = facts.accepted_on?;
    let days = if simplified_on(facts, accepted_on) {
        settings.copy_working_days_simplified
    } else {
        settings.copy_working_days
    };
    let due = calendar.add_working_days(accepted_on, days);
    judge(
        DeadlineKind::CopyToRespondent,
        due,
        facts.copy_sent_on,
        facts.concluded_on,
        today,
    )
}

fn respondent_reply(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let due = reply_due_on(facts, calendar, settings).transpose()?;
    judge(
        DeadlineKind::RespondentReply,
        due,
        facts.reply_received_on,
        facts.concluded_on,
        today,
    )
}

fn decision(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let kind = DeadlineKind::Decision;
    let due = decision_due_on(facts, calendar, settings, today).transpose()?;
    let paused = settings.suspension_pauses_decision_deadline
        && facts.suspended_on.is_some()
        && facts.concluded_on.is_none();
    // A paused deadline stays paused even when its would-be day cannot be placed: that day moves
    // with every day of suspension and is often in a year not yet published, which does not make
    // the case's standing unknown.
    match due {
        Ok(due_on) if paused => Some(Deadline::paused(kind, Some(due_on), today)),
        Err(error) if paused => Some(Deadline {
            error: Some(error.to_string()),
            ..Deadline::paused(kind, None, today)
        }),
        _ => judge(kind, due, facts.concluded_on, None, today),
    }
}

fn suspension_limit(
    facts: &DeadlineFacts,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let suspended_on = facts
        .suspended_on
        .filter(|_| facts.suspended_ground_allows_termination && facts.concluded_on.is_none())?;
    // "满六十日" is a plain count of days that opens a power, not a time limit for acting, so
    // the rest-day rule does not move it.
    let due = suspended_on
        .checked_add_days(Days::new(settings.long_suspension_days.into()))
        .ok_or(CalendarError::OutOfRange);
    judge(DeadlineKind::SuspensionLimit, due, None, None, today)
}

fn forwarding(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Option<Deadline> {
    let forwarding = facts.forwarding.as_ref()?;
    let due = calendar.add_working_days(forwarding.submitted_on, settings.forwarding_working_days);
    judge(
        DeadlineKind::Forwarding,
        due,
        forwarding.forwarded_on,
        facts.concluded_on,
        today,
    )
}

/// The periods of a normative-document review (arts. 56, 58, 60), in the order they start.
///
/// Until the organ either transfers the request or starts handling it (notifies the drafting
/// body, or concludes), both of art. 56's periods run: it handles within 30 days or transfers
/// within 7 working days. Taking one route drops the other. A review's steps end with its
/// outcome, or with the case.
fn normative_review(
    facts: &DeadlineFacts,
    calendar: &WorkCalendar,
    settings: &DeadlineSettings,
    today: NaiveDate,
) -> Vec<Deadline> {
    let Some(review) = facts.normative_review.as_ref() else {
        return Vec::new();
    };
    let ended = review.concluded_on.or(facts.concluded_on);
    let handling_started =
        review.drafting_body_notified_on.is_some() || review.concluded_on.is_some();
    let mut list = Vec::new();
    if review.transferred_on.is_some() || !handling_started {
        list.push(judge(
            DeadlineKind::NormativeReviewTransfer,
            calendar.add_working_days(
                review.requested_on,
                settings.normative_transfer_working_days,
            ),
            review.transferred_on,
            ended,
            today,
        ));
    }
    if review.handled_by_organ() {
        list.push(judge(
            DeadlineKind::NormativeReviewHandling,
            calendar.calendar_period_end(review.requested_on, settings.normative_review_days),
            review.concluded_on,
            facts.concluded_on,
            today,
        ));
        if let Some(suspended_on) = review.suspended_on {
            list.push(judge(
                DeadlineKind::DraftingBodyNotice,
                calendar.add_working_days(suspended_on, settings.drafting_body_notice_working_days),
                review.drafting_body_notified_on,
                ended,
                today,
            ));
        }
        if let Some(notified_on) = review.drafting_body_notified_on {
            list.push(judge(
                DeadlineKind::DraftingBodyReply,
                calendar.add_working_days(notified_on, settings.drafting_body_reply_working_days),
                review.drafting_body_replied_on,
                ended,
                today,
            ));
        }
    }
    if let Some(transferred_on) = review.transferred_on {
        list.push(judge(
            DeadlineKind::TransferredReviewAnswer,
            calendar.calendar_period_end(transferred_on, settings.transferred_review_answer_days),
            review.concluded_on,
            facts.concluded_on,
            today,
        ));
    }
    list.into_iter().flatten().collect()
}

/// Places a deadline with a due day against what happened: the step done on `met_on`, or the
/// case having moved past the step without doing it on `moved_on`.
fn judge(
    kind: DeadlineKind,
    due: Result<NaiveDate, CalendarError>,
    met_on: Option<NaiveDate>,
    moved_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Deadline> {
    let due_on = match due {
        Ok(due_on) => due_on,
        Err(error) => return Some(Deadline::unknown(kind, met_on, &error)),
    };
    let (status, days_left, days_late) = match (met_on, moved_on) {
        (Some(done), _) if done <= due_on => (DeadlineStatus::Met, None, None),
        (Some(done), _) => (DeadlineStatus::Late, None, Some(days_from(due_on, done))),
        (None, Some(moved)) if moved <= due_on => return None,
        (None, Some(moved)) => (DeadlineStatus::Missed, None, Some(days_from(due_on, moved))),
        (None, None) if today <= due_on => (
            DeadlineStatus::Pending,
            Some(days_from(today, due_on)),
            None,
        ),
        (None, None) => (DeadlineStatus::Missed, None, Some(days_from(due_on, today))),
    };
    Some(Deadline {
        kind,
        due_on: Some(due_on),
        status,
        met_on,
        days_left,
        days_late,
        error: None,
    })
}

fn days_from(earlier: NaiveDate, later: NaiveDate) -> i64 {
    (later - earlier).num_days()
}

/// Whether the case was under simplified procedure on `date`; a conversion applies from the
/// day it is made.
fn simplified_on(facts: &DeadlineFacts, date: NaiveDate) -> bool {
    match facts.was_simplified_then_converted_on {
        Some(converted_on) => date < converted_on,
        None => facts.simplified,
    }
}

/// The latest supplement notice, if no supplement has answered it.
fn unanswered_supplement_notice(facts: &DeadlineFacts) -> Option<NaiveDate> {
    facts.supplement_requested_on.filter(|&notice_on| {
        facts
            .supplement_received_on
            .is_none_or(|received_on| received_on < notice_on)
    })
}

/// Calendar days of suspension that lengthen the decision period.
fn suspended_days(facts: &DeadlineFacts, settings: &DeadlineSettings, today: NaiveDate) -> u32 {
    if !settings.suspension_pauses_decision_deadline {
        return 0;
    }
    let running = facts.suspended_on.map_or(0, |suspended_on| {
        let until = facts.concluded_on.unwrap_or(today);
        // Negative only if the facts put the suspension after `until`; it then adds nothing.
        u32::try_from(days_from(suspended_on, until)).unwrap_or(0)
    });
    facts.completed_suspended_days.saturating_add(running)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::domain::calendar::official_calendars;

    use DeadlineKind::*;
    use DeadlineStatus::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn calendar() -> WorkCalendar {
        WorkCalendar::new(official_calendars())
    }

    /// A freshly received application under review.
    fn received(on: NaiveDate) -> DeadlineFacts {
        DeadlineFacts {
            law: LawInForce::for_received_on(on),
            received_on: on,
            review_started_on: on,
            supplement_requested_on: None,
            supplement_notice_received_on: None,
            supplement_extension_working_days: 0,
            supplement_received_on: None,
            awaiting_supplement: false,
            in_review: true,
            reviewed_on: None,
            simplified: false,
            was_simplified_then_converted_on: None,
            accepted_on: None,
            copy_sent_on: None,
            copy_received_on: None,
            reply_received_on: None,
            suspended_on: None,
            suspended_ground_allows_termination: false,
            completed_suspended_days: 0,
            extension_days: 0,
            concluded_on: None,
            forwarding: None,
            normative_review: None,
        }
    }

    /// An application accepted under ordinary procedure on the day it was received.
    fn accepted(on: NaiveDate) -> DeadlineFacts {
        DeadlineFacts {
            in_review: false,
            reviewed_on: Some(on),
            accepted_on: Some(on),
            ..received(on)
        }
    }

    fn deadlines(facts: &DeadlineFacts, today: NaiveDate) -> Vec<Deadline> {
        case_deadlines(facts, &calendar(), &DeadlineSettings::default(), today)
    }

    fn kinds(deadlines: &[Deadline]) -> Vec<DeadlineKind> {
        deadlines.iter().map(|deadline| deadline.kind).collect()
    }

    fn find(deadlines: &[Deadline], kind: DeadlineKind) -> Deadline {
        deadlines
            .iter()
            .find(|deadline| deadline.kind == kind)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} deadline in {deadlines:#?}"))
    }

    fn deadline(facts: &DeadlineFacts, kind: DeadlineKind, today: NaiveDate) -> Deadline {
        find(&deadlines(facts, today), kind)
    }

    fn pending(kind: DeadlineKind, due_on: NaiveDate, days_left: i64) -> Deadline {
        Deadline {
            kind,
            due_on: Some(due_on),
            status: Pending,
            met_on: None,
            days_left: Some(days_left),
            days_late: None,
            error: None,
        }
    }

    fn met(kind: DeadlineKind, due_on: NaiveDate, met_on: NaiveDate) -> Deadline {
        Deadline {
            status: Met,
            met_on: Some(met_on),
            days_left: None,
            ..pending(kind, due_on, 0)
        }
    }

    fn late(kind: DeadlineKind, due_on: NaiveDate, met_on: NaiveDate, days_late: i64) -> Deadline {
        Deadline {
            status: Late,
            days_late: Some(days_late),
            ..met(kind, due_on, met_on)
        }
    }

    fn missed(kind: DeadlineKind, due_on: NaiveDate, days_late: i64) -> Deadline {
        Deadline {
            status: Missed,
            days_left: None,
            days_late: Some(days_late),
            ..pending(kind, due_on, 0)
        }
    }

    #[test]
    fn default_settings_are_the_statutory_figures_and_documented_defaults() {
        let settings = DeadlineSettings::default();
        assert!(settings.suspension_pauses_decision_deadline);
        assert_eq!(
            settings.converted_decision_period,
            ConvertedDecisionPeriod::FromAcceptance
        );
        assert_eq!(
            [
                settings.ordinary_decision_days,
                settings.simplified_decision_days,
                settings.acceptance_review_working_days,
                settings.supplement_working_days,
                settings.copy_working_days,
                settings.copy_working_days_simplified,
                settings.reply_working_days,
                settings.reply_working_days_simplified,
                settings.long_suspension_days,
            ],
            [60, 30, 5, 10, 7, 3, 10, 5, 60]
        );
    }

    #[test]
    fn settings_missing_from_json_take_their_defaults() {
        let settings: DeadlineSettings = serde_json::from_value(serde_json::json!({
            "suspension_pauses_decision_deadline": false,
            "converted_decision_period": "from_conversion",
        }))
        .unwrap();
        assert_eq!(
            settings,
            DeadlineSettings {
                suspension_pauses_decision_deadline: false,
                converted_decision_period: ConvertedDecisionPeriod::FromConversion,
                ..DeadlineSettings::default()
            }
        );
    }

    #[test]
    fn enums_use_snake_case_in_json_and_text() {
        assert_eq!(
            serde_json::to_value(CopyToRespondent).unwrap(),
            serde_json::json!("copy_to_respondent")
        );
        assert_eq!(SuspensionLimit.to_string(), "suspension_limit");
        assert_eq!(
            DeadlineKind::from_str("respondent_reply"),
            Ok(RespondentReply)
        );
        assert_eq!(
            serde_json::to_value(Missed).unwrap(),
            serde_json::json!("missed")
        );
        assert_eq!(DeadlineStatus::from_str("paused"), Ok(Paused));
        let text: &'static str = ConvertedDecisionPeriod::FromConversion.into();
        assert_eq!(text, "from_conversion");
        assert_eq!(
            ConvertedDecisionPeriod::from_str("from_acceptance"),
            Ok(ConvertedDecisionPeriod::FromAcceptance)
        );
    }

    #[test]
    fn a_deadline_serializes_with_every_field() {
        let json = serde_json::to_value(missed(Decision, d(2024, 10, 8), 2)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "decision",
                "due_on": "2024-10-08",
                "status": "missed",
                "met_on": null,
                "days_left": null,
                "days_late": 2,
                "error": null,
            })
        );
    }

    #[test]
    fn deadlines_appear_as_the_case_reaches_the_step_that_starts_them() {
        let fresh = received(d(2024, 3, 4));
        assert_eq!(kinds(&deadlines(&fresh, d(2024, 3, 5))), [AcceptanceReview]);

        let filed = accepted(d(2024, 3, 4));
        assert_eq!(
            kinds(&deadlines(&filed, d(2024, 3, 5))),
            [AcceptanceReview, CopyToRespondent, Decision]
        );

        let copied = DeadlineFacts {
            copy_sent_on: Some(d(2024, 3, 5)),
            copy_received_on: Some(d(2024, 3, 5)),
            ..filed
        };
        assert_eq!(
            kinds(&deadlines(&copied, d(2024, 3, 5))),
            [
                AcceptanceReview,
                CopyToRespondent,
                RespondentReply,
                Decision
            ]
        );
    }

    // Received Thu 8 Feb 2024: Fri 9 Feb (1); 10–17 Feb holiday; Sun 18 Feb make-up (2);
    // 19, 20, 21 Feb (3, 4, 5).
    #[test]
    fn acceptance_review_pending_across_spring_festival() {
        let facts = received(d(2024, 2, 8));
        assert_eq!(
            deadline(&facts, AcceptanceReview, d(2024, 2, 19)),
            pending(AcceptanceReview, d(2024, 2, 21), 2)
        );
        assert_eq!(
            deadline(&facts, AcceptanceReview, d(2024, 2, 21)),
            pending(AcceptanceReview, d(2024, 2, 21), 0)
        );
    }

    #[test]
    fn acceptance_review_met_on_the_due_day() {
        let facts = DeadlineFacts {
            in_review: false,
            reviewed_on: Some(d(2024, 2, 21)),
            accepted_on: Some(d(2024, 2, 21)),
            ..received(d(2024, 2, 8))
        };
        assert_eq!(
            deadline(&facts, AcceptanceReview, d(2024, 3, 1)),
            met(AcceptanceReview, d(2024, 2, 21), d(2024, 2, 21))
        );
    }

    #[test]
    fn acceptance_review_declined_late() {
        let facts = DeadlineFacts {
            in_review: false,
            reviewed_on: Some(d(2024, 2, 22)),
            concluded_on: Some(d(2024, 2, 22)),
            ..received(d(2024, 2, 8))
        };
        let all = deadlines(&facts, d(2024, 3, 1));
        assert_eq!(kinds(&all), [AcceptanceReview]);
        assert_eq!(
            all[0],
            late(AcceptanceReview, d(2024, 2, 21), d(2024, 2, 22), 1)
        );
    }

    #[test]
    fn acceptance_review_missed() {
        let facts = received(d(2024, 2, 8));
        assert_eq!(
            deadline(&facts, AcceptanceReview, d(2024, 2, 23)),
            missed(AcceptanceReview, d(2024, 2, 21), 2)
        );
    }

    // Notice Fri 9 Feb 2024: Sun 18 Feb (1), 19–23 Feb (2–6), 26–29 Feb (7–10).
    #[test]
    fn acceptance_review_paused_while_a_supplement_is_awaited() {
        let facts = DeadlineFacts {
            supplement_requested_on: Some(d(2024, 2, 9)),
            supplement_notice_received_on: Some(d(2024, 2, 9)),
            awaiting_supplement: true,
            ..received(d(2024, 2, 8))
        };
        let all = deadlines(&facts, d(2024, 3, 1));
        assert_eq!(kinds(&all), [AcceptanceReview, Supplement]);
        assert_eq!(
            all[0],
            Deadline {
                kind: AcceptanceReview,
                due_on: None,
                status: Paused,
                met_on: None,
                days_left: None,
                days_late: None,
                error: None,
            }
        );
        assert_eq!(all[1], missed(Supplement, d(2024, 2, 29), 1));
    }

    #[test]
    fn acceptance_review_restarts_when_the_supplement_arrives() {
        // Review from Mon 30 Sep 2024: 8–11 Oct (1–4), Sat 12 Oct make-up (5).
        // Supplement due from Mon 23 Sep: 24–27 Sep (1–4), Sun 29 Sep (5), 30 Sep (6),
        // 8–11 Oct (7–10).
        let facts = DeadlineFacts {
            review_started_on: d(2024, 9, 30),
            supplement_requested_on: Some(d(2024, 9, 23)),
            supplement_notice_received_on: Some(d(2024, 9, 23)),
            supplement_received_on: Some(d(2024, 9, 30)),
            ..received(d(2024, 9, 20))
        };
        let all = deadlines(&facts, d(2024, 10, 8));
        assert_eq!(
            all,
            [
                pending(AcceptanceReview, d(2024, 10, 12), 4),
                met(Supplement, d(2024, 10, 11), d(2024, 9, 30)),
            ]
        );
    }

    #[test]
    fn declined_for_want_of_supplement_judges_the_review_on_the_notice() {
        // Review due Fri 27 Sep 2024; the notice went out on Mon 23 Sep, in time. The supplement
        // was due Fri 11 Oct and the application was declined on Mon 14 Oct.
        let facts = DeadlineFacts {
            supplement_requested_on: Some(d(2024, 9, 23)),
            supplement_notice_received_on: Some(d(2024, 9, 23)),
            in_review: false,
            reviewed_on: Some(d(2024, 10, 14)),
            concluded_on: Some(d(2024, 10, 14)),
            ..received(d(2024, 9, 20))
        };
        let all = deadlines(&facts, d(2024, 12, 1));
        assert_eq!(
            all,
            [
                met(AcceptanceReview, d(2024, 9, 27), d(2024, 9, 23)),
                missed(Supplement, d(2024, 10, 11), 3),
            ]
        );
    }

    // Notice Fri 27 Sep 2024: Sun 29 Sep (1), 30 Sep (2), 8–11 Oct (3–6), Sat 12 Oct (7),
    // 14–16 Oct (8–10).
    #[test]
    fn supplement_pending_across_national_day() {
        let facts = DeadlineFacts {
            supplement_requested_on: Some(d(2024, 9, 27)),
            supplement_notice_received_on: Some(d(2024, 9, 27)),
            awaiting_supplement: true,
            ..received(d(2024, 9, 25))
        };
        assert_eq!(
            deadline(&facts, Supplement, d(2024, 10, 14)),
            pending(Supplement, d(2024, 10, 16), 2)
        );
    }

    #[test]
    fn supplement_received_late() {
        let facts = DeadlineFacts {
            review_started_on: d(2024, 10, 17),
            supplement_requested_on: Some(d(2024, 9, 27)),
            supplement_notice_received_on: Some(d(2024, 9, 27)),
            supplement_received_on: Some(d(2024, 10, 17)),
            ..received(d(2024, 9, 25))
        };
        assert_eq!(
            deadline(&facts, Supplement, d(2024, 10, 18)),
            late(Supplement, d(2024, 10, 16), d(2024, 10, 17), 1)
        );
    }

    // Accepted Tue 30 Apr 2024: 1–5 May holiday; 6–10 May (1–5); Sat 11 May make-up (6);
    // Mon 13 May (7).
    #[test]
    fn copy_to_respondent_across_labour_day() {
        let facts = accepted(d(2024, 4, 30));
        assert_eq!(
            deadline(&facts, CopyToRespondent, d(2024, 5, 6)),
            pending(CopyToRespondent, d(2024, 5, 13), 7)
        );
        assert_eq!(
            deadline(&facts, CopyToRespondent, d(2024, 5, 15)),
            missed(CopyToRespondent, d(2024, 5, 13), 2)
        );
        let sent = DeadlineFacts {
            copy_sent_on: Some(d(2024, 5, 13)),
            copy_received_on: Some(d(2024, 5, 13)),
            ..facts
        };
        assert_eq!(
            deadline(&sent, CopyToRespondent, d(2024, 5, 15)),
            met(CopyToRespondent, d(2024, 5, 13), d(2024, 5, 13))
        );
    }

    #[test]
    fn copy_to_respondent_simplified_is_three_working_days() {
        let facts = DeadlineFacts {
            simplified: true,
            copy_sent_on: Some(d(2024, 5, 9)),
            copy_received_on: Some(d(2024, 5, 9)),
            ..accepted(d(2024, 4, 30))
        };
        assert_eq!(
            deadline(&facts, CopyToRespondent, d(2024, 5, 9)),
            late(CopyToRespondent, d(2024, 5, 8), d(2024, 5, 9), 1)
        );
    }

    // Copy sent Fri 24 Jan 2025: Sun 26 Jan make-up (1), Mon 27 Jan (2); 28 Jan–4 Feb holiday;
    // 5–7 Feb (3–5); Sat 8 Feb make-up (6); 10–13 Feb (7–10).
    fn copied_before_spring_festival_2025() -> DeadlineFacts {
        DeadlineFacts {
            copy_sent_on: Some(d(2025, 1, 24)),
            copy_received_on: Some(d(2025, 1, 24)),
            ..accepted(d(2025, 1, 20))
        }
    }

    #[test]
    fn respondent_reply_across_spring_festival() {
        let facts = copied_before_spring_festival_2025();
        assert_eq!(
            deadline(&facts, RespondentReply, d(2025, 2, 10)),
            pending(RespondentReply, d(2025, 2, 13), 3)
        );
        assert_eq!(
            deadline(&facts, RespondentReply, d(2025, 2, 17)),
            missed(RespondentReply, d(2025, 2, 13), 4)
        );
        let replied = DeadlineFacts {
            reply_received_on: Some(d(2025, 2, 12)),
            ..facts
        };
        assert_eq!(
            deadline(&replied, RespondentReply, d(2025, 2, 17)),
            met(RespondentReply, d(2025, 2, 13), d(2025, 2, 12))
        );
    }

    #[test]
    fn respondent_reply_simplified_is_five_working_days() {
        let facts = DeadlineFacts {
            simplified: true,
            reply_received_on: Some(d(2025, 2, 10)),
            ..copied_before_spring_festival_2025()
        };
        assert_eq!(
            deadline(&facts, RespondentReply, d(2025, 2, 17)),
            late(RespondentReply, d(2025, 2, 7), d(2025, 2, 10), 3)
        );
    }

    #[test]
    fn reply_overdue_only_after_the_due_day_with_no_reply() {
        let calendar = calendar();
        let settings = DeadlineSettings::default();
        let facts = copied_before_spring_festival_2025();
        let overdue =
            |facts: &DeadlineFacts, today| reply_overdue(facts, &calendar, &settings, today);
        assert_eq!(overdue(&facts, d(2025, 2, 13)), Ok(false));
        assert_eq!(overdue(&facts, d(2025, 2, 14)), Ok(true));

        let replied_late = DeadlineFacts {
            reply_received_on: Some(d(2025, 2, 20)),
            ..facts.clone()
        };
        assert_eq!(overdue(&replied_late, d(2025, 3, 1)), Ok(false));

        let not_sent = accepted(d(2025, 1, 20));
        assert_eq!(overdue(&not_sent, d(2025, 6, 1)), Ok(false));
        assert_eq!(reply_due_on(&not_sent, &calendar, &settings), Ok(None));
    }

    #[test]
    fn reply_overdue_needs_the_calendar() {
        let facts = DeadlineFacts {
            copy_sent_on: Some(d(2026, 12, 28)),
            copy_received_on: Some(d(2026, 12, 28)),
            ..accepted(d(2026, 12, 21))
        };
        let result = reply_overdue(
            &facts,
            &calendar(),
            &DeadlineSettings::default(),
            d(2027, 2, 1),
        );
        assert_eq!(result, Err(CalendarError::YearNotLoaded(2027)));
    }

    #[test]
    fn decision_ending_on_a_holiday_moves_to_the_next_working_day() {
        // 2 Aug 2024 + 60 days = Tue 1 Oct, National Day.
        let facts = accepted(d(2024, 8, 2));
        assert_eq!(
            deadline(&facts, Decision, d(2024, 9, 30)),
            pending(Decision, d(2024, 10, 8), 8)
        );
    }

    #[test]
    fn decision_across_spring_festival() {
        // Ordinary: 13 Dec 2023 + 60 days = Sun 11 Feb 2024, Spring Festival; the first working
        // day after is the make-up Sunday 18 Feb. Simplified: 12 Jan + 30 days, the same Sunday.
        let ordinary = accepted(d(2023, 12, 13));
        assert_eq!(
            deadline(&ordinary, Decision, d(2024, 2, 8)),
            pending(Decision, d(2024, 2, 18), 10)
        );
        let simplified = DeadlineFacts {
            simplified: true,
            ..accepted(d(2024, 1, 12))
        };
        assert_eq!(
            deadline(&simplified, Decision, d(2024, 2, 8)),
            pending(Decision, d(2024, 2, 18), 10)
        );
    }

    #[test]
    fn decision_met_late_and_missed() {
        let facts = accepted(d(2024, 8, 2));
        let concluded = |on| DeadlineFacts {
            concluded_on: Some(on),
            ..facts.clone()
        };
        assert_eq!(
            deadline(&concluded(d(2024, 10, 8)), Decision, d(2024, 12, 1)),
            met(Decision, d(2024, 10, 8), d(2024, 10, 8))
        );
        assert_eq!(
            deadline(&concluded(d(2024, 10, 9)), Decision, d(2024, 12, 1)),
            late(Decision, d(2024, 10, 8), d(2024, 10, 9), 1)
        );
        assert_eq!(
            deadline(&facts, Decision, d(2024, 10, 10)),
            missed(Decision, d(2024, 10, 8), 2)
        );
    }

    #[test]
    fn extensions_lengthen_the_period_before_the_rest_day_rule() {
        // 2 Aug + 90 days = Thu 31 Oct. Moving 1 Oct to 8 Oct first and then adding 30 days
        // would wrongly give 7 Nov.
        let facts = DeadlineFacts {
            extension_days: 30,
            ..accepted(d(2024, 8, 2))
        };
        assert_eq!(
            deadline(&facts, Decision, d(2024, 10, 1)),
            pending(Decision, d(2024, 10, 31), 30)
        );
    }

    #[test]
    fn completed_suspensions_lengthen_the_period() {
        // 2 Aug + 70 days = Fri 11 Oct.
        let facts = DeadlineFacts {
            completed_suspended_days: 10,
            ..accepted(d(2024, 8, 2))
        };
        assert_eq!(
            deadline(&facts, Decision, d(2024, 10, 9)),
            pending(Decision, d(2024, 10, 11), 2)
        );
    }

    #[test]
    fn a_running_suspension_pauses_the_decision() {
        // Suspended 1 Sep, today 11 Sep: 10 days so far, so 2 Aug + 70 days = 11 Oct if the case
        // resumed today.
        let facts = DeadlineFacts {
            suspended_on: Some(d(2024, 9, 1)),
            ..accepted(d(2024, 8, 2))
        };
        let all = deadlines(&facts, d(2024, 9, 11));
        assert_eq!(kinds(&all), [AcceptanceReview, CopyToRespondent, Decision]);
        assert_eq!(
            find(&all, Decision),
            Deadline {
                kind: Decision,
                due_on: Some(d(2024, 10, 11)),
                status: Paused,
                met_on: None,
                days_left: Some(30),
                days_late: None,
                error: None,
            }
        );
    }

    #[test]
    fn a_paused_decision_whose_day_falls_in_an_unloaded_year_stays_paused() {
        // Suspended since 1 Sep 2024, today 15 Dec 2026: resuming today would put the day on
        // 14 Jan 2027, whose calendar is not loaded.
        let facts = DeadlineFacts {
            suspended_on: Some(d(2024, 9, 1)),
            ..accepted(d(2024, 8, 2))
        };
        let decision = deadline(&facts, Decision, d(2026, 12, 15));
        assert_eq!(decision.status, Paused);
        assert_eq!(decision.due_on, None);
        assert_eq!(decision.days_left, None);
        assert!(
            decision
                .error
                .as_deref()
                .is_some_and(|e| e.contains("2027")),
            "{decision:?}"
        );
    }

    #[test]
    fn completed_and_running_suspensions_add_up() {
        let facts = DeadlineFacts {
            completed_suspended_days: 5,
            suspended_on: Some(d(2024, 9, 6)),
            ..accepted(d(2024, 8, 2))
        };
        let due = decision_due_on(
            &facts,
            &calendar(),
            &DeadlineSettings::default(),
            d(2024, 9, 11),
        );
        assert_eq!(due, Ok(Some(d(2024, 10, 11))));
    }

    #[test]
    fn when_suspension_does_not_pause_the_decision_runs_on() {
        let settings = DeadlineSettings {
            suspension_pauses_decision_deadline: false,
            ..DeadlineSettings::default()
        };
        let facts = DeadlineFacts {
            completed_suspended_days: 10,
            suspended_on: Some(d(2024, 9, 1)),
            ..accepted(d(2024, 8, 2))
        };
        let all = case_deadlines(&facts, &calendar(), &settings, d(2024, 9, 11));
        assert_eq!(find(&all, Decision), pending(Decision, d(2024, 10, 8), 27));
    }

    #[test]
    fn a_suspension_ended_by_conclusion_counts_up_to_the_conclusion() {
        let facts = DeadlineFacts {
            suspended_on: Some(d(2024, 9, 1)),
            concluded_on: Some(d(2024, 9, 11)),
            ..accepted(d(2024, 8, 2))
        };
        assert_eq!(
            deadline(&facts, Decision, d(2024, 12, 1)),
            met(Decision, d(2024, 10, 11), d(2024, 9, 11))
        );
    }

    // Accepted under simplified procedure on Fri 1 Mar 2024, converted on Wed 20 Mar.
    fn converted() -> DeadlineFacts {
        DeadlineFacts {
            was_simplified_then_converted_on: Some(d(2024, 3, 20)),
            ..accepted(d(2024, 3, 1))
        }
    }

    #[test]
    fn converted_case_decides_within_sixty_days_of_acceptance_by_default() {
        // 1 Mar + 60 days = Tue 30 Apr; the copy deadline stays the simplified 3 working days
        // because the case was simplified when it was accepted.
        let all = deadlines(&converted(), d(2024, 3, 4));
        assert_eq!(find(&all, Decision), pending(Decision, d(2024, 4, 30), 57));
        assert_eq!(
            find(&all, CopyToRespondent),
            pending(CopyToRespondent, d(2024, 3, 6), 2)
        );
    }

    #[test]
    fn converted_case_may_count_from_the_conversion() {
        // 20 Mar + 60 days = Sun 19 May, so Mon 20 May.
        let settings = DeadlineSettings {
            converted_decision_period: ConvertedDecisionPeriod::FromConversion,
            ..DeadlineSettings::default()
        };
        let all = case_deadlines(&converted(), &calendar(), &settings, d(2024, 5, 1));
        assert_eq!(find(&all, Decision), pending(Decision, d(2024, 5, 20), 19));
    }

    #[test]
    fn reply_period_follows_the_procedure_when_the_copy_was_sent() {
        // Sent Tue 5 Mar, still simplified: 6, 7, 8, 11, 12 Mar. Sent on the day of conversion,
        // Wed 20 Mar, ordinary: 21, 22, 25–29 Mar, 1, 2, 3 Apr.
        let calendar = calendar();
        let settings = DeadlineSettings::default();
        let before = DeadlineFacts {
            copy_sent_on: Some(d(2024, 3, 5)),
            copy_received_on: Some(d(2024, 3, 5)),
            ..converted()
        };
        assert_eq!(
            reply_due_on(&before, &calendar, &settings),
            Ok(Some(d(2024, 3, 12)))
        );
        let on_conversion = DeadlineFacts {
            copy_sent_on: Some(d(2024, 3, 20)),
            copy_received_on: Some(d(2024, 3, 20)),
            ..converted()
        };
        assert_eq!(
            reply_due_on(&on_conversion, &calendar, &settings),
            Ok(Some(d(2024, 4, 3)))
        );
    }

    #[test]
    fn suspension_limit_is_sixty_plain_days() {
        // 2 Aug + 60 days = 1 Oct: a holiday, but this count is not moved.
        let facts = DeadlineFacts {
            suspended_on: Some(d(2024, 8, 2)),
            suspended_ground_allows_termination: true,
            ..accepted(d(2024, 7, 1))
        };
        assert_eq!(
            deadline(&facts, SuspensionLimit, d(2024, 9, 1)),
            pending(SuspensionLimit, d(2024, 10, 1), 30)
        );
        assert_eq!(
            deadline(&facts, SuspensionLimit, d(2024, 10, 2)),
            missed(SuspensionLimit, d(2024, 10, 1), 1)
        );
    }

    #[test]
    fn suspension_limit_only_for_grounds_that_allow_termination() {
        let facts = DeadlineFacts {
            suspended_on: Some(d(2024, 8, 2)),
            ..accepted(d(2024, 7, 1))
        };
        assert!(!kinds(&deadlines(&facts, d(2024, 9, 1))).contains(&SuspensionLimit));
        let terminated = DeadlineFacts {
            suspended_ground_allows_termination: true,
            concluded_on: Some(d(2024, 10, 2)),
            ..facts
        };
        assert!(!kinds(&deadlines(&terminated, d(2024, 10, 3))).contains(&SuspensionLimit));
    }

    #[test]
    fn a_concluded_case_drops_steps_not_yet_due_and_freezes_missed_ones() {
        // Accepted Mon 4 Mar 2024, copy sent Tue 5 Mar; the reply was due Tue 19 Mar.
        let copied = DeadlineFacts {
            copy_sent_on: Some(d(2024, 3, 5)),
            copy_received_on: Some(d(2024, 3, 5)),
            ..accepted(d(2024, 3, 4))
        };
        let mediated_early = DeadlineFacts {
            concluded_on: Some(d(2024, 3, 15)),
            ..copied.clone()
        };
        assert_eq!(
            kinds(&deadlines(&mediated_early, d(2024, 6, 1))),
            [AcceptanceReview, CopyToRespondent, Decision]
        );
        let mediated_later = DeadlineFacts {
            concluded_on: Some(d(2024, 3, 22)),
            ..copied
        };
        assert_eq!(
            deadline(&mediated_later, RespondentReply, d(2024, 6, 1)),
            missed(RespondentReply, d(2024, 3, 19), 3)
        );
    }

    #[test]
    fn a_year_without_a_calendar_makes_the_deadline_unknown() {
        // 20 Nov 2026 + 60 days falls in 2027; the copy deadline stays within 2026.
        let facts = accepted(d(2026, 11, 20));
        let all = deadlines(&facts, d(2026, 11, 23));
        assert_eq!(
            find(&all, Decision),
            Deadline {
                kind: Decision,
                due_on: None,
                status: Unknown,
                met_on: None,
                days_left: None,
                days_late: None,
                error: Some("no working-day calendar is loaded for 2027".to_owned()),
            }
        );
        assert_eq!(find(&all, CopyToRespondent).status, Pending);
        assert_eq!(
            decision_due_on(
                &facts,
                &calendar(),
                &DeadlineSettings::default(),
                d(2026, 11, 23)
            ),
            Err(CalendarError::YearNotLoaded(2027))
        );
    }

    #[test]
    fn an_unknown_deadline_keeps_the_day_it_was_met() {
        let facts = DeadlineFacts {
            in_review: false,
            reviewed_on: Some(d(2027, 1, 4)),
            ..received(d(2026, 12, 28))
        };
        let review = deadline(&facts, AcceptanceReview, d(2027, 1, 5));
        assert_eq!(review.status, Unknown);
        assert_eq!(review.met_on, Some(d(2027, 1, 4)));
        assert_eq!(
            review.error.as_deref(),
            Some("no working-day calendar is loaded for 2027")
        );
    }

    #[test]
    fn decision_due_on_is_none_before_acceptance() {
        let facts = received(d(2024, 3, 4));
        let due = decision_due_on(
            &facts,
            &calendar(),
            &DeadlineSettings::default(),
            d(2024, 3, 5),
        );
        assert_eq!(due, Ok(None));
    }

    // --- issue 12: receipts, the earlier law, the extension order ---

    #[test]
    fn the_reply_period_runs_from_the_respondents_receipt_not_the_sending() {
        // Sent 2025-01-24, received 2025-01-27 (Monday): 10 working days skip the Spring
        // Festival (Jan 28–Feb 4) and count the make-up Saturday Feb 8, ending Feb 17 (from
        // the sending they would have ended Feb 13).
        let sent_only = DeadlineFacts {
            copy_sent_on: Some(d(2025, 1, 24)),
            ..accepted(d(2025, 1, 20))
        };
        let cal = calendar();
        let settings = DeadlineSettings::default();
        assert_eq!(reply_due_on(&sent_only, &cal, &settings), Ok(None));
        assert!(!reply_overdue(&sent_only, &cal, &settings, d(2025, 6, 1)).unwrap());
        let received = DeadlineFacts {
            copy_received_on: Some(d(2025, 1, 27)),
            ..sent_only
        };
        assert_eq!(
            reply_due_on(&received, &cal, &settings),
            Ok(Some(d(2025, 2, 17)))
        );
        assert!(reply_overdue(&received, &cal, &settings, d(2025, 2, 18)).unwrap());
        assert!(!reply_overdue(&received, &cal, &settings, d(2025, 2, 17)).unwrap());
    }

    #[test]
    fn under_the_earlier_law_the_reply_has_ten_calendar_days() {
        // Received by the respondent 2023-09-22: ten calendar days end on 2023-10-02, inside
        // the National Day holiday (Sep 29–Oct 6), so the period ends on Oct 7, a make-up
        // working Saturday. The 2023 law's ten working days (with both make-up days Oct 7–8)
        // would end on Oct 12.
        let facts = DeadlineFacts {
            copy_sent_on: Some(d(2023, 9, 21)),
            copy_received_on: Some(d(2023, 9, 22)),
            ..accepted(d(2023, 9, 15))
        };
        assert_eq!(facts.law, LawInForce::Law1999);
        let cal = calendar();
        let settings = DeadlineSettings::default();
        assert_eq!(
            reply_due_on(&facts, &cal, &settings),
            Ok(Some(d(2023, 10, 7)))
        );
        let under_2023_law = DeadlineFacts {
            law: LawInForce::Law2023,
            ..facts
        };
        assert_eq!(
            reply_due_on(&under_2023_law, &cal, &settings),
            Ok(Some(d(2023, 10, 12)))
        );
    }

    #[test]
    fn the_time_to_supplement_runs_from_the_receipt_of_the_notice_plus_extensions() {
        // Notice sent 2026-02-10, received 2026-02-12: ten working days skip the Spring
        // Festival (Feb 15–23) and count the make-up Saturdays Feb 14 and Feb 28: Mar 4.
        let notice = DeadlineFacts {
            supplement_requested_on: Some(d(2026, 2, 10)),
            awaiting_supplement: true,
            ..received(d(2026, 2, 9))
        };
        let cal = calendar();
        let settings = DeadlineSettings::default();
        assert_eq!(supplement_due_on(&notice, &cal, &settings), Ok(None));
        let unknown = deadline(&notice, Supplement, d(2026, 3, 20));
        assert_eq!((unknown.status, unknown.due_on), (Pending, None));
        assert!(unknown.error.is_some());
        let received = DeadlineFacts {
            supplement_notice_received_on: Some(d(2026, 2, 12)),
            ..notice
        };
        assert_eq!(
            supplement_due_on(&received, &cal, &settings),
            Ok(Some(d(2026, 3, 4)))
        );
        let extended = DeadlineFacts {
            supplement_extension_working_days: 5,
            ..received
        };
        assert_eq!(
            supplement_due_on(&extended, &cal, &settings),
            Ok(Some(d(2026, 3, 11)))
        );
        assert_eq!(
            deadline(&extended, Supplement, d(2026, 3, 5)),
            pending(Supplement, d(2026, 3, 11), 6)
        );
    }

    #[test]
    fn the_extension_and_rest_day_order_is_a_setting() {
        // Accepted 2025-03-07: 60 days end on Tuesday 2025-05-06, a working day; extended by
        // 30 → 2025-06-05 (Thursday) either way. Accepted 2025-03-02: 60 days end on Thursday
        // May 1 (Labour Day holiday, to May 5). Extend-then-adjust: 90 days → May 31, Dragon
        // Boat holiday → June 3. Adjust-then-extend: May 6 + 30 → June 5.
        let facts = DeadlineFacts {
            extension_days: 30,
            ..accepted(d(2025, 3, 2))
        };
        let cal = calendar();
        let extend_first = DeadlineSettings::default();
        let adjust_first = DeadlineSettings {
            extension_rest_day_order: ExtensionRestDayOrder::AdjustThenExtend,
            ..DeadlineSettings::default()
        };
        let today = d(2025, 3, 3);
        assert_eq!(
            decision_due_on(&facts, &cal, &extend_first, today),
            Ok(Some(d(2025, 6, 3)))
        );
        assert_eq!(
            decision_due_on(&facts, &cal, &adjust_first, today),
            Ok(Some(d(2025, 6, 5)))
        );
        let no_extension = DeadlineFacts {
            extension_days: 0,
            ..facts
        };
        assert_eq!(
            decision_due_on(&no_extension, &cal, &adjust_first, today),
            decision_due_on(&no_extension, &cal, &extend_first, today)
        );
    }

    #[test]
    fn period_due_dates_give_the_review_only_while_in_review() {
        let cal = calendar();
        let settings = DeadlineSettings::default();
        // Received 2024-04-30: five working days skip the Labour Day holiday (May 1–5): May 6
        // to May 10.
        let facts = received(d(2024, 4, 30));
        let periods = period_due_dates(&facts, &cal, &settings, d(2024, 5, 1));
        assert_eq!(periods.review_due_on, Some(d(2024, 5, 10)));
        assert_eq!(periods.decision_due_on, None);
        let waiting = DeadlineFacts {
            awaiting_supplement: true,
            ..facts
        };
        assert_eq!(
            period_due_dates(&waiting, &cal, &settings, d(2024, 5, 1)).review_due_on,
            None
        );
        let filed = accepted(d(2024, 4, 30));
        let periods = period_due_dates(&filed, &cal, &settings, d(2024, 5, 1));
        assert_eq!(periods.review_due_on, None);
        assert_eq!(periods.decision_due_on, Some(d(2024, 7, 1)));
    }

    #[test]
    fn the_respondent_forwards_within_5_working_days_of_the_submission() {
        // Submitted on Friday 2024-03-08: due Friday 2024-03-15.
        let forwarded = |on: Option<NaiveDate>| DeadlineFacts {
            forwarding: Some(crate::domain::ancillary::Forwarding {
                submitted_on: d(2024, 3, 8),
                forwarded_on: on,
            }),
            ..received(d(2024, 3, 15))
        };
        let waiting = deadline(&forwarded(None), Forwarding, d(2024, 3, 15));
        assert_eq!(
            (waiting.status, waiting.due_on, waiting.days_left),
            (Pending, Some(d(2024, 3, 15)), Some(0))
        );
        let late = deadline(&forwarded(Some(d(2024, 3, 18))), Forwarding, d(2024, 3, 20));
        assert_eq!((late.status, late.days_late), (Late, Some(3)));
        assert!(
            !kinds(&deadlines(&received(d(2024, 3, 15)), d(2024, 3, 15))).contains(&Forwarding)
        );
    }

    #[test]
    fn a_normative_review_runs_one_route_of_art_56_and_its_later_periods() {
        let review = NormativeReview::requested(
            "停车管理办法".to_owned(),
            "市人民政府".to_owned(),
            d(2024, 3, 26),
        );
        let with = |review: NormativeReview| DeadlineFacts {
            normative_review: Some(review),
            ..accepted(d(2024, 3, 5))
        };
        let today = d(2024, 3, 27);
        // Undecided: both routes run; 7 working days over Qingming (Apr 4-6, make-up Sunday
        // Apr 7), 30 calendar days to Thursday Apr 25.
        let open = deadlines(&with(review.clone()), today);
        assert_eq!(
            find(&open, NormativeReviewTransfer).due_on,
            Some(d(2024, 4, 7))
        );
        assert_eq!(
            find(&open, NormativeReviewHandling).due_on,
            Some(d(2024, 4, 25))
        );
        // Handled by the organ: the drafting body within 3 working days of the suspension, its
        // reply within 10 of the notice; no transfer any more.
        let handled = with(NormativeReview {
            suspended_on: Some(d(2024, 3, 27)),
            drafting_body_notified_on: Some(d(2024, 3, 29)),
            ..review.clone()
        });
        let list = deadlines(&handled, today);
        assert!(!kinds(&list).contains(&NormativeReviewTransfer));
        let notice = find(&list, DraftingBodyNotice);
        assert_eq!((notice.status, notice.due_on), (Met, Some(d(2024, 4, 1))));
        assert_eq!(find(&list, DraftingBodyReply).due_on, Some(d(2024, 4, 15)));
        // Transferred: the other organ answers within 60 days (Monday 2024-05-27); the organ's
        // own handling period no longer applies.
        let transferred = with(NormativeReview {
            transferred_to: Some("省人民政府".to_owned()),
            transferred_on: Some(d(2024, 3, 28)),
            ..review
        });
        let list = deadlines(&transferred, today);
        assert!(!kinds(&list).contains(&NormativeReviewHandling));
        assert_eq!(find(&list, NormativeReviewTransfer).status, Met);
        assert_eq!(
            find(&list, TransferredReviewAnswer).due_on,
            Some(d(2024, 5, 27))
        );
    }
}
