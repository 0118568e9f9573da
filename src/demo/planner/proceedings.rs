//! Proceedings after acceptance: the respondent's reply, hearing the parties, suspensions and
//! extensions, and the conclusion (decision, mediation, dismissal or termination) on its day.

use chrono::{Days, NaiveDate};

use super::{CaseBuilder, Planner, UNNUMBERED};
use crate::domain::{
    case::PartyKind,
    lifecycle::{
        Action, Approval, ApprovalRoute, Disposition, HearingMethod, Procedure, SuspensionGround,
        TerminationGround,
    },
    participation::{CommitteeGround, ThirdPartyBasis},
};

impl Planner<'_> {
    fn simplified(case: &CaseBuilder<'_>) -> bool {
        case.lc.procedure == Some(Procedure::Simplified)
    }

    /// The copy to the respondent and its reply, recorded together when the reply arrives (or
    /// the copy alone when `with_reply` is false).
    pub(super) fn reply(
        &mut self,
        case: &mut CaseBuilder<'_>,
        with_reply: bool,
    ) -> anyhow::Result<NaiveDate> {
        let settings = &self.ctx.rules.deadlines;
        let (copy_limit, reply_limit) = if Self::simplified(case) {
            (
                settings.copy_working_days_simplified,
                settings.reply_working_days_simplified,
            )
        } else {
            (settings.copy_working_days, settings.reply_working_days)
        };
        let accepted = case.last_on();
        let copy = if self.chance(0.03) {
            self.after(accepted, copy_limit + 1, copy_limit + 3)
        } else {
            self.after(accepted, 1, copy_limit)
        };
        if !with_reply {
            case.act(
                copy,
                Action::RecordReply {
                    copy_sent_on: Some(copy),
                    copy_received_on: Some(copy),
                    reply_received_on: None,
                },
            )?;
            return Ok(copy);
        }
        // Served the day it is sent (electronically); the reply comes within its period, which
        // under the earlier law is calendar days. A late reply would bind the decision under
        // art. 70, which the planned outcomes do not follow.
        case.act(
            copy,
            Action::RecordReply {
                copy_sent_on: Some(copy),
                copy_received_on: Some(copy),
                reply_received_on: None,
            },
        )?;
        let due = case
            .reply_due()
            .unwrap_or_else(|| self.days().add_working_days(copy, reply_limit));
        let latest = self
            .ctx
            .calendar
            .working_days_between(copy, due)
            .unwrap_or(reply_limit);
        let reply = self.after(copy, 2.min(latest).max(1), latest.max(1));
        case.act(
            reply,
            Action::RecordReply {
                copy_sent_on: None,
                copy_received_on: None,
                reply_received_on: Some(reply),
            },
        )?;
        Ok(reply)
    }

    /// Hears the parties: mostly in writing, sometimes in person, online or by phone, and now
    /// and then at a formal hearing (听证) notified at least five working days ahead.
    pub(super) fn hear(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        let base = case.last_on();
        let method = if Self::simplified(case) {
            self.pick(&[
                (HearingMethod::WrittenOpinions, 8),
                (HearingMethod::Phone, 2),
            ])
        } else {
            self.pick(&[
                (HearingMethod::WrittenOpinions, 56),
                (HearingMethod::InPerson, 20),
                (HearingMethod::Online, 10),
                (HearingMethod::Phone, 9),
                (HearingMethod::Hearing, 5),
            ])
        };
        if method == HearingMethod::Hearing {
            let notice = self.after(base, 1, 3);
            let held = self.after(notice, 6, 8);
            return case.act(
                held,
                Action::Hear {
                    method,
                    hearing_on: Some(held),
                    notice_on: Some(notice),
                    parties_unavailable: false,
                },
            );
        }
        let on = if Self::simplified(case) {
            self.after(base, 1, 3)
        } else {
            self.after(base, 1, 8)
        };
        case.act(
            on,
            Action::Hear {
                method,
                hearing_on: (method != HearingMethod::WrittenOpinions).then_some(on),
                notice_on: None,
                // Written review under ordinary procedure of the 2023 law rests on the parties
                // not being available (art. 49).
                parties_unavailable: method == HearingMethod::WrittenOpinions
                    && !Self::simplified(case),
            },
        )
    }

    /// Suspends the case a few working days after its last step; returns the day.
    pub(super) fn suspend(
        &mut self,
        case: &mut CaseBuilder<'_>,
        ground: SuspensionGround,
    ) -> anyhow::Result<NaiveDate> {
        let on = self.after(case.last_on(), 1, 6);
        // The parties are told in writing the same day (art. 39 para 3).
        case.act(
            on,
            Action::Suspend {
                ground,
                parties_notified_on: Some(on),
            },
        )?;
        Ok(on)
    }

    /// Sometimes suspends the case for a while and resumes it.
    fn maybe_suspend_and_resume(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        if !self.chance(0.06) {
            return Ok(());
        }
        let ground = self.pick(&[
            (SuspensionGround::ForceMajeure, 2),
            (SuspensionGround::ApplicantMissing, 1),
            (SuspensionGround::MediationOrSettlement, 3),
            (SuspensionGround::LegalInterpretationPending, 1),
            (SuspensionGround::RelatedCasePending, 3),
            (SuspensionGround::NormativeDocumentReview, 1),
        ]);
        if ground == SuspensionGround::NormativeDocumentReview {
            let since = self.after(case.last_on(), 1, 6);
            self.normative_review(case, since)?;
            return Ok(());
        }
        let since = self.suspend(case, ground)?;
        let on = self.after(since, 5, 30);
        case.act(
            on,
            Action::Resume {
                parties_notified_on: Some(on),
            },
        )
    }

    /// Sometimes extends an ordinary case a few days before its deadline (art. 62).
    fn maybe_extend(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        if Self::simplified(case) || !self.chance(0.10) {
            return Ok(());
        }
        let budget = self
            .ctx
            .rules
            .lifecycle
            .max_extension_days
            .saturating_sub(case.lc.extension_days);
        let Some(due) = case.decision_due() else {
            return Ok(());
        };
        let days = self.pick(&[(10, 2), (15, 3), (20, 2), (30, 3)]).min(budget);
        let before = self.between(1, 10);
        let on = self
            .days()
            .on_or_before(due - Days::new(u64::from(before)))
            .max(case.last_on());
        if days == 0 || on > due {
            return Ok(());
        }
        let reason = self
            .pick_str(&[
                "案情重大、复杂，需进一步调查取证",
                "需要现场勘验，不能在规定期限内作出决定",
                "涉及专业技术问题，需进行鉴定",
            ])
            .to_owned();
        case.act(
            on,
            Action::Extend {
                days,
                reason,
                parties_notified_on: Some(on),
            },
        )
    }

    /// A working day for the conclusion: within the decision period, or up to two weeks past it
    /// when `late`.
    pub(super) fn conclusion_day(&mut self, case: &CaseBuilder<'_>, late: bool) -> NaiveDate {
        let from = self.days().add_working_days(case.last_on(), 1);
        let due = case.decision_due().unwrap_or_else(|| from + Days::new(20));
        if late {
            let past = u64::from(self.between(1, 15));
            return self.days().on_or_after(due.max(from) + Days::new(past));
        }
        if from >= due {
            return from;
        }
        self.working_day_between(from, due)
    }

    pub(super) fn decide_path(
        &mut self,
        case: &mut CaseBuilder<'_>,
        disposition: Disposition,
    ) -> anyhow::Result<()> {
        // Art. 70: a respondent that does not reply leaves its act without evidence, so the
        // act is corrected without a hearing once the reply period has run out.
        let corrective = matches!(
            disposition,
            Disposition::Revoke | Disposition::ConfirmIllegal | Disposition::OrderToPerform
        );
        if corrective && !Self::simplified(case) && self.chance(0.06) {
            let copy = self.reply(case, false)?;
            let reply_due = self
                .days()
                .add_working_days(copy, self.ctx.rules.deadlines.reply_working_days);
            let on = self.after(reply_due, 1, 5);
            return case.act(on, self.decision(disposition));
        }
        self.reply(case, true)?;
        self.maybe_claim_compensation(case, disposition)?;
        self.maybe_stay(case)?;
        if !Self::simplified(case) {
            self.maybe_suspend_and_resume(case)?;
        }
        self.hear(case)?;
        self.maybe_third_party_and_committee(case)?;
        if Self::simplified(case) && self.chance(0.08) {
            let on = self.after(case.last_on(), 1, 3);
            case.act(
                on,
                Action::ConvertToOrdinary {
                    reason: "案情复杂，不宜适用简易程序".to_owned(),
                },
            )?;
        }
        self.maybe_extend(case)?;
        let late = !Self::simplified(case) && self.chance(0.03);
        let on = self.conclusion_day(case, late);
        let mut decision = self.decision(disposition);
        self.rule_on_claim(case, &mut decision);
        case.act(on, decision)
    }

    /// Sometimes a third party takes part (art. 16) and sometimes the case goes to the
    /// reconsideration committee (art. 52), recorded the day the parties were heard so the
    /// dates that follow stay as they were.
    fn maybe_third_party_and_committee(
        &mut self,
        case: &mut CaseBuilder<'_>,
    ) -> anyhow::Result<()> {
        use rand::Rng;
        let on = case.last_on();
        let rng = &mut self.participation_rng;
        if rng.random_bool(0.04) {
            const THIRD_PARTIES: [(&str, PartyKind); 3] = [
                ("某房地产开发有限公司", PartyKind::LegalPerson),
                ("某村民委员会", PartyKind::OtherOrganization),
                ("王某某", PartyKind::NaturalPerson),
            ];
            let (name, kind) = THIRD_PARTIES[rng.random_range(0..THIRD_PARTIES.len())];
            let basis = if rng.random_bool(0.5) {
                ThirdPartyBasis::OwnApplication
            } else {
                ThirdPartyBasis::NotifiedByOrgan
            };
            case.act(
                on,
                Action::AddThirdParty {
                    name: name.to_owned(),
                    kind,
                    basis,
                },
            )?;
        }
        if rng.random_bool(0.02) {
            case.act(
                on,
                Action::MarkForCommittee {
                    ground: CommitteeGround::MajorDifficultComplex,
                },
            )?;
            let opinion = if rng.random_bool(0.5) {
                "委员会多数意见认为原行政行为认定事实清楚，建议维持"
            } else {
                "委员会意见认为原行政行为适用依据错误，建议予以纠正"
            };
            case.act(
                on,
                Action::RecordCommitteeConsultation {
                    opinion: opinion.to_owned(),
                    requested_on: Some(on),
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn terminate_path(
        &mut self,
        case: &mut CaseBuilder<'_>,
        ground: TerminationGround,
    ) -> anyhow::Result<()> {
        let terminate = |ground: TerminationGround, explanation: &str| Action::Terminate {
            ground,
            explanation: Some(explanation.to_owned()),
            through_representative: None,
        };
        match ground {
            TerminationGround::Withdrawn => {
                // Applicants withdraw at any stage: before the reply, after it, after a hearing.
                let stage = self.between(0, 2);
                if stage >= 1 {
                    self.reply(case, true)?;
                }
                if stage == 2 {
                    self.hear(case)?;
                }
                let on = if stage == 2 {
                    self.conclusion_day(case, false)
                } else {
                    self.after(case.last_on(), 1, 8)
                };
                case.act(
                    on,
                    terminate(ground, "申请人申请撤回行政复议申请，经审查准予撤回"),
                )
            }
            TerminationGround::Settled => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::MediationOrSettlement)?;
                let on = self.after(since, 8, 25);
                case.act(on, terminate(ground, "双方达成和解，申请人撤回申请"))
            }
            TerminationGround::ApplicantDiedNoSuccessor => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::ApplicantDied)?;
                let on = self.after(since, 10, 25);
                case.act(on, terminate(ground, "申请人死亡，近亲属放弃行政复议权利"))
            }
            TerminationGround::EntityEndedNoSuccessor => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::EntityEnded)?;
                let on = self.after(since, 10, 25);
                case.act(on, terminate(ground, "申请人已注销，无权利义务承受人"))
            }
            TerminationGround::CriminalMeasures => {
                self.reply(case, true)?;
                let on = self.after(case.last_on(), 2, 8);
                case.act(
                    on,
                    terminate(ground, "申请人因同一违法行为被采取刑事强制措施"),
                )
            }
            TerminationGround::LongSuspension => {
                self.reply(case, true)?;
                let since = self.suspend(case, SuspensionGround::ApplicantIncapacitated)?;
                let limit = self.ctx.rules.lifecycle.long_suspension_days;
                let extra = self.between(1, 10);
                let on = self
                    .days()
                    .on_or_after(since + Days::new(u64::from(limit + extra)));
                case.act(on, terminate(ground, "中止满六十日，中止原因仍未消除"))
            }
        }
    }

    fn decision(&mut self, disposition: Disposition) -> Action {
        let (partial, remake_ordered, comply_within_days) = match disposition {
            Disposition::Revoke => {
                let remake = self.chance(0.45);
                (self.chance(0.15), remake, remake.then_some(60))
            }
            Disposition::OrderToPerform => {
                (false, false, Some(self.pick(&[(15, 1), (30, 3), (60, 2)])))
            }
            _ => (false, false, None),
        };
        let (reasoning, basis) = match disposition {
            Disposition::Alter => ("行政行为认定事实清楚，但适用依据不当", "第六十三条"),
            Disposition::Revoke => ("行政行为主要事实不清、证据不足", "第六十四条"),
            Disposition::ConfirmIllegal => (
                "行政行为程序轻微违法，但对申请人权利不产生实际影响",
                "第六十五条",
            ),
            Disposition::OrderToPerform => ("被申请人不履行法定职责", "第六十六条"),
            Disposition::ConfirmInvalid => ("行政行为实施主体不具有行政主体资格", "第六十七条"),
            Disposition::Uphold => (
                "行政行为认定事实清楚，证据确凿，适用依据正确，程序合法，内容适当",
                "第六十八条",
            ),
            Disposition::RejectRequest => ("申请人的行政复议请求缺乏事实和法律依据", "第六十九条"),
        };
        Action::Decide {
            disposition,
            document_number: UNNUMBERED.to_owned(),
            reasoning: reasoning.to_owned(),
            legal_basis: format!("《中华人民共和国行政复议法》{basis}"),
            partial,
            remake_ordered,
            comply_within_days,
            approval: Approval {
                route: ApprovalRoute::OrganHead,
                approver: "行政复议机关负责人".to_owned(),
            },
            third_party_evidence: false,
            worsens_applicant: false,
            worsening_requested_by: None,
            compensation: None,
            agreement_outcome: None,
        }
    }
}

pub(super) fn mediation() -> Action {
    Action::Mediate {
        document_number: UNNUMBERED.to_owned(),
        through_representative: None,
    }
}

pub(super) const DISMISSAL_REASONS: &[&str] = &[
    "受理后发现申请人与被申请行政复议的行政行为没有利害关系",
    "受理后发现该行政行为不属于行政复议范围",
    "受理后发现申请人在申请行政复议前已向人民法院提起行政诉讼",
];
