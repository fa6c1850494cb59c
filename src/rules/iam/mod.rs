//! Rules of the `iam` family: one file per rule.

pub mod action_pattern_matches_nothing;
pub mod invalid_arn;
pub mod pass_role_wildcard;
pub mod resource_scope_mismatch;
pub mod service_wildcard_action;
pub mod support;
pub mod unknown_action;
pub mod unknown_condition_key;
pub mod unknown_condition_operator;
pub mod unknown_service;
pub mod wildcard_resource;

pub use action_pattern_matches_nothing::ActionPatternMatchesNothing;
pub use invalid_arn::InvalidArn;
pub use pass_role_wildcard::PassRoleWildcard;
pub use resource_scope_mismatch::ResourceScopeMismatch;
pub use service_wildcard_action::ServiceWildcardAction;
pub use unknown_action::UnknownAction;
pub use unknown_condition_key::UnknownConditionKey;
pub use unknown_condition_operator::UnknownConditionOperator;
pub use unknown_service::UnknownService;
pub use wildcard_resource::WildcardResource;
