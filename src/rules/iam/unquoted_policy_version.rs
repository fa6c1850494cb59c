use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{FileContext, Rule};
use crate::yaml::ScalarStyle;

declare_rule! {
    /// ## What it does
    /// Reports a policy `Version` written as an unquoted date, such as `Version: 2012-10-17`,
    /// and offers to quote it. The rule is opt-in: most templates write the version unquoted
    /// and deploy fine, so it runs only when selected by name, e.g.
    /// `cfn-policy-lint check --select all,unquoted-policy-version --fix`.
    ///
    /// ## Why it matters
    /// CloudFormation reads the unquoted value as the string `2012-10-17`, so the stack deploys.
    /// Most other YAML tools follow YAML 1.1 and read it as a date: converting the template to
    /// JSON, or running it through a generator or formatter built on such a library, turns it
    /// into `2012-10-17T00:00:00.000Z`, and IAM then rejects the policy as malformed. Quoting
    /// costs nothing and keeps the template portable.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: 2012-10-17
    ///   Statement: []
    /// ```
    ///
    /// ## Fix
    /// Quote the version (`--fix` does it):
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    /// ```
    pub struct UnquotedPolicyVersion {
        name: "unquoted-policy-version",
        code: "I016",
        severity: Info,
        family: Iam,
        summary: "A policy Version written as an unquoted date, which YAML 1.1 tools read as a date",
        opt_in: true,
    }
}

/// `YYYY-MM-DD`: the shape YAML 1.1 resolves to a timestamp.
fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

impl Rule for UnquotedPolicyVersion {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            let Some(version) = policy.version else {
                continue;
            };
            let node = version.value;
            let Some(scalar) = node.as_scalar() else {
                continue;
            };
            if scalar.style != ScalarStyle::Plain
                || node.tag.is_some()
                || !looks_like_date(&scalar.value)
            {
                continue;
            }
            // Only where the bytes are the value itself: a document read from a JSON string
            // has no unquoted YAML scalars of its own.
            if ctx.source.text.get(node.span.start..node.span.end) != Some(scalar.value.as_str()) {
                continue;
            }
            let text = &scalar.value;
            out.push(
                Diagnostic::new(
                    &Self::META,
                    node.span,
                    format!(
                        "`Version: {text}` is unquoted: CloudFormation reads it as a string, but \
                         YAML 1.1 tools (JSON converters, formatters) read it as a date"
                    ),
                )
                .with_help(format!("quote it: `Version: \"{text}\"`"))
                .with_fix(Fix {
                    description: format!("quote `{text}`"),
                    edits: vec![Edit {
                        span: node.span,
                        replacement: format!("\"{text}\""),
                    }],
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_date;

    #[test]
    fn only_the_yyyy_mm_dd_shape_is_a_date() {
        assert!(looks_like_date("2012-10-17"));
        assert!(looks_like_date("2008-10-17"));
        assert!(!looks_like_date("2012-10-1"));
        assert!(!looks_like_date("2012/10/17"));
        assert!(!looks_like_date("v2012-10-1"));
    }
}
