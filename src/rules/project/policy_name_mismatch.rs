use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Compares the customer managed policies the checked files refer to — by ARN
    /// (`arn:aws:iam::123456789012:policy/NAME` in `ManagedPolicyArns`, a ParallelCluster
    /// config's `AdditionalIamPolicies` or `additional_iam_policies`, `--policy-arn` in a shell
    /// command) or by name (`aws iam list-policies --query 'Policies[?PolicyName==`NAME`]'`) —
    /// with the names the same files define (`ManagedPolicyName` of an
    /// `AWS::IAM::ManagedPolicy`, `aws iam create-policy --policy-name`). A reference that matches
    /// no definition but is close to one (a typo, a case difference, a missing suffix such as
    /// `pclusterSSM` for `pclusterSSM2`) is reported at the reference.
    ///
    /// Names built with `!Sub` are compared as patterns: `${AWS::StackName}-ssm` is matched by
    /// any reference ending in `-ssm`. References that match nothing and are close to nothing
    /// are not reported: the policy may come from a stack or account outside the checked files.
    /// Inline policies (`AWS::IAM::Policy`, a role's `Policies`) are not candidates: they cannot
    /// be attached by ARN or listed with `list-policies`.
    ///
    /// ## Why it matters
    /// The mismatch only shows at deployment or, worse, at run time: `list-policies` prints an
    /// empty list, the ARN captured from it is empty, and the cluster or role comes up without
    /// the permissions the tutorial or template meant to give it.
    ///
    /// ## Example
    /// ```yaml
    /// # policy.yaml
    /// Resources:
    ///   pclusterSSM:
    ///     Type: AWS::IAM::ManagedPolicy
    ///     Properties:
    ///       ManagedPolicyName: pclusterSSM2
    /// ```
    /// ```bash
    /// aws iam list-policies --query 'Policies[?PolicyName==`pclusterSSM`].Arn' --output text
    /// ```
    ///
    /// ## Fix
    /// Use one name everywhere: change the reference to the defined name (`pclusterSSM2`), or
    /// rename the policy where it is defined.
    pub struct PolicyNameMismatch {
        name: "policy-name-mismatch",
        code: "X001",
        severity: Error,
        family: Project,
        stage: CrossFile,
        summary: "A policy referenced by a name that no checked file defines, close to one that is",
    }
}

// Its findings are made by `crate::checkers::cross_file`.
impl Rule for PolicyNameMismatch {}
