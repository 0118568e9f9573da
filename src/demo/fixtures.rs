//! The demo's fixed data: the organ tree (the city and its districts), the respondents answering
//! to each organ, the courts their suits go to, and the staff to create.

use crate::{auth::Role, domain::case::AdminDomain};

/// A demo organ and the agencies answering to it.
pub(super) struct OrganSpec {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) short_name: &'static str,
    /// Share of the year's applications (out of the sum over organs).
    pub(super) weight: u32,
    pub(super) respondents: &'static [RespondentSpec],
    /// The basic court where suits against its decisions are filed, and its code in case
    /// numbers.
    pub(super) court: Court,
}

/// A court: its name and its code in case numbers (`(2023)闽0102行初5号`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Court {
    pub(super) name: &'static str,
    pub(super) code: &'static str,
}

const GULOU_COURT: Court = Court {
    name: "福州市鼓楼区人民法院",
    code: "闽0102",
};

/// A suit with a county-level or higher government as the only defendant goes to the
/// intermediate court (Administrative Litigation Law art. 15).
pub(super) const INTERMEDIATE_COURT: Court = Court {
    name: "福州市中级人民法院",
    code: "闽01",
};

/// A respondent: its name, the abbreviation its act numbers start with, its domain and its
/// share of its organ's applications.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RespondentSpec {
    pub(super) name: &'static str,
    pub(super) abbr: &'static str,
    pub(super) domain: AdminDomain,
    pub(super) weight: u32,
}

const fn respondent(
    name: &'static str,
    abbr: &'static str,
    domain: AdminDomain,
    weight: u32,
) -> RespondentSpec {
    RespondentSpec {
        name,
        abbr,
        domain,
        weight,
    }
}

use AdminDomain as D;

/// The city government handles applications against its departments; tax authorities are left
/// out on purpose, since their cases go to the superior tax authority (art. 27), not to it.
const CITY_RESPONDENTS: &[RespondentSpec] = &[
    respondent("福州市公安局", "榕公", D::PublicSecurity, 26),
    respondent("福州市市场监督管理局", "榕市监", D::MarketRegulation, 12),
    respondent(
        "福州市自然资源和规划局",
        "榕自然资源",
        D::NaturalResources,
        12,
    ),
    respondent(
        "福州市人力资源和社会保障局",
        "榕人社",
        D::HumanResources,
        10,
    ),
    respondent("福州市城乡建设局", "榕建", D::HousingConstruction, 8),
    respondent(
        "福州市住房保障和房产管理局",
        "榕房",
        D::HousingConstruction,
        5,
    ),
    respondent("福州市交通运输局", "榕交", D::Transport, 7),
    respondent("福州市生态环境局", "榕环", D::EcologyEnvironment, 5),
    respondent("福州市城市管理委员会", "榕城管", D::UrbanManagement, 6),
    respondent("福州市卫生健康委员会", "榕卫", D::Health, 3),
    respondent("福州市教育局", "榕教", D::Education, 2),
    respondent("福州市民政局", "榕民", D::Other, 2),
    respondent("福州市农业农村局", "榕农", D::Other, 2),
];

const GULOU_RESPONDENTS: &[RespondentSpec] = &[
    respondent(
        "福州市鼓楼区市场监督管理局",
        "鼓市监",
        D::MarketRegulation,
        25,
    ),
    respondent(
        "福州市鼓楼区人力资源和社会保障局",
        "鼓人社",
        D::HumanResources,
        20,
    ),
    respondent(
        "福州市鼓楼区住房和城乡建设局",
        "鼓建",
        D::HousingConstruction,
        15,
    ),
    respondent("福州市鼓楼区城市管理局", "鼓城管", D::UrbanManagement, 20),
    respondent("福州市鼓楼区卫生健康局", "鼓卫", D::Health, 6),
    respondent("福州市鼓楼区教育局", "鼓教", D::Education, 6),
    respondent("福州市鼓楼区东街街道办事处", "鼓东街", D::Other, 8),
];

