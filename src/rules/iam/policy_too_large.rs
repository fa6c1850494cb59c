use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{AttachTarget, IdentityKind, Policy, PolicyKind};
use crate::rules::{FileContext, Rule};
use crate::template::{intrinsic, is_no_value, string_template, Call};
use crate::yaml::{Node, NodeKind, Resolved};

declare_rule! {
    /// ## What it does
    /// Reports a managed policy over 6,144 characters, and a role whose inline policies
    /// (its `Policies`, `AWS::IAM::RolePolicy` and `AWS::IAM::Policy` resources attached to
    /// it, SAM inline statements) total over 10,240 characters (users: 2,048; groups: 5,120).
    /// Sizes are counted as IAM counts them: the JSON document without whitespace. Values
    /// computed by intrinsic functions count only their literal text, so the size is a lower
    /// bound ("at least").
    ///
    /// ## Why it matters
    /// IAM rejects a policy over its quota, so the stack fails, often only after most of it
    /// was created.
    ///
    /// ## Example
    /// A `AWS::IAM::ManagedPolicy` listing hundreds of individual actions and ARNs.
    ///
    /// ## Fix
    /// Use wildcards where they stay precise (`s3:Get*` on one bucket), merge statements that
    /// share resources, or split the permissions into several managed policies (a role can
    /// have up to 20 attached).
    pub struct PolicyTooLarge {
        name: "policy-too-large",
        code: "I015",
        severity: Error,
        family: Iam,
        summary: "A policy (or a role's inline policies) over the IAM size quota",
    }
}

const MANAGED_LIMIT: usize = 6_144;

fn inline_limit(kind: IdentityKind) -> usize {
    match kind {
        IdentityKind::Role => 10_240,
        IdentityKind::User => 2_048,
        IdentityKind::Group => 5_120,
    }
}

/// Characters of a value once CloudFormation has rendered it as JSON and IAM dropped the
/// whitespace; `exact` is false when some part is computed (then the count is a minimum).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Size {
    chars: usize,
    exact: bool,
}

fn json_string_len(text: &str) -> usize {
    2 + text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if matches!(c, '"' | '\\') { 2 } else { 1 })
        .sum::<usize>()
}

