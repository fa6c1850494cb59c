use std::collections::HashSet;

use super::edits::{suggest_key, value_span};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::principal::{
    check_aws, check_canonical_user, check_federated, check_service, spelled,
};
use crate::iam::PolicyKind;
use crate::rules::{FileContext, Rule};
use crate::vocabulary::PRINCIPAL_TYPES;

declare_rule! {
    /// ## What it does
    /// Reports a `Principal`/`NotPrincipal` value that IAM rejects: a principal type other than
    /// `AWS`, `Service`, `Federated` and `CanonicalUser`; an `AWS` value that is neither `*`, a
    /// 12-digit account ID nor the ARN of an account root, user, role, assumed-role session or
    /// federated user (`arn:aws::iam::111122223333:root`, an 11-digit account, a group, a
    /// wildcard inside the ARN); a `Service` value that is not a service principal name
    /// (`cloudfront.amazonaws`); a `Federated` value that is neither a built-in identity
    /// provider nor the ARN of a SAML or OIDC provider; a `CanonicalUser` that is not 64
    /// hexadecimal digits. When one colon too many or too few is the mistake, the help gives
    /// the corrected ARN.
    ///
    /// Values built with `!Ref`, `!GetAtt` or `!Sub` variables are judged on their written
    /// pieces only.
    ///
    /// ## Why it matters
    /// IAM (and S3, SQS, SNS, KMS for their resource policies) rejects the policy with
    /// "Invalid principal", so the stack fails to deploy.
    ///
    /// ## Example
    /// ```yaml
    /// Principal:
    ///   AWS: arn:aws::iam::111122223333:root
    ///   Service: cloudfront.amazonaws
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Principal:
    ///   AWS: arn:aws:iam::111122223333:root
    ///   Service: cloudfront.amazonaws.com
    /// ```
    pub struct InvalidPrincipal {
        name: "invalid-principal",
        code: "I032",
        severity: Error,
        family: Iam,
        summary: "A principal value IAM rejects",
    }
}

impl Rule for InvalidPrincipal {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for policy in ctx.policies() {
            // Any principal in an identity policy is `principal-in-identity-policy`'s finding.
            if policy.kind == PolicyKind::Identity {
                continue;
            }
            let blocks = policy
                .statements
                .iter()
                .flat_map(|s| [&s.principal, &s.not_principal].into_iter().flatten());
            for block in blocks {
                for entry in &block.entries {
                    if !PRINCIPAL_TYPES.contains(&entry.kind) {
                        if seen.insert(entry.key.span) {
                            out.push(unknown_type(ctx, entry.key, entry.kind));
                        }
                        continue;
                    }
                    let check = match entry.kind {
                        "AWS" => check_aws,
                        "Service" => check_service,
                        "Federated" => check_federated,
                        _ => check_canonical_user,
                    };
                    for item in &entry.values {
                        let Some(text) = spelled(&item.value) else {
                            continue;
                        };
                        let Some(problem) = check(&text) else {
                            continue;
                        };
                        if seen.insert(item.span) {
                            out.push(
                                Diagnostic::new(&Self::META, item.span, problem.message)
                                    .with_help(problem.help),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// A principal type IAM does not have, with the closest one.
fn unknown_type(ctx: &FileContext<'_>, key: &crate::yaml::Node, kind: &str) -> Diagnostic {
    let d = Diagnostic::new(
        &InvalidPrincipal::META,
        value_span(key, ctx.source),
        format!("`{kind}` is not a principal type"),
    );
    suggest_key(
        d,
        key,
        ctx.source,
        kind,
        PRINCIPAL_TYPES,
        "a principal is `AWS`, `Service`, `Federated` or `CanonicalUser`".to_string(),
    )
}
