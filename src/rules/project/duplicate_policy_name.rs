use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a customer managed policy name (`ManagedPolicyName`) that two template files of
    /// the same run — or two resources of one template — define literally.
    ///
    /// Names with symbolic parts (`!Sub ${AWS::StackName}-ssm`) differ per stack and are not
    /// compared. Templates shown in Markdown code blocks are documentation, often copies of a
    /// template file, and `aws iam create-policy` commands are alternatives to a template, so
    /// neither counts as a second definition. Nor does a twin: a template kept in two formats
    /// (`stack.yml` and `stack.json` in one folder, with the same logical IDs) is one stack.
    ///
    /// ## Why it matters
    /// Managed policy names are unique per account: the second stack to be deployed fails with
    /// "already exists", or, when the first stack is deleted, takes the other stack's policy
    /// with it. References by name become ambiguous about which policy they mean.
    ///
    /// ## Example
    /// ```yaml
    /// # cluster-policy.yaml and batch-policy.yaml both contain
    /// Resources:
    ///   Policy:
    ///     Type: AWS::IAM::ManagedPolicy
    ///     Properties:
    ///       ManagedPolicyName: pclusterSSM
    /// ```
    ///
    /// ## Fix
    /// Give each policy its own name, or derive it from the stack so every deployment differs:
    /// ```yaml
    ///       ManagedPolicyName: !Sub ${AWS::StackName}-ssm
    /// ```
    pub struct DuplicatePolicyName {
        name: "duplicate-policy-name",
        code: "X002",
        severity: Error,
        family: Project,
        stage: CrossFile,
        summary: "The same managed policy name defined twice in the checked files",
    }
}

// Its findings are made by `crate::checkers::cross_file`.
impl Rule for DuplicatePolicyName {}
