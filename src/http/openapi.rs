//! The OpenAPI 3.1 document, generated from the handlers and types. The committed copy in
//! `openapi/openapi.json` is checked against it by a test.

use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, ObjectBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Schema,
        Type,
        extensions::Extensions,
        header::HeaderBuilder,
        link::LinkBuilder,
        path::{Operation, ParameterIn},
        schema::{AdditionalProperties, ArrayItems, OneOf, SchemaType},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::error::PROBLEM_JSON;
use super::statistics;

/// The frame of the API's description: its info, tags and the schemas no operation names on its
/// own. The operations come from `http::operations`; `assemble` puts them together.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "fuyi",
        description = "Administrative reconsideration (行政复议) case management. Errors are RFC 9457 problem+json. No text may contain the NUL character (U+0000): such a request is answered 400.",
        license(name = "MIT OR Apache-2.0"),
    ),
    // Generic reports (`Report<GroupRow>`) do not register their row types on their own; a
    // reference to an unregistered schema would break client generators.
    components(schemas(
        statistics::GroupRow, statistics::BreakdownBy, statistics::MonthRow,
        statistics::SortFigure, statistics::SortOrder,
        crate::service::report::ReportTemplateView,
    )),
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
        (name = "documents", description = "Issued documents, templates, attachments and the case file"),
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

/// Describes every error answer: each operation lists the statuses it can answer, each a
/// reference to one shared `application/problem+json` response, so no operation can document an
/// error with another media type or forget the ones every request can meet (a 401 on secured
/// operations, a 503 when the service is busy, the body errors on operations with a JSON body).
struct ProblemResponses;

/// Operations that check no role beyond being signed in.
const NO_ROLE_CHECK: &[&str] = &[
    "me",
    "logout",
    "list_organs",
    "list_respondents",
    "get_year",
];

/// The shared error responses: status, component name, description, headers.
const PROBLEMS: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "The request cannot be read: a malformed body, query parameter or header.",
    ),
    (
        401,
        "Unauthorized",
        "No valid credentials; `WWW-Authenticate` carries the Bearer challenge.",
    ),
    (
        403,
        "Forbidden",
        "Signed in, but the caller's roles do not allow this.",
    ),
    (
        404,
        "NotFound",
        "No such resource within the caller's reach.",
    ),
    (
        406,
        "NotAcceptable",
        "None of the media types in `Accept` can be produced.",
    ),
    (
        408,
        "RequestTimeout",
        "The request body did not arrive in time.",
    ),
    (
        409,
        "Conflict",
        "The request conflicts with the resource's current state, or an `Idempotency-Key` was reused with another body.",
    ),
    (
        412,
        "PreconditionFailed",
        "`If-Match` names a stale version; read the resource again.",
    ),
    (
        413,
        "PayloadTooLarge",
        "The request body exceeds the configured limit.",
    ),
    (
        415,
        "UnsupportedMediaType",
        "The request body is not `application/json`.",
    ),
    (
        422,
        "ValidationFailed",
        "The body breaks the rules; `errors[]` names every field at fault.",
    ),
    (
        428,
        "PreconditionRequired",
        "A change was attempted without `If-Match`.",
    ),
    (
        429,
        "TooManyRequests",
        "Too many sign-in requests from this address; `Retry-After` says when to retry.",
    ),
    (
        503,
        "ServiceUnavailable",
        "The service or its database is unavailable or busy; `Retry-After` may say when to retry.",
    ),
];

impl ProblemResponses {
    /// The statuses an operation can answer besides the ones its annotation declares.
    fn implied(path: &str, operation: &Operation) -> Vec<u16> {
        let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
        let params = operation.parameters.as_deref().unwrap_or_default();
        let has = |place: ParameterIn, name: Option<&str>| {
            params.iter().any(|p| {
                p.parameter_in == place && name.is_none_or(|name| p.name.eq_ignore_ascii_case(name))
            })
        };
        let mut statuses = vec![503];
        if secured {
            statuses.push(401);
            let id = operation.operation_id.as_deref().unwrap_or_default();
            if !NO_ROLE_CHECK.contains(&id) {
                statuses.push(403);
            }
        }
        if operation.request_body.is_some() {
            statuses.extend([400, 408, 413, 415, 422]);
        }
        if has(ParameterIn::Query, None) {
            statuses.push(400);
        }
        if has(ParameterIn::Path, None) {
            statuses.push(404);
        }
        if has(ParameterIn::Header, Some("If-Match")) {
            statuses.extend([400, 412, 428]);
        }
        if has(ParameterIn::Header, Some("Idempotency-Key")) {
            statuses.extend([400, 409, 422]);
        }
        if path.starts_with("/api/v1/auth/") {
            statuses.push(429);
        }
        statuses
    }

