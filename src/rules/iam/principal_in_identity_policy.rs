use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::PolicyKind;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports `Principal` or `NotPrincipal` in an identity policy (a policy of a role, user,
    /// group, permission set or SAM function).
    ///
    /// ## Why it matters
    /// An identity policy applies to the identity it is attached to; IAM rejects one that
    /// names a principal. Usually the statement was meant for a resource policy or for the
    /// role's `AssumeRolePolicyDocument`.
    ///
    /// ## Example
    /// ```yaml
    /// Policies:
    ///   - PolicyName: read
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: {Service: lambda.amazonaws.com}
    ///           Action: s3:GetObject
    ///           Resource: arn:aws:s3:::my-bucket/*
    /// ```
    ///
    /// ## Fix
    /// Remove `Principal`; to let a service assume the role, say so in
    /// `AssumeRolePolicyDocument` instead.
    pub struct PrincipalInIdentityPolicy {
        name: "principal-in-identity-policy",
        code: "I009",
        severity: Error,
        family: Iam,
        summary: "Principal or NotPrincipal in an identity policy",
    }
}

impl Rule for PrincipalInIdentityPolicy {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if policy.kind != PolicyKind::Identity {
                continue;
            }
            for st in &policy.statements {
                for block in [&st.principal, &st.not_principal].into_iter().flatten() {
                    let name = block.element.name();
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            super::edits::value_span(block.element.key, ctx.source),
                            format!("an identity policy cannot name a principal (`{name}`)"),
                        )
                        .with_help(format!(
                            "remove `{name}`: the policy applies to the identity it is attached \
                             to; put principals in a resource policy or the role's \
                             `AssumeRolePolicyDocument`"
                        )),
                    );
                }
            }
        }
    }
}
