//! The key names CloudFormation and the IAM policy language fix. They are facts several stages
//! need: the indentation doctor (on text that does not even parse), the template and IAM
//! models, and the rules that report a misspelt key. Kept here, below all of them, so each
//! list is written once.

/// Every top-level key CloudFormation (and the SAM transform) accepts.
pub const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
    "Globals",
];

/// Top-level sections of templates written for a packaging step (`rain pkg`, or
/// `aws cloudformation package` with local modules): the packaged output no longer has them,
/// and CloudFormation rejects the source as it is.
pub const PACKAGING_SECTIONS: &[&str] = &["Modules", "Constants", "Packages", "Rain"];

/// The keys of a resource definition.
pub const RESOURCE_ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
];

/// The keys of a parameter definition.
pub const PARAMETER_ATTRIBUTES: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "NoEcho",
];

/// The keys of an output definition.
pub const OUTPUT_ATTRIBUTES: &[&str] = &["Value", "Description", "Export", "Condition"];

/// The top-level elements of an IAM policy document.
pub const POLICY_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];

/// The elements of an IAM policy statement.
pub const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The principal types of a `Principal` mapping.
pub const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];
