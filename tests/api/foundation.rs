//! The service's edges: health, metrics, errors as problem+json, CORS, the OpenAPI document.

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::support::{TestApp, status_and_json};

fn assert_problem(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], expected.as_u16(), "{body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:fuyi:problem:")),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn health_endpoints_answer() {
    let app = TestApp::spawn().await;
    let live = app
        .request(Method::GET, "/health/live")
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let (status, body) = status_and_json(
        app.request(Method::GET, "/health/ready")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let first = app
        .request(Method::GET, "/health/live")
        .send()
        .await
        .unwrap();
    let second = app.request(Method::GET, "/nowhere").send().await.unwrap();
    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (a, b) = (id(&first), id(&second));
    assert!(a.is_some() && b.is_some());
    assert_ne!(a, b);
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_problems() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::GET, "/api/v1/nothing-here")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let (status, body) = status_and_json(response).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND);

    let response = app
        .as_user(&app.officer, Method::DELETE, "/api/v1/cases")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::ALLOW], "GET, POST");
    let (status, body) = status_and_json(response).await;
    assert_problem(status, &body, StatusCode::METHOD_NOT_ALLOWED);

    // The health checks are routes like any other: another method is 405, not 404.
    for path in ["/health/live", "/health/ready"] {
        let response = app
            .request(Method::from_bytes(b"TRACE").unwrap(), path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[header::ALLOW], "GET");
        let (status, body) = status_and_json(response).await;
        assert_problem(status, &body, StatusCode::METHOD_NOT_ALLOWED);
    }
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_position() {
    let app = TestApp::spawn().await;
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/cases")
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"respondent_id\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_problem(status, &body, StatusCode::BAD_REQUEST);
    assert!(
        body["detail"].as_str().unwrap().contains("line 1"),
        "{body}"
    );
}

#[tokio::test]
async fn a_nul_character_in_text_is_400_not_a_server_error() {
    let app = TestApp::spawn().await;
    let response = app
        .as_user(&app.officer, Method::GET, "/api/v1/cases?q=%00d")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_problem(status, &body, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("NUL"), "{body}");
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/cases")
        .header(header::CONTENT_TYPE, "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_problem(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn_with(&[("FUYI_MAX_BODY_BYTES", "2048")]).await;
    let big = format!("{{\"request\": \"{}\"}}", "x".repeat(4096));
    let response = app
        .as_user(&app.officer, Method::POST, "/api/v1/cases")
        .header(header::CONTENT_TYPE, "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_problem(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_wrong_field_type_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let mut case = crate::support::sample_case(app.respondent);
    case["parties"][0]["kind"] = Value::from("robot");
    let (status, body) = app.register(&app.officer, &case).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "parties[0].kind", "{body}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = TestApp::spawn_with(&[("FUYI_METRICS_BIND", "127.0.0.1:0")]).await;
    app.request(Method::GET, "/health/live")
        .send()
        .await
        .unwrap();
    let metrics = app.metrics_address.as_deref().expect("a metrics listener");
    let text = app
        .client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("fuyi_http_requests_total"), "{text}");
    assert!(text.contains("endpoint=\"/health/live\""), "{text}");
    assert!(
        text.contains("fuyi_http_requests_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("fuyi_db_pool_max 8"), "{text}");
}

#[tokio::test]
async fn metrics_are_never_served_on_the_api_address() {
    // Without FUYI_METRICS_BIND there is no metrics endpoint at all.
    let app = TestApp::spawn().await;
    assert!(app.metrics_address.is_none());
    let response = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // With it, the figures are on the metrics address only.
    let app = TestApp::spawn_with(&[("FUYI_METRICS_BIND", "127.0.0.1:0")]).await;
    let response = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let metrics = app.metrics_address.as_deref().expect("a metrics listener");
    let response = app
        .client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The metrics listener serves nothing of the API.
    let response = app
        .client
        .get(format!("{metrics}/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_preflight_admits_the_front_end_only() {
    let app = TestApp::spawn().await;
    let allowed = app
        .request(Method::OPTIONS, "/api/v1/cases")
        .header(header::ORIGIN, "https://front.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type, if-match",
        )
        .send()
        .await
        .unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://front.example"
    );

    let simple = app
        .request(Method::GET, "/health/live")
        .header(header::ORIGIN, "https://front.example")
        .send()
        .await
        .unwrap();
    let exposed = simple.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_lowercase();
    for name in [
        "etag",
        "location",
        "content-disposition",
        "retry-after",
        "x-request-id",
    ] {
        assert!(exposed.contains(name), "{name} is not exposed: {exposed}");
    }

    let foreign = app
        .request(Method::OPTIONS, "/api/v1/cases")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .send()
        .await
        .unwrap();
    assert!(
        foreign
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let generated = fuyi::http::openapi::document().expect("document");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("FUYI_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `FUYI_UPDATE_OPENAPI=1 cargo test openapi` and commit it"
    );
}

/// Every `$ref` of the document names a schema (or other component) the document defines: a
/// client generator stops at the first one that does not.
#[test]
fn every_reference_in_the_openapi_document_resolves() {
    fn walk<'a>(node: &'a Value, refs: &mut Vec<&'a str>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    refs.push(reference);
                }
                map.values().for_each(|value| walk(value, refs));
            }
            Value::Array(items) => items.iter().for_each(|value| walk(value, refs)),
            _ => {}
        }
    }
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let mut refs = Vec::new();
    walk(&doc, &mut refs);
    assert!(!refs.is_empty());
    let dangling: Vec<&str> = refs
        .into_iter()
        .filter(|reference| {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or("not a local reference");
            doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "unresolved references: {dangling:?}");
}

#[tokio::test]
async fn the_served_openapi_document_and_swagger_ui_work_offline() {
    let app = TestApp::spawn().await;
    let (status, doc) = status_and_json(
        app.request(Method::GET, "/api-docs/openapi.json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/cases"]["post"].is_object());
    let ui = app.request(Method::GET, "/docs/").send().await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
    let bundle = app
        .request(Method::GET, "/docs/swagger-ui-bundle.js")
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
}

/// The document's operations, as (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                found.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// A response object, following a `$ref` into `components`.
fn resolved<'a>(doc: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .expect("reference resolves"),
        None => response,
    }
}

