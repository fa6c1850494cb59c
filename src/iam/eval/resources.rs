//! Resources as the permission evaluator compares them: any value of the template (`!GetAtt
//! Queue.Arn`, `!Ref Topic`, `!Sub arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}`,
//! a literal ARN, a policy's `Resource` item) is turned into ARN tokens in which a resource of
//! the template stands for itself.
//!
//! The ARN of a template resource is built from its type's ARN format (the table below) and its
//! name: the literal name property when given, the name expression when it is one, and otherwise
//! a single private-use character unique to that resource (CloudFormation generates the name, so
//! no literal text can equal it, while `*` and parameters still can). The three spellings above
//! all become the same tokens and so name the same queue.
//!
//! What cannot be known (a parameter holding an ARN, `Fn::ImportValue`, `Fn::If`, a resource
//! type missing from the table) becomes `*` and makes the value inexact: such a resource matches
//! anything, and a requirement on it is not judged.

use crate::iam::arn::Tok;
use crate::template::{string_template, StringPart, StringTemplate, Template};
use crate::yaml::Node;

/// How an expression's parts are turned into tokens: `{P}` partition, `{R}` region, `{A}`
/// account, `{name}` the resource's name, `{arn}` its ARN, `{id}` an identifier CloudFormation
/// generates.
struct TypeArn {
    cfn: &'static [&'static str],
    arn: &'static str,
    /// The property that names the resource, when it can be given.
    name: Option<&'static str>,
    /// What `!Ref` yields.
    reference: &'static str,
    /// What `!GetAtt` yields, per attribute.
    attributes: &'static [(&'static str, &'static str)],
}

const ARN: &str = "{arn}";
const NAME: &str = "{name}";

