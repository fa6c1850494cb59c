use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{managed_policy, AdminGrant, ManagedPolicy};
use crate::rules::{FileContext, Rule};
use crate::template::{alternatives, intrinsic, is_no_value, string_template};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Reports an AWS managed policy amounting to administrator access attached to a role, user
    /// or group (`ManagedPolicyArns`, or a SAM function's `Policies`): `AdministratorAccess`,
    /// `PowerUserAccess`, `IAMFullAccess`, and every other AWS managed policy that allows `*`,
    /// `iam:*`, or everything but a short `NotAction` list. The list is computed from the
    /// embedded AWS managed policy data (`rules/iam/aws-managed-policies.tsv`), so it follows
    /// AWS's changes.
    ///
    /// ## Why it matters
    /// Whatever the workload does, whoever holds the role (or the code running with it) can do
    /// anything in the account; with `iam:*` it can grant itself whatever it lacks. A leaked
    /// credential or an injected command then costs the whole account.
    ///
    /// ## Example
    /// ```yaml
    /// BuildRole:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     ManagedPolicyArns:
    ///       - arn:aws:iam::aws:policy/AdministratorAccess
    /// ```
    ///
    /// ## Fix
    /// Grant what the workload needs, in a policy of its own (or a narrower AWS managed
    /// policy); where administrator access is the purpose (a break-glass role), suppress the
    /// finding with a comment saying so.
    /// ```yaml
    ///     ManagedPolicyArns:
    ///       - arn:aws:iam::aws:policy/AWSCodeBuildDeveloperAccess
    /// ```
    pub struct AdminPolicyAttached {
        name: "admin-policy-attached",
        code: "I039",
        severity: Warning,
        family: Iam,
        summary: "An AWS managed policy amounting to administrator access attached to an identity",
    }
}

/// Where identities list the managed policies attached to them.
const ATTACHMENTS: &[(&str, &str, &str)] = &[
    ("AWS::IAM::Role", "ManagedPolicyArns", "role"),
    ("AWS::IAM::User", "ManagedPolicyArns", "user"),
    ("AWS::IAM::Group", "ManagedPolicyArns", "group"),
    (
        "AWS::Serverless::Function",
        "Policies",
        "the role of function",
    ),
    (
        "AWS::Serverless::StateMachine",
        "Policies",
        "the role of state machine",
    ),
];

/// The AWS managed policy an item names: an ARN `arn:…:iam::aws:policy/…/NAME`, or (in SAM
/// `Policies`) a bare name.
fn named_policy(item: &Node, source: &str, sam: bool) -> Option<&'static ManagedPolicy> {
    if item.as_mapping().is_some() && intrinsic(item).is_none() {
        return None;
    }
    let text = string_template(item, source).to_string();
    if let Some((_, rest)) = text.split_once(":iam::aws:policy/") {
        return managed_policy(rest.rsplit('/').next()?);
    }
    (sam && item.tag.is_none() && intrinsic(item).is_none())
        .then(|| managed_policy(&text))
        .flatten()
}

fn grant_text(grant: AdminGrant) -> &'static str {
    match grant {
        AdminGrant::Everything => "allows every action on every resource",
        AdminGrant::AllOfIam => {
            "allows every IAM action, with which the holder can grant itself anything else"
        }
        AdminGrant::AllButSome => {
            "allows every action except the few its `NotAction` lists (power-user access)"
        }
    }
}

impl Rule for AdminPolicyAttached {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else {
            return;
        };
        let mut seen = HashSet::new();
        for resource in &template.resources {
            let Some((_, property, kind)) = ATTACHMENTS
                .iter()
                .find(|(t, _, _)| resource.type_ == Some(*t))
            else {
                continue;
            };
            let Some(list) = resource.property(property) else {
                continue;
            };
            let sam = *property == "Policies";
            for value in alternatives(list) {
                let items: Vec<&Node> = match value.as_sequence() {
                    Some(items) if value.tag.is_none() => items.iter().collect(),
                    _ => vec![value],
                };
                for item in items.into_iter().flat_map(alternatives) {
                    if is_no_value(item) {
                        continue;
                    }
                    let Some(policy) = named_policy(item, &ctx.source.text, sam) else {
                        continue;
                    };
                    let Some(grant) = policy.administrator_grant() else {
                        continue;
                    };
                    let span = crate::template::spans::whole_value_span(item, &ctx.source.text);
                    if !seen.insert(span) {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            span,
                            format!(
                                "{kind} `{}` has the AWS managed policy `{}`, which {}",
                                resource.logical_id,
                                policy.name,
                                grant_text(grant)
                            ),
                        )
                        .with_help(
                            "grant what the workload needs in a policy of its own, or attach a \
                             narrower AWS managed policy; if administrator access is the point, \
                             suppress this finding with a comment saying why",
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::iam::{managed_policy, AdminGrant};

    #[test]
    fn administrator_policies_come_from_the_data() {
        let grant = |name: &str| managed_policy(name).and_then(|p| p.administrator_grant());
        assert_eq!(grant("AdministratorAccess"), Some(AdminGrant::Everything));
        assert_eq!(grant("IAMFullAccess"), Some(AdminGrant::AllOfIam));
        assert_eq!(grant("PowerUserAccess"), Some(AdminGrant::AllButSome));
        assert_eq!(grant("ReadOnlyAccess"), None);
        assert_eq!(grant("AmazonS3FullAccess"), None);
    }
}
