//! The OpenAPI 3.1 document, generated from the handlers and types. The committed copy in
//! `openapi/openapi.json` is checked against it by a test.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use super::{
    audit, auth, calendar, cases, deadlines, followup, health, letters, organs, statistics, users,
};

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "fuyi",
        description = "Administrative reconsideration (行政复议) case management. Errors are RFC 9457 problem+json.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        health::live, health::ready,
        auth::issue_token, auth::refresh_token, auth::logout, auth::me,
        users::list_users, users::create_user, users::get_user, users::patch_user,
        cases::create_case, cases::list_cases, cases::get_case, cases::patch_case,
        cases::transition_case, cases::list_events,
        organs::list_organs, organs::create_organ, organs::list_respondents, organs::create_respondent,
        calendar::get_year, calendar::put_year,
        statistics::monthly, statistics::summary, statistics::breakdown,
        followup::get_followup, followup::list_services, followup::create_service,
        followup::get_compliance, followup::create_compliance, followup::create_measure,
        followup::list_lawsuits, followup::create_lawsuit, followup::get_lawsuit,
        followup::create_hearing, followup::create_judgment,
        letters::create_letter, letters::list_letters, letters::get_letter,
        letters::create_receipt, letters::create_report_back,
        deadlines::list_deadlines,
        audit::list_audit,
    ),
    // Generic reports (`Report<GroupRow>`) do not register their row types on their own; a
    // reference to an unregistered schema would break client generators.
    components(schemas(
        statistics::GroupRow, statistics::BreakdownBy, statistics::MonthRow,
        statistics::SortFigure, statistics::SortOrder,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, token refresh, sign-out and the signed-in user"),
        (name = "users", description = "Staff accounts, managed by administrators"),
        (name = "cases", description = "Registration, lifecycle and history of cases"),
        (name = "organs", description = "The organ tree and respondents"),
        (name = "calendar", description = "The official working-day calendar"),
        (name = "statistics", description = "Figures of the annual report, computed at request time"),
        (name = "followup", description = "Records on a concluded case: service, compliance, litigation"),
        (name = "letters", description = "Opinion and recommendation letters to agencies, and report-backs"),
        (name = "deadlines", description = "Every pending or missed deadline within reach"),
        (name = "audit", description = "Who was shown personal data unmasked, for administrators"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn document() -> Result<String, serde_json::Error> {
    Ok(ApiDoc::openapi().to_pretty_json()? + "\n")
}
