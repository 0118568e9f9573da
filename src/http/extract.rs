//! Request extractors whose failures are problem+json: a JSON body that names the field at fault,
//! and the error handlers for actix's own query and path extractors.

use std::{future::Future, pin::Pin};

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    error::{PathError, QueryPayloadError},
    http::header,
    web::{self, BytesMut},
};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::{error::ApiError, timeout::BodyReadTimeout};

/// The largest body the service reads, in bytes (set from `FUYI_MAX_BODY_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body. Malformed JSON is a 400 with its position; a well-formed body that does not
/// fit the expected shape is a 422 naming the field path; a body of another type is a 415; one
/// over the limit a 413; one that does not arrive within the body read timeout a 408.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map_or(1024 * 1024, |limit| limit.0);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        let read_timeout = req
            .app_data::<web::Data<BodyReadTimeout>>()
            .map_or(std::time::Duration::from_secs(15), |timeout| timeout.0);
        let mut payload = payload.take();

        Box::pin(async move {
            if !content_type.as_deref().is_some_and(is_json) {
                return Err(ApiError::unsupported_media_type(content_type.as_deref()));
            }
            if declared_length.is_some_and(|length| length > limit) {
                return Err(ApiError::payload_too_large(limit));
            }
            let read = async {
                let mut body = BytesMut::new();
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|err| {
                        ApiError::bad_request(format!("the request body could not be read: {err}"))
                    })?;
                    if body.len() + chunk.len() > limit {
                        return Err(ApiError::payload_too_large(limit));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            // A client trickling its body would hold a worker's attention for as long as it likes.
            let body = tokio::time::timeout(read_timeout, read)
                .await
                .map_err(|_| {
                    ApiError::request_timeout(format!(
                        "the request body did not arrive within {} s",
                        read_timeout.as_secs()
                    ))
                })??;
            parse_json(&body).map(Json)
        })
    }
}

/// `application/json` or any `+json` type, with or without parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses in two steps so syntax errors (400) and shape errors (422, with the field path) differ.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|err| {
        ApiError::bad_request(format!(
            "the body is not valid JSON: {err} (line {}, column {})",
            err.line(),
            err.column()
        ))
    })?;
    let value = integral_numbers_as_integers(value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::invalid_field(field, err.into_inner().to_string())
    })
}

/// JSON does not tell `1` from `1.0`, and JSON Schema counts both as the integer 1; serde's
/// integer types refuse the second. A number with no fractional part is read as the integer it is,
/// so a client (or a generator following the document) that writes `3.0` is not refused.
fn integral_numbers_as_integers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            // Within ±2^53 every integral f64 is exact, so the conversion loses nothing.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if float.fract() == 0.0 && float.abs() <= EXACT {
                Value::from(float as i64)
            } else {
                Value::Number(number)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(integral_numbers_as_integers)
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, field)| (key, integral_numbers_as_integers(field)))
                .collect(),
        ),
        other => other,
    }
}

/// Turns actix's query-string failures into a 400 naming the parameter.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = match &err {
        QueryPayloadError::Deserialize(inner) => inner.to_string(),
        other => other.to_string(),
    };
    ApiError::bad_request(format!("invalid query string: {message}")).into()
}

/// A path segment that does not parse (e.g. a malformed id) names no existing resource.
pub fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    tracing::debug!(error = %err, "unparsable path segment");
    ApiError::not_found(req.path()).into()
}

/// The largest page a list answers.
pub const MAX_PAGE: u8 = 200;

/// A list's `limit`, `default` when absent; outside 1–[`MAX_PAGE`] it is a 400 naming it.
pub fn page_limit<T>(limit: Option<T>, default: T) -> Result<T, ApiError>
where
    T: Copy + PartialOrd + From<u8>,
{
    let limit = limit.unwrap_or(default);
    if limit < T::from(1) || limit > T::from(MAX_PAGE) {
        return Err(ApiError::bad_parameter(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    Ok(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Shape {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        count: u32,
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let err = parse_json::<Shape>(b"{\"name\": ").unwrap_err();
        assert_eq!(err.status().as_u16(), 400);
    }

    #[test]
    fn an_integral_float_is_an_integer_and_a_fraction_is_not() {
        let shape = parse_json::<Shape>(br#"{"name": "x", "items": [{"count": 3.0}]}"#)
            .expect("3.0 is the integer 3");
        assert_eq!(shape.items[0].count, 3);
        let err = parse_json::<Shape>(br#"{"name": "x", "items": [{"count": 3.5}]}"#).unwrap_err();
        assert_eq!(err.status().as_u16(), 422);
        let err =
            parse_json::<Shape>(br#"{"name": "x", "items": [{"count": -509.0}]}"#).unwrap_err();
        assert!(err.to_string().contains("items[0].count"), "{err}");
    }

    #[test]
    fn a_wrong_shape_names_the_field_path() {
        let err = parse_json::<Shape>(br#"{"name": "x", "items": [{"count": -1}]}"#).unwrap_err();
        assert_eq!(err.status().as_u16(), 422);
        assert!(err.to_string().contains("items[0].count"), "{err}");
    }
}
