//! API tests: each talks to the real service over HTTP, on its own throwaway database.

mod support;

mod auth;
mod authorization;
mod cases;
mod demo;
mod documents;
mod followup;
mod foundation;
mod import;
mod lifecycle;
mod migrations;
mod security;
mod sessions;
mod report;
mod statistics;
mod storage;
