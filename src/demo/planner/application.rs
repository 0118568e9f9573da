//! The application: the act complained of (its type, date, amount and document number), the
//! request and its reasons, the channel, and who applies.

use chrono::{Datelike, Days, NaiveDate};

use super::Planner;
use crate::{
    demo::{fixtures::RespondentSpec, quotas::Outcome},
    domain::{
        case::{ActType, AdminDomain, ApplicationFacts, Channel, PartyInput, PartyKind},
        lifecycle::{DeclineReason, TerminationGround},
    },
};

use AdminDomain as D;

impl Planner<'_> {
    pub(super) fn application(
        &mut self,
        received: NaiveDate,
        respondent: &RespondentSpec,
        outcome: Outcome,
    ) -> (ApplicationFacts, Vec<PartyInput>) {
        let act_type = self.act_type(respondent.domain);
        let learned_on = if outcome == Outcome::Decline(DeclineReason::TimeBarred) {
            received - Days::new(u64::from(self.between(75, 400)))
        } else {
            received - Days::new(u64::from(self.between(1, 55)))
        };
        let act_date = learned_on - Days::new(u64::from(self.between(0, 10)));
        let amount_fen = self.amount(act_type);
        self.act_numbers += 1;
        let act_document_number = act_kind(act_type).map(|kind| {
            format!(
                "{}{kind}〔{}〕{}号",
                respondent.abbr,
                act_date.year(),
                100 + self.act_numbers
            )
        });
        let (request, reasons) = request_text(act_type);
        let request = match &act_document_number {
            Some(number) => request.replace("{doc}", number),
            None => request.replace("{doc}", ""),
        };
        let channel = self.pick(&[
            (Channel::Online, 36),
            (Channel::InPerson, 30),
            (Channel::Post, 20),
            (Channel::FaxOrEmail, 4),
            (Channel::Oral, 3),
            (Channel::Forwarded, 7),
        ]);
        let kind = match outcome {
            Outcome::Terminate(TerminationGround::EntityEndedNoSuccessor) => PartyKind::LegalPerson,
            Outcome::Terminate(
                TerminationGround::ApplicantDiedNoSuccessor
                | TerminationGround::LongSuspension
                | TerminationGround::CriminalMeasures,
            ) => PartyKind::NaturalPerson,
            _ => self.pick(&[
                (PartyKind::NaturalPerson, 72),
                (PartyKind::LegalPerson, 24),
                (PartyKind::OtherOrganization, 4),
            ]),
        };
        let parties = self.parties(kind);
        (
            ApplicationFacts {
                received_on: received,
                channel,
                act_type,
                act_document_number,
                act_date,
                learned_on,
                amount_fen,
                request,
                reasons: reasons.to_owned(),
                applied_on: None,
                rights_learned_on: None,
                immovable_property: false,
            },
            parties,
        )
    }

    fn act_type(&mut self, domain: AdminDomain) -> ActType {
        use ActType as A;
        let weights: &[(ActType, u32)] = match domain {
            D::PublicSecurity => &[
                (A::AdministrativePenalty, 68),
                (A::CompulsoryMeasure, 14),
                (A::InformationDisclosure, 5),
                (A::FailureToPerform, 10),
                (A::Compensation, 3),
            ],
            D::MarketRegulation => &[
                (A::AdministrativePenalty, 50),
                (A::Licensing, 10),
                (A::InformationDisclosure, 15),
                (A::FailureToPerform, 25),
            ],
            D::NaturalResources => &[
                (A::Confirmation, 35),
                (A::Expropriation, 20),
                (A::Licensing, 15),
                (A::InformationDisclosure, 15),
                (A::FailureToPerform, 15),
            ],
            D::HumanResources => &[
                (A::WorkInjury, 55),
                (A::FailureToPerform, 25),
                (A::InformationDisclosure, 10),
                (A::AdministrativePenalty, 10),
            ],
            D::HousingConstruction => &[
                (A::Licensing, 25),
                (A::Expropriation, 25),
                (A::InformationDisclosure, 20),
                (A::FailureToPerform, 20),
                (A::AdministrativeAgreement, 10),
            ],
            D::Transport => &[(A::AdministrativePenalty, 80), (A::CompulsoryMeasure, 20)],
            D::EcologyEnvironment => &[
                (A::AdministrativePenalty, 80),
                (A::InformationDisclosure, 20),
            ],
            D::UrbanManagement => &[
                (A::AdministrativePenalty, 45),
                (A::CompulsoryEnforcement, 35),
                (A::FailureToPerform, 20),
            ],
            D::Health => &[
                (A::AdministrativePenalty, 60),
                (A::Licensing, 20),
                (A::InformationDisclosure, 20),
            ],
            D::Education => &[
                (A::InformationDisclosure, 50),
                (A::Other, 30),
                (A::FailureToPerform, 20),
            ],
            D::Taxation | D::Other => &[
                (A::InformationDisclosure, 40),
                (A::FailureToPerform, 30),
                (A::AdministrativeAgreement, 15),
                (A::Other, 15),
            ],
        };
        self.pick(weights)
    }

    fn amount(&mut self, act_type: ActType) -> Option<i64> {
        let yuan: i64 = match act_type {
            ActType::AdministrativePenalty => {
                // A warning (警告) has no amount.
                if self.chance(0.08) {
                    return None;
                }
                self.pick(&[
                    (200, 8),
                    (500, 10),
                    (1_000, 10),
                    (2_000, 10),
                    (3_000, 8),
                    (5_000, 12),
                    (10_000, 12),
                    (20_000, 10),
                    (50_000, 10),
                    (100_000, 6),
                    (200_000, 4),
                ])
            }
            ActType::Expropriation => i64::from(self.between(20, 300)) * 10_000,
            ActType::AdministrativeAgreement => i64::from(self.between(5, 120)) * 10_000,
            ActType::Compensation => i64::from(self.between(1, 50)) * 1_000,
            _ => return None,
        };
        Some(yuan * 100)
    }
}

