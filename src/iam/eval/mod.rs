//! The permission evaluator: does a principal's identity policy set allow action A on
//! resource R? Three answers: allowed, not allowed (with the statements that came closest, for
//! the help), or unknown. Unknown is never reported.
//!
//! The policy set is what the caller assembles ([`PolicySet`]): statements of the template's
//! policies, AWS managed policies by name, statements SAM generates (as `Fn::Sub` text), whether
//! anything else may grant more (`opaque`), and a permissions boundary. Resources match
//! symbolically ([`resources`]): `!GetAtt Queue.Arn` and the `!Sub` that spells the same ARN
//! are one queue, a wildcard matches as IAM matches it, and a value this program cannot read
//! matches everything. Conditions are assumed satisfiable; a Deny subtracts only when it
//! certainly applies (no condition, the action named or matched, the resource `*` or the same
//! one), and a Deny that only may apply makes the answer unknown.

pub mod resources;

pub use resources::{known_type, Resolved, Resolver};

use crate::iam::arn::{intersects, Tok};
use crate::iam::{ActionPattern, Effect, ManagedPolicy, Statement};

/// A statement that is not in the template but added on its behalf (SAM's generated role).
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedStatement {
    pub allow: bool,
    pub actions: Vec<String>,
    /// `Fn::Sub` text, or `*`.
    pub resources: Vec<String>,
    /// Where it comes from, for messages (`the SAM policy template SQSPollerPolicy`).
    pub origin: String,
}

/// Everything that may grant a principal permissions.
#[derive(Debug, Default)]
pub struct PolicySet<'p, 'a> {
    pub statements: Vec<&'p Statement<'a>>,
    pub managed: Vec<&'static ManagedPolicy>,
    pub generated: Vec<GeneratedStatement>,
    /// Some policy cannot be seen (a customer managed policy ARN, a parameter, an import, a SAM
    /// policy template this program cannot expand): what is not granted visibly is unknown.
    pub opaque: bool,
    pub boundary: Boundary<'p, 'a>,
}

/// A permissions boundary.
#[derive(Debug, Default)]
pub enum Boundary<'p, 'a> {
    #[default]
    None,
    Known(Box<PolicySet<'p, 'a>>),
    /// Given, but not readable here.
    Opaque,
}

/// The answer for one action on one resource.
#[derive(Debug, PartialEq)]
pub enum Answer<'p, 'a> {
    Allowed,
    NotAllowed {
        /// Allow statements that grant the action, but on other resources.
        near: Vec<&'p Statement<'a>>,
        /// A Deny statement that certainly applies.
        denied_by: Option<&'p Statement<'a>>,
        /// Not allowed by the permissions boundary (the identity policies allow it).
        by_boundary: bool,
    },
    Unknown,
}

/// Ask the question. `need` is the resource the action needs (`*` for actions without one).
pub fn evaluate<'p, 'a>(
    set: &PolicySet<'p, 'a>,
    resolver: &Resolver<'_, '_>,
    action: &str,
    need: &Resolved,
) -> Answer<'p, 'a> {
    if !need.exact {
        return Answer::Unknown;
    }
    let Some((service, name)) = action.split_once(':') else {
        return Answer::Unknown;
    };
    let identity = allowed_by(set, resolver, service, name, need);
    match identity {
        Answer::Allowed => match &set.boundary {
            Boundary::None => Answer::Allowed,
            Boundary::Opaque => Answer::Unknown,
            Boundary::Known(b) => match allowed_by(b, resolver, service, name, need) {
                Answer::Allowed => Answer::Allowed,
                Answer::Unknown => Answer::Unknown,
                Answer::NotAllowed { .. } => Answer::NotAllowed {
                    near: Vec::new(),
                    denied_by: None,
                    by_boundary: true,
                },
            },
        },
        other => other,
    }
}

fn allowed_by<'p, 'a>(
    set: &PolicySet<'p, 'a>,
    resolver: &Resolver<'_, '_>,
    service: &str,
    name: &str,
    need: &Resolved,
) -> Answer<'p, 'a> {
    // Denies first: one that certainly applies decides; one that may apply leaves it unknown.
    let mut maybe_denied = false;
    for s in set
        .statements
        .iter()
        .filter(|s| s.effect() == Some(Effect::Deny))
    {
        let Some(named) = action_matches(s, service, name) else {
            continue;
        };
        match deny_covers(s, resolver, need) {
            Cover::Certainly if s.condition.is_none() && !s.conditional && named => {
                return Answer::NotAllowed {
                    near: Vec::new(),
                    denied_by: Some(s),
                    by_boundary: false,
                };
            }
            Cover::Certainly | Cover::Maybe => maybe_denied = true,
            Cover::No => {}
        }
    }
    let mut allowed = set.managed.iter().any(|m| {
        m.has_not_action
            || m.actions()
                .any(|a| ActionPattern::parse(a).is_ok_and(|p| p.matches(service, name)))
    });
    allowed = allowed
        || set.generated.iter().any(|g| {
            g.allow
                && g.actions
                    .iter()
                    .any(|a| ActionPattern::parse(a).is_ok_and(|p| p.matches(service, name)))
                && g.resources
                    .iter()
                    .any(|r| r == "*" || intersects(&resolver.sub_text(r).toks, &need.toks))
        });
    let mut near = Vec::new();
    if !allowed {
        for s in set
            .statements
            .iter()
            .filter(|s| s.effect() == Some(Effect::Allow))
        {
            if action_matches(s, service, name).is_none() {
                continue;
            }
            if s.not_resource.is_some() || s.resource.is_none() {
                allowed = true;
                break;
            }
            if s.resources()
                .iter()
                .any(|item| intersects(&resolver.string(&item.value, 0).toks, &need.toks))
            {
                allowed = true;
                break;
            }
            near.push(*s);
        }
    }
    if allowed {
        return if maybe_denied {
            Answer::Unknown
        } else {
            Answer::Allowed
        };
    }
    if set.opaque {
        return Answer::Unknown;
    }
    Answer::NotAllowed {
        near,
        denied_by: None,
        by_boundary: false,
    }
}

