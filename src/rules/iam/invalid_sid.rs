use super::edits::{literal, replace_value, value_span};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::PolicyKind;
use crate::rules::iam::support::key_value;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Sid` with characters other than ASCII letters and digits in an IAM policy
    /// (identity and trust policies). Resource policies of other services (S3, SQS, SNS,
    /// KMS …) accept spaces and punctuation and are not checked.
    ///
    /// ## Why it matters
    /// IAM rejects the document ("Statement IDs (SID) must be alpha-numeric"), so the stack
    /// fails.
    ///
    /// ## Example
    /// ```yaml
    /// - Sid: read-config_files
    ///   Effect: Allow
    /// ```
    ///
    /// ## Fix
    /// Keep letters and digits only (the rule offers the edit):
    /// ```yaml
    /// - Sid: ReadConfigFiles
    /// ```
    pub struct InvalidSid {
        name: "invalid-sid",
        code: "I007",
        severity: Error,
        family: Iam,
        summary: "An IAM policy Sid with characters other than letters and digits",
    }
}

/// `read-config_files` → `ReadConfigFiles`: the words kept, each capitalised.
fn alphanumeric(sid: &str) -> String {
    sid.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

impl Rule for InvalidSid {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if !matches!(policy.kind, PolicyKind::Identity | PolicyKind::Trust) {
                continue;
            }
            for st in &policy.statements {
                let Some(sid) = st.sid else { continue };
                let Some(text) = literal(sid.value) else {
                    continue;
                };
                if text.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    continue;
                }
                let fixed = alphanumeric(text);
                let mut d = Diagnostic::new(
                    &Self::META,
                    value_span(sid.value, ctx.source),
                    format!("Sid `{text}` may only contain letters and digits"),
                );
                if fixed.is_empty() {
                    d = d.with_help("use ASCII letters and digits only, or remove the Sid");
                } else {
                    let value = if ctx.is_json() {
                        format!("\"{fixed}\"")
                    } else {
                        fixed.clone()
                    };
                    d = d.with_help(format!(
                        "write `{}`",
                        key_value("Sid", &value, ctx.is_json())
                    ));
                    if let Some(fix) = replace_value(
                        sid.value,
                        ctx.source,
                        &fixed,
                        format!("replace the Sid with `{fixed}`"),
                    ) {
                        d = d.with_fix(fix);
                    }
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_words() {
        assert_eq!(super::alphanumeric("read-config_files"), "ReadConfigFiles");
        assert_eq!(super::alphanumeric("Allow S3 access"), "AllowS3Access");
        assert_eq!(super::alphanumeric("--"), "");
    }
}
