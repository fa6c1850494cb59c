use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Checks every AWS managed policy ARN (`arn:aws:iam::aws:policy/…`) in templates,
    /// ParallelCluster configs, scripts and Markdown code blocks against the list of AWS managed
    /// policies: a misspelt name gets "did you mean", a right name under the wrong IAM path
    /// (`policy/service-role/AmazonSSMManagedInstanceCore`) gets the right ARN. A bare name in
    /// the `Policies` of a SAM function or state machine (`Policies: [AmazonS3ReadOnlyAccess]`),
    /// which the SAM transform reads as an AWS managed policy's, is checked the same way.
    ///
    /// A name close to no AWS managed policy is not reported, since AWS adds policies after the
    /// list was generated.
    ///
    /// ## Why it matters
    /// AWS managed policy ARNs are matched exactly, path included. A wrong ARN fails the stack
    /// or cluster creation with `NoSuchEntity`, after minutes of provisioning.
    ///
    /// ## Example
    /// ```yaml
    /// ManagedPolicyArns:
    ///   - arn:aws:iam::aws:policy/service-role/AmazonSSMManagedInstanceCore
    ///   - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCor
    /// ```
    ///
    /// ## Fix
    /// Use the policy's ARN exactly as AWS publishes it:
    /// ```yaml
    /// ManagedPolicyArns:
    ///   - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
    /// ```
    pub struct UnknownAwsManagedPolicy {
        name: "unknown-aws-managed-policy",
        code: "X003",
        severity: Error,
        family: Project,
        stage: CrossFile,
        summary: "An AWS managed policy ARN with a misspelt name or a wrong path",
    }
}

// Its findings are made by `crate::checkers::cross_file`.
impl Rule for UnknownAwsManagedPolicy {}
