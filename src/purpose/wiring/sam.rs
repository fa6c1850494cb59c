//! The role SAM generates for a function or state machine written without `Role`, modelled as
//! SAM builds it: AWS managed policies it always adds, those it adds per event source and
//! setting, the dead-letter statement, and the resource's own `Policies` (AWS managed policy
//! names and ARNs, inline statements, policy templates). A policy this program cannot expand
//! makes the set opaque: a requirement it does not visibly grant is then unknown.

use super::engine::sam_documents;
use crate::iam::eval::{GeneratedStatement, PolicySet};
use crate::iam::{managed_policy, sam, Policy};
use crate::template::{alternatives, string_template, Resource, Template};
use crate::yaml::Node;

/// The generated role's policy set, or `None` when the resource is not one SAM gives a role.
pub fn generated_role<'p, 'a>(
    resource: &Resource<'a>,
    template: &Template<'a>,
    source: &str,
    policies: &'p [Policy<'a>],
) -> Option<PolicySet<'p, 'a>> {
    let function = resource.type_ == Some("AWS::Serverless::Function");
    let mut set = PolicySet {
        statements: sam_documents(policies, resource.logical_id),
        ..PolicySet::default()
    };
    let global = |key: &str| -> Option<&'a Node> {
        template
            .globals
            .and_then(|g| g.get(if function { "Function" } else { "StateMachine" }))
            .and_then(|f| f.get(key))
    };
    let property = |key: &str| resource.property(key).or_else(|| global(key));
    let sub = |node: &Node| -> Option<String> {
        let text = string_template(node, source).to_string();
        (!text.contains("${?}")).then_some(text)
    };
    let implicit = if function {
        let events: Vec<sam::FunctionEvent<'_>> = resource
            .property("Events")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
            .iter()
            .map(|e| sam::FunctionEvent {
                event_type: e.value.get("Type").and_then(Node::as_str).unwrap_or(""),
                sqs_subscription: e
                    .value
                    .get("Properties")
                    .and_then(|p| p.get("SqsSubscription"))
                    .is_some_and(|v| v.as_str() != Some("false")),
                on_failure: e
                    .value
                    .get("Properties")
                    .and_then(|p| p.get("DestinationConfig"))
                    .and_then(|d| d.get("OnFailure"))
                    .and_then(|o| {
                        o.get("Type")
                            .and_then(Node::as_str)
                            .map(|t| (t, o.get("Destination").and_then(&sub)))
                    }),
            })
            .collect();
        let destinations = property("EventInvokeConfig")
            .and_then(|c| c.get("DestinationConfig"))
            .map(|d| {
                ["OnSuccess", "OnFailure"]
                    .iter()
                    .filter_map(|k| d.get(k))
                    .filter_map(|o| {
                        o.get("Type")
                            .and_then(Node::as_str)
                            .map(|t| (t, o.get("Destination").and_then(&sub)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tracing = property("Tracing").map(|t| t.as_str().unwrap_or(""));
        sam::implicit_function_policies(&sam::FunctionRole {
            durable: property("DurableConfig").is_some(),
            tracing,
            vpc_config: property("VpcConfig").is_some(),
            dead_letter_queue: property("DeadLetterQueue").and_then(|d| {
                Some((
                    d.get("Type").and_then(Node::as_str)?,
                    sub(d.get("TargetArn")?)?,
                ))
            }),
            event_invoke_destinations: destinations,
            events,
        })
    } else {
        sam::implicit_state_machine_policies(
            property("Tracing")
                .and_then(|t| t.get("Enabled"))
                .and_then(Node::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case("true")),
        )
    };
    for name in &implicit.managed {
        match managed_policy(name) {
            Some(m) => set.managed.push(m),
            None => set.opaque = true,
        }
    }
    for st in implicit.statements {
        set.generated
            .push(generated(st, "a statement SAM adds to the role"));
    }
    set.opaque |= implicit.incomplete;
    match property("Policies") {
        None => {}
        Some(p) => {
            let [only] = alternatives(p)[..] else {
                set.opaque = true;
                return Some(set);
            };
            let items: Vec<&Node> = match only.as_sequence() {
                Some(list) if only.tag.is_none() => list.iter().collect(),
                _ => vec![only],
            };
            for item in items {
                policy_item(item, source, &mut set);
            }
        }
    }
    // Connectors add policies to the roles they connect (see the engine).
    Some(set)
}

/// One item of SAM's `Policies`: a managed policy name or ARN, an inline document (read by
/// the IAM extractor, so already among the statements), or a policy template.
fn policy_item(item: &Node, source: &str, set: &mut PolicySet<'_, '_>) {
    if item.as_mapping().is_some() && item.tag.is_none() {
        if item.get("Statement").is_some() {
            return;
        }
        // A policy template: `{SQSPollerPolicy: {QueueName: …}}`.
        let expanded = item.as_mapping().and_then(|entries| {
            let [entry] = entries else { return None };
            let name = entry.key.as_str()?;
            let args = |param: &str| -> Option<String> {
                let value = entry.value.get(param)?;
                let text = string_template(value, source).to_string();
                (!text.contains("${?}")).then_some(text)
            };
            sam::policy_template(name, &args).map(|statements| (name, statements))
        });
        match expanded {
            Some((name, statements)) => {
                for st in statements {
                    set.generated
                        .push(generated(st, &format!("the SAM policy template {name}")));
                }
            }
            None => set.opaque = true,
        }
        return;
    }
    let text = string_template(item, source).to_string();
    let name = text.rsplit('/').next().unwrap_or(&text);
    match managed_policy(name) {
        Some(m) if !name.contains('$') => set.managed.push(m),
        _ => set.opaque = true,
    }
}

fn generated(st: sam::SamStatement, origin: &str) -> GeneratedStatement {
    GeneratedStatement {
        // A conditional statement may not apply: it grants nothing certain, and a statement
        // that may grant is enough to stay silent, so it counts as granting.
        allow: st.effect_allow,
        actions: st.actions,
        resources: st.resources,
        origin: origin.to_string(),
    }
}