    fn response(status: u16, description: &str) -> Response {
        let mut builder = ResponseBuilder::new().description(description).content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ProblemDetails")))
                .build(),
        );
        let string = || ObjectBuilder::new().schema_type(Type::String).build();
        let seconds = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .build()
        };
        match status {
            401 => {
                builder = builder.header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(string())
                        .description(Some("`Bearer`, or `Bearer error=\"invalid_token\"`"))
                        .build(),
                );
            }
            429 | 503 => {
                builder = builder.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(seconds())
                        .description(Some("Seconds to wait before retrying"))
                        .build(),
                );
            }
            _ => {}
        }
        builder.build()
    }
}

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, name, description) in PROBLEMS {
            components.responses.insert(
                (*name).to_owned(),
                Self::response(*status, description).into(),
            );
        }
        for (path, item) in &mut openapi.paths.paths {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let declared: Vec<u16> = operation
                    .responses
                    .responses
                    .keys()
                    .filter_map(|status| status.parse().ok())
                    .filter(|status| *status >= 400)
                    .collect();
                let implied = Self::implied(path, operation);
                let responses = &mut operation.responses.responses;
                for status in declared.into_iter().chain(implied) {
                    if let Some((_, name, _)) = PROBLEMS.iter().find(|(s, _, _)| *s == status) {
                        responses.insert(
                            status.to_string(),
                            RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))),
                        );
                    }
                }
            }
        }
    }
}

/// The limits the server enforces on request headers, stated once for every operation that takes
/// them (the handlers' annotations only name the headers).
struct HeaderConstraints;

impl Modify for HeaderConstraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if parameter.parameter_in != ParameterIn::Header {
                        continue;
                    }
                    let schema = if parameter.name.eq_ignore_ascii_case("Idempotency-Key") {
                        // Printable ASCII, trimmed, 1–200 characters (conditional::idempotency_key).
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(200))
                            .pattern(Some(r"^[!-~]([ -~]*[!-~])?$"))
                            .build()
                    } else if parameter.name.eq_ignore_ascii_case("If-Match") {
                        // Every change needs it: without it the answer is always 428
                        // (documented), so the document says it is required, and a generated
                        // client cannot forget it.
                        parameter.required = Required::True;
                        // The case's ETag: its version, a non-negative 32-bit integer, quoted.
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(r#"^(W/)?"[0-9]{1,9}"$"#))
                            .examples([serde_json::json!("\"1\"")])
                            .build()
                    } else {
                        continue;
                    };
                    parameter.schema = Some(schema.into());
                }
            }
        }
    }
}

/// Links from a registered case to the operations on it, so a client or a stateful tester can
/// walk a case's life from the `201` of its registration.
struct CaseLinks;

impl Modify for CaseLinks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(created) = openapi
            .paths
            .paths
            .get_mut("/api/v1/cases")
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.responses.responses.get_mut("201"))
        else {
            return;
        };
        let RefOr::T(created) = created else {
            return;
        };
        let id = serde_json::json!("$response.body#/id");
        let etag = serde_json::json!("$response.header.ETag");
        let links = [
            ("GetCase", "get_case", "Read the registered case", false),
            (
                "PatchCase",
                "patch_case",
                "Correct the registered case",
                true,
            ),
            (
                "TransitionCase",
                "transition_case",
                "Act on the registered case",
                true,
            ),
            (
                "ListEvents",
                "list_events",
                "Read the case's history",
                false,
            ),
        ];
        for (name, operation_id, description, versioned) in links {
            let mut link = LinkBuilder::new()
                .description(description)
                .parameter("id", id.clone());
            if versioned {
                link = link.parameter("header.If-Match", etag.clone());
            }
            // utoipa 5.5 writes `operation_id` in snake case, which OpenAPI does not know; the
            // field goes in under its OpenAPI name instead.
            let mut link = link.build();
            link.extensions = Some(Extensions::from_iter([("operationId", operation_id)]));
            created.links.insert(name.to_owned(), link.into());
        }
    }
}

