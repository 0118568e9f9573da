//! A registered application: who applies against whom, about which act, and the rules it must
//! meet before it is stored.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[cfg(test)]
use super::validation::FieldError;
use super::validation::FieldErrors;

/// Declares a closed set of API values stored as snake_case text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::EnumIter, strum::Display,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}

text_enum! {
    /// Type of the challenged administrative act.
    ActType {
        /// 行政处罚
        AdministrativePenalty,
        /// 行政强制措施
        CompulsoryMeasure,
        /// 行政强制执行
        CompulsoryEnforcement,
        /// 行政许可
        Licensing,
        /// 行政确认
        Confirmation,
        /// 行政征收征用
        Expropriation,
        /// 行政协议
        AdministrativeAgreement,
        /// 政府信息公开
        InformationDisclosure,
        /// 不履行法定职责
        FailureToPerform,
        /// 工伤认定
        WorkInjury,
        /// 行政赔偿
        Compensation,
        /// 其他
        Other,
    }
}

text_enum! {
    /// Administrative domain of a respondent.
    AdminDomain {
        /// 公安
        PublicSecurity,
        /// 市场监管
        MarketRegulation,
        /// 自然资源
        NaturalResources,
        /// 人社
        HumanResources,
        /// 住建
        HousingConstruction,
        /// 交通运输
        Transport,
        /// 生态环境
        EcologyEnvironment,
        /// 城管执法
        UrbanManagement,
        /// 税务
        Taxation,
        /// 卫健
        Health,
        /// 教育
        Education,
        /// 其他
        Other,
    }
}

text_enum! {
    /// How the application reached the organ.
    Channel {
        /// Handed in at the office (当面递交).
        InPerson,
        /// By post (邮寄).
        Post,
        /// Through the online platform (网上申请).
        Online,
        /// By fax or e-mail (传真、电子邮件).
        FaxOrEmail,
        /// Made orally and written down by the office (口头申请).
        Oral,
        /// Forwarded by another body (转送).
        Forwarded,
    }
}

text_enum! {
    /// The part a person or body plays in a case.
    PartyRole {
        /// 申请人
        Applicant,
        /// 代理人 (art. 17; at most two per applicant)
        Agent,
        /// 代表人 (art. 15)
        Representative,
        /// 第三人 (art. 16)
        ThirdParty,
    }
}

text_enum! {
    /// What kind of person or body a party is.
    PartyKind {
        /// 自然人
        NaturalPerson,
        /// 法人 — an applicant of this kind makes the case enterprise-related (涉企).
        LegalPerson,
        /// 其他组织
        OtherOrganization,
    }
}

/// One party as submitted. Identity numbers and phone numbers are personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub role: PartyRole,
    pub kind: PartyKind,
    #[schema(pattern = r"\S", max_length = 200)]
    pub name: String,
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z0-9]{6,30}$")]
    pub id_number: Option<String>,
    /// 5–20 digits, optionally with `+` and `-`.
    #[serde(default)]
    #[schema(pattern = r"^[+-]*([0-9][+-]*){5,20}$")]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"\S", max_length = 200)]
    pub address: Option<String>,
    /// For agents and representatives: index (0-based, in `parties`) of the applicant they act for.
    #[serde(default)]
    #[schema(maximum = 99)]
    pub acts_for: Option<usize>,
}

/// The application facts an officer registers, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApplicationFacts {
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub act_type: ActType,
    #[schema(pattern = r"\S", max_length = 200)]
    pub act_document_number: Option<String>,
    pub act_date: NaiveDate,
    pub learned_on: NaiveDate,
    /// Amount involved, in fen (0.01 yuan), to keep money exact; at most 2^53 − 1, which a
    /// JavaScript number still holds exactly.
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_i64)]
    pub amount_fen: Option<i64>,
    #[schema(pattern = r"\S", max_length = 20000)]
    pub request: String,
    #[schema(pattern = r"\S", max_length = 20000)]
    pub reasons: String,
}

/// Limits on free text, so one request cannot fill the database.
pub const MAX_NAME_CHARS: usize = 200;
/// See [`MAX_NAME_CHARS`].
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The largest amount, in fen: 2^53 − 1, the largest integer a browser's JSON numbers read back
/// exactly (about 90 trillion yuan).
pub const MAX_AMOUNT_FEN: i64 = (1 << 53) - 1;
/// Upper bound on parties of one case.
pub const MAX_PARTIES: usize = 100;

