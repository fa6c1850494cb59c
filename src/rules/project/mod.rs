//! Rules of the `project` family: one file per rule. Their findings come from the cross-file
//! pass (`crate::project::cross_file`), not from per-file checks.

pub mod duplicate_policy_name;
pub mod policy_name_mismatch;
pub mod unknown_aws_managed_policy;

pub use duplicate_policy_name::DuplicatePolicyName;
pub use policy_name_mismatch::PolicyNameMismatch;
pub use unknown_aws_managed_policy::UnknownAwsManagedPolicy;
