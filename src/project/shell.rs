//! Policy names in shell commands: ARNs anywhere in a command (`--policy-arn`, `crudini …
//! additional_iam_policies "arn…"`, `echo additional_iam_policies=…`), names looked up with
//! `aws iam list-policies --query '…PolicyName==`NAME`…'`, and names defined with
//! `aws iam create-policy --policy-name NAME`.
//!
//! Commands are read line by line with backslash continuations joined; no shell grammar is
//! needed to find these, and a line the reader does not understand contributes nothing.

use super::names::find_policy_arns;
use super::{Definition, DefinitionSource, Facts, NamePattern, PolicyRef, RefForm};
use crate::source::Span;
use regex::Regex;
use std::sync::OnceLock;

fn query_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // JMESPath literals: `NAME` (backticks, escaped as \` inside a backtick substitution) or a
    // raw string 'NAME'.
    RE.get_or_init(|| {
        Regex::new(r#"PolicyName\s*==\s*(?:\\?`|')(?P<name>[A-Za-z0-9+=,.@_-]+)(?:\\?`|')"#)
            .expect("valid list-policies query pattern")
    })
}

fn create_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"--policy-name(?:=|\s+)["']?(?P<name>[A-Za-z0-9+=,.@_-]+)"#)
            .expect("valid create-policy pattern")
    })
}

/// The facts of a script (or a Markdown code block's text). Spans are offsets into `text`.
pub fn shell_facts(text: &str) -> Facts {
    let mut facts = Facts::default();
    for command in crate::source::shell_commands(text) {
        let line = &text[command.clone()];
        let at = |start: usize, end: usize| Span::new(command.start + start, command.start + end);
        for m in find_policy_arns(line) {
            if m.templated {
                continue;
            }
            facts.references.push(PolicyRef {
                name: m.name,
                span: at(m.name_range.start, m.name_range.end),
                form: RefForm::Arn {
                    account: m.account,
                    path: m.path,
                    path_and_name: at(m.path_and_name.start, m.path_and_name.end),
                },
            });
        }
        if line.contains("list-policies") {
            for caps in query_regex().captures_iter(line) {
                if let Some(name) = caps.name("name") {
                    facts.references.push(PolicyRef {
                        name: name.as_str().to_string(),
                        span: at(name.start(), name.end()),
                        form: RefForm::Query,
                    });
                }
            }
        }
        if line.contains("create-policy") {
            for caps in create_regex().captures_iter(line) {
                let Some(name) = caps.name("name") else {
                    continue;
                };
                // `--policy-name ssm-$SUFFIX`: only part of the name is written here.
                let next = line[name.end()..].chars().next();
                if next.is_some_and(|c| !c.is_whitespace() && c != '"' && c != '\'') {
                    continue;
                }
                facts.definitions.push(Definition {
                    name: NamePattern::literal(name.as_str()),
                    span: at(name.start(), name.end()),
                    source: DefinitionSource::Command,
                });
            }
        }
    }
    facts
}

/// Byte ranges of the logical command lines of `text`: physical lines joined by a trailing
/// backslash, comment lines left out.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_queries_arns_and_definitions() {
        let text = "# aws iam get-policy --policy-arn arn:aws:iam::1:policy/commented\n\
                    CLUSTER_IAM_POLICY=`aws iam list-policies --query 'Policies[?PolicyName==\\`pclusterSSM\\`].Arn' --output text`\n\
                    aws iam attach-role-policy --role-name r \\\n  --policy-arn arn:aws:iam::$ACCOUNT:policy/team/ssm\n\
                    aws iam create-policy --policy-name lambda-exec --policy-document file://p.json\n\
                    aws iam create-policy --policy-name ssm-$SUFFIX\n";
        let facts = shell_facts(text);
        let names: Vec<_> = facts.references.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["pclusterSSM", "ssm"]);
        assert_eq!(facts.references[0].form, RefForm::Query);
        let r = &facts.references[0];
        assert_eq!(&text[r.span.start..r.span.end], "pclusterSSM");
        assert_eq!(facts.definitions.len(), 1);
        let d = &facts.definitions[0];
        assert_eq!(&text[d.span.start..d.span.end], "lambda-exec");
    }
}
