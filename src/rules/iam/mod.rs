//! Rules of the `iam` family: one file per rule.

mod edits;

pub mod allow_not_action;
pub mod allow_not_principal;
pub mod allow_not_resource;
pub mod conflicting_policy_elements;
pub mod duplicate_sid;
pub mod full_admin;
pub mod invalid_effect;
pub mod invalid_policy_element;
pub mod invalid_policy_version;
pub mod invalid_sid;
pub mod missing_policy_element;
pub mod missing_policy_version;
pub mod policy_too_large;
pub mod principal_in_identity_policy;
pub mod public_principal;
pub mod unquoted_policy_version;

pub use allow_not_action::AllowNotAction;
pub use allow_not_principal::AllowNotPrincipal;
pub use allow_not_resource::AllowNotResource;
pub use conflicting_policy_elements::ConflictingPolicyElements;
pub use duplicate_sid::DuplicateSid;
pub use full_admin::FullAdmin;
pub use invalid_effect::InvalidEffect;
pub use invalid_policy_element::InvalidPolicyElement;
pub use invalid_policy_version::InvalidPolicyVersion;
pub use invalid_sid::InvalidSid;
pub use missing_policy_element::MissingPolicyElement;
pub use missing_policy_version::MissingPolicyVersion;
pub use policy_too_large::PolicyTooLarge;
pub use principal_in_identity_policy::PrincipalInIdentityPolicy;
pub use public_principal::PublicPrincipal;
pub use unquoted_policy_version::UnquotedPolicyVersion;

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
