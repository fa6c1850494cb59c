use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::extract::{is_string_host, json_problem, locate};
use crate::iam::{Policy, PolicyKind, Statement};
use crate::rules::{FileContext, Rule};
use crate::source::Span;
use crate::template::intrinsic::unknown_function_key;
use crate::template::spans::whole_value_span;
use crate::template::{alternatives, intrinsic, is_no_value};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Reports a policy document, statement or element of the wrong type or shape, as the IAM
    /// policy grammar defines them: a `PolicyDocument` that is a list; a policy written as a
    /// string that is not a JSON object (pointing at the byte where reading it fails, inside the
    /// string); `Statement` that is not a statement or a list of statements; an `Action`,
    /// `NotAction`, `Resource` or `NotResource` item that is not a string; a `Principal` that is
    /// neither `"*"` nor a mapping of principal types to strings (`Principal: arn:…` is such a
    /// case); a `Condition` that is not a mapping of operators to mappings of keys to values;
    /// `Version`, `Id`, `Sid` or `Effect` that is not a string.
    ///
    /// Intrinsic functions (`!Ref`, `!GetAtt`, `!Sub`, `!If` …) are values this program cannot
    /// see into: they are never reported.
    ///
    /// ## Why it matters
    /// IAM rejects the document (`MalformedPolicyDocument`), so the stack fails to deploy, and
    /// until it is fixed no other check can tell what the policy grants.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     Effect: Allow
    ///     Principal: arn:aws:iam::111122223333:root
    ///     Action: sqs:SendMessage
    ///     Resource:
    ///       - Fn: arn:aws:sqs:us-east-1:111122223333:orders
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     Effect: Allow
    ///     Principal:
    ///       AWS: arn:aws:iam::111122223333:root
    ///     Action: sqs:SendMessage
    ///     Resource:
    ///       - arn:aws:sqs:us-east-1:111122223333:orders
    /// ```
    pub struct MalformedPolicy {
        name: "malformed-policy",
        code: "I030",
        severity: Error,
        family: Iam,
        summary: "A policy document, statement or element of the wrong type or shape",
    }
}

/// A value this program cannot see into: an intrinsic function, a tag, `AWS::NoValue`.
fn opaque(node: &Node) -> bool {
    node.tag.is_some()
        || intrinsic(node).is_some()
        || unknown_function_key(node).is_some()
        || is_no_value(node)
}

/// What a node is, in the words of the policy grammar.
fn kind_of(node: &Node) -> &'static str {
    if node.as_mapping().is_some() {
        "a mapping"
    } else if node.as_sequence().is_some() {
        "a list"
    } else {
        "a string"
    }
}

/// The values a node may take (every `Fn::If` branch), without the opaque ones.
fn seen_values(node: &Node) -> impl Iterator<Item = &Node> {
    alternatives(node).into_iter().filter(|n| !opaque(n))
}

struct Report<'c, 'f> {
    ctx: &'c FileContext<'f>,
    out: &'c mut Vec<Diagnostic>,
    /// Branches of one `Fn::If` can share nodes: each is reported once.
    seen: HashSet<Span>,
}

impl Report<'_, '_> {
    fn push(&mut self, node: &Node, message: String, help: &str) {
        let span = whole_value_span(node, &self.ctx.source.text);
        if self.seen.insert(span) {
            self.out.push(
                Diagnostic::new(&MalformedPolicy::META, span, message).with_help(help.to_string()),
            );
        }
    }

    /// A value that must be a string.
    fn string(&mut self, name: &str, value: &Node) {
        for v in seen_values(value) {
            if v.as_scalar().is_none() {
                self.push(
                    v,
                    format!("`{name}` must be a string, not {}", kind_of(v)),
                    "write a single string value",
                );
            }
        }
    }

    /// A value that must be a string or a list of strings.
    fn strings(&mut self, name: &str, value: &Node, example: &str) {
        let help = format!("write a string or a list of strings, e.g. `{example}`");
        for v in seen_values(value) {
            match v.as_sequence() {
                Some(items) => {
                    for item in items.iter().flat_map(seen_values) {
                        if item.as_scalar().is_none() {
                            self.push(
                                item,
                                format!(
                                    "each item of `{name}` must be a string, not {}",
                                    kind_of(item)
                                ),
                                &help,
                            );
                        }
                    }
                }
                None if v.as_mapping().is_some() => self.push(
                    v,
                    format!("`{name}` must be a string or a list of strings, not a mapping"),
                    &help,
                ),
                None => {}
            }
        }
    }

    fn document(&mut self, policy: &Policy<'_>) {
        for element in [policy.version, policy.id].into_iter().flatten() {
            self.string(element.name(), element.value);
        }
        let Some(statement) = policy.statement else {
            return;
        };
        let help = "write a statement (a mapping with `Effect`, `Action`, …) or a list of them";
        for v in seen_values(statement.value) {
            match v.as_sequence() {
                Some(items) => {
                    for item in items.iter().flat_map(seen_values) {
                        if item.as_mapping().is_none() {
                            self.push(
                                item,
                                format!("a statement must be a mapping, not {}", kind_of(item)),
                                help,
                            );
                        }
                    }
                }
                None if v.as_scalar().is_some() => self.push(
                    v,
                    "`Statement` must be a statement or a list of statements, not a string"
                        .to_string(),
                    help,
                ),
                None => {}
            }
        }
    }

