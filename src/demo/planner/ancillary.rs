//! The ancillary procedures of a demo case: a compensation claim and its ruling (art. 72), a
//! stay of enforcement or a refused request for one (art. 42), and the normative-document
//! review a suspension on art. 39(9) waits for (arts. 56–59).

use chrono::NaiveDate;

use super::{CaseBuilder, Planner};
use crate::domain::{
    ancillary::{NormativeFinding, StayGround, StayRequester},
    lifecycle::{
        Action, CompensationClaim, CompensationOutcome, CompensationRuling, Disposition,
        SuspensionGround,
    },
};

impl Planner<'_> {
    /// Sometimes the applicant joined a compensation claim, recorded once the reply is in.
    pub(super) fn maybe_claim_compensation(
        &mut self,
        case: &mut CaseBuilder<'_>,
        disposition: Disposition,
    ) -> anyhow::Result<()> {
        let corrective = matches!(
            disposition,
            Disposition::Revoke | Disposition::ConfirmIllegal
        );
        if !self.chance(if corrective { 0.12 } else { 0.02 }) {
            return Ok(());
        }
        let amount = u64::from(self.between(5, 400)) * 10_000;
        let description = self.pick_str(&[
            "请求返还罚款并赔偿利息损失",
            "请求赔偿停产停业期间的直接损失",
            "请求赔偿财产损失",
        ]);
        let on = case.last_on();
        case.act(
            on,
            Action::RecordCompensationClaim {
                claim: CompensationClaim {
                    description: description.to_owned(),
                    amount_fen: Some(amount),
                },
            },
        )
    }

    /// The ruling a decision makes on the claim, if the case has one (art. 72): a corrective
    /// decision mostly awards part of the sum, any other rejects it.
    pub(super) fn rule_on_claim(&mut self, case: &CaseBuilder<'_>, decision: &mut Action) {
        let Action::Decide {
            disposition,
            compensation,
            ..
        } = decision
        else {
            return;
        };
        let Some(claim) = &case.lc.compensation_claim else {
            return;
        };
        let corrective = matches!(
            disposition,
            Disposition::Revoke | Disposition::ConfirmIllegal
        );
        let outcome = if corrective {
            self.pick(&[
                (CompensationOutcome::Award, 6),
                (CompensationOutcome::ReturnProperty, 2),
                (CompensationOutcome::Reject, 2),
            ])
        } else {
            CompensationOutcome::Reject
        };
        let claimed = claim.amount_fen.unwrap_or(1_000_000);
        *compensation = Some(CompensationRuling {
            outcome,
            amount_fen: (outcome == CompensationOutcome::Award)
                .then(|| claimed / 10 * u64::from(self.between(3, 10))),
        });
    }

    /// Sometimes enforcement is stopped while the case runs, or a party's request is refused.
    pub(super) fn maybe_stay(&mut self, case: &mut CaseBuilder<'_>) -> anyhow::Result<()> {
        if self.chance(0.02) {
            let on = case.last_on();
            let reason = self.pick_str(&[
                "停止执行可能损害国家利益、社会公共利益",
                "申请人未说明停止执行的合理理由",
            ]);
            case.act(
                on,
                Action::RefuseStay {
                    requested_by: StayRequester::Applicant,
                    reason: reason.to_owned(),
                },
            )?;
        }
        if !self.chance(0.03) {
            return Ok(());
        }
        let ground = self.pick(&[
            (StayGround::RespondentDeemsNecessary, 1),
            (StayGround::OrganDeemsNecessary, 2),
            (StayGround::PartyRequestGranted, 3),
        ]);
        let decided_by = match ground {
            StayGround::RespondentDeemsNecessary => "被申请人",
            _ => "行政复议机关负责人",
        };
        let on = case.last_on();
        case.act(
            on,
            Action::StayEnforcement {
                ground,
                decided_by: decided_by.to_owned(),
            },
        )
    }

    /// A suspension on art. 39(9): the applicant's request to review the normative document the
    /// act rests on, the drafting body notified and replying, the organ's finding, and the
    /// case resumed; returns the day it resumed.
    pub(super) fn normative_review(
        &mut self,
        case: &mut CaseBuilder<'_>,
        since: NaiveDate,
    ) -> anyhow::Result<NaiveDate> {
        case.act(
            since,
            Action::RequestNormativeReview {
                document_name: self
                    .pick_str(&[
                        "关于规范城市道路停车秩序的通知",
                        "行政处罚自由裁量权基准",
                        "关于加强建筑垃圾管理的若干规定",
                    ])
                    .to_owned(),
                issuing_body: self
                    .pick_str(&["市人民政府办公厅", "市城市管理委员会", "市市场监督管理局"])
                    .to_owned(),
            },
        )?;
        case.act(
            since,
            Action::Suspend {
                ground: SuspensionGround::NormativeDocumentReview,
                parties_notified_on: Some(since),
            },
        )?;
        let notified = self.after(since, 1, 3);
        case.act(notified, Action::NotifyDraftingBody {})?;
        let replied = self.after(notified, 2, 9);
        case.act(replied, Action::RecordDraftingBodyReply {})?;
        let concluded = self.after(replied, 1, 4);
        let unlawful = self.chance(0.3);
        case.act(
            concluded,
            Action::ConcludeNormativeReview {
                finding: if unlawful {
                    NormativeFinding::Unlawful
                } else {
                    NormativeFinding::Lawful
                },
                provisions: vec![
                    self.pick_str(&["第三条", "第五条第二款", "第八条"])
                        .to_owned(),
                ],
            },
        )?;
        case.act(
            concluded,
            Action::Resume {
                parties_notified_on: Some(concluded),
            },
        )?;
        Ok(concluded)
    }
}