/// Checks the application's rules; `today` is the organ's legal date now.
pub fn validate_application(
    facts: &ApplicationFacts,
    parties: &[PartyInput],
    today: NaiveDate,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, date) in [
        ("received_on", facts.received_on),
        ("act_date", facts.act_date),
        ("learned_on", facts.learned_on),
    ] {
        if date > today {
            errors.push(field, format!("{date} is in the future (today is {today})"));
        }
    }
    if facts.received_on < facts.act_date {
        errors.push(
            "received_on",
            format!(
                "the application cannot be received ({}) before the act was made ({})",
                facts.received_on, facts.act_date
            ),
        );
    }
    if facts.learned_on < facts.act_date {
        errors.push(
            "learned_on",
            "the applicant cannot learn of the act before it was made",
        );
    }
    if facts.learned_on > facts.received_on {
        errors.push(
            "learned_on",
            "the applicant cannot apply before learning of the act",
        );
    }
    check_fields(
        &mut errors,
        FieldsToCheck {
            amount_fen: facts.amount_fen,
            request: Some(&facts.request),
            reasons: Some(&facts.reasons),
            act_document_number: facts.act_document_number.as_deref(),
            parties: Some(parties),
        },
    );
    errors.into_result()
}

/// The fields of an application, or of a correction to one, whose rules hold whatever else the
/// case says; `None` where a correction leaves the field alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct FieldsToCheck<'a> {
    pub amount_fen: Option<i64>,
    pub request: Option<&'a str>,
    pub reasons: Option<&'a str>,
    pub act_document_number: Option<&'a str>,
    pub parties: Option<&'a [PartyInput]>,
}

/// Checks the fields that need nothing but themselves. A correction runs this before the case is
/// read, so a malformed body is answered 422 whatever version `If-Match` names.
pub fn validate_fields(fields: FieldsToCheck<'_>) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    check_fields(&mut errors, fields);
    errors.into_result()
}

fn check_fields(errors: &mut FieldErrors, fields: FieldsToCheck<'_>) {
    if let Some(amount) = fields.amount_fen
        && amount < 0
    {
        errors.push("amount_fen", "must not be negative");
    } else if let Some(amount) = fields.amount_fen
        && amount > MAX_AMOUNT_FEN
    {
        errors.push(
            "amount_fen",
            format!("must be at most {MAX_AMOUNT_FEN} (the largest integer a JavaScript number holds exactly)"),
        );
    }
    if let Some(request) = fields.request {
        errors.check_text("request", request, MAX_TEXT_CHARS);
    }
    if let Some(reasons) = fields.reasons {
        errors.check_text("reasons", reasons, MAX_TEXT_CHARS);
    }
    if let Some(number) = fields.act_document_number {
        errors.check_text("act_document_number", number, MAX_NAME_CHARS);
    }
    if let Some(parties) = fields.parties {
        validate_parties(parties, errors);
    }
}

fn validate_parties(parties: &[PartyInput], errors: &mut FieldErrors) {
    if parties.len() > MAX_PARTIES {
        errors.push("parties", format!("at most {MAX_PARTIES} parties"));
        return;
    }
    if !parties.iter().any(|p| p.role == PartyRole::Applicant) {
        errors.push("parties", "at least one applicant is required");
    }
    for (index, party) in parties.iter().enumerate() {
        let field = |name: &str| format!("parties[{index}].{name}");
        errors.check_text(&field("name"), &party.name, MAX_NAME_CHARS);
        if let Some(id) = &party.id_number
            && !valid_id_number(id)
        {
            errors.push(
                field("id_number"),
                "must be 6–30 letters or digits (e.g. an 18-character resident identity number)",
            );
        }
        if let Some(phone) = &party.phone
            && !valid_phone(phone)
        {
            errors.push(
                field("phone"),
                "must be 5–20 digits, optionally with + and -",
            );
        }
        if let Some(address) = &party.address {
            errors.check_text(&field("address"), address, MAX_NAME_CHARS);
        }
        let acts_for_someone = matches!(party.role, PartyRole::Agent | PartyRole::Representative);
        match (acts_for_someone, party.acts_for) {
            (true, None) => {
                errors.push(field("acts_for"), "name the applicant this party acts for")
            }
            (false, Some(_)) => errors.push(
                field("acts_for"),
                "only agents and representatives act for an applicant",
            ),
            (true, Some(target)) => {
                if parties.get(target).map(|p| p.role) != Some(PartyRole::Applicant) {
                    errors.push(
                        field("acts_for"),
                        format!("party {target} is not an applicant"),
                    );
                }
            }
            (false, None) => {}
        }
    }
    // Art. 17: an applicant may appoint one or two agents.
    for (index, _) in parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.role == PartyRole::Applicant)
    {
        let agents = parties
            .iter()
            .filter(|p| p.role == PartyRole::Agent && p.acts_for == Some(index))
            .count();
        if agents > 2 {
            errors.push(
                format!("parties[{index}]"),
                format!("an applicant may appoint at most two agents (art. 17), found {agents}"),
            );
        }
    }
}

fn valid_id_number(id: &str) -> bool {
    (6..=30).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric())
}

fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '+' || c == '-')
}

