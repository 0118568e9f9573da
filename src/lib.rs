//! fuyi (复议): a case-management service for administrative reconsideration under the 2023
//! Administrative Reconsideration Law.
//!
//! Layers: [`domain`] holds the rules as pure code; [`db`] stores and loads; [`service`] runs use
//! cases over both; [`http`] is the REST edge; [`cli`] the command line. [`demo`] generates a
//! demo year through `service`; only `cli` calls it, and nothing depends on it.

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
