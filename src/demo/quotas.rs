//! The report's figures: how the year's cases end ([`Quotas`], [`REPORT_2023`]) and its
//! follow-up ([`FollowupQuotas`], [`REPORT_2023_FOLLOWUP`]), completed where the report gives only
//! totals or rates; the [`Outcome`] each planned case is given; and the checks that the generated
//! year reads as the report.

use anyhow::bail;

use crate::{
    db::followup_stats::FollowupCounts,
    domain::{
        lifecycle::{DeclineReason, Disposition, TerminationGround},
        statistics::Counts,
    },
};

/// How the year's cases end. The concluded figures marked "report" are the 2023 report's; the
/// others are invented, chosen so the published totals hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Report: 撤销.
    pub revoked: u32,
    /// Report: 确认违法.
    pub confirmed_illegal: u32,
    /// Report: 责令履行.
    pub ordered_to_perform: u32,
    /// The report names no 变更 or 确认无效; any would change its 248 corrections.
    pub altered: u32,
    /// See [`Quotas::altered`].
    pub confirmed_invalid: u32,
    /// 维持; with `request_rejected`, the rest of the 1,449 decided on the merits.
    pub upheld: u32,
    /// 驳回行政复议请求.
    pub request_rejected: u32,
    /// 驳回申请; with mediation and termination, the 316 concluded without a merits decision.
    pub application_dismissed: u32,
    /// 调解结案.
    pub mediated: u32,
    /// 终止 on withdrawal.
    pub withdrawn: u32,
    /// 终止 on settlement and withdrawal.
    pub settled: u32,
    /// 终止: applicant died, no successor.
    pub applicant_died: u32,
    /// 终止: applicant organisation ended, no successor.
    pub entity_ended: u32,
    /// 终止: applicant under criminal compulsory measures.
    pub criminal_measures: u32,
    /// 终止 after a long suspension on art. 39(1), (2) or (4).
    pub long_suspension: u32,
    /// 不予受理: inadmissible.
    pub declined_inadmissible: u32,
    /// 不予受理: time-barred.
    pub declined_time_barred: u32,
    /// 不予受理: no jurisdiction.
    pub declined_no_jurisdiction: u32,
    /// 不予受理: supplement not provided.
    pub declined_no_supplement: u32,
    /// 撤回申请: withdrawn by the applicant before acceptance; neither concluded nor declined.
    pub withdrawn_before_acceptance: u32,
    /// Received late in the year and still open on 31 December.
    pub open: u32,
    /// Suspended mid-year on a pending related case and still suspended on 31 December.
    pub open_suspended: u32,
}

/// The 2023 report's figures, completed as described on [`Quotas`].
pub const REPORT_2023: Quotas = Quotas {
    revoked: 158,
    confirmed_illegal: 56,
    ordered_to_perform: 34,
    altered: 0,
    confirmed_invalid: 0,
    upheld: 1002,
    request_rejected: 199,
    application_dismissed: 30,
    mediated: 96,
    withdrawn: 150,
    settled: 28,
    applicant_died: 3,
    entity_ended: 3,
    criminal_measures: 2,
    long_suspension: 4,
    declined_inadmissible: 110,
    declined_time_barred: 50,
    declined_no_jurisdiction: 40,
    declined_no_supplement: 12,
    withdrawn_before_acceptance: 9,
    open: 230,
    open_suspended: 6,
};

impl Quotas {
    /// Corrected (纠错): the numerator of the correction rate.
    pub fn corrected(&self) -> u32 {
        self.altered
            + self.revoked
            + self.confirmed_illegal
            + self.ordered_to_perform
            + self.confirmed_invalid
    }

    /// Decided on the merits: the `decided_on_merits` denominator.
    pub fn decided_on_merits(&self) -> u32 {
        self.corrected() + self.upheld + self.request_rejected
    }

    /// Terminated on any ground.
    pub fn terminated(&self) -> u32 {
        self.withdrawn
            + self.settled
            + self.applicant_died
            + self.entity_ended
            + self.criminal_measures
            + self.long_suspension
    }

    /// Concluded (审结): the `all_concluded` denominator.
    pub fn concluded(&self) -> u32 {
        self.decided_on_merits() + self.application_dismissed + self.mediated + self.terminated()
    }

    /// Not accepted (不予受理).
    pub fn not_accepted(&self) -> u32 {
        self.declined_inadmissible
            + self.declined_time_barred
            + self.declined_no_jurisdiction
            + self.declined_no_supplement
    }

    /// Every application of the year.
    pub fn received(&self) -> u32 {
        self.concluded()
            + self.not_accepted()
            + self.withdrawn_before_acceptance
            + self.open
            + self.open_suspended
    }

