//! fuyi (复议): a case-management service for administrative reconsideration under the 2023
//! Administrative Reconsideration Law.
//!
//! Layers: each module uses only modules below it, never one above.
//!
//! ```text
//!            cli                 command line; runs the server, imports, the demo
//!          ╱  │  ╲
//!      http   │   demo           REST edge | a demo year (only cli calls it; nothing uses it)
//!          ╲  │  ╱
//!          service               use cases; fails with service::error::ServiceError
//!             │
//!           auth ──▶ service::error   who the caller is and what they reach; of service it
//!             │                       uses only the error type, a leaf, so there is no cycle
//!            db                  stores and loads
//!             │
//!          domain                the rules as pure code, no I/O
//! ```
//!
//! [`domain`] holds the rules; [`db`] stores and loads; [`service`] runs use cases over both and
//! fails with its own [`service::error::ServiceError`], in domain terms; [`http`] is the REST
//! edge, and `http::error` is the one place that turns a `ServiceError` (and a database error)
//! into an RFC 9457 answer; [`cli`] the command line. [`auth`] sits between `db` and `service`:
//! `service` and `http` use its `Caller`, and it reports failures as `ServiceError`. [`demo`]
//! generates a demo year through `service`; only `cli` calls it.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod http;
pub mod maintenance;
pub mod pg_local;
pub mod service;
pub mod startup;
pub mod telemetry;
