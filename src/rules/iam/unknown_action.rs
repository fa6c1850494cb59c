use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{suggest_action, Catalog};
use crate::rules::{FileContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an action that its service does not have, such as `ssm:GetParamter`, with the
    /// closest real action. A near-miss service prefix is caught too: `sms:GetParameter` is
    /// most likely `ssm:GetParameter`.
    ///
    /// ## Why it matters
    /// IAM does not validate action names: a misspelt action grants nothing, and the permission
    /// the author meant is missing until the workload fails with `AccessDenied`. In a `Deny`
    /// statement the misspelling silently removes a guard rail.
    ///
    /// ## Example
    /// ```yaml
    /// Action:
    ///   - ssm:GetParamter
    /// ```
    ///
    /// ## Fix
    /// Write the action as the Service Authorization Reference names it:
    /// ```yaml
    /// Action:
    ///   - ssm:GetParameter
    /// ```
    pub struct UnknownAction {
        name: "unknown-action",
        code: "I021",
        severity: Error,
        family: Iam,
        summary: "An action its service does not have",
    }
}

impl Rule for UnknownAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        for policy in ctx.policies() {
            for statement in &policy.statements {
                let lists = [&statement.action, &statement.not_action];
                for item in lists.into_iter().flatten().flat_map(|l| &l.items) {
                    let Some(pattern) = item.valid() else {
                        continue;
                    };
                    if pattern.has_wildcard() {
                        continue;
                    }
                    // An unknown prefix is `unknown-service`'s finding.
                    let Some(service) = catalog.service(pattern.service()) else {
                        continue;
                    };
                    if service.action(pattern.name()).is_some() {
                        continue;
                    }
                    let help = match suggest_action(catalog, pattern.service(), pattern.name()) {
                        Some(action) => format!("did you mean `{}`?", action.full_name()),
                        None => format!(
                            "`{}` ({}) has no action of that name; check the Service \
                             Authorization Reference, or use `--iam-data` with a newer \
                             catalogue if the action is new",
                            service.prefix, service.name
                        ),
                    };
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            item.span,
                            format!("`{}` is not an action of `{}`", pattern, service.prefix),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
}