/// The resource types wirings name, with what their references yield (CloudFormation's
/// "Return values" of each type).
const TYPES: &[TypeArn] = &[
    TypeArn {
        cfn: &["AWS::SQS::Queue"],
        arn: "arn:{P}:sqs:{R}:{A}:{name}",
        name: Some("QueueName"),
        reference: "https://sqs.{R}.amazonaws.com/{A}/{name}",
        attributes: &[
            ("Arn", ARN),
            ("QueueName", NAME),
            ("QueueUrl", "https://sqs.{R}.amazonaws.com/{A}/{name}"),
        ],
    },
    TypeArn {
        cfn: &["AWS::SNS::Topic"],
        arn: "arn:{P}:sns:{R}:{A}:{name}",
        name: Some("TopicName"),
        reference: ARN,
        attributes: &[("TopicArn", ARN), ("TopicName", NAME)],
    },
    TypeArn {
        cfn: &["AWS::Lambda::Function", "AWS::Serverless::Function"],
        arn: "arn:{P}:lambda:{R}:{A}:function:{name}",
        name: Some("FunctionName"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &[
            "AWS::DynamoDB::Table",
            "AWS::DynamoDB::GlobalTable",
            "AWS::Serverless::SimpleTable",
        ],
        arn: "arn:{P}:dynamodb:{R}:{A}:table/{name}",
        name: Some("TableName"),
        reference: NAME,
        attributes: &[("Arn", ARN), ("StreamArn", "{arn}/stream/{id}")],
    },
    TypeArn {
        cfn: &["AWS::Kinesis::Stream"],
        arn: "arn:{P}:kinesis:{R}:{A}:stream/{name}",
        name: Some("Name"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::Kinesis::StreamConsumer"],
        arn: "arn:{P}:kinesis:{R}:{A}:stream/{id}/consumer/{name}:{id}",
        name: Some("ConsumerName"),
        reference: ARN,
        attributes: &[("ConsumerARN", ARN)],
    },
    TypeArn {
        cfn: &["AWS::MSK::Cluster", "AWS::MSK::ServerlessCluster"],
        arn: "arn:{P}:kafka:{R}:{A}:cluster/{name}/{id}",
        name: Some("ClusterName"),
        reference: ARN,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::Logs::LogGroup"],
        arn: "arn:{P}:logs:{R}:{A}:log-group:{name}",
        name: Some("LogGroupName"),
        reference: NAME,
        attributes: &[("Arn", "{arn}:*")],
    },
    TypeArn {
        cfn: &["AWS::KMS::Key"],
        arn: "arn:{P}:kms:{R}:{A}:key/{id}",
        name: None,
        reference: "{id}",
        attributes: &[("Arn", ARN), ("KeyId", "{id}")],
    },
    TypeArn {
        cfn: &["AWS::SecretsManager::Secret"],
        arn: "arn:{P}:secretsmanager:{R}:{A}:secret:{name}-{id}",
        name: Some("Name"),
        reference: ARN,
        attributes: &[("Id", ARN)],
    },
    TypeArn {
        cfn: &["AWS::SSM::Parameter"],
        arn: "arn:{P}:ssm:{R}:{A}:parameter{name}",
        name: Some("Name"),
        reference: NAME,
        attributes: &[],
    },
    TypeArn {
        cfn: &["AWS::ECR::Repository"],
        arn: "arn:{P}:ecr:{R}:{A}:repository/{name}",
        name: Some("RepositoryName"),
        reference: NAME,
        attributes: &[
            ("Arn", ARN),
            ("RepositoryUri", "{A}.dkr.ecr.{R}.amazonaws.com/{name}"),
        ],
    },
    TypeArn {
        cfn: &[
            "AWS::StepFunctions::StateMachine",
            "AWS::Serverless::StateMachine",
        ],
        arn: "arn:{P}:states:{R}:{A}:stateMachine:{name}",
        name: Some("StateMachineName"),
        reference: ARN,
        attributes: &[("Arn", ARN), ("Name", NAME)],
    },
    TypeArn {
        cfn: &["AWS::Events::EventBus"],
        arn: "arn:{P}:events:{R}:{A}:event-bus/{name}",
        name: Some("Name"),
        reference: NAME,
        attributes: &[("Arn", ARN), ("Name", NAME)],
    },
    TypeArn {
        cfn: &["AWS::S3::Bucket"],
        arn: "arn:{P}:s3:::{name}",
        name: Some("BucketName"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::EFS::FileSystem"],
        arn: "arn:{P}:elasticfilesystem:{R}:{A}:file-system/{id}",
        name: None,
        reference: "{id}",
        attributes: &[("Arn", ARN), ("FileSystemId", "{id}")],
    },
    TypeArn {
        cfn: &["AWS::EFS::AccessPoint"],
        arn: "arn:{P}:elasticfilesystem:{R}:{A}:access-point/{id}",
        name: None,
        reference: "{id}",
        attributes: &[("Arn", ARN), ("AccessPointId", "{id}")],
    },
    TypeArn {
        cfn: &["AWS::ECS::Cluster"],
        arn: "arn:{P}:ecs:{R}:{A}:cluster/{name}",
        name: Some("ClusterName"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::ECS::TaskDefinition"],
        arn: "arn:{P}:ecs:{R}:{A}:task-definition/{name}:{id}",
        name: Some("Family"),
        reference: ARN,
        attributes: &[("TaskDefinitionArn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::Batch::JobQueue"],
        arn: "arn:{P}:batch:{R}:{A}:job-queue/{name}",
        name: Some("JobQueueName"),
        reference: ARN,
        attributes: &[("JobQueueArn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::Batch::JobDefinition"],
        arn: "arn:{P}:batch:{R}:{A}:job-definition/{name}:{id}",
        name: Some("JobDefinitionName"),
        reference: ARN,
        attributes: &[],
    },
    TypeArn {
        cfn: &["AWS::KinesisFirehose::DeliveryStream"],
        arn: "arn:{P}:firehose:{R}:{A}:deliverystream/{name}",
        name: Some("DeliveryStreamName"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::IAM::Role"],
        arn: "arn:{P}:iam::{A}:role/{name}",
        name: Some("RoleName"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::CodeBuild::Project"],
        arn: "arn:{P}:codebuild:{R}:{A}:project/{name}",
        name: Some("Name"),
        reference: NAME,
        attributes: &[("Arn", ARN)],
    },
    TypeArn {
        cfn: &["AWS::Glue::Job"],
        arn: "arn:{P}:glue:{R}:{A}:job/{name}",
        name: Some("Name"),
        reference: NAME,
        attributes: &[],
    },
];

/// A value as ARN tokens, and whether every piece of it is known (pseudo parameters and
/// parameters inside an ARN count as known: they stay within their field).
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub toks: Vec<Tok>,
    pub exact: bool,
}

/// Turns template values into [`Resolved`] tokens.
pub struct Resolver<'t, 'a> {
    pub template: &'t Template<'a>,
    pub source: &'t str,
}

const MAX_DEPTH: usize = 6;

/// The character standing for the generated name of the resource at `index`.
fn generated(index: usize) -> Tok {
    u32::try_from(index)
        .ok()
        .filter(|i| *i < 0xFFFD)
        .and_then(|i| char::from_u32(0xF0000 + i))
        .map_or(Tok::SEGMENT, Tok::Char)
}

impl<'t, 'a> Resolver<'t, 'a> {
    pub fn new(template: &'t Template<'a>, source: &'t str) -> Self {
        Resolver { template, source }
    }

    /// A template value (scalar, `!Ref`, `!GetAtt`, `!Sub`, `!Join` …).
    pub fn value(&self, node: &Node) -> Resolved {
        self.string(&string_template(node, self.source), 0)
    }

    /// A string template.
    pub fn string(&self, t: &StringTemplate<'_>, depth: usize) -> Resolved {
        let mut out = Resolved {
            toks: Vec::new(),
            exact: true,
        };
        for (index, part) in t.parts.iter().enumerate() {
            match part {
                StringPart::Literal { text, .. } => push_text(&mut out.toks, text),
                StringPart::Ref { name, .. } => {
                    self.reference(name, None, index == 0, depth, &mut out)
                }
                StringPart::GetAtt {
                    resource,
                    attribute,
                    ..
                } => match attribute {
                    Some(a) => self.reference(resource, Some(a), index == 0, depth, &mut out),
                    None => unknown(&mut out),
                },
                StringPart::Unknown { .. } => unknown(&mut out),
            }
        }
        out
    }

    /// `Fn::Sub` text, as SAM's expanded policies and the wiring packs write resources.
    pub fn sub_text(&self, text: &str) -> Resolved {
        let mut out = Resolved {
            toks: Vec::new(),
            exact: true,
        };
        let Ok(parts) = crate::template::sub::parse_sub(text) else {
            unknown(&mut out);
            return out;
        };
        for (index, part) in parts.iter().enumerate() {
            match part {
                crate::template::sub::SubPart::Literal { text, .. } => {
                    push_text(&mut out.toks, text)
                }
                crate::template::sub::SubPart::Variable { name, .. } => {
                    match name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                        Some((resource, attribute)) => {
                            self.reference(resource, Some(attribute), index == 0, 0, &mut out)
                        }
                        None => self.reference(name, None, index == 0, 0, &mut out),
                    }
                }
            }
        }
        out
    }

    /// `!Ref name` (`attribute` `None`) or `!GetAtt name.attribute`.
    fn reference(
        &self,
        name: &str,
        attribute: Option<&str>,
        first: bool,
        depth: usize,
        out: &mut Resolved,
    ) {
        if attribute.is_none() {
            match name {
                "AWS::Partition" | "AWS::Region" | "AWS::AccountId" | "AWS::URLSuffix"
                | "AWS::StackName" => {
                    out.toks.push(Tok::SEGMENT);
                    return;
                }
                _ if name.starts_with("AWS::") => return unknown(out),
                _ => {}
            }
            if self.template.parameter(name).is_some() {
                // A parameter holding a whole ARN is another stack's resource; inside an ARN it
                // is one field's value.
                if first {
                    return unknown(out);
                }
                out.toks.push(Tok::SEGMENT);
                return;
            }
        }
        let Some((index, resource)) = self
            .template
            .resources
            .iter()
            .enumerate()
            .find(|(_, r)| r.logical_id == name)
        else {
            return unknown(out);
        };
        if resource.in_loop || resource.condition.is_some() && depth > 0 {
            return unknown(out);
        }
        let Some(kind) = resource
            .type_
            .and_then(|t| TYPES.iter().find(|k| k.cfn.contains(&t)))
        else {
            return unknown(out);
        };
        let shape = match attribute {
            None => kind.reference,
            Some(a) => match kind.attributes.iter().find(|(n, _)| *n == a) {
                Some((_, shape)) => shape,
                None => return unknown(out),
            },
        };
        self.expand(shape, kind, index, resource, depth, out);
    }

    fn expand(
        &self,
        shape: &str,
        kind: &TypeArn,
        index: usize,
        resource: &crate::template::Resource<'_>,
        depth: usize,
        out: &mut Resolved,
    ) {
        let mut rest = shape;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                if let Some(end) = after.find('}') {
                    let var = &after[..end];
                    rest = &after[end + 1..];
                    match var {
                        "P" | "R" | "A" => out.toks.push(Tok::SEGMENT),
                        "id" => out.toks.push(generated(index)),
                        "arn" => self.expand(kind.arn, kind, index, resource, depth, out),
                        "name" => self.name(kind, index, resource, depth, out),
                        _ => unknown(out),
                    }
                    continue;
                }
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.toks.push(Tok::Char(c));
            }
            rest = chars.as_str();
        }
    }

    fn name(
        &self,
        kind: &TypeArn,
        index: usize,
        resource: &crate::template::Resource<'_>,
        depth: usize,
        out: &mut Resolved,
    ) {
        let given = kind.name.and_then(|p| resource.property(p));
        let ssm = kind.cfn.contains(&"AWS::SSM::Parameter");
        match given {
            None => {
                if ssm {
                    out.toks.push(Tok::Char('/'));
                }
                out.toks.push(generated(index));
                if resource.type_ == Some("AWS::SQS::Queue")
                    && resource
                        .property("FifoQueue")
                        .is_some_and(|f| f.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true")))
                {
                    push_text(&mut out.toks, ".fifo");
                }
            }
            Some(node) if depth < MAX_DEPTH => {
                let inner = self.string(&string_template(node, self.source), depth + 1);
                // A parameter's name is written `/a/b` or `a`; its ARN always has one `/`.
                if ssm && inner.toks.first() != Some(&Tok::Char('/')) {
                    out.toks.push(Tok::Char('/'));
                }
                out.exact &= inner.exact;
                out.toks.extend(inner.toks);
            }
            Some(_) => unknown(out),
        }
    }

    /// The template resource a value refers to as a whole (`!Ref X`, `!GetAtt X.Arn`,
    /// `!Sub ${X.Arn}`), when it does.
    pub fn referenced(&self, node: &Node) -> Option<&'t crate::template::Resource<'a>> {
        let t = string_template(node, self.source);
        let [part] = t.parts.as_slice() else {
            return None;
        };
        let name = match part {
            StringPart::Ref { name, .. } => *name,
            StringPart::GetAtt { resource, .. } => *resource,
            _ => return None,
        };
        self.template.resource(name)
    }

    /// The ARN of a template resource, when its type is known here.
    pub fn arn_of(&self, logical_id: &str) -> Option<Resolved> {
        let (index, resource) = self
            .template
            .resources
            .iter()
            .enumerate()
            .find(|(_, r)| r.logical_id == logical_id)?;
        if resource.in_loop {
            return None;
        }
        let kind = resource
            .type_
            .and_then(|t| TYPES.iter().find(|k| k.cfn.contains(&t)))?;
        let mut out = Resolved {
            toks: Vec::new(),
            exact: true,
        };
        self.expand(kind.arn, kind, index, resource, 0, &mut out);
        Some(out)
    }
    /// The name of a template resource (what its name property says, or the generated one).
    pub fn name_of(&self, logical_id: &str) -> Option<Resolved> {
        let (index, resource) = self
            .template
            .resources
            .iter()
            .enumerate()
            .find(|(_, r)| r.logical_id == logical_id)?;
        let kind = resource
            .type_
            .and_then(|t| TYPES.iter().find(|k| k.cfn.contains(&t)))?;
        let mut out = Resolved {
            toks: Vec::new(),
            exact: !resource.in_loop,
        };
        self.name(kind, index, resource, 0, &mut out);
        Some(out)
    }

    /// How the template writes a resource's ARN in `Fn::Sub`: `Queue.Arn`, or `Topic` when
    /// its `Ref` is the ARN.
    pub fn arn_expression(&self, logical_id: &str) -> Option<String> {
        let resource = self.template.resource(logical_id)?;
        let kind = resource
            .type_
            .and_then(|t| TYPES.iter().find(|k| k.cfn.contains(&t)))?;
        if kind.reference == ARN {
            return Some(logical_id.to_string());
        }
        kind.attributes
            .iter()
            .find(|(_, shape)| *shape == ARN)
            .map(|(a, _)| format!("{logical_id}.{a}"))
    }
}

fn unknown(out: &mut Resolved) {
    out.toks.push(Tok::STAR);
    out.exact = false;
}

/// Literal text with IAM's wildcards.
fn push_text(toks: &mut Vec<Tok>, text: &str) {
    for c in text.chars() {
        toks.push(match c {
            '*' => Tok::STAR,
            '?' => Tok::QUESTION,
            c => Tok::Char(c),
        });
    }
}

/// Whether the type's ARN is known here (so a requirement on a resource of it can be judged).
pub fn known_type(cfn_type: &str) -> bool {
    TYPES.iter().any(|k| k.cfn.contains(&cfn_type))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::arn::intersects;
    use crate::template::Template;
    use crate::yaml::parse;

    fn with<F: FnOnce(&Resolver<'_, '_>, &Template<'_>)>(text: &str, f: F) {
        let doc = parse(text, &Default::default()).expect("yaml");
        let t = Template::from_document(&doc);
        let r = Resolver::new(&t, text);
        f(&r, &t);
    }

    fn node<'a>(t: &Template<'a>, resource: &str, property: &str) -> &'a Node {
        t.resource(resource)
            .and_then(|r| r.property(property))
            .expect("property")
    }

    const T: &str = "Resources:
  Orders:
    Type: AWS::SQS::Queue
  Old:
    Type: AWS::SQS::Queue
  Named:
    Type: AWS::SQS::Queue
    Properties: {QueueName: orders}
  Uses:
    Type: Custom::X
    Properties:
      A: !GetAtt Orders.Arn
      B: !Sub 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Orders.QueueName}'
      C: !Sub '${Orders.Arn}'
      D: !GetAtt Old.Arn
      E: arn:aws:sqs:us-east-1:123456789012:orders
      F: arn:aws:sqs:*:*:*
      G: !GetAtt Named.Arn
      H: !ImportValue Other
";

    #[test]
    fn three_spellings_name_the_same_queue_and_no_other() {
        with(T, |r, t| {
            let a = r.value(node(t, "Uses", "A"));
            let b = r.value(node(t, "Uses", "B"));
            let c = r.value(node(t, "Uses", "C"));
            let d = r.value(node(t, "Uses", "D"));
            assert!(a.exact && b.exact && c.exact);
            assert_eq!(a.toks, c.toks);
            assert!(intersects(&a.toks, &b.toks));
            assert!(!intersects(&a.toks, &d.toks), "another queue");
            // A literal name cannot be a generated one …
            let e = r.value(node(t, "Uses", "E"));
            assert!(!intersects(&a.toks, &e.toks));
            // … but is the queue named so, and a wildcard matches every queue.
            let g = r.value(node(t, "Uses", "G"));
            assert!(intersects(&g.toks, &e.toks));
            let f = r.value(node(t, "Uses", "F"));
            assert!(intersects(&a.toks, &f.toks) && intersects(&g.toks, &f.toks));
        });
    }

    #[test]
    fn imports_are_inexact() {
        with(T, |r, t| {
            assert!(!r.value(node(t, "Uses", "H")).exact);
            assert!(r.arn_of("Orders").is_some_and(|a| a.exact));
            assert!(r.arn_of("Uses").is_none(), "custom resource");
        });
    }
}
