//! One registration per operation: a handler is named once, in `http::operations`, and both its
//! actix route and its part of the OpenAPI document come from its `#[utoipa::path]` annotation,
//! so a route without a description, or a description without a route, cannot exist.

use actix_web::{FromRequest, Handler, Responder, Route, http::Method, web};
use utoipa::openapi::{OpenApi, path::PathItem};

/// One handler's registration: the routes its annotation names and its part of the document.
pub struct Operation {
    /// (path, method, route), one for each method the annotation names.
    routes: Vec<(String, Method, Route)>,
    /// The document holding this operation's path item and the schemas it references.
    document: OpenApi,
}

impl Operation {
    /// Routes `handler` at every path and method `document` describes. Use `operation!` rather
    /// than calling this directly: it builds `document` from the handler's own annotation.
    pub fn new<F, Args>(document: OpenApi, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let routes = document
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                methods(item)
                    .into_iter()
                    .map(move |method| (path.clone(), method))
            })
            .map(|(path, method)| {
                let route = web::method(method.clone()).to(handler.clone());
                (path, method, route)
            })
            .collect();
        Self { routes, document }
    }

    /// The (path, method) pairs this operation is served at.
    pub fn endpoints(&self) -> impl Iterator<Item = (&str, &Method)> {
        self.routes
            .iter()
            .map(|(path, method, _)| (path.as_str(), method))
    }

    /// Splits the registration into its routes and its part of the document.
    pub fn into_parts(self) -> (Vec<(String, Method, Route)>, OpenApi) {
        (self.routes, self.document)
    }
}

/// The methods a path item describes an operation for.
fn methods(item: &PathItem) -> Vec<Method> {
    [
        (item.get.is_some(), Method::GET),
        (item.put.is_some(), Method::PUT),
        (item.post.is_some(), Method::POST),
        (item.delete.is_some(), Method::DELETE),
        (item.options.is_some(), Method::OPTIONS),
        (item.head.is_some(), Method::HEAD),
        (item.patch.is_some(), Method::PATCH),
        (item.trace.is_some(), Method::TRACE),
    ]
    .into_iter()
    .filter_map(|(described, method)| described.then_some(method))
    .collect()
}

/// Registers a handler annotated with `#[utoipa::path(...)]`, e.g. `operation!(cases::get_case)`:
/// its path, methods, and description are all read from that annotation.
macro_rules! operation {
    ($($handler:ident)::+) => {{
        // The derive turns the annotation into a one-operation document with the schemas it
        // references, exactly as it would inside the whole document's `paths(...)`.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($handler)::+))]
        struct One;
        $crate::http::registry::Operation::new(
            <One as utoipa::OpenApi>::openapi(),
            $($handler)::+,
        )
    }};
}

pub(crate) use operation;
