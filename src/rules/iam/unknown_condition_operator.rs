use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;
use crate::template::spans::whole_value_span;

declare_rule! {
    /// ## What it does
    /// Reports a `Condition` operator IAM does not have, such as `StringEqual` or
    /// `ForAnyValues:StringLike`, with the closest real one. Every operator may carry the
    /// `IfExists` suffix (except `Null`) and the `ForAllValues:`/`ForAnyValue:` prefix.
    ///
    /// ## Why it matters
    /// IAM rejects a policy with an unknown operator when it is created, so the stack fails to
    /// deploy — or, in a resource policy of some services, the condition is ignored.
    ///
    /// ## Example
    /// ```yaml
    /// Condition:
    ///   StringEqual:
    ///     aws:PrincipalOrgID: o-a1b2c3d4e5
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Condition:
    ///   StringEquals:
    ///     aws:PrincipalOrgID: o-a1b2c3d4e5
    /// ```
    pub struct UnknownConditionOperator {
        name: "unknown-condition-operator",
        code: "I028",
        severity: Error,
        family: Iam,
        summary: "A `Condition` operator IAM does not have",
    }
}

/// Every IAM condition operator, without `IfExists` and set prefixes.
pub const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
    "Null",
];

const SET_PREFIXES: &[&str] = &["ForAllValues:", "ForAnyValue:"];

/// Whether `name` is an operator: an operator, optionally `IfExists`, optionally prefixed.
pub fn is_operator(name: &str) -> bool {
    let base = SET_PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name);
    if OPERATORS.contains(&base) {
        return true;
    }
    base.strip_suffix("IfExists")
        .is_some_and(|b| b != "Null" && OPERATORS.contains(&b))
}

/// The operator `name` most likely means, keeping a correct prefix and suffix.
fn suggestion(name: &str) -> Option<String> {
    let (prefix, rest) = match name.split_once(':') {
        Some((p, rest)) => {
            let wanted = format!("{p}:");
            let fixed = SET_PREFIXES
                .iter()
                .find(|s| s.eq_ignore_ascii_case(&wanted))
                .map(|s| s.to_string())
                .or_else(|| closest(&wanted, SET_PREFIXES.iter().copied()).map(str::to_string))?;
            (fixed, rest)
        }
        None => (String::new(), name),
    };
    let (base, suffix) = match rest.len().checked_sub(8) {
        Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..cut], "IfExists")
        }
        _ => (rest, ""),
    };
    let fixed = if OPERATORS.contains(&base) {
        base
    } else {
        closest(base, OPERATORS.iter().copied())?
    };
    let candidate = format!("{prefix}{fixed}{suffix}");
    is_operator(&candidate).then_some(candidate)
}

impl Rule for UnknownConditionOperator {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for statement in &policy.statements {
                let Some(condition) = &statement.condition else {
                    continue;
                };
                for operator in &condition.operators {
                    if is_operator(operator.name) {
                        continue;
                    }
                    let help = match suggestion(operator.name) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "use an IAM condition operator such as `StringEquals`, \
                                 `StringLike`, `ArnLike`, `Bool` or `IpAddress`"
                            .to_string(),
                    };
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            whole_value_span(operator.key, &ctx.source.text),
                            format!("`{}` is not an IAM condition operator", operator.name),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_with_prefixes_and_suffixes() {
        assert!(is_operator("StringEquals"));
        assert!(is_operator("ForAnyValue:StringLikeIfExists"));
        assert!(is_operator("ArnLikeIfExists"));
        assert!(!is_operator("NullIfExists"));
        assert!(!is_operator("StringEqual"));
        assert_eq!(suggestion("StringEqual").as_deref(), Some("StringEquals"));
        assert_eq!(
            suggestion("ForAnyValues:StringLike").as_deref(),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(
            suggestion("stringequalsifexists").as_deref(),
            Some("StringEqualsIfExists")
        );
    }
}