    pub(super) fn outcomes(&self) -> Vec<Outcome> {
        use Outcome as O;
        let mut all = Vec::new();
        let mut add = |outcome: Outcome, n: u32| {
            all.extend(std::iter::repeat_n(outcome, n as usize));
        };
        add(O::Decide(Disposition::Revoke), self.revoked);
        add(
            O::Decide(Disposition::ConfirmIllegal),
            self.confirmed_illegal,
        );
        add(
            O::Decide(Disposition::OrderToPerform),
            self.ordered_to_perform,
        );
        add(O::Decide(Disposition::Alter), self.altered);
        add(
            O::Decide(Disposition::ConfirmInvalid),
            self.confirmed_invalid,
        );
        add(O::Decide(Disposition::Uphold), self.upheld);
        add(O::Decide(Disposition::RejectRequest), self.request_rejected);
        add(O::Dismiss, self.application_dismissed);
        add(O::Mediate, self.mediated);
        add(O::Terminate(TerminationGround::Withdrawn), self.withdrawn);
        add(O::Terminate(TerminationGround::Settled), self.settled);
        add(
            O::Terminate(TerminationGround::ApplicantDiedNoSuccessor),
            self.applicant_died,
        );
        add(
            O::Terminate(TerminationGround::EntityEndedNoSuccessor),
            self.entity_ended,
        );
        add(
            O::Terminate(TerminationGround::CriminalMeasures),
            self.criminal_measures,
        );
        add(
            O::Terminate(TerminationGround::LongSuspension),
            self.long_suspension,
        );
        add(
            O::Decline(DeclineReason::Inadmissible),
            self.declined_inadmissible,
        );
        add(
            O::Decline(DeclineReason::TimeBarred),
            self.declined_time_barred,
        );
        add(
            O::Decline(DeclineReason::NoJurisdiction),
            self.declined_no_jurisdiction,
        );
        add(
            O::Decline(DeclineReason::SupplementNotProvided),
            self.declined_no_supplement,
        );
        add(
            O::WithdrawBeforeAcceptance,
            self.withdrawn_before_acceptance,
        );
        add(O::Open, self.open);
        add(O::OpenSuspended, self.open_suspended);
        all
    }
}

/// The generated year must read as the report: a mismatch is a defect of the generator.
pub(super) fn check_against(quotas: &Quotas, counts: &Counts) -> anyhow::Result<()> {
    let expected = [
        ("concluded", quotas.concluded(), counts.concluded),
        ("revoked", quotas.revoked, counts.revoked),
        (
            "confirmed_illegal",
            quotas.confirmed_illegal,
            counts.confirmed_illegal,
        ),
        (
            "ordered_to_perform",
            quotas.ordered_to_perform,
            counts.ordered_to_perform,
        ),
        ("corrected", quotas.corrected(), counts.corrected),
        (
            "decided_on_merits",
            quotas.decided_on_merits(),
            counts.decided_on_merits,
        ),
        ("not_accepted", quotas.not_accepted(), counts.not_accepted),
        (
            "withdrawn_before_acceptance",
            quotas.withdrawn_before_acceptance,
            counts.withdrawn_before_acceptance,
        ),
        ("received", quotas.received(), counts.received),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(_, want, got)| u64::from(*want) != *got)
        .map(|(name, want, got)| format!("{name} {got} (planned {want})"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        bail!("the generated year does not add up: {}", wrong.join(", "))
    }
}

/// How a planned case ends (or stands at year end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Decide(Disposition),
    Dismiss,
    Mediate,
    Terminate(TerminationGround),
    Decline(DeclineReason),
    /// The applicant withdraws during the acceptance review.
    WithdrawBeforeAcceptance,
    /// Received late in the year, open on 31 December.
    Open,
    /// Suspended mid-year, still suspended on 31 December.
    OpenSuspended,
}

impl Outcome {
    /// The case ends within the year in a conclusion (审结).
    pub(super) fn concluded(self) -> bool {
        !matches!(
            self,
            Self::Decline(_) | Self::WithdrawBeforeAcceptance | Self::Open | Self::OpenSuspended
        )
    }
}

/// The report's follow-up figures, completed where it gives only a total or a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowupQuotas {
    /// 行政复议意见书; with the recommendation letters, the report's 26.
    pub opinion_letters: u32,
    /// 行政复议建议书.
    pub recommendation_letters: u32,
    /// Court cases heard in the year (one instance of one suit): the head-appearance base.
    pub court_cases_heard: u32,
    /// Of those, with the agency's head in court: 61 ÷ 62 = 98.39%.
    pub head_appeared: u32,
    /// First instances concluded in the year: the loss-rate base.
    pub first_instance_concluded: u32,
    /// Of those, lost: 21 ÷ 152 = 13.82%.
    pub first_instance_lost: u32,
}

/// The 2023 report: 26 letters, head appearance 98.39%, loss rate 13.82%. The split of the
/// letters and the bases of the rates (62 and 152, the smallest that give both rates) are
/// invented.
pub const REPORT_2023_FOLLOWUP: FollowupQuotas = FollowupQuotas {
    opinion_letters: 18,
    recommendation_letters: 8,
    court_cases_heard: 62,
    head_appeared: 61,
    first_instance_concluded: 152,
    first_instance_lost: 21,
};

pub(super) fn check_followup_against(
    quotas: &FollowupQuotas,
    counts: &FollowupCounts,
) -> anyhow::Result<()> {
    let expected = [
        (
            "opinion letters",
            quotas.opinion_letters,
            counts.letters_issued.opinion,
        ),
        (
            "recommendation letters",
            quotas.recommendation_letters,
            counts.letters_issued.recommendation,
        ),
        (
            "court cases heard",
            quotas.court_cases_heard,
            counts.court_cases_heard,
        ),
        ("head appeared", quotas.head_appeared, counts.head_appeared),
        (
            "first instances concluded",
            quotas.first_instance_concluded,
            counts.first_instance_concluded,
        ),
        (
            "first instances lost",
            quotas.first_instance_lost,
            counts.first_instance_lost,
        ),
    ];
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(_, want, got)| u64::from(*want) != *got)
        .map(|(name, want, got)| format!("{name} {got} (planned {want})"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        bail!(
            "the generated follow-up does not add up: {}",
            wrong.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::statistics::percent_half_up;

    #[test]
    fn the_report_quotas_add_up_to_the_published_figures() {
        let q = REPORT_2023;
        assert_eq!(q.concluded(), 1765);
        assert_eq!(q.corrected(), 248);
        assert_eq!(q.decided_on_merits(), 1449);
        assert_eq!(q.concluded() - q.decided_on_merits(), 316);
        assert_eq!(percent_half_up(248, 1449), Some(17.12));
        assert_eq!(percent_half_up(248, 1765), Some(14.05));
    }
}