fn size(node: &Node, depth: usize) -> Size {
    if depth > 128 {
        return Size {
            chars: 0,
            exact: false,
        };
    }
    if let Some(i) = intrinsic(node) {
        return match i.call {
            Call::If {
                then, otherwise, ..
            } => {
                let branch = |n: &Node| {
                    if is_no_value(n) {
                        0
                    } else {
                        size(n, depth + 1).chars
                    }
                };
                Size {
                    chars: branch(then).min(branch(otherwise)),
                    exact: false,
                }
            }
            _ => {
                let literal: String = string_template(node, "")
                    .parts
                    .iter()
                    .filter_map(|p| match p {
                        crate::template::StringPart::Literal { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                Size {
                    chars: json_string_len(&literal),
                    exact: false,
                }
            }
        };
    }
    match &node.kind {
        NodeKind::Scalar(_) => {
            let chars = match node.resolved() {
                Some(Resolved::Str(s)) => json_string_len(s),
                // Numbers and booleans: their text, unquoted (the smaller of the renderings).
                _ => node
                    .as_str()
                    .map_or(0, |s| s.chars().filter(|c| !c.is_whitespace()).count()),
            };
            Size { chars, exact: true }
        }
        NodeKind::Sequence(items) => {
            let mut total = Size {
                chars: 2,
                exact: true,
            };
            let kept: Vec<&Node> = items.iter().filter(|n| !is_no_value(n)).collect();
            total.chars += kept.len().saturating_sub(1);
            for item in kept {
                let s = size(item, depth + 1);
                total.chars += s.chars;
                total.exact &= s.exact;
            }
            total
        }
        NodeKind::Mapping(entries) => {
            let mut total = Size {
                chars: 2,
                exact: true,
            };
            let kept: Vec<_> = entries.iter().filter(|e| !is_no_value(&e.value)).collect();
            total.chars += kept.len().saturating_sub(1);
            for e in kept {
                let key = e.key.as_str().map_or(2, json_string_len);
                let value = size(&e.value, depth + 1);
                total.chars += key + 1 + value.chars;
                total.exact &= value.exact;
            }
            total
        }
        NodeKind::Alias(_) => Size {
            chars: 0,
            exact: false,
        },
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn amount(s: Size) -> String {
    if s.exact {
        format!("{} characters", thousands(s.chars))
    } else {
        format!("at least {} characters", thousands(s.chars))
    }
}

/// An identity of the template, by kind and logical id.
type Identity<'a> = (IdentityKind, &'a str);
/// A policy with its size.
type Sized<'p, 'a> = (&'p Policy<'a>, Size);

fn anchor(policy: &Policy<'_>) -> crate::source::Span {
    policy.statement.map_or(policy.node.span, |s| s.key.span)
}

impl Rule for PolicyTooLarge {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut inline: Vec<(Identity<'_>, Vec<Sized<'_, '_>>)> = Vec::new();
        for policy in ctx.policies() {
            if policy.kind != PolicyKind::Identity {
                continue;
            }
            let s = size(policy.node, 0);
            if policy.managed {
                if s.chars > MANAGED_LIMIT {
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            anchor(policy),
                            format!(
                                "managed policy {} is {} long without whitespace; the limit is 6,144",
                                policy.describe(),
                                amount(s)
                            ),
                        )
                        .with_help(
                            "merge statements sharing resources, use precise wildcards, or split \
                             it into several managed policies",
                        ),
                    );
                }
                continue;
            }
            // A document chosen by a condition may not be deployed: it does not count.
            if policy.conditional {
                continue;
            }
            for a in &policy.attached_to {
                let id = match a.target {
                    AttachTarget::Resource(id) | AttachTarget::SamGenerated(id) => id,
                    AttachTarget::Written(_) => continue,
                };
                let key = (a.kind, id);
                match inline.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, list)) => list.push((policy, s)),
                    None => inline.push((key, vec![(policy, s)])),
                }
            }
        }
        let Some(template) = ctx.template else { return };
        for ((kind, id), list) in inline {
            let total = Size {
                chars: list.iter().map(|(_, s)| s.chars).sum(),
                exact: list.iter().all(|(_, s)| s.exact),
            };
            let limit = inline_limit(kind);
            if total.chars <= limit {
                continue;
            }
            let Some(resource) = template.resource(id) else {
                continue;
            };
            let what = match kind {
                IdentityKind::Role => "role",
                IdentityKind::User => "user",
                IdentityKind::Group => "group",
            };
            let mut d = Diagnostic::new(
                &Self::META,
                resource.key.span,
                format!(
                    "the inline policies of {what} `{id}` total {} without whitespace; the limit is {}",
                    amount(total),
                    thousands(limit)
                ),
            )
            .with_help(
                "move permissions into managed policies (`AWS::IAM::ManagedPolicy`, up to 20 per \
                 role), or merge statements and use precise wildcards",
            );
            let mut largest = list.clone();
            largest.sort_by_key(|(_, s)| std::cmp::Reverse(s.chars));
            for (policy, s) in largest.into_iter().take(3) {
                d = d.with_label(anchor(policy), amount(s));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, ParseOptions};

    #[test]
    fn counts_compact_json_and_lower_bounds_for_intrinsics() {
        let doc = parse(
            "{Version: 2012-10-17, Statement: [{Effect: Allow, Action: 's3:Get Object'}]}",
            &ParseOptions::default(),
        )
        .unwrap();
        // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}
        let compact =
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#;
        let s = size(doc.root.as_ref().unwrap(), 0);
        assert_eq!(
            s,
            Size {
                chars: compact.len(),
                exact: true
            }
        );
        let doc = parse(
            "{Resource: !Sub 'arn:aws:s3:::${B}'}",
            &ParseOptions::default(),
        )
        .unwrap();
        let s = size(doc.root.as_ref().unwrap(), 0);
        assert_eq!(s.chars, r#"{"Resource":"arn:aws:s3:::"}"#.len());
        assert!(!s.exact);
        assert_eq!(thousands(10240), "10,240");
        assert_eq!(thousands(612), "612");
    }
}