/// The character act document numbers carry for each type, or none for acts without one.
fn act_kind(act_type: ActType) -> Option<&'static str> {
    use ActType as A;
    match act_type {
        A::AdministrativePenalty => Some("罚决字"),
        A::CompulsoryMeasure => Some("强措字"),
        A::CompulsoryEnforcement => Some("强执字"),
        A::Licensing => Some("许字"),
        A::Confirmation => Some("登字"),
        A::Expropriation => Some("征补字"),
        A::AdministrativeAgreement => Some("协字"),
        A::InformationDisclosure => Some("依申复字"),
        A::WorkInjury => Some("工认字"),
        A::Compensation => Some("罚决字"),
        A::FailureToPerform | A::Other => None,
    }
}

/// The request and its reasons per type; `{doc}` stands for the act's document number.
fn request_text(act_type: ActType) -> (&'static str, &'static str) {
    use ActType as A;
    match act_type {
        A::AdministrativePenalty => (
            "撤销{doc}行政处罚决定",
            "认定事实不清，证据不足，处罚明显不当",
        ),
        A::CompulsoryMeasure => (
            "确认{doc}查封、扣押财物的行政强制措施违法",
            "未依法告知陈述、申辩权利，程序违法",
        ),
        A::CompulsoryEnforcement => ("确认{doc}强制拆除行为违法", "未依法履行催告程序即强制执行"),
        A::Licensing => (
            "撤销{doc}不予行政许可决定并责令重新作出",
            "申请材料齐全、符合法定形式，应予许可",
        ),
        A::Confirmation => ("撤销{doc}不动产登记行为", "登记所依据的材料不真实"),
        A::Expropriation => (
            "撤销{doc}房屋征收补偿决定",
            "补偿标准低于类似房地产的市场价格",
        ),
        A::AdministrativeAgreement => (
            "责令被申请人继续履行{doc}行政协议",
            "被申请人未按约定支付补偿款",
        ),
        A::InformationDisclosure => (
            "撤销{doc}政府信息公开答复并责令重新答复",
            "所申请的信息不属于不予公开的范围",
        ),
        A::FailureToPerform => (
            "责令被申请人履行查处违法行为的法定职责{doc}",
            "举报后被申请人逾期未作处理",
        ),
        A::WorkInjury => (
            "撤销{doc}不予认定工伤决定书",
            "事故发生在工作时间和工作场所内，因工作原因受到伤害",
        ),
        A::Compensation => (
            "撤销{doc}行政处罚决定并赔偿经济损失",
            "违法扣押财物造成经营损失",
        ),
        A::Other => ("撤销被申请人作出的行政行为{doc}", "行政行为缺乏法律依据"),
    }
}