    fn statement(&mut self, kind: PolicyKind, st: &Statement<'_>) {
        for element in [st.sid, st.effect].into_iter().flatten() {
            self.string(element.name(), element.value);
        }
        for list in [&st.action, &st.not_action].into_iter().flatten() {
            self.strings(
                list.element.name(),
                list.element.value,
                "[s3:GetObject, s3:PutObject]",
            );
        }
        for list in [&st.resource, &st.not_resource].into_iter().flatten() {
            self.strings(
                list.element.name(),
                list.element.value,
                "arn:aws:s3:::my-bucket/*",
            );
        }
        // In an identity policy any principal is `principal-in-identity-policy`'s finding.
        if kind != PolicyKind::Identity {
            for block in [&st.principal, &st.not_principal].into_iter().flatten() {
                self.principal(block.element.name(), block.element.value);
            }
        }
        if let Some(condition) = &st.condition {
            self.condition(condition.element.value);
        }
    }

    fn principal(&mut self, name: &str, value: &Node) {
        let help = "write `\"*\"` or a mapping of principal types to principals, e.g. \
                    `{AWS: arn:aws:iam::111122223333:root}` or `{Service: sns.amazonaws.com}`";
        for v in seen_values(value) {
            if let Some(entries) = v.as_mapping() {
                for e in entries {
                    let kind = e.key.as_str().unwrap_or("");
                    let example = match kind {
                        "Service" => "sns.amazonaws.com",
                        "Federated" => "arn:aws:iam::111122223333:saml-provider/corp",
                        _ => "arn:aws:iam::111122223333:root",
                    };
                    self.strings(&format!("{name}.{kind}"), &e.value, example);
                }
            } else if let Some(text) = v.as_str() {
                if text != "*" {
                    self.push(
                        v,
                        format!(
                            "a `{name}` written as a string must be `\"*\"`; `{text}` needs its \
                             principal type"
                        ),
                        &principal_help(text),
                    );
                }
            } else {
                self.push(
                    v,
                    format!("`{name}` must be `\"*\"` or a mapping, not a list"),
                    help,
                );
            }
        }
    }

    fn condition(&mut self, value: &Node) {
        let help = "write `Condition:` as operator → key → value(s), e.g. \
                    `StringEquals: {aws:SourceAccount: \"111122223333\"}`";
        for v in seen_values(value) {
            let Some(operators) = v.as_mapping() else {
                self.push(
                    v,
                    format!(
                        "`Condition` must be a mapping of operators, not {}",
                        kind_of(v)
                    ),
                    help,
                );
                continue;
            };
            for op in operators {
                let name = op.key.as_str().unwrap_or("");
                for ov in seen_values(&op.value) {
                    let Some(keys) = ov.as_mapping() else {
                        self.push(
                            ov,
                            format!(
                                "`{name}` must map condition keys to values, not be {}",
                                kind_of(ov)
                            ),
                            help,
                        );
                        continue;
                    };
                    for key in keys {
                        let key_name = key.key.as_str().unwrap_or("");
                        self.strings(key_name, &key.value, "[value1, value2]");
                    }
                }
            }
        }
    }
}

/// The principal type a plain-string principal most likely needed.
fn principal_help(text: &str) -> String {
    let kind = if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
        "Service"
    } else if text.contains(":saml-provider/") || text.contains(":oidc-provider/") {
        "Federated"
    } else if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        "CanonicalUser"
    } else {
        "AWS"
    };
    format!("write `Principal: {{{kind}: {text}}}`")
}

impl Rule for MalformedPolicy {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut report = Report {
            ctx,
            out,
            seen: HashSet::new(),
        };
        // Where a document should be but none could be read: a list, or a string that is not
        // a JSON object.
        if let Some(template) = ctx.template {
            for location in locate(template) {
                if location.statement_only {
                    continue;
                }
                for host in alternatives(location.host) {
                    if is_string_host(host) {
                        if let Some(problem) = json_problem(host, &ctx.source.text) {
                            if report.seen.insert(problem.span) {
                                report.out.push(
                                    Diagnostic::new(&Self::META, problem.span, problem.message)
                                        .with_help(
                                            "write the document as YAML (a mapping), or as one \
                                             JSON object in the string",
                                        ),
                                );
                            }
                        }
                    } else if host.as_sequence().is_some() && !opaque(host) {
                        report.push(
                            host,
                            "a policy document must be a mapping, not a list".to_string(),
                            "remove the list around the document: `PolicyDocument:` holds one \
                             document with `Version` and `Statement`",
                        );
                    }
                }
            }
        }
        let mut statements = HashSet::new();
        for policy in ctx.policies() {
            report.document(policy);
            for st in &policy.statements {
                if st.node.as_mapping().is_some() && statements.insert(std::ptr::from_ref(st.node))
                {
                    report.statement(policy.kind, st);
                }
            }
        }
    }
}
