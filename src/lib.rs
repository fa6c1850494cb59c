//! cfn-policy-lint: a linter for AWS CloudFormation templates and the IAM policies inside them.
//!
//! Stages (see DESIGN.md): discover → source → yaml → template → iam → rules → project →
//! config → render. Modules are layered so that none uses a later stage: the layers are in
//! `docs/architecture.md` ("Which module may use which"), and `tests/structure.rs` holds every
//! `crate::` path to them.

pub mod baseline;
pub mod check;
pub mod checkers;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod iam;
pub mod lsp;
pub mod output;
pub mod project;
pub mod purpose;
pub mod render;
pub mod rules;
pub mod run;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod template;
pub mod vocabulary;
pub mod yaml;
