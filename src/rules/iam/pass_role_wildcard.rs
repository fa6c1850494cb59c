use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::arn::{ResourceArn, Tok};
use crate::iam::Effect;
use crate::iam::PolicyKind;
use crate::rules::iam::support::{patterns, value_span};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement that grants `iam:PassRole` — by name or through a wildcard
    /// such as `iam:*`, `iam:Pass*` or `*` — on every role (`Resource: "*"`, or
    /// `arn:aws:iam::*:role/*`), without a condition that limits the pass: `iam:PassedToService`
    /// (the services the role may be passed to) or `iam:AssociatedResourceARN` (the resources
    /// it may be associated with).
    ///
    /// ## Why it matters
    /// Passing a role to a service (EC2, Lambda, CloudFormation, …) lets that service act with
    /// the role's permissions. Whoever may pass any role can hand themselves the permissions of
    /// the most powerful role in the account: a classic privilege escalation.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: iam:PassRole
    ///   Resource: '*'
    /// ```
    ///
    /// ## Fix
    /// Name the role, and the service it may be passed to:
    /// ```yaml
    /// - Effect: Allow
    ///   Action: iam:PassRole
    ///   Resource: !GetAtt TaskRole.Arn
    ///   Condition:
    ///     StringEquals:
    ///       iam:PassedToService: ecs-tasks.amazonaws.com
    /// ```
    pub struct PassRoleWildcard {
        name: "pass-role-wildcard",
        code: "I027",
        severity: Error,
        family: Iam,
        summary: "An `iam:PassRole` grant on every role without a condition limiting where it goes",
    }
}

impl Rule for PassRoleWildcard {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for statement in &policy.statements {
                // Only identity policies decide who may pass a role.
                if statement.effect() != Some(Effect::Allow)
                    || policy.kind != PolicyKind::Identity
                    || statement.condition.as_ref().is_some_and(|c| {
                        c.has_key("iam:PassedToService") || c.has_key("iam:AssociatedResourceARN")
                    })
                {
                    continue;
                }
                let Some(every_role) = statement.resources().iter().find(|item| {
                    match &item.resource(ctx.template).arn {
                        ResourceArn::Star => true,
                        ResourceArn::Arn(arn) => {
                            let service = arn.service.literal();
                            let resource = arn.resource.literal();
                            service.as_deref() == Some("iam")
                                && (arn.resource.toks == [Tok::STAR]
                                    || resource.is_none()
                                        && arn.resource.toks.len() == 6
                                        && arn.resource.toks[..5]
                                            == "role/".chars().map(Tok::Char).collect::<Vec<_>>()
                                        && arn.resource.toks[5] == Tok::STAR)
                        }
                        _ => false,
                    }
                }) else {
                    continue;
                };
                for (item, pattern) in patterns(statement) {
                    if !pattern.matches("iam", "PassRole") {
                        continue;
                    }
                    // `*` on `*` is `full-admin`'s finding, which covers this one.
                    if matches!(pattern.as_str(), "*" | "*:*")
                        && statement.effect() == Some(Effect::Allow)
                        && statement
                            .resources()
                            .iter()
                            .any(|r| r.literal().as_deref() == Some("*"))
                    {
                        continue;
                    }
                    let how = if pattern.has_wildcard() {
                        format!("`{pattern}` includes `iam:PassRole`, which")
                    } else {
                        format!("`{pattern}`")
                    };
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            item.span,
                            format!(
                                "{how} lets the principal pass any role to any service, and so \
                                 gain that role's permissions"
                            ),
                        )
                        .with_label(value_span(every_role), "every role")
                        .with_help(
                            "name the roles in Resource (e.g. `!GetAtt TaskRole.Arn`) and add \
                             `Condition: {StringEquals: {iam:PassedToService: <service>.amazonaws.com}}`",
                        ),
                    );
                }
            }
        }
    }
}