/// Whether a statement's `Action`/`NotAction` covers the action: `Some(true)` when named or
/// matched by a pattern, `Some(false)` only through something computed, `None` not at all.
fn action_matches(s: &Statement<'_>, service: &str, name: &str) -> Option<bool> {
    if let Some(not) = &s.not_action {
        let excluded = not
            .items
            .iter()
            .any(|i| i.valid().is_some_and(|p| p.matches(service, name)));
        let computed = not.items.iter().any(|i| i.pattern.is_none());
        return match (excluded, computed) {
            (true, _) => None,
            (false, true) => Some(false),
            (false, false) => Some(true),
        };
    }
    let mut best = None;
    for item in s.actions() {
        match &item.pattern {
            Some(Ok(p)) if p.matches(service, name) => return Some(!item.conditional),
            Some(_) => {}
            None => best = Some(false),
        }
    }
    best
}

enum Cover {
    Certainly,
    Maybe,
    No,
}

fn deny_covers(s: &Statement<'_>, resolver: &Resolver<'_, '_>, need: &Resolved) -> Cover {
    if s.not_resource.is_some() || s.resource.is_none() {
        return Cover::Maybe;
    }
    let mut cover = Cover::No;
    for item in s.resources() {
        let r = resolver.string(&item.value, 0);
        if r.exact && !item.conditional && (r.toks == [Tok::STAR] || r.toks == need.toks) {
            return Cover::Certainly;
        }
        if intersects(&r.toks, &need.toks) {
            cover = Cover::Maybe;
        }
    }
    cover
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::extract::extract;
    use crate::template::Template;
    use crate::yaml::parse;

    const T: &str = "Resources:
  Orders:
    Type: AWS::SQS::Queue
  Old:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [sqs:ReceiveMessage, sqs:DeleteMessage]
                Resource: !GetAtt Old.Arn
              - Effect: Allow
                Action: sqs:GetQueueAttributes
                Resource: !Sub 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Orders.QueueName}'
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: '*'
              - Effect: Deny
                Action: sqs:SendMessage
                Resource: !GetAtt Orders.Arn
              - Effect: Allow
                Action: sqs:ChangeMessageVisibility
                Resource: !ImportValue Elsewhere
";

    fn answers(actions: &[&str]) -> Vec<String> {
        let doc = parse(T, &Default::default()).expect("yaml");
        let t = Template::from_document(&doc);
        let policies = extract(Some(&doc), Some(&t), T, None);
        let set = PolicySet {
            statements: policies.iter().flat_map(|p| p.statements.iter()).collect(),
            ..PolicySet::default()
        };
        let r = Resolver::new(&t, T);
        let need = r.arn_of("Orders").expect("queue");
        actions
            .iter()
            .map(|a| match evaluate(&set, &r, a, &need) {
                Answer::Allowed => "allowed".to_string(),
                Answer::Unknown => "unknown".to_string(),
                Answer::NotAllowed {
                    near, denied_by, ..
                } => format!(
                    "not allowed (near {}, denied {})",
                    near.len(),
                    denied_by.is_some()
                ),
            })
            .collect()
    }

    #[test]
    fn granted_on_another_queue_is_not_allowed() {
        assert_eq!(
            answers(&[
                "sqs:ReceiveMessage",
                "sqs:GetQueueAttributes",
                "sqs:SendMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:PurgeQueue",
            ]),
            [
                "not allowed (near 1, denied false)",
                "allowed",
                "not allowed (near 0, denied true)",
                "allowed",
                "not allowed (near 0, denied false)",
            ]
        );
    }

    #[test]
    fn an_opaque_set_turns_misses_into_unknown() {
        let doc = parse(T, &Default::default()).expect("yaml");
        let t = Template::from_document(&doc);
        let r = Resolver::new(&t, T);
        let set = PolicySet {
            opaque: true,
            ..PolicySet::default()
        };
        let need = r.arn_of("Orders").expect("queue");
        assert_eq!(
            evaluate(&set, &r, "sqs:ReceiveMessage", &need),
            Answer::Unknown
        );
        let set = PolicySet {
            generated: vec![GeneratedStatement {
                allow: true,
                actions: vec!["sqs:ReceiveMessage".into()],
                resources: vec![
                    "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Orders.QueueName}"
                        .into(),
                ],
                origin: "test".into(),
            }],
            ..PolicySet::default()
        };
        assert_eq!(
            evaluate(&set, &r, "sqs:ReceiveMessage", &need),
            Answer::Allowed
        );
        let other = r.arn_of("Old").expect("queue");
        assert!(matches!(
            evaluate(&set, &r, "sqs:ReceiveMessage", &other),
            Answer::NotAllowed { .. }
        ));
    }
}
