//! API tests: each talks to the real service over HTTP, on its own throwaway database.

mod support;

mod ancillary;
mod auth;
mod authorization;
mod cases;
mod demo;
mod documents;
mod followup;
mod foundation;
mod import;
mod law;
mod lifecycle;
mod migrations;
mod participation;
mod procedures;
mod replicas;
mod report;
mod security;
mod sessions;
mod statistics;
mod storage;
