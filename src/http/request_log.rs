//! One log line per request (method, route, status, latency) under a request id that is also
//! returned to the client in `x-request-id`.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;
use uuid::Uuid;

/// The header carrying the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, for handlers that want to mention it.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub Uuid);

/// Middleware: assigns the request id, runs the request inside a span carrying it, and logs the
/// outcome. Only the route pattern is logged, never the path, so ids and personal data in URLs
/// and queries stay out of the logs.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = Uuid::new_v4();
    req.extensions_mut().insert(RequestId(request_id));
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %request_id);
    let started = Instant::now();

    let result = next.call(req).instrument(span.clone()).await;

    let _entered = span.enter();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut response) => {
            let route = response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "<unmatched>".to_owned());
            let status = response.status().as_u16();
            if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            tracing::info!(%method, %route, status, latency_ms, "request served");
            Ok(response)
        }
        Err(err) => {
            tracing::warn!(%method, error = %err, latency_ms, "request failed before a response");
            Err(err)
        }
    }
}