/// A transition body is one action's fields beside `action` and `occurred_on`, and the service
/// refuses any other field. utoipa describes it as `allOf` the action and `occurred_on`, where
/// no `additionalProperties` can be stated (each part would refuse the other's fields); here it
/// becomes one closed object per action instead, `occurred_on` in each.
struct TransitionVariants;

impl TransitionVariants {
    fn closed(variants: &mut utoipa::openapi::schema::OneOf, extra: Option<&RefOr<Schema>>) {
        for variant in &mut variants.items {
            if let RefOr::T(Schema::Object(object)) = variant {
                if let Some(extra) = extra {
                    object
                        .properties
                        .insert("occurred_on".to_owned(), extra.clone());
                }
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

impl Modify for TransitionVariants {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::AllOf(request))) = components.schemas.get("TransitionRequest")
        else {
            return;
        };
        let description = request.description.clone();
        let occurred_on = request.items.iter().find_map(|item| match item {
            RefOr::T(Schema::Object(object)) => object.properties.get("occurred_on").cloned(),
            _ => None,
        });
        let Some(RefOr::T(Schema::OneOf(actions))) = components.schemas.get_mut("Action") else {
            return;
        };
        Self::closed(actions, None);
        let mut variants = actions.clone();
        Self::closed(&mut variants, occurred_on.as_ref());
        variants.description = description;
        components.schemas.insert(
            "TransitionRequest".to_owned(),
            RefOr::T(Schema::OneOf(variants)),
        );
    }
}

/// A nullable string with a format (`Option<NaiveDate>`, `Option<Uuid>`) is described as
/// `oneOf` the formatted string and null rather than as `type: [string, null]` with `format`:
/// generators read a format on a list of types as not applying, and would send `""` for a date.
struct NullableFormats;

impl NullableFormats {
    fn rewrite(schema: &mut RefOr<Schema>) {
        let RefOr::T(inner) = schema else {
            return;
        };
        match inner {
            Schema::Object(object) => {
                let nullable_string = object.schema_type
                    == SchemaType::Array(vec![Type::String, Type::Null])
                    || object.schema_type == SchemaType::Array(vec![Type::Null, Type::String]);
                if nullable_string && object.format.is_some() {
                    let mut string = object.clone();
                    string.schema_type = SchemaType::Type(Type::String);
                    let mut either = OneOf::new();
                    either.description = string.description.take();
                    either.items = vec![
                        Schema::Object(string).into(),
                        ObjectBuilder::new().schema_type(Type::Null).build().into(),
                    ];
                    *schema = Schema::OneOf(either).into();
                    return;
                }
                object.properties.values_mut().for_each(Self::rewrite);
                if let Some(extra) = object.additional_properties.as_deref_mut()
                    && let AdditionalProperties::RefOr(extra) = extra
                {
                    Self::rewrite(extra);
                }
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    Self::rewrite(items);
                }
            }
            Schema::OneOf(either) => either.items.iter_mut().for_each(Self::rewrite),
            Schema::AllOf(all) => all.items.iter_mut().for_each(Self::rewrite),
            Schema::AnyOf(any) => any.items.iter_mut().for_each(Self::rewrite),
            _ => {}
        }
    }
}

impl Modify for NullableFormats {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.schemas.values_mut().for_each(Self::rewrite);
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(schema) = parameter.schema.as_mut() {
                        Self::rewrite(schema);
                    }
                }
                if let Some(body) = operation.request_body.as_mut() {
                    for content in body.content.values_mut() {
                        if let Some(schema) = content.schema.as_mut() {
                            Self::rewrite(schema);
                        }
                    }
                }
            }
        }
    }
}

/// The whole document: the frame, every registered operation's part, then the passes that
/// state what the handlers' annotations cannot.
pub fn assemble(
    parts: impl IntoIterator<Item = utoipa::openapi::OpenApi>,
) -> utoipa::openapi::OpenApi {
    let mut openapi = ApiDoc::openapi();
    for part in parts {
        openapi.merge(part);
    }
    let passes: [&dyn Modify; 6] = [
        &NullableFormats,
        &BearerAuth,
        &ProblemResponses,
        &HeaderConstraints,
        &CaseLinks,
        &TransitionVariants,
    ];
    for pass in passes {
        pass.modify(&mut openapi);
    }
    openapi
}

/// The document as pretty JSON with a trailing newline, as committed.
pub fn document() -> Result<String, serde_json::Error> {
    let parts = super::operations()
        .into_iter()
        .map(|operation| operation.into_parts().1);
    Ok(assemble(parts).to_pretty_json()? + "\n")
}
