//! The HTTP edge: routes, extractors, the error type, OpenAPI. Handlers are thin: they parse,
//! check the caller's roles, call a use case and shape the answer.

use actix_web::{HttpRequest, HttpResponse, Route, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod caller;
pub mod cases;
pub mod client_ip;
pub mod conditional;
pub mod deadlines;
pub mod error;
pub mod export;
pub mod extract;
pub mod followup;
pub mod health;
pub mod letters;
pub mod openapi;
pub mod organs;
pub mod rate_limit;
pub mod request_log;
pub mod statistics;
pub mod timeout;
pub mod users;

use error::ApiError;

/// Registers every route. Unknown paths answer 404 and known paths with another method 405, both
/// as problem+json.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health/live", vec![web::get().to(health::live)]))
        .service(resource(
            "/health/ready",
            vec![web::get().to(health::ready)],
        ))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/api-docs/openapi.json", openapi::ApiDoc::openapi()),
        )
        .service(resource("/docs", vec![web::get().to(docs_redirect)]))
        .service(
            web::scope("/api/v1")
                .service(resource(
                    "/auth/token",
                    vec![web::post().to(auth::issue_token)],
                ))
                .service(resource(
                    "/auth/refresh",
                    vec![web::post().to(auth::refresh_token)],
                ))
                .service(resource("/auth/logout", vec![web::post().to(auth::logout)]))
                .service(resource("/me", vec![web::get().to(auth::me)]))
                .service(resource(
                    "/users",
                    vec![
                        web::get().to(users::list_users),
                        web::post().to(users::create_user),
                    ],
                ))
                .service(resource(
                    "/users/{id}",
                    vec![
                        web::get().to(users::get_user),
                        web::patch().to(users::patch_user),
                    ],
                ))
                .service(resource(
                    "/cases",
                    vec![
                        web::get().to(cases::list_cases),
                        web::post().to(cases::create_case),
                    ],
                ))
                .service(resource(
                    "/cases/{id}",
                    vec![
                        web::get().to(cases::get_case),
                        web::patch().to(cases::patch_case),
                    ],
                ))
                .service(resource(
                    "/cases/{id}/transitions",
                    vec![web::post().to(cases::transition_case)],
                ))
                .service(resource(
                    "/cases/{id}/events",
                    vec![web::get().to(cases::list_events)],
                ))
                .service(resource(
                    "/cases/{id}/followup",
                    vec![web::get().to(followup::get_followup)],
                ))
                .service(resource(
                    "/cases/{id}/services",
                    vec![
                        web::get().to(followup::list_services),
                        web::post().to(followup::create_service),
                    ],
                ))
                .service(resource(
                    "/cases/{id}/compliance",
                    vec![
                        web::get().to(followup::get_compliance),
                        web::post().to(followup::create_compliance),
                    ],
                ))
                .service(resource(
                    "/cases/{id}/compliance/measures",
                    vec![web::post().to(followup::create_measure)],
                ))
                .service(resource(
                    "/cases/{id}/lawsuits",
                    vec![
                        web::get().to(followup::list_lawsuits),
                        web::post().to(followup::create_lawsuit),
                    ],
                ))
                .service(resource(
                    "/lawsuits/{id}",
                    vec![web::get().to(followup::get_lawsuit)],
                ))
                .service(resource(
                    "/lawsuits/{id}/hearings",
                    vec![web::post().to(followup::create_hearing)],
                ))
                .service(resource(
                    "/lawsuits/{id}/judgments",
                    vec![web::post().to(followup::create_judgment)],
                ))
                .service(resource(
                    "/letters",
                    vec![
                        web::get().to(letters::list_letters),
                        web::post().to(letters::create_letter),
                    ],
                ))
                .service(resource(
                    "/letters/{id}",
                    vec![web::get().to(letters::get_letter)],
                ))
                .service(resource(
                    "/letters/{id}/receipt",
                    vec![web::post().to(letters::create_receipt)],
                ))
                .service(resource(
                    "/letters/{id}/report-back",
                    vec![web::post().to(letters::create_report_back)],
                ))
                .service(resource(
                    "/deadlines",
                    vec![web::get().to(deadlines::list_deadlines)],
                ))
                .service(resource(
                    "/organs",
                    vec![
                        web::get().to(organs::list_organs),
                        web::post().to(organs::create_organ),
                    ],
                ))
                .service(resource(
                    "/respondents",
                    vec![
                        web::get().to(organs::list_respondents),
                        web::post().to(organs::create_respondent),
                    ],
                ))
                .service(resource(
                    "/statistics/monthly",
                    vec![web::get().to(statistics::monthly)],
                ))
                .service(resource(
                    "/statistics/summary",
                    vec![web::get().to(statistics::summary)],
                ))
                .service(resource(
                    "/statistics/breakdown",
                    vec![web::get().to(statistics::breakdown)],
                ))
                .service(resource("/audit", vec![web::get().to(audit::list_audit)]))
                .service(resource(
                    "/calendar/{year}",
                    vec![
                        web::get().to(calendar::get_year),
                        web::put().to(calendar::put_year),
                    ],
                )),
        )
        .default_service(web::to(not_found));
}

/// A resource whose other methods answer 405 as problem+json.
fn resource(path: &str, routes: Vec<Route>) -> actix_web::Resource {
    routes
        .into_iter()
        .fold(web::resource(path), |resource, route| resource.route(route))
        .default_service(web::to(method_not_allowed))
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!(
        "{} {}",
        req.method(),
        req.path()
    )))
}

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::method_not_allowed(
        req.method().as_str(),
        req.path(),
    ))
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
