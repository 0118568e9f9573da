//! Admission: the review of an application, with a supplement now and then, ending in its
//! acceptance (and assignment) or its refusal.

use super::{CaseBuilder, PlanOrgan, Planner};
use crate::domain::{
    case::{ActType, ApplicationFacts},
    lifecycle::{Action, DeclineReason, Procedure, SimplifiedGround},
};

impl Planner<'_> {
    pub(super) fn decline(
        &mut self,
        case: &mut CaseBuilder<'_>,
        reason: DeclineReason,
    ) -> anyhow::Result<()> {
        let received = case.last_on();
        let (on, competent_organ, explanation) = match reason {
            DeclineReason::SupplementNotProvided => {
                let notice = self.after(received, 1, 3);
                case.act(
                    notice,
                    Action::RequestSupplement {
                        items: self.supplement_items(),
                        notice_received_on: Some(notice),
                    },
                )?;
                let limit = self.ctx.rules.deadlines.supplement_working_days;
                let on = self.after(notice, limit + 1, limit + 3);
                (on, None, "申请人逾期未补正，视为放弃行政复议申请")
            }
            DeclineReason::NoJurisdiction => {
                let on = self.after(received, 1, 5);
                let organ = self.pick_str(&[
                    "福建省人民政府",
                    "国家税务总局福建省税务局",
                    "福州海关",
                    "福建省公安厅",
                ]);
                (
                    on,
                    Some(organ.to_owned()),
                    "不属于本机关管辖，已告知申请人向有管辖权的行政复议机关提出",
                )
            }
            DeclineReason::TimeBarred => {
                let on = self.after(received, 1, 5);
                (on, None, "超过法定申请期限且无正当理由")
            }
            DeclineReason::Inadmissible => {
                let on = self.after(received, 1, 5);
                let why = self.pick_str(&[
                    "申请事项不属于行政复议范围",
                    "申请人与被申请行政复议的行政行为没有利害关系",
                    "没有明确的被申请人",
                    "对内部层级监督行为不服，不属于行政复议范围",
                ]);
                (on, None, why)
            }
        };
        case.act(
            on,
            Action::Decline {
                reason,
                competent_organ,
                explanation: Some(explanation.to_owned()),
            },
        )
    }

    /// The applicant withdraws within the acceptance review, sometimes after a supplement notice
    /// (the review clock stops while a supplement is awaited).
    pub(super) fn withdraw_application(
        &mut self,
        case: &mut CaseBuilder<'_>,
    ) -> anyhow::Result<()> {
        let received = case.last_on();
        let mut from = received;
        if self.chance(0.3) {
            let notice = self.after(received, 1, 2);
            case.act(
                notice,
                Action::RequestSupplement {
                    items: self.supplement_items(),
                    notice_received_on: Some(notice),
                },
            )?;
            from = notice;
        }
        let on = self.after(from, 1, 3);
        let explanation = self.pick_str(&[
            "申请人与被申请人沟通后自愿撤回申请",
            "申请人表示已另行提起行政诉讼",
            "申请人书面申请撤回",
        ]);
        case.act(
            on,
            Action::WithdrawApplication {
                explanation: Some(explanation.to_owned()),
                through_representative: None,
            },
        )
    }

    /// Review (sometimes with a supplement), acceptance and assignment.
    pub(super) fn admit(
        &mut self,
        case: &mut CaseBuilder<'_>,
        organ: &PlanOrgan,
        facts: &ApplicationFacts,
    ) -> anyhow::Result<()> {
        let mut review_from = case.last_on();
        if self.chance(0.08) {
            let notice = self.after(review_from, 1, 2);
            case.act(
                notice,
                Action::RequestSupplement {
                    items: self.supplement_items(),
                    notice_received_on: Some(notice),
                },
            )?;
            let limit = self.ctx.rules.deadlines.supplement_working_days;
            review_from = self.after(notice, 2, limit.saturating_sub(2).max(2));
            case.act(review_from, Action::Supplement {})?;
        }
        let review = self.ctx.rules.deadlines.acceptance_review_working_days;
        // A review left to lapse is deemed an acceptance (视为受理, art. 30).
        let deemed = self.chance(0.02);
        let on = if deemed {
            self.after(review_from, review + 1, review + 2)
        } else {
            self.after(review_from, 1, review)
        };
        let simplified_ground = self
            .simplified_ground(facts)
            .filter(|_| case.lc.law().has_simplified_procedure());
        let procedure = if simplified_ground.is_some() {
            Procedure::Simplified
        } else {
            Procedure::Ordinary
        };
        case.act(
            on,
            Action::Accept {
                procedure,
                simplified_ground,
                deemed,
            },
        )?;
        case.act(
            on,
            Action::Assign {
                handlers: vec![organ.officer, organ.head],
            },
        )
    }

    /// Simplified procedure for about half the cases that qualify (art. 53), and a few more by
    /// the parties' consent.
    fn simplified_ground(&mut self, facts: &ApplicationFacts) -> Option<SimplifiedGround> {
        let qualifies = match facts.act_type {
            ActType::InformationDisclosure => Some(SimplifiedGround::InformationDisclosure),
            ActType::AdministrativePenalty => match facts.amount_fen {
                None => Some(SimplifiedGround::WarningOrCriticism),
                Some(fen) if fen <= 50_000 => Some(SimplifiedGround::OnTheSpotAct),
                Some(fen) if fen <= 300_000 => Some(SimplifiedGround::SmallAmount),
                Some(_) => None,
            },
            _ => None,
        };
        match qualifies {
            Some(ground) if self.chance(0.55) => Some(ground),
            Some(_) => None,
            None => self
                .chance(0.03)
                .then_some(SimplifiedGround::PartiesConsent),
        }
    }

    fn supplement_items(&mut self) -> Vec<String> {
        let first = self.pick_str(&[
            "申请人身份证明复印件",
            "被申请行政复议的行政行为的相关材料",
            "明确具体的行政复议请求",
        ]);
        let mut items = vec![first.to_owned()];
        if self.chance(0.4) {
            items.push("授权委托书".to_owned());
        }
        items
    }
}
