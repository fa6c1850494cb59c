use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{Policy, PolicyKind, Statement};
use crate::rules::{FileContext, Rule};
use crate::source::Span;
use crate::suggest::closest;
use crate::template::{alternatives, intrinsic, is_no_value, Call};
use crate::yaml::{Entry, Node};

declare_rule! {
    /// ## What it does
    /// Reports a policy document without `Statement`, and a statement without an element it
    /// needs: `Effect`; `Action` or `NotAction`; `Resource` or `NotResource` in an identity
    /// policy; `Principal` or `NotPrincipal` in a resource or trust policy. An element whose
    /// `Fn::If` branch is `!Ref AWS::NoValue` is missing in that branch: the finding points at
    /// the `AWS::NoValue` and names the condition.
    ///
    /// ## Why it matters
    /// IAM rejects the document, so the stack fails to deploy.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     - Effect: Allow
    ///       Action: s3:GetObject
    /// ```
    ///
    /// ## Fix
    /// Add the missing element:
    /// ```yaml
    ///     - Effect: Allow
    ///       Action: s3:GetObject
    ///       Resource: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
    /// ```
    pub struct MissingPolicyElement {
        name: "missing-policy-element",
        code: "I005",
        severity: Error,
        family: Iam,
        summary: "A policy or statement lacking a required element",
    }
}

/// Where an element is missing: nowhere (it is there in every branch), everywhere (not
/// written), or where a `!Ref AWS::NoValue` branch removes it.
enum Absence<'a> {
    Present,
    Absent,
    Removed(&'a Node),
}

/// Whether the element `name` (and its `Not` twin, when given) is there, considering the
/// `AWS::NoValue` branches that remove it.
fn absence<'a>(entries: &'a [Entry], name: &str, twin: Option<&str>) -> Absence<'a> {
    let find = |n: &str| entries.iter().find(|e| e.key.as_str() == Some(n));
    let mut removed = None;
    for n in std::iter::once(name).chain(twin) {
        if let Some(entry) = find(n) {
            match removed_by(&entry.value) {
                None => return Absence::Present,
                Some(node) => removed = removed.or(Some(node)),
            }
        }
    }
    removed.map_or(Absence::Absent, Absence::Removed)
}

/// The `!Ref AWS::NoValue` that removes a value in some branch: the value itself chooses it
/// (`!If [C, x, !Ref AWS::NoValue]`), or every item of a list does so on the same condition.
fn removed_by(value: &Node) -> Option<&Node> {
    if let Some(no_value) = alternatives(value).into_iter().find(|n| is_no_value(n)) {
        return Some(no_value);
    }
    let items = value.as_sequence().filter(|_| value.tag.is_none())?;
    let mut common: Option<Vec<(&str, bool, &Node)>> = None;
    for item in items {
        let here = no_value_branches(item);
        common = Some(match common {
            None => here,
            Some(before) => before
                .into_iter()
                .filter(|(c, w, _)| here.iter().any(|(c2, w2, _)| c == c2 && w == w2))
                .collect(),
        });
    }
    common?.first().map(|(_, _, node)| *node)
}

/// The branches of a direct `Fn::If` that are `AWS::NoValue`: condition, branch, the node.
fn no_value_branches(item: &Node) -> Vec<(&str, bool, &Node)> {
    match intrinsic(item).map(|i| i.call) {
        Some(Call::If {
            condition,
            then,
            otherwise,
        }) => [(then, true), (otherwise, false)]
            .into_iter()
            .filter(|(n, _)| is_no_value(n))
            .map(|(n, when)| (condition.text, when, n))
            .collect(),
        _ => Vec::new(),
    }
}

