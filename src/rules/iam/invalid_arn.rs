use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::arn::ResourceArn;
use crate::rules::{FileContext, Rule};
use crate::template::StringPart;

declare_rule! {
    /// ## What it does
    /// Reports a `Resource`/`NotResource` item that is not a valid ARN: text without the
    /// `arn:<partition>:` prefix (`s3:::bucket`), fewer than six `:`-separated fields, an unknown
    /// partition, an account that is not 12 digits, a region or account where the service's
    /// ARNs have none (S3 bucket and object ARNs, IAM ARNs), or an empty region or account
    /// where the resource type needs one (`arn:aws:iam:::role/x`, `arn:aws:sqs:::orders`).
    ///
    /// Parts written with `!Sub`, `!Ref`, `!GetAtt` or `!Join` are taken as what they stand
    /// for; only what the template spells out is checked.
    ///
    /// ## Why it matters
    /// IAM rejects some malformed ARNs when the policy is created and silently accepts others
    /// that then match nothing, so the statement grants nothing.
    ///
    /// ## Example
    /// ```yaml
    /// Resource:
    ///   - s3:::my-bucket
    ///   - arn:aws:s3:us-east-1::my-bucket/*
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Resource:
    ///   - arn:aws:s3:::my-bucket
    ///   - arn:aws:s3:::my-bucket/*
    /// ```
    pub struct InvalidArn {
        name: "invalid-arn",
        code: "I023",
        severity: Error,
        family: Iam,
        summary: "A resource that is not a valid ARN",
    }
}

impl Rule for InvalidArn {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for statement in &policy.statements {
                let lists = [&statement.resource, &statement.not_resource];
                for item in lists.into_iter().flatten().flat_map(|l| &l.items) {
                    // API Gateway resource policies abbreviate their own ARNs this way.
                    if abbreviates_execute_api(&item.value.parts) {
                        continue;
                    }
                    let parsed = item.resource(ctx.template);
                    let problem = match (&parsed.arn, &parsed.problem) {
                        (ResourceArn::Malformed(p), _) | (ResourceArn::Arn(_), Some(p)) => {
                            p.clone()
                        }
                        _ => continue,
                    };
                    let span = if problem.span.is_empty() {
                        item.span
                    } else {
                        problem.span
                    };
                    out.push(
                        Diagnostic::new(&Self::META, span, problem.message).with_help(problem.help),
                    );
                }
            }
        }
    }
}

/// Whether the value starts with `execute-api:` (any case), reading only its leading literal
/// pieces: `!Join [':', [execute-api, '/*']]` spells it across several.
fn abbreviates_execute_api(parts: &[StringPart]) -> bool {
    const PREFIX: &str = "execute-api:";
    let mut head = String::new();
    for part in parts {
        let StringPart::Literal { text, .. } = part else {
            break;
        };
        head.push_str(text);
        if head.len() >= PREFIX.len() {
            break;
        }
    }
    head.get(..PREFIX.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn literal(text: &str) -> StringPart<'static> {
        StringPart::Literal {
            text: text.to_string(),
            span: Span::default(),
        }
    }

    #[test]
    fn execute_api_abbreviation_is_found_across_literal_pieces() {
        assert!(abbreviates_execute_api(&[literal("execute-api:/*")]));
        assert!(abbreviates_execute_api(&[
            literal("Execute-API"),
            literal(":/*/GET/")
        ]));
        assert!(abbreviates_execute_api(&[
            literal("execute"),
            literal("-api"),
            literal(":"),
            literal("/*")
        ]));
        assert!(!abbreviates_execute_api(&[literal("execute-api")]));
        assert!(!abbreviates_execute_api(&[literal(
            "arn:aws:execute-api:*"
        )]));
        assert!(!abbreviates_execute_api(&[]));
    }
}
