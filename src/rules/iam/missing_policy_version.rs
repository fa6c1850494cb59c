use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::iam::support::key_value;
use crate::rules::{FileContext, Rule};
use crate::yaml::ast::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports a policy document without a `Version` element. A warning when the document
    /// uses policy variables (`${aws:username}`, written `${!aws:username}` in a `!Sub`),
    /// which the old language leaves unreplaced; otherwise an info, since the document grants
    /// the same under both languages today.
    ///
    /// ## Why it matters
    /// Without `Version`, IAM reads the document with the 2008-10-17 language, where policy
    /// variables such as `${aws:username}` are plain text and newer features are missing. The
    /// policy then grants something different from what it says.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Statement:
    ///     - Effect: Allow
    ///       Action: s3:ListBucket
    ///       Resource: arn:aws:s3:::home-${aws:username}
    /// ```
    ///
    /// ## Fix
    /// Add the version before `Statement`:
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement: …
    /// ```
    pub struct MissingPolicyVersion {
        name: "missing-policy-version",
        code: "I003",
        severity: Warning,
        family: Iam,
        summary: "A policy document without Version (read as the 2008-10-17 language)",
    }
}

impl Rule for MissingPolicyVersion {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            // An event bus policy statement has no document to hold a `Version`.
            if policy.version.is_some() || policy.statement_only {
                continue;
            }
            // A document without `Statement` either is not one (missing-policy-element says
            // so) or is broken in a bigger way.
            let Some(statement) = policy.statement else {
                continue;
            };
            let span = super::edits::value_span(statement.key, ctx.source);
            let version = key_value("Version", "\"2012-10-17\"", ctx.is_json());
            let diagnostic = match first_policy_variable(policy.node) {
                Some(variable) => Diagnostic::new(
                    &Self::META,
                    span,
                    format!(
                        "{} has no `Version`, so IAM reads it as the 2008-10-17 language and \
                         leaves the policy variable `{variable}` unreplaced",
                        policy.describe()
                    ),
                )
                .with_help(format!("add `{version}` next to `Statement`")),
                None => Diagnostic::new(
                    &Self::META,
                    span,
                    format!(
                        "{} has no `Version` (IAM reads it as the 2008-10-17 language)",
                        policy.describe()
                    ),
                )
                .with_help(format!(
                    "add `{version}` next to `Statement`; this document grants the same under \
                     both, but policy variables such as `${{aws:username}}` only work with \
                     2012-10-17"
                ))
                .with_severity(Severity::Info),
            };
            out.push(diagnostic);
        }
    }
}

/// The first IAM policy variable (`${aws:username}`, `${s3:prefix}`) in the document's text. A
/// `!Sub` writes one as `${!aws:username}`; `${AWS::Region}` (two colons) is a `!Sub` variable.
fn first_policy_variable(node: &Node) -> Option<String> {
    policy_variables(node, 1).into_iter().next()
}

/// The distinct IAM policy variables of the document, in order, at most `limit`.
pub(super) fn policy_variables(node: &Node, limit: usize) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    node.walk(&mut |n| {
        if found.len() >= limit {
            return;
        }
        if let NodeKind::Scalar(_) = n.kind {
            for v in n.as_str().map(policy_variables_in).unwrap_or_default() {
                if found.len() < limit && !found.contains(&v) {
                    found.push(v);
                }
            }
        }
    });
    found
}

#[cfg(test)]
fn policy_variable_in(text: &str) -> Option<String> {
    policy_variables_in(text).into_iter().next()
}

fn policy_variables_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        let after = &rest[at + 2..];
        let name = after.strip_prefix('!').unwrap_or(after);
        let Some(end) = name.find('}') else {
            break;
        };
        let inner = &name[..end];
        if let Some((prefix, key)) = inner.split_once(':') {
            let is_service = !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if is_service && !key.is_empty() && !key.starts_with(':') {
                out.push(format!("${{{inner}}}"));
            }
        }
        rest = &after[end.min(after.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::policy_variable_in;

    #[test]
    fn finds_policy_variables_but_not_sub_variables() {
        assert_eq!(
            policy_variable_in("arn:aws:s3:::home/${aws:username}/*").as_deref(),
            Some("${aws:username}")
        );
        assert_eq!(
            policy_variable_in("arn:${AWS::Partition}:s3:::b/${!aws:userid}").as_deref(),
            Some("${aws:userid}")
        );
        assert_eq!(
            policy_variable_in("arn:${AWS::Partition}:s3:::${Bucket}"),
            None
        );
        assert_eq!(policy_variable_in("${Bucket.Arn}/*"), None);
    }
}