impl MissingPolicyElement {
    fn statement(policy: &Policy<'_>, st: &Statement<'_>, json: bool, out: &mut Vec<Diagnostic>) {
        if st.node.as_mapping().is_none() || intrinsic(st.node).is_some() {
            return;
        }
        let mut missing: Vec<(&str, String, Option<&Node>)> = Vec::new();
        let mut check = |what: &'static str, twin: Option<&str>, help: &dyn Fn() -> String| {
            let name = what.trim_matches('`');
            match absence(st.entries, name, twin) {
                Absence::Present => {}
                Absence::Absent => missing.push((what, help(), None)),
                Absence::Removed(node) => missing.push((what, help(), Some(node))),
            }
        };
        check("`Effect`", None, &|| {
            let (allow, deny) = if json {
                ("\"Effect\": \"Allow\"", "\"Effect\": \"Deny\"")
            } else {
                ("Effect: Allow", "Effect: Deny")
            };
            format!("add `{allow}` or `{deny}`")
        });
        check("`Action`", Some("NotAction"), &|| {
            "add `Action` with the actions the statement covers".to_string()
        });
        match policy.kind {
            PolicyKind::Identity => check("`Resource`", Some("NotResource"), &|| {
                "add `Resource` with the ARNs the actions apply to (`\"*\"` only for actions \
                 that take no resource)"
                    .to_string()
            }),
            PolicyKind::Resource | PolicyKind::Trust => {
                check("`Principal`", Some("NotPrincipal"), &|| {
                    let example = if json {
                        "\"Principal\": {\"Service\": \"lambda.amazonaws.com\"}"
                    } else {
                        "Principal: {Service: lambda.amazonaws.com}"
                    };
                    format!("add `Principal` naming who the statement applies to, e.g. `{example}`")
                })
            }
            PolicyKind::Endpoint => {}
        }
        for (what, help, removed) in missing {
            // A misspelt element (`Actions`) is invalid-policy-element's finding, with the
            // name it meant: one mistake, one diagnostic.
            let name = what.trim_matches('`');
            let misspelt = st.entries.iter().any(|e| {
                e.key
                    .as_str()
                    .is_some_and(|k| closest(k, [name, &format!("Not{name}")]).is_some())
            });
            if misspelt {
                continue;
            }
            let kind = if what == "`Resource`" || what == "`Principal`" {
                let article = if policy.kind == PolicyKind::Identity {
                    "an"
                } else {
                    "a"
                };
                format!(" (required in {article} {} policy)", policy.kind.as_str())
            } else {
                String::new()
            };
            // Where `AWS::NoValue` removes the element, point at it: the finding then names
            // the condition of that branch.
            let diagnostic = match removed {
                None => Diagnostic::new(
                    &MissingPolicyElement::META,
                    st.node.span,
                    format!("statement has no {what}{kind}"),
                )
                .with_help(help),
                Some(node) => Diagnostic::new(
                    &MissingPolicyElement::META,
                    tagged_span(node),
                    format!("`AWS::NoValue` leaves the statement with no {what}{kind}"),
                )
                .with_help(format!(
                    "{help}, or give the branch a value instead of `AWS::NoValue`"
                )),
            };
            out.push(diagnostic);
        }
    }
}

/// A node's span including its tag (`!Ref AWS::NoValue` from the `!`).
fn tagged_span(node: &Node) -> Span {
    node.tag
        .as_ref()
        .map_or(node.span, |t| t.span.cover(node.span))
}

impl Rule for MissingPolicyElement {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            let Some(statement) = policy.statement else {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        policy.node.span,
                        format!("{} has no `Statement`", policy.describe()),
                    )
                    .with_help("add `Statement:` with a list of statements"),
                );
                continue;
            };
            if let Some(node) = removed_by(statement.value) {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        tagged_span(node),
                        format!(
                            "`AWS::NoValue` leaves {} with no `Statement`",
                            policy.describe()
                        ),
                    )
                    .with_help(
                        "give the branch a statement, or make the whole policy conditional \
                         instead",
                    ),
                );
            }
            for st in &policy.statements {
                Self::statement(policy, st, ctx.is_json(), out);
            }
        }
    }
}
