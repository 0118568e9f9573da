//! Use cases: each loads what the domain needs, asks the domain, and stores the outcome in one
//! transaction. HTTP handlers and the CLI call these; they know nothing of HTTP.

pub mod archive;
pub mod attachments;
pub mod audit;
pub mod bootstrap;
pub mod cases;
pub mod charts;
pub mod deadlines;
pub mod documents;
pub mod docx;
pub mod error;
pub mod followup;
pub mod import;
pub mod letters;
pub mod organs;
pub mod reference;
pub mod report;
pub mod statistics;