const TAIJIANG_RESPONDENTS: &[RespondentSpec] = &[
    respondent(
        "福州市台江区市场监督管理局",
        "台市监",
        D::MarketRegulation,
        28,
    ),
    respondent(
        "福州市台江区人力资源和社会保障局",
        "台人社",
        D::HumanResources,
        18,
    ),
    respondent(
        "福州市台江区住房和城乡建设局",
        "台建",
        D::HousingConstruction,
        16,
    ),
    respondent("福州市台江区城市管理局", "台城管", D::UrbanManagement, 22),
    respondent("福州市台江区卫生健康局", "台卫", D::Health, 6),
    respondent("福州市台江区教育局", "台教", D::Education, 4),
    respondent("福州市台江区上海街道办事处", "台上海", D::Other, 6),
];

const CANGSHAN_RESPONDENTS: &[RespondentSpec] = &[
    respondent(
        "福州市仓山区市场监督管理局",
        "仓市监",
        D::MarketRegulation,
        22,
    ),
    respondent(
        "福州市仓山区人力资源和社会保障局",
        "仓人社",
        D::HumanResources,
        18,
    ),
    respondent(
        "福州市仓山区住房和城乡建设局",
        "仓建",
        D::HousingConstruction,
        20,
    ),
    respondent("福州市仓山区城市管理局", "仓城管", D::UrbanManagement, 20),
    respondent("福州市仓山区卫生健康局", "仓卫", D::Health, 6),
    respondent("福州市仓山区教育局", "仓教", D::Education, 6),
    respondent("福州市仓山区城门镇人民政府", "仓城门", D::Other, 8),
];

/// The city first: the districts hang below it.
pub(super) const TREE: &[OrganSpec] = &[
    OrganSpec {
        code: "fuzhou",
        name: "福州市人民政府",
        short_name: "榕",
        weight: 40,
        respondents: CITY_RESPONDENTS,
        court: GULOU_COURT,
    },
    OrganSpec {
        code: "gulou",
        name: "福州市鼓楼区人民政府",
        short_name: "鼓",
        weight: 22,
        respondents: GULOU_RESPONDENTS,
        court: GULOU_COURT,
    },
    OrganSpec {
        code: "taijiang",
        name: "福州市台江区人民政府",
        short_name: "台",
        weight: 18,
        respondents: TAIJIANG_RESPONDENTS,
        court: Court {
            name: "福州市台江区人民法院",
            code: "闽0103",
        },
    },
    OrganSpec {
        code: "cangshan",
        name: "福州市仓山区人民政府",
        short_name: "仓",
        weight: 20,
        respondents: CANGSHAN_RESPONDENTS,
        court: Court {
            name: "福州市仓山区人民法院",
            code: "闽0104",
        },
    },
];

/// A user to create: username, display name, organ index in [`TREE`], roles.
pub(super) struct UserSpec {
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) organ: usize,
    pub(super) roles: Vec<Role>,
}

pub(super) fn user_specs() -> Vec<UserSpec> {
    let city = |username: &str, display_name: &str, roles: &[Role]| UserSpec {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        organ: 0,
        roles: roles.to_vec(),
    };
    let mut specs = vec![
        city("officer", "办案人员", &[Role::Officer]),
        city("head", "复议机构负责人", &[Role::Officer, Role::Head]),
        city("statistician", "统计人员", &[Role::Statistician]),
    ];
    // A district's cases can only be changed by its own staff.
    for (index, organ) in TREE.iter().enumerate().skip(1) {
        specs.push(UserSpec {
            username: format!("{}-officer", organ.code),
            display_name: format!("{}办案人员", district_label(organ)),
            organ: index,
            roles: vec![Role::Officer],
        });
        specs.push(UserSpec {
            username: format!("{}-head", organ.code),
            display_name: format!("{}复议机构负责人", district_label(organ)),
            organ: index,
            roles: vec![Role::Officer, Role::Head],
        });
    }
    specs
}

fn district_label(organ: &OrganSpec) -> &'static str {
    organ
        .name
        .strip_prefix("福州市")
        .and_then(|name| name.strip_suffix("人民政府"))
        .unwrap_or(organ.name)
}