/// A case is enterprise-related (涉企) when a legal person applies.
pub fn is_enterprise_related(parties: &[PartyInput]) -> bool {
    parties
        .iter()
        .any(|p| p.role == PartyRole::Applicant && p.kind == PartyKind::LegalPerson)
}

/// Art. 20: an application later than `window_days` after the applicant learned of the act is
/// flagged for the officer to judge (there are excusable delays, art. 20 para. 2); the service
/// does not refuse it.
pub fn is_late_application(facts: &ApplicationFacts, window_days: u32) -> bool {
    (facts.received_on - facts.learned_on).num_days() > i64::from(window_days)
}

/// The lowercased text free-text search runs over.
pub fn search_text<'a>(
    party_names: impl IntoIterator<Item = &'a str>,
    respondent_name: &str,
    act_document_number: Option<&str>,
    case_number: Option<&str>,
) -> String {
    let mut parts: Vec<&str> = party_names.into_iter().collect();
    parts.push(respondent_name);
    parts.extend(act_document_number);
    parts.extend(case_number);
    parts.join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("valid date")
    }

    fn facts() -> ApplicationFacts {
        ApplicationFacts {
            received_on: date("2024-03-01"),
            channel: Channel::Online,
            act_type: ActType::AdministrativePenalty,
            act_document_number: Some("榕公罚〔2024〕12号".into()),
            act_date: date("2024-01-10"),
            learned_on: date("2024-01-12"),
            amount_fen: Some(200_000),
            request: "撤销处罚决定".into(),
            reasons: "事实不清".into(),
        }
    }

    fn applicant(kind: PartyKind) -> PartyInput {
        PartyInput {
            role: PartyRole::Applicant,
            kind,
            name: "张三".into(),
            id_number: Some("350102199001011234".into()),
            phone: Some("13800000000".into()),
            address: None,
            acts_for: None,
        }
    }

    fn agent_for(index: usize) -> PartyInput {
        PartyInput {
            role: PartyRole::Agent,
            kind: PartyKind::NaturalPerson,
            name: "李律师".into(),
            id_number: None,
            phone: None,
            address: None,
            acts_for: Some(index),
        }
    }

    fn fields(result: Result<(), FieldErrors>) -> Vec<String> {
        result
            .err()
            .map(|e| {
                e.into_vec()
                    .into_iter()
                    .map(|f: FieldError| f.field)
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_complete_application_is_valid() {
        let parties = [applicant(PartyKind::NaturalPerson), agent_for(0)];
        assert!(validate_application(&facts(), &parties, date("2024-03-02")).is_ok());
    }

    #[test]
    fn future_dates_are_refused_per_field() {
        let parties = [applicant(PartyKind::NaturalPerson)];
        let got = fields(validate_application(&facts(), &parties, date("2024-02-01")));
        assert_eq!(got, vec!["received_on"]);
    }

    #[test]
    fn received_before_the_act_is_refused() {
        let mut facts = facts();
        facts.received_on = date("2024-01-05");
        facts.learned_on = date("2024-01-05");
        let got = fields(validate_application(
            &facts,
            &[applicant(PartyKind::NaturalPerson)],
            date("2024-03-02"),
        ));
        assert!(got.contains(&"received_on".to_owned()), "{got:?}");
    }

    #[test]
    fn an_application_needs_an_applicant_and_agents_need_one() {
        let got = fields(validate_application(
            &facts(),
            &[agent_for(0)],
            date("2024-03-02"),
        ));
        assert_eq!(got, vec!["parties", "parties[0].acts_for"]);
    }

    #[test]
    fn at_most_two_agents_per_applicant() {
        let parties = [
            applicant(PartyKind::NaturalPerson),
            agent_for(0),
            agent_for(0),
            agent_for(0),
        ];
        let got = fields(validate_application(&facts(), &parties, date("2024-03-02")));
        assert_eq!(got, vec!["parties[0]"]);
    }

    #[test]
    fn malformed_personal_data_names_the_party() {
        let mut party = applicant(PartyKind::NaturalPerson);
        party.phone = Some("call me".into());
        let got = fields(validate_application(&facts(), &[party], date("2024-03-02")));
        assert_eq!(got, vec!["parties[0].phone"]);
    }

    #[test]
    fn a_legal_person_applicant_makes_the_case_enterprise_related() {
        assert!(!is_enterprise_related(&[applicant(
            PartyKind::NaturalPerson
        )]));
        assert!(is_enterprise_related(&[
            applicant(PartyKind::NaturalPerson),
            applicant(PartyKind::LegalPerson)
        ]));
    }

    #[test]
    fn late_application_is_flagged_after_sixty_days() {
        let mut facts = facts();
        facts.learned_on = date("2024-01-01");
        facts.received_on = date("2024-03-01"); // 60 days later: still in time
        assert!(!is_late_application(&facts, 60));
        facts.received_on = date("2024-03-02");
        assert!(is_late_application(&facts, 60));
    }
}
