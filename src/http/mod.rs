//! The HTTP edge: routes, extractors, the error type, OpenAPI. Handlers are thin: they parse,
//! check the caller's roles, call a use case and shape the answer.

use actix_web::{
    HttpRequest, HttpResponse, Route,
    http::{Method, header},
    web,
};
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
pub mod registry;
pub mod request_log;
pub mod statistics;
pub mod timeout;
pub mod users;

use error::ApiError;
use registry::{Operation, operation};

/// Every operation of the API, each registered once: its route and its part of the OpenAPI
/// document both come from the handler's `#[utoipa::path]` annotation (see `registry`). To add
/// one, annotate the handler with its full path and add `operation!(module::handler)` here.
pub fn operations() -> Vec<Operation> {
    vec![
        operation!(health::live),
        operation!(health::ready),
        operation!(auth::issue_token),
        operation!(auth::refresh_token),
        operation!(auth::logout),
        operation!(auth::me),
        operation!(users::list_users),
        operation!(users::create_user),
        operation!(users::get_user),
        operation!(users::patch_user),
        operation!(cases::list_cases),
        operation!(cases::create_case),
        operation!(cases::get_case),
        operation!(cases::patch_case),
        operation!(cases::transition_case),
        operation!(cases::list_events),
        operation!(followup::get_followup),
        operation!(followup::list_services),
        operation!(followup::create_service),
        operation!(followup::get_compliance),
        operation!(followup::create_compliance),
        operation!(followup::create_measure),
        operation!(followup::list_lawsuits),
        operation!(followup::create_lawsuit),
        operation!(followup::get_lawsuit),
        operation!(followup::create_hearing),
        operation!(followup::create_judgment),
        operation!(letters::list_letters),
        operation!(letters::create_letter),
        operation!(letters::get_letter),
        operation!(letters::create_receipt),
        operation!(letters::create_report_back),
        operation!(deadlines::list_deadlines),
        operation!(organs::list_organs),
        operation!(organs::create_organ),
        operation!(organs::list_respondents),
        operation!(organs::create_respondent),
        operation!(statistics::monthly),
        operation!(statistics::summary),
        operation!(statistics::breakdown),
        operation!(statistics::report),
        operation!(audit::list_audit),
        operation!(calendar::get_year),
        operation!(calendar::put_year),
        operation!(documents::list_documents),
        operation!(documents::issue_document),
        operation!(documents::download_document),
        operation!(documents::upload_version),
        operation!(documents::record_service),
        operation!(documents::list_attachments),
        operation!(documents::upload_attachment),
        operation!(documents::download_attachment),
        operation!(documents::withdraw_attachment),
        operation!(documents::case_file),
        operation!(documents::get_template),
        operation!(documents::put_template),
        operation!(documents::reset_template),
        operation!(documents::get_report_template),
        operation!(documents::put_report_template),
        operation!(documents::reset_report_template),
    ]
}

/// Registers every route: the operations, the document they describe and Swagger UI over it.
/// Unknown paths answer 404 and known paths with another method 405, both as problem+json.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut documents = Vec::new();
    // One actix resource per path, in registration order, so its 405 names all its methods.
    let mut resources: Vec<(String, Vec<(Method, Route)>)> = Vec::new();
    for operation in operations() {
        let (routes, document) = operation.into_parts();
        documents.push(document);
        for (path, method, route) in routes {
            match resources.iter_mut().find(|(known, _)| *known == path) {
                Some((_, routes)) => routes.push((method, route)),
                None => resources.push((path, vec![(method, route)])),
            }
        }
    }
    for (path, routes) in resources {
        cfg.service(resource(&path, routes));
    }
    cfg.service(
        SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", openapi::assemble(documents)),
    )
    .service(resource(
        "/docs",
        vec![(Method::GET, web::get().to(docs_redirect))],
    ))
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::operations;

    /// Two registrations of one path and method would leave one of them unreachable.
    #[test]
    fn each_path_and_method_is_registered_once() {
        let mut seen = BTreeSet::new();
        for operation in operations() {
            let endpoints: Vec<(String, String)> = operation
                .endpoints()
                .map(|(path, method)| (path.to_owned(), method.to_string()))
                .collect();
            assert!(!endpoints.is_empty(), "an operation without a route");
            for endpoint in endpoints {
                assert!(seen.insert(endpoint.clone()), "{endpoint:?} twice");
            }
        }
        assert!(seen.contains(&("/api/v1/cases/{id}".to_owned(), "PATCH".to_owned())));
    }
}
