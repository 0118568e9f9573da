//! The HTTP edge: routes, extractors, the error type, OpenAPI. Handlers are thin: they parse,
//! check the caller's roles, call a use case and shape the answer.

use actix_web::{
    FromRequest, Handler, HttpRequest, HttpResponse, Responder, Route,
    http::{Method, header},
    web,
};
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
pub mod documents;
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
    cfg.service(resource("/health/live", vec![get(health::live)]))
        .service(resource("/health/ready", vec![get(health::ready)]))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/api-docs/openapi.json", openapi::ApiDoc::openapi()),
        )
        .service(resource("/docs", vec![get(docs_redirect)]))
        .service(
            web::scope("/api/v1")
                .service(resource("/auth/token", vec![post(auth::issue_token)]))
                .service(resource("/auth/refresh", vec![post(auth::refresh_token)]))
                .service(resource("/auth/logout", vec![post(auth::logout)]))
                .service(resource("/me", vec![get(auth::me)]))
                .service(resource(
                    "/users",
                    vec![get(users::list_users), post(users::create_user)],
                ))
                .service(resource(
                    "/users/{id}",
                    vec![get(users::get_user), patch(users::patch_user)],
                ))
                .service(resource(
                    "/cases",
                    vec![get(cases::list_cases), post(cases::create_case)],
                ))
                .service(resource(
                    "/cases/{id}",
                    vec![get(cases::get_case), patch(cases::patch_case)],
                ))
                .service(resource(
                    "/cases/{id}/transitions",
                    vec![post(cases::transition_case)],
                ))
                .service(resource(
                    "/cases/{id}/events",
                    vec![get(cases::list_events)],
                ))
                .service(resource(
                    "/cases/{id}/followup",
                    vec![get(followup::get_followup)],
                ))
                .service(resource(
                    "/cases/{id}/services",
                    vec![get(followup::list_services), post(followup::create_service)],
                ))
                .service(resource(
                    "/cases/{id}/compliance",
                    vec![
                        get(followup::get_compliance),
                        post(followup::create_compliance),
                    ],
                ))
                .service(resource(
                    "/cases/{id}/compliance/measures",
                    vec![post(followup::create_measure)],
                ))
                .service(resource(
                    "/cases/{id}/lawsuits",
                    vec![get(followup::list_lawsuits), post(followup::create_lawsuit)],
                ))
                .service(resource("/lawsuits/{id}", vec![get(followup::get_lawsuit)]))
                .service(resource(
                    "/lawsuits/{id}/hearings",
                    vec![post(followup::create_hearing)],
                ))
                .service(resource(
                    "/lawsuits/{id}/judgments",
                    vec![post(followup::create_judgment)],
                ))
                .service(resource(
                    "/letters",
                    vec![get(letters::list_letters), post(letters::create_letter)],
                ))
                .service(resource("/letters/{id}", vec![get(letters::get_letter)]))
                .service(resource(
                    "/letters/{id}/receipt",
                    vec![post(letters::create_receipt)],
                ))
                .service(resource(
                    "/letters/{id}/report-back",
                    vec![post(letters::create_report_back)],
                ))
                .service(resource("/deadlines", vec![get(deadlines::list_deadlines)]))
                .service(resource(
                    "/organs",
                    vec![get(organs::list_organs), post(organs::create_organ)],
                ))
                .service(resource(
                    "/respondents",
                    vec![
                        get(organs::list_respondents),
                        post(organs::create_respondent),
                    ],
                ))
                .service(resource(
                    "/statistics/monthly",
                    vec![get(statistics::monthly)],
                ))
                .service(resource(
                    "/statistics/summary",
                    vec![get(statistics::summary)],
                ))
                .service(resource(
                    "/statistics/breakdown",
                    vec![get(statistics::breakdown)],
                ))
                .service(resource(
                    "/statistics/report",
                    vec![get(statistics::report)],
                ))
                .service(resource("/audit", vec![get(audit::list_audit)]))
                .service(resource(
                    "/calendar/{year}",
                    vec![get(calendar::get_year), put(calendar::put_year)],
                ))
                .configure(documents::routes),
        )
        .default_service(web::to(not_found));
}

/// A resource whose other methods answer 405 as problem+json, with `Allow` naming its own.
fn resource(path: &str, routes: Vec<(Method, Route)>) -> actix_web::Resource {
    let allow = routes
        .iter()
        .map(|(method, _)| method.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    routes
        .into_iter()
        .fold(web::resource(path), |resource, (_, route)| {
            resource.route(route)
        })
        .default_service(web::to(move |req: HttpRequest| {
            let allow = allow.clone();
            async move { method_not_allowed(&req, allow) }
        }))
}

/// A route for `method`, remembering the method for the resource's `Allow`.
fn on<F, Args>(method: Method, handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    (method.clone(), web::method(method).to(handler))
}

fn get<F, Args>(handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    on(Method::GET, handler)
}

fn post<F, Args>(handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    on(Method::POST, handler)
}

fn put<F, Args>(handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    on(Method::PUT, handler)
}

fn delete<F, Args>(handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    on(Method::DELETE, handler)
}

fn patch<F, Args>(handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    on(Method::PATCH, handler)
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!(
        "{} {}",
        req.method(),
        req.path()
    )))
}

fn method_not_allowed(req: &HttpRequest, allow: String) -> Result<HttpResponse, ApiError> {
    let mut response = actix_web::ResponseError::error_response(&ApiError::method_not_allowed(
        req.method().as_str(),
        req.path(),
    ));
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