/// Every error answer is described as problem+json with the problem schema, every operation
/// lists the errors every request of its kind can meet, and only the public operations go
/// without a bearer token.
#[test]
fn every_error_answer_is_described_as_problem_json() {
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let problem = doc["components"]["schemas"]["ProblemDetails"].to_string();
    assert!(problem.contains("errors"), "ProblemDetails lists errors[]");
    let public = [
        ("get", "/health/live"),
        ("get", "/health/ready"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/auth/refresh"),
    ];
    for (method, path, operation) in operations(&doc) {
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            if status.as_str() < "400" {
                continue;
            }
            let content = resolved(&doc, response)["content"]
                .as_object()
                .expect("error content");
            let keys: Vec<&String> = content.keys().collect();
            assert_eq!(
                keys,
                ["application/problem+json"],
                "{method} {path} {status}"
            );
            assert_eq!(
                content["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/ProblemDetails",
                "{method} {path} {status}"
            );
        }
        let lists = |status: &str| responses.contains_key(status);
        assert!(lists("503"), "{method} {path} lists 503");
        let is_public = public.contains(&(method.as_str(), path.as_str()));
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        assert_eq!(secured, !is_public, "{method} {path} security");
        if secured {
            assert!(lists("401"), "{method} {path} lists 401");
        }
        if operation.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(lists(status), "{method} {path} lists {status}");
            }
        }
        if path.starts_with("/api/v1/auth/") {
            assert!(lists("429"), "{method} {path} lists 429");
        }
    }
}

/// The limits the server enforces on parameters are in the document.
#[test]
fn parameter_limits_are_in_the_document() {
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let mut seen = (0, 0, 0);
    for (method, path, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let schema = &parameter["schema"];
            match parameter["name"].as_str() {
                Some("limit") => {
                    seen.0 += 1;
                    assert_eq!(schema["minimum"], 1, "{method} {path}");
                    assert_eq!(schema["maximum"], 200, "{method} {path}");
                }
                Some("Idempotency-Key") => {
                    seen.1 += 1;
                    assert_eq!(schema["minLength"], 1, "{method} {path}");
                    assert_eq!(schema["maxLength"], 200, "{method} {path}");
                }
                Some("If-Match") => {
                    seen.2 += 1;
                    assert!(schema["pattern"].is_string(), "{method} {path}");
                }
                _ => {}
            }
        }
    }
    assert!(seen.0 >= 4 && seen.1 >= 10 && seen.2 >= 2, "{seen:?}");
    for path in ["/api/v1/cases", "/api/v1/letters"] {
        let cursor = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|parameter| parameter["name"] == "cursor")
            .expect("cursor");
        assert!(cursor["schema"]["pattern"].is_string(), "{path} cursor");
    }
    let monthly = &doc["paths"]["/api/v1/statistics/monthly"]["get"]["parameters"];
    for parameter in monthly.as_array().expect("parameters") {
        if ["from", "to"].contains(&parameter["name"].as_str().unwrap_or_default()) {
            assert!(parameter["schema"]["pattern"].is_string());
        }
    }
}

