//! IAM: the embedded action catalogue, action patterns and AWS managed policies. The policy
//! model and ARN handling build on these (see DESIGN.md, stage `iam`).

pub mod action;
pub mod arn;
pub mod catalog;
pub mod escalation;
pub mod eval;
pub mod extract;
pub mod managed;
pub mod model;
pub mod principal;
pub mod sam;
pub mod scope;
pub mod usage;

pub use action::{suggest_action, suggest_service, ActionPattern, PatternError};
pub use catalog::{AccessLevel, ActionRef, Catalog, ConditionKey, Origin, ResourceType, Service};
pub use extract::{is_policy_document, EmbeddedDocuments};
pub use managed::{managed_policy, managed_policy_names, AdminGrant, ManagedPolicy};
pub use model::{
    ActionItem, ActionList, AttachTarget, Attachment, ConditionBlock, ConditionEntry,
    ConditionOperator, DocumentOrigin, Effect, Element, IdentityKind, Item, Owner, Policy,
    PolicyKind, PrincipalBlock, PrincipalEntry, ResourceList, Statement,
};
