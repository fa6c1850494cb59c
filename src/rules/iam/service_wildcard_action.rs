use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::usage::granted_on_star_by_design;
use crate::iam::Effect;
use crate::iam::{AccessLevel, PolicyKind, Statement};
use crate::rules::iam::support::{copies_service_role, patterns};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports `service:*` in an `Allow` statement's `Action`: every action of the service,
    /// including the ones that delete data and change permissions. One finding per item.
    ///
    /// Not reported: a resource policy statement whose only principal is the template's own
    /// account (`arn:${AWS::Partition}:iam::${AWS::AccountId}:root`), such as the default KMS
    /// key policy. It grants nothing by itself; it lets the account's IAM policies decide.
    /// Nor a service whose every action AWS grants on `Resource: "*"` by design in its own
    /// agent policies (`ssmmessages:*`, `ec2messages:*`: the SSM Agent's channels, see
    /// `wildcard-resource`): listing them one by one grants exactly the same. Nor a statement of
    /// a role trusting an AWS service that copies the documented policy of that service's role
    /// (the legacy ECS Service Auto Scaling role's `application-autoscaling:*`;
    /// `rules/iam/service-roles.tsv`).
    ///
    /// ## Why it matters
    /// `s3:*` grants well over a hundred actions, among them `s3:DeleteBucket` and
    /// `s3:PutBucketPolicy`. Workloads need a handful; the rest only widens what a leaked
    /// credential or a bug can do, and grows silently as AWS adds actions to the service.
    ///
    /// ## Example
    /// ```yaml
    /// Action: s3:*
    /// ```
    ///
    /// ## Fix
    /// List the actions the workload uses (or narrower patterns such as `s3:Get*`):
    /// ```yaml
    /// Action:
    ///   - s3:GetObject
    ///   - s3:PutObject
    ///   - s3:ListBucket
    /// ```
    pub struct ServiceWildcardAction {
        name: "service-wildcard-action",
        code: "I025",
        severity: Warning,
        family: Iam,
        summary: "A `service:*` action, granting every action of a service",
    }
}

impl Rule for ServiceWildcardAction {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for statement in &policy.statements {
                if statement.effect() != Some(Effect::Allow)
                    || delegates_to_own_account(policy.kind, statement)
                    || copies_service_role(ctx, policy, statement)
                {
                    continue;
                }
                for (item, pattern) in patterns(statement) {
                    if pattern.name() != "*" || pattern.service_has_wildcard() {
                        continue;
                    }
                    let Some(service) = item.service() else {
                        continue;
                    };
                    if service.actions().next().is_some()
                        && service.actions().all(|a| granted_on_star_by_design(&a))
                    {
                        continue;
                    }
                    let count = service.actions().len();
                    let mutating = service
                        .actions()
                        .filter(|a| {
                            matches!(
                                a.access_level(),
                                AccessLevel::Write | AccessLevel::PermissionsManagement
                            )
                        })
                        .count();
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            item.span,
                            format!(
                                "`{pattern}` grants all {count} actions of {} ({mutating} of \
                                 them write or permissions-management actions)",
                                service.name
                            ),
                        )
                        .with_help(format!(
                            "list the `{}` actions the workload needs, or narrower patterns \
                             such as `{}:Get*`",
                            service.prefix, service.prefix
                        )),
                    );
                }
            }
        }
    }
}

/// Whether the statement only hands the resource to the IAM policies of the account that owns
/// it (the default KMS key policy's `kms:*` for the account root): every principal is the
/// template's own account, as root ARN or account ID.
fn delegates_to_own_account(kind: PolicyKind, statement: &Statement<'_>) -> bool {
    if kind != PolicyKind::Resource || statement.not_principal.is_some() {
        return false;
    }
    let Some(principal) = &statement.principal else {
        return false;
    };
    if principal.wildcard.is_some() || principal.entries.is_empty() {
        return false;
    }
    principal.entries.iter().all(|entry| {
        entry.kind == "AWS"
            && !entry.values.is_empty()
            && entry
                .values
                .iter()
                .all(|v| is_own_account(&v.value.to_string()))
    })
}

fn is_own_account(text: &str) -> bool {
    const ACCOUNT: &str = "${AWS::AccountId}";
    if text == ACCOUNT {
        return true;
    }
    let root = format!(":iam::{ACCOUNT}:root");
    let Some(partition) = text
        .strip_prefix("arn:")
        .and_then(|rest| rest.strip_suffix(root.as_str()))
    else {
        return false;
    };
    partition == "${AWS::Partition}" || crate::iam::arn::PARTITIONS.contains(&partition)
}

#[cfg(test)]
mod tests {
    use super::is_own_account;

    #[test]
    fn own_account_principals() {
        assert!(is_own_account(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
        ));
        assert!(is_own_account("arn:aws:iam::${AWS::AccountId}:root"));
        assert!(is_own_account("${AWS::AccountId}"));
        assert!(!is_own_account("arn:aws:iam::111122223333:root"));
        assert!(!is_own_account("arn:aws:iam::${AWS::AccountId}:role/admin"));
        assert!(!is_own_account("arn:aws:iam::${OtherAccount}:root"));
    }
}
