use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::{Effect, PolicyKind};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports `Action: "*"` (or `"*:*"`) in an `Allow` statement of a resource policy (bucket,
    /// queue, topic, key … policies) or of a trust policy, and in an identity policy whose
    /// statement names specific resources. In a trust policy it is an error. (`*` on `*` in an
    /// identity policy is `full-admin`'s finding; VPC endpoint policies, where `*` is the
    /// documented default, are not reported.)
    ///
    /// ## Why it matters
    /// In a resource policy, `*` hands the principals every action of the service on the
    /// resource, including changing its policy and deleting it. In a trust policy it lets them
    /// not only assume the role but also tag sessions and set source identities. With specific
    /// resources in an identity policy, it grants every action those resources support, also
    /// the ones no workload needs.
    ///
    /// ## Example
    /// ```yaml
    /// QueuePolicy:
    ///   Type: AWS::SQS::QueuePolicy
    ///   Properties:
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/worker"}
    ///           Action: "*"
    ///           Resource: !GetAtt Queue.Arn
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///           Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility]
    /// ```
    pub struct WildcardAction {
        name: "wildcard-action",
        code: "I036",
        severity: Warning,
        family: Iam,
        summary: "A plain `*` action in a resource or trust policy, or on specific resources",
    }
}

impl Rule for WildcardAction {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for policy in ctx.policies() {
            if policy.kind == PolicyKind::Endpoint {
                continue;
            }
            for st in &policy.statements {
                if st.effect() != Some(Effect::Allow) {
                    continue;
                }
                let Some(star) = st
                    .actions()
                    .iter()
                    .find(|a| matches!(a.text, Some("*" | "*:*")))
                else {
                    continue;
                };
                let (message, help, severity) = match policy.kind {
                    PolicyKind::Trust => (
                        "this trust policy allows every action: assuming the role, and also \
                         tagging its sessions and setting their source identity"
                            .to_string(),
                        "allow only the action the principal needs: `sts:AssumeRole` (or \
                         `sts:AssumeRoleWithWebIdentity` / `sts:AssumeRoleWithSAML` for \
                         federated principals)",
                        Severity::Error,
                    ),
                    // Delegating a bucket's access control to its access points is AWS's
                    // documented pattern: `*` for everyone, limited to the account's access
                    // points.
                    PolicyKind::Resource
                        if st.condition.as_ref().is_some_and(|c| {
                            c.has_key("s3:DataAccessPointAccount")
                                || c.has_key("s3:DataAccessPointArn")
                        }) =>
                    {
                        continue
                    }
                    PolicyKind::Resource => (
                        format!(
                            "this {} policy statement allows every action on the resource, \
                             including changing its policy and deleting it",
                            policy.kind.as_str()
                        ),
                        "list the actions the principals need, e.g. `sqs:SendMessage` or \
                         `s3:GetObject`",
                        Severity::Warning,
                    ),
                    PolicyKind::Identity => {
                        // `*` on `*` is full administrator access: `full-admin` reports it.
                        let resources = st.resources();
                        if st.resource.is_none()
                            || resources.is_empty()
                            || resources
                                .iter()
                                .any(|r| r.literal().as_deref() == Some("*"))
                        {
                            continue;
                        }
                        (
                            "this statement allows every action on its resources, whatever \
                             they support"
                                .to_string(),
                            "list the actions the workload needs on these resources",
                            Severity::Warning,
                        )
                    }
                    PolicyKind::Endpoint => continue,
                };
                if seen.insert(star.span) {
                    out.push(
                        Diagnostic::new(&Self::META, star.span, message)
                            .with_help(help)
                            .with_severity(severity),
                    );
                }
            }
        }
    }
}
