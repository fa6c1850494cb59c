//! `public-principal` for permissions granted by resources of their own (`AWS::Lambda::Permission`,
//! `AWS::Lambda::LayerVersionPermission`, `AWS::EC2::VPCEndpointServicePermissions`, the older
//! form of `AWS::Events::EventBusPolicy`): everyone as principal, nothing narrowing it down.
//! Kept apart from the rule's policy-document checks, which other work changes independently.

use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::iam::extract::{permissions, PermissionKind};
use crate::rules::FileContext;
use crate::template::spans::whole_value_span;
use crate::template::string_template;

/// Report each `*` principal of a permission resource without a limiting property.
pub fn report(ctx: &FileContext<'_>, meta: &RuleMeta, out: &mut Vec<Diagnostic>) {
    let Some(template) = ctx.template else {
        return;
    };
    for permission in permissions(template) {
        // Behind a template condition, public access is an explicit choice (as for policies).
        if permission.conditional || !permission.limits.is_empty() {
            continue;
        }
        for principal in &permission.principals {
            if string_template(principal, &ctx.source.text)
                .literal()
                .as_deref()
                != Some("*")
            {
                continue;
            }
            let (limit, what) = match permission.kind {
                PermissionKind::LambdaPermission => {
                    ("`SourceArn`, `SourceAccount` or `PrincipalOrgID`", "anyone")
                }
                PermissionKind::LayerVersionPermission => ("`OrganizationId`", "every AWS account"),
                PermissionKind::EndpointServicePermissions => (
                    "specific account or role ARNs in `AllowedPrincipals`",
                    "every AWS account",
                ),
                PermissionKind::EventBusPolicy => {
                    ("a `Condition` on `aws:PrincipalOrgID`", "every AWS account")
                }
            };
            out.push(
                Diagnostic::new(
                    meta,
                    whole_value_span(principal, &ctx.source.text),
                    format!(
                        "`{}` lets {what} {}",
                        permission.owner.logical_id,
                        permission.kind.grants()
                    ),
                )
                .with_help(format!(
                    "name the principal (an account or service), or limit it with {limit}"
                )),
            );
        }
    }
}