/// A nullable date or id is described as `oneOf` the formatted string and null, never as
/// `type: [string, null]` with a format that generators read as not applying (they would send
/// `""` for a date, which the service refuses).
#[test]
fn nullable_formatted_strings_keep_their_format() {
    fn walk(node: &Value, at: &str, found: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                let nullable_string =
                    map.get("type")
                        .and_then(Value::as_array)
                        .is_some_and(|types| {
                            types.contains(&"null".into()) && types.contains(&"string".into())
                        });
                if nullable_string && map.contains_key("format") {
                    found.push(at.to_owned());
                }
                for (key, value) in map {
                    walk(value, &format!("{at}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (index, value) in items.iter().enumerate() {
                    walk(value, &format!("{at}/{index}"), found);
                }
            }
            _ => {}
        }
    }
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let mut found = Vec::new();
    walk(&doc, "", &mut found);
    assert!(found.is_empty(), "format on a nullable string: {found:?}");
    let applied_on = &doc["components"]["schemas"]["ApplicationFacts"]["properties"]["applied_on"];
    assert_eq!(applied_on["oneOf"][0]["format"], "date", "{applied_on}");
    assert_eq!(applied_on["oneOf"][1]["type"], "null", "{applied_on}");
    let upload = &doc["paths"]["/api/v1/cases/{id}/attachments"]["post"]["parameters"];
    let file_name = upload
        .as_array()
        .expect("parameters")
        .iter()
        .find(|parameter| parameter["name"] == "file_name")
        .expect("file_name");
    assert_eq!(file_name["schema"]["maxLength"], 255);
    assert!(file_name["schema"]["pattern"].is_string());
}

/// A registered case links to the operations on it, naming their operation ids.
#[test]
fn case_registration_links_to_the_operations_on_the_case() {
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let links = &doc["paths"]["/api/v1/cases"]["post"]["responses"]["201"]["links"];
    let ids: Vec<&str> = operations(&doc)
        .iter()
        .filter_map(|(_, _, operation)| operation["operationId"].as_str())
        .map(|id| match id {
            "get_case" => "get_case",
            "patch_case" => "patch_case",
            "transition_case" => "transition_case",
            "list_events" => "list_events",
            _ => "",
        })
        .filter(|id| !id.is_empty())
        .collect();
    assert_eq!(ids.len(), 4);
    for id in ids {
        let link = links
            .as_object()
            .expect("links")
            .values()
            .find(|link| link["operationId"] == id)
            .unwrap_or_else(|| panic!("a link to {id}"));
        assert_eq!(link["parameters"]["id"], "$response.body#/id");
    }
    assert_eq!(
        links["TransitionCase"]["parameters"]["header.If-Match"],
        "$response.header.ETag"
    );
}

/// Monthly figures and breakdowns are described by their own row types: one generic report
/// component for both described monthly rows as breakdown groups (with a `key` they lack).
#[test]
fn each_statistics_report_names_its_own_row_type() {
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("json");
    let rows = |path: &str| {
        let reference =
            doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"]
                .as_str()
                .expect("a report reference")
                .trim_start_matches('#')
                .to_owned();
        doc.pointer(&reference).expect("report")["properties"]["rows"]["items"].to_string()
    };
    let monthly = rows("/api/v1/statistics/monthly");
    assert!(monthly.contains(r#""month""#) && !monthly.contains(r#""key""#));
    let breakdown = rows("/api/v1/statistics/breakdown");
    assert!(breakdown.contains(r#""key""#) && !breakdown.contains(r#""month""#));
}

/// The routes and the document describe the same API: every documented path is routed, and the
/// methods it allows (its 405's `Allow`) are exactly the documented ones, so neither a route
/// without a description nor a description without a route goes unnoticed.
#[tokio::test]
async fn every_documented_path_allows_exactly_its_documented_methods() {
    let app = TestApp::spawn().await;
    let doc: Value =
        serde_json::from_str(&fuyi::http::openapi::document().expect("document")).expect("JSON");
    let mut documented: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (method, path, _) in operations(&doc) {
        documented
            .entry(path)
            .or_default()
            .push(method.to_ascii_uppercase());
    }
    assert!(documented.len() > 30, "{}", documented.len());
    for (path, mut methods) in documented {
        // A method the path does not document must answer 405 naming what it allows.
        let undocumented = ["DELETE", "PATCH", "PUT", "POST", "GET"]
            .into_iter()
            .find(|candidate| !methods.iter().any(|m| m == candidate))
            .unwrap_or_else(|| panic!("{path} documents every method"));
        let mut concrete = path.replace("{year}", "2023").replace("{kind}", "decision");
        while let (Some(open), Some(close)) = (concrete.find('{'), concrete.find('}')) {
            concrete.replace_range(open..=close, "01900000-0000-7000-8000-000000000000");
        }
        let response = app
            .as_user(
                &app.officer,
                Method::from_bytes(undocumented.as_bytes()).expect("a method"),
                &concrete,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        let mut allowed: Vec<String> = response.headers()[header::ALLOW]
            .to_str()
            .expect("Allow")
            .split(", ")
            .map(str::to_owned)
            .collect();
        allowed.sort();
        methods.sort();
        assert_eq!(allowed, methods, "{path}");
    }
}
