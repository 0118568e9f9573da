//! A registered application: who applies against whom, about which act, and the rules it must
//! meet before it is stored.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::WorkCalendar;

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
    /// The day the application was made: the posting date of a posted application, since time
    /// in the post does not count (art. 20); the day received for every other channel, and the
    /// default.
    #[serde(default)]
    pub applied_on: Option<NaiveDate>,
    /// When the act did not tell the applicant of the right to apply or of the period: the day
    /// they learned of them; the 60 days then run from it, at most 1 year after learning of the
    /// act (art. 20 para 3).
    #[serde(default)]
    pub rights_learned_on: Option<NaiveDate>,
    /// The act concerns immovable property, so the outer limit is 20 years rather than 5 (art. 21).
    #[serde(default)]
    pub immovable_property: bool,
}

impl ApplicationFacts {
    /// The day the application was made: the posting date, or the day received.
    pub fn applied_on(&self) -> NaiveDate {
        self.applied_on.unwrap_or(self.received_on)
    }
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
    if let Some(applied_on) = facts.applied_on {
        if applied_on > facts.received_on {
            errors.push(
                "applied_on",
                format!(
                    "the application cannot be made ({applied_on}) after it was received ({})",
                    facts.received_on
                ),
            );
        } else if applied_on != facts.received_on
            && !matches!(facts.channel, Channel::Post | Channel::Forwarded)
        {
            // Art. 32: an application filed through the respondent was made the day the
            // respondent received it.
            errors.push(
                "applied_on",
                "only a posted or forwarded application was made before the day it was received",
            );
        }
        if applied_on < facts.learned_on {
            errors.push(
                "applied_on",
                "the applicant cannot apply before learning of the act",
            );
        }
    }
    if let Some(rights_learned_on) = facts.rights_learned_on {
        if rights_learned_on < facts.learned_on {
            errors.push(
                "rights_learned_on",
                "the right to apply is learned of at or after the act itself",
            );
        }
        if rights_learned_on > facts.received_on {
            errors.push(
                "rights_learned_on",
                "the applicant cannot apply before learning of the right to apply",
            );
        }
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

/// The statutory limits on when an application may be made (arts. 20, 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationWindow {
    /// Days from learning of the act (art. 20 para 1: 60).
    pub days: u32,
    /// Months from learning of the act, at most, when the act did not tell the applicant of the
    /// right or the period (art. 20 para 3: 1 year).
    pub uninformed_max_months: u32,
    /// Years from the act after which no application is admissible (art. 21: 5).
    pub outer_limit_years: u32,
    /// The same for immovable property (art. 21: 20).
    pub immovable_outer_limit_years: u32,
}

impl Default for ApplicationWindow {
    fn default() -> Self {
        Self {
            days: 60,
            uninformed_max_months: 12,
            outer_limit_years: 5,
            immovable_outer_limit_years: 20,
        }
    }
}

/// The last day the application could be made (arts. 20, 21).
///
/// Each period is calendar days (months, years) moved off a rest day. A period ending in a
/// year whose working-day calendar is not loaded stays on its plain last day, which can only
/// make the flag stricter by the few days a holiday would add.
pub fn application_due_on(
    facts: &ApplicationFacts,
    window: &ApplicationWindow,
    calendar: &WorkCalendar,
) -> Option<NaiveDate> {
    let off_rest_day =
        |date: NaiveDate| calendar.next_working_day_on_or_after(date).unwrap_or(date);
    let start = facts.rights_learned_on.unwrap_or(facts.learned_on);
    let mut due = off_rest_day(start.checked_add_days(chrono::Days::new(window.days.into()))?);
    if facts.rights_learned_on.is_some() {
        let cap = facts
            .learned_on
            .checked_add_months(Months::new(window.uninformed_max_months))?;
        due = due.min(off_rest_day(cap));
    }
    let years = if facts.immovable_property {
        window.immovable_outer_limit_years
    } else {
        window.outer_limit_years
    };
    let outer = facts
        .act_date
        .checked_add_months(Months::new(years.saturating_mul(12)))?;
    Some(due.min(off_rest_day(outer)))
}

/// Arts. 20, 21: an application made (posted, or received) after its last day is flagged for
/// the officer to judge (there are excusable delays, art. 20 para 2); the service does not
/// refuse it.
pub fn is_late_application(
    facts: &ApplicationFacts,
    window: &ApplicationWindow,
    calendar: &WorkCalendar,
) -> bool {
    application_due_on(facts, window, calendar).is_none_or(|due| facts.applied_on() > due)
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
            applied_on: None,
            rights_learned_on: None,
            immovable_property: false,
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

    fn late(facts: &ApplicationFacts) -> bool {
        let calendar = WorkCalendar::new(crate::domain::calendar::official_calendars());
        is_late_application(facts, &ApplicationWindow::default(), &calendar)
    }

    #[test]
    fn late_application_is_flagged_after_sixty_days() {
        let mut facts = facts();
        facts.act_date = date("2024-01-01");
        facts.learned_on = date("2024-01-01");
        facts.received_on = date("2024-03-01"); // 60 days later, a Friday: still in time
        assert!(!late(&facts));
        facts.received_on = date("2024-03-02");
        assert!(late(&facts));
    }

    #[test]
    fn a_sixtieth_day_in_a_holiday_moves_to_the_next_working_day() {
        // Learned 2024-08-02: day 60 is 2024-10-01, inside National Day (Oct 1–7); the first
        // working day after is Tuesday Oct 8.
        let mut facts = facts();
        facts.act_date = date("2024-08-01");
        facts.learned_on = date("2024-08-02");
        facts.received_on = date("2024-10-08");
        assert!(!late(&facts));
        facts.received_on = date("2024-10-09");
        assert!(late(&facts));
        // 2026: learned 2025-12-18, day 60 is Monday 2026-02-16, in the Spring Festival (Feb
        // 15–23): in time up to Tuesday Feb 24.
        facts.act_date = date("2025-12-18");
        facts.learned_on = date("2025-12-18");
        facts.received_on = date("2026-02-24");
        assert!(!late(&facts));
    }

    #[test]
    fn the_posting_date_decides_for_a_posted_application() {
        let mut facts = facts();
        facts.act_date = date("2024-01-01");
        facts.learned_on = date("2024-01-01");
        facts.received_on = date("2024-03-05");
        assert!(late(&facts));
        facts.channel = Channel::Post;
        facts.applied_on = Some(date("2024-02-28"));
        assert!(!late(&facts));
        assert!(
            validate_application(
                &facts,
                &[applicant(PartyKind::NaturalPerson)],
                date("2024-03-06")
            )
            .is_ok()
        );
        facts.channel = Channel::Online;
        let got = fields(validate_application(
            &facts,
            &[applicant(PartyKind::NaturalPerson)],
            date("2024-03-06"),
        ));
        assert_eq!(got, vec!["applied_on"]);
    }

    #[test]
    fn an_applicant_not_told_of_the_right_has_at_most_a_year() {
        let mut facts = facts();
        facts.act_date = date("2024-03-01");
        facts.learned_on = date("2024-03-04");
        // Learned of the right 2024-12-20: 60 days would run to 2025-02-18, but the year from
        // learning of the act ends 2025-03-04 (a Tuesday), so the 60 days hold.
        facts.rights_learned_on = Some(date("2024-12-20"));
        facts.received_on = date("2025-02-18");
        assert!(!late(&facts));
        // Learned of the right 2025-02-01: 60 days would run to 2025-04-02, but the year ends
        // 2025-03-04.
        facts.rights_learned_on = Some(date("2025-02-01"));
        facts.received_on = date("2025-03-04");
        assert!(!late(&facts));
        facts.received_on = date("2025-03-05");
        assert!(late(&facts));
    }

    #[test]
    fn art_21_bars_applications_five_or_twenty_years_after_the_act() {
        let mut facts = facts();
        facts.act_date = date("2019-06-03");
        facts.learned_on = date("2024-06-01");
        facts.received_on = date("2024-06-04");
        // Five years after 2019-06-03 is Monday 2024-06-03.
        assert!(late(&facts));
        facts.immovable_property = true;
        assert!(!late(&facts));
    }
}
