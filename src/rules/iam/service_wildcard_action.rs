use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{AccessLevel, Catalog};
use crate::rules::iam::support::{means_allow, patterns};
use crate::rules::{FileContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports `service:*` in an `Allow` statement's `Action`: every action of the service,
    /// including the ones that delete data and change permissions. One finding per item.
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
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        for policy in ctx.policies() {
            for statement in &policy.statements {
                if !means_allow(statement) {
                    continue;
                }
                for (item, pattern) in patterns(statement) {
                    if pattern.name() != "*" || pattern.service_has_wildcard() {
                        continue;
                    }
                    let Some(service) = catalog.service(pattern.service()) else {
                        continue;
                    };
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
