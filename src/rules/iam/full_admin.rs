use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Effect;
use crate::iam::PolicyKind;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an identity policy statement that allows every action (`*` or `*:*`) on every
    /// resource (`*`).
    ///
    /// ## Why it matters
    /// That is full administrator access: whoever holds the role, user or group can do
    /// anything in the account, including granting themselves more and deleting the trail of
    /// having done so.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: "*"
    ///   Resource: "*"
    /// ```
    ///
    /// ## Fix
    /// Grant the actions the workload uses on the resources it uses:
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [dynamodb:GetItem, dynamodb:PutItem]
    ///   Resource: !GetAtt Table.Arn
    /// ```
    /// If administrator access is truly intended, attach the AWS managed policy
    /// `AdministratorAccess` so the intent is explicit and reviewable.
    pub struct FullAdmin {
        name: "full-admin",
        code: "I014",
        severity: Error,
        family: Iam,
        summary: "An identity policy allowing every action on every resource",
    }
}

impl Rule for FullAdmin {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if policy.kind != PolicyKind::Identity {
                continue;
            }
            for st in &policy.statements {
                if st.effect() != Some(Effect::Allow) {
                    continue;
                }
                let Some(action) = st
                    .actions()
                    .iter()
                    .find(|a| matches!(a.text, Some("*" | "*:*")))
                else {
                    continue;
                };
                let Some(resource) = st
                    .resources()
                    .iter()
                    .find(|r| r.literal().as_deref() == Some("*"))
                else {
                    continue;
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        action.span,
                        "this statement allows every action on every resource (full administrator access)",
                    )
                    .with_label(resource.span, "on every resource")
                    .with_help(
                        "list the actions and resources the workload needs; if administrator \
                         access is intended, attach the managed policy `AdministratorAccess` \
                         instead",
                    ),
                );
            }
        }
    }
}
