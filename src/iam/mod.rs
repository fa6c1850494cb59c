//! IAM: the embedded action catalogue, action patterns and AWS managed policies. The policy
//! model and ARN handling build on these (see DESIGN.md, stage `iam`).

pub mod action;
pub mod arn;
pub mod scope;
pub mod catalog;
pub mod managed;

pub use action::{suggest_action, suggest_service, ActionPattern, PatternError};
pub use catalog::{AccessLevel, ActionRef, Catalog, ConditionKey, Origin, ResourceType, Service};
pub use managed::{managed_policy, managed_policy_names, ManagedPolicy};
