//! The role SAM generates for a function or state machine written without `Role`, modelled as
//! SAM builds it: AWS managed policies it always adds, those it adds per event source and
//! setting, the dead-letter statement, and the resource's own `Policies` (AWS managed policy
//! names and ARNs, inline statements, policy templates). A policy this program cannot expand
//! makes the set opaque: a requirement it does not visibly grant is then unknown.

use super::engine::sam_documents;
use crate::iam::eval::{GeneratedStatement, PolicySet};
use crate::iam::{managed_policy, Policy};
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
    let mut add = |name: &str| {
        if let Some(m) = managed_policy(name) {
            set.managed.push(m);
        }
    };
    if function {
        add("AWSLambdaBasicExecutionRole");
        if property("VpcConfig").is_some() {
            add("AWSLambdaVPCAccessExecutionRole");
        }
        if property("Tracing").and_then(Node::as_str) == Some("Active") {
            add("AWSXrayWriteOnlyAccess");
        }
        for event in resource
            .property("Events")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
        {
            match event.value.get("Type").and_then(Node::as_str) {
                Some("SQS") => add("AWSLambdaSQSQueueExecutionRole"),
                Some("Kinesis") => add("AWSLambdaKinesisExecutionRole"),
                Some("DynamoDB") => add("AWSLambdaDynamoDBExecutionRole"),
                Some("MSK") => add("AWSLambdaMSKExecutionRole"),
                _ => {}
            }
        }
    } else if property("Tracing")
        .and_then(|t| t.get("Enabled"))
        .and_then(Node::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("true"))
    {
        add("AWSXrayWriteOnlyAccess");
    }
    if let Some(dlq) = property("DeadLetterQueue") {
        let target = dlq.get("TargetArn").map(|t| string_template(t, source).to_string());
        let action = match dlq.get("Type").and_then(Node::as_str) {
            Some("SQS") => Some("sqs:SendMessage"),
            Some("SNS") => Some("sns:Publish"),
            _ => None,
        };
        match (target, action) {
            (Some(t), Some(a)) => set.generated.push(GeneratedStatement {
                allow: true,
                actions: vec![a.to_string()],
                resources: vec![t],
                origin: "the dead-letter queue statement SAM adds".into(),
            }),
            _ => set.opaque = true,
        }
    }
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
    // Connectors and event sources that add to the role (API, schedules …) only ever add;
    // what SAM adds for other events is not modelled, so it cannot be judged.
    if resource
        .property("Events")
        .and_then(Node::as_mapping)
        .is_some_and(|events| {
            events.iter().any(|e| {
                !matches!(
                    e.value.get("Type").and_then(Node::as_str),
                    Some("SQS" | "Kinesis" | "DynamoDB" | "MSK" | "Api" | "HttpApi" | "Schedule" | "ScheduleV2" | "S3" | "SNS" | "EventBridgeRule" | "CloudWatchEvent")
                )
            })
        })
        || template
            .resources
            .iter()
            .any(|r| r.type_ == Some("AWS::Serverless::Connector"))
    {
        set.opaque = true;
    }
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
        set.opaque = true;
        return;
    }
    let text = string_template(item, source).to_string();
    let name = text.rsplit('/').next().unwrap_or(&text);
    match managed_policy(name) {
        Some(m) if !name.contains('$') => set.managed.push(m),
        _ => set.opaque = true,
    }
}
