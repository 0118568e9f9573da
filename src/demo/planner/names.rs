//! The parties: invented names of people, companies and owners' committees, and identity
//! numbers no real person has.

use chrono::NaiveDate;

use super::Planner;
use crate::domain::case::{PartyInput, PartyKind, PartyRole};

impl Planner<'_> {
    fn person_name(&mut self) -> String {
        format!("{}{}", self.pick_str(SURNAMES), self.pick_str(GIVEN_NAMES))
    }

    /// A resident identity number of the right shape and check digit. The region code 350100
    /// stands for the city as a whole and is not issued to residents, so no real person has it.
    fn id_number(&mut self) -> String {
        let birth = NaiveDate::from_ymd_opt(
            1950 + i32::try_from(self.between(0, 52)).unwrap_or(0),
            self.between(1, 12),
            self.between(1, 28),
        )
        .unwrap_or_default();
        let body = format!(
            "350100{}{:03}",
            birth.format("%Y%m%d"),
            self.between(1, 999)
        );
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip(WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        format!("{body}{check}")
    }

    pub(super) fn parties(&mut self, kind: PartyKind) -> Vec<PartyInput> {
        let name = match kind {
            PartyKind::NaturalPerson => self.person_name(),
            PartyKind::LegalPerson => format!(
                "福州{}{}有限公司",
                self.pick_str(COMPANY_NAMES),
                self.pick_str(COMPANY_TRADES)
            ),
            PartyKind::OtherOrganization => {
                format!("{}小区业主委员会", self.pick_str(ESTATES))
            }
        };
        let phone = self
            .chance(0.5)
            .then(|| format!("1380000{:04}", self.between(0, 9999)));
        let mut parties = vec![PartyInput {
            role: PartyRole::Applicant,
            kind,
            name,
            id_number: (kind == PartyKind::NaturalPerson).then(|| self.id_number()),
            phone,
            address: None,
            acts_for: None,
        }];
        if kind != PartyKind::NaturalPerson || self.chance(0.3) {
            parties.push(PartyInput {
                role: PartyRole::Agent,
                kind: PartyKind::NaturalPerson,
                name: self.person_name(),
                id_number: None,
                phone: None,
                address: None,
                acts_for: Some(0),
            });
        }
        if self.chance(0.05) {
            parties.push(PartyInput {
                role: PartyRole::ThirdParty,
                kind: PartyKind::NaturalPerson,
                name: self.person_name(),
                id_number: None,
                phone: None,
                address: None,
                acts_for: None,
            });
        }
        parties
    }
}

const SURNAMES: &[&str] = &[
    "陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "许", "谢", "何", "郭", "周",
    "邱", "游", "魏", "罗",
];
const GIVEN_NAMES: &[&str] = &[
    "建华", "丽娟", "志强", "秀英", "明辉", "晓燕", "国平", "美玲", "文斌", "淑珍", "春生", "雪梅",
    "俊杰", "玉兰", "海峰", "静怡", "宇航", "婷婷", "振宇", "慧敏",
];
const COMPANY_NAMES: &[&str] = &[
    "鑫源", "闽泰", "榕城", "海峡", "恒达", "华宇", "正和", "金穗", "永安", "东升", "新航", "三坊",
];
const COMPANY_TRADES: &[&str] = &[
    "贸易",
    "建设工程",
    "科技",
    "餐饮管理",
    "物流",
    "房地产开发",
    "食品",
    "医药",
    "汽车服务",
    "文化传媒",
];
const ESTATES: &[&str] = &["金山", "屏西", "东浦", "洪山", "南江滨", "五四北"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        config::RuleSettings,
        demo::planner::{PlanContext, tests::organs},
        domain::calendar::{WorkCalendar, official_calendars},
    };

    #[test]
    fn identity_numbers_carry_a_valid_check_digit() {
        let calendar = WorkCalendar::new(official_calendars());
        let rules = RuleSettings::default();
        let ctx = PlanContext {
            year: 2023,
            calendar: &calendar,
            rules: &rules,
            today: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
        };
        let organs = organs();
        let mut planner = Planner::new(&ctx, &organs, 1).expect("planner");
        let id = planner.id_number();
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("350100"));
    }
}
