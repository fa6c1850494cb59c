use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::action::glob_matches;
use crate::iam::arn::{ResourceArn, Tok};
use crate::iam::{Item, Policy, PolicyKind};
use crate::rules::iam::support::value_span;
use crate::rules::{FileContext, Rule};
use crate::source::Span;
use crate::template::{intrinsic, Call, StringPart, Template};

declare_rule! {
    /// ## What it does
    /// Reports, in a resource policy (bucket, queue, topic, key … policies), what cannot belong
    /// to the resource the policy is attached to:
    /// - an action of another service (`cloudformation:*` in a bucket policy, `sns:Publish` in
    ///   a queue policy): each kind of resource policy takes its own service's actions;
    /// - in an S3 bucket policy, a `Resource` other than the bucket (`arn:…:s3:::BUCKET`) and its
    ///   objects (`arn:…:s3:::BUCKET/…`): `"*"`, another bucket, the ARN of another service;
    /// - in the other resource policies, a `Resource` ARN of another service.
    ///
    /// A bucket or resource named through a parameter is compared only where both sides are
    /// known.
    ///
    /// ## Why it matters
    /// S3, SQS, SNS and KMS reject such a policy ("Policy has invalid resource", "invalid
    /// action"), so the stack fails to deploy; where a service accepts it, the statement grants
    /// nothing, since the policy only governs its own resource.
    ///
    /// ## Example
    /// ```yaml
    /// BucketPolicy:
    ///   Type: AWS::S3::BucketPolicy
    ///   Properties:
    ///     Bucket: !Ref Bucket
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: {AWS: !GetAtt ReaderRole.Arn}
    ///           Action: [s3:GetObject, cloudformation:DescribeStacks]
    ///           Resource: "*"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///         - Effect: Allow
    ///           Principal: {AWS: !GetAtt ReaderRole.Arn}
    ///           Action: s3:GetObject
    ///           Resource: !Sub "${Bucket.Arn}/*"
    /// ```
    /// and grant `cloudformation:DescribeStacks` in the role's own policy.
    pub struct ResourcePolicyMismatch {
        name: "resource-policy-mismatch",
        code: "I037",
        severity: Error,
        family: Iam,
        summary: "A resource policy naming another service's actions or another resource",
    }
}

/// The services whose actions each kind of resource policy can grant.
const SERVICES: &[(&str, &[&str], &str)] = &[
    ("AWS::S3::BucketPolicy", &["s3"], "an S3 bucket policy"),
    ("AWS::S3::AccessPoint", &["s3"], "an S3 access point policy"),
    (
        "AWS::S3::MultiRegionAccessPointPolicy",
        &["s3"],
        "a Multi-Region Access Point policy",
    ),
    (
        "AWS::S3Express::BucketPolicy",
        &["s3express"],
        "a directory bucket policy",
    ),
    ("AWS::SQS::QueuePolicy", &["sqs"], "an SQS queue policy"),
    (
        "AWS::SQS::QueueInlinePolicy",
        &["sqs"],
        "an SQS queue policy",
    ),
    ("AWS::SNS::TopicPolicy", &["sns"], "an SNS topic policy"),
    (
        "AWS::SNS::TopicInlinePolicy",
        &["sns"],
        "an SNS topic policy",
    ),
    ("AWS::KMS::Key", &["kms"], "a KMS key policy"),
    ("AWS::KMS::ReplicaKey", &["kms"], "a KMS key policy"),
    ("AWS::ECR::Repository", &["ecr"], "an ECR repository policy"),
    (
        "AWS::ECR::RegistryPolicy",
        &["ecr"],
        "an ECR registry policy",
    ),
    (
        "AWS::SecretsManager::ResourcePolicy",
        &["secretsmanager"],
        "a secret's resource policy",
    ),
    (
        "AWS::Logs::Destination",
        &["logs"],
        "a log destination policy",
    ),
    (
        "AWS::EFS::FileSystem",
        &["elasticfilesystem"],
        "a file system policy",
    ),
    (
        "AWS::Backup::BackupVault",
        &["backup"],
        "a backup vault policy",
    ),
    (
        "AWS::ApiGateway::RestApi",
        &["execute-api"],
        "an API Gateway resource policy",
    ),
    ("AWS::Events::EventBus", &["events"], "an event bus policy"),
    (
        "AWS::Events::EventBusPolicy",
        &["events"],
        "an event bus policy",
    ),
    (
        "AWS::DynamoDB::Table",
        &["dynamodb"],
        "a DynamoDB table's resource policy",
    ),
    (
        "AWS::Kinesis::ResourcePolicy",
        &["kinesis"],
        "a Kinesis resource policy",
    ),
    (
        "AWS::CodeArtifact::Domain",
        &["codeartifact", "sts"],
        "a CodeArtifact domain policy",
    ),
    (
        "AWS::CodeArtifact::Repository",
        &["codeartifact", "sts"],
        "a CodeArtifact repository policy",
    ),
    (
        "AWS::OpenSearchService::Domain",
        &["es"],
        "an OpenSearch domain access policy",
    ),
    (
        "AWS::Elasticsearch::Domain",
        &["es"],
        "an Elasticsearch domain access policy",
    ),
];

/// The bucket an S3 bucket policy is attached to, as far as the template tells.
enum Bucket<'a> {
    /// `!Ref B` of an `AWS::S3::Bucket` of this template.
    Resource(&'a str),
    /// A bucket name written out.
    Named(&'a str),
    Unknown,
}

fn attached_bucket<'a>(policy: &Policy<'a>, template: Option<&Template<'a>>) -> Bucket<'a> {
    let Some(node) = policy
        .owner
        .and_then(|o| o.node.get("Properties"))
        .and_then(|p| p.get("Bucket"))
    else {
        return Bucket::Unknown;
    };
    match intrinsic(node).map(|i| i.call) {
        Some(Call::Ref { name }) if is_bucket(template, name.text) => Bucket::Resource(name.text),
        None if node.tag.is_none() => node.as_str().map_or(Bucket::Unknown, Bucket::Named),
        _ => Bucket::Unknown,
    }
}

fn is_bucket(template: Option<&Template<'_>>, id: &str) -> bool {
    template
        .and_then(|t| t.resource(id))
        .is_some_and(|r| r.type_ == Some("AWS::S3::Bucket"))
}

/// The bucket part (before the first `/`) of an S3 ARN's resource field as a pattern with `*`
/// and `?`; `None` when a symbolic piece is in it.
fn bucket_pattern(toks: &[Tok]) -> Option<String> {
    let mut out = String::new();
    for t in toks {
        match *t {
            Tok::Char('/') => break,
            Tok::Char(c) => out.push(c),
            t if t == Tok::STAR => out.push('*'),
            t if t == Tok::QUESTION => out.push('?'),
            _ => return None,
        }
    }
    Some(out)
}

impl ResourcePolicyMismatch {
    fn services(&self, policy: &Policy<'_>, out: &mut Vec<Diagnostic>, seen: &mut HashSet<Span>) {
        let Some((_, services, what)) = policy
            .owner
            .and_then(|o| SERVICES.iter().find(|(t, _, _)| *t == o.resource_type))
        else {
            return;
        };
        for st in &policy.statements {
            for item in st.actions() {
                let Some(pattern) = item.valid() else {
                    continue;
                };
                let service = pattern.service();
                if pattern.service_has_wildcard()
                    || services.iter().any(|s| s.eq_ignore_ascii_case(service))
                    || !seen.insert(item.span)
                {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        item.span,
                        format!(
                            "`{pattern}` is not an action of `{}`, and {what} grants only those",
                            services[0]
                        ),
                    )
                    .with_help(format!(
                        "grant `{service}` actions in the identity policy of the principal \
                         that needs them"
                    )),
                );
            }
        }
    }

    fn resources<'a>(
        &self,
        ctx: &FileContext<'a>,
        policy: &Policy<'a>,
        out: &mut Vec<Diagnostic>,
        seen: &mut HashSet<Span>,
    ) {
        let Some(owner) = policy.owner else {
            return;
        };
        let Some((_, services, what)) = SERVICES.iter().find(|(t, _, _)| *t == owner.resource_type)
        else {
            return;
        };
        let bucket_policy = owner.resource_type == "AWS::S3::BucketPolicy";
        let bucket = if bucket_policy {
            attached_bucket(policy, ctx.template)
        } else {
            Bucket::Unknown
        };
        for st in &policy.statements {
            for item in st.resources() {
                let problem = if bucket_policy {
                    self.bucket_problem(ctx, item, &bucket)
                } else {
                    other_service(ctx, item, services).map(|s| {
                        format!(
                            "`{}` is an ARN of `{s}`, and {what} governs only its own resource",
                            item.value
                        )
                    })
                };
                let Some(message) = problem else {
                    continue;
                };
                let span = value_span(item);
                if seen.insert(span) {
                    let help = if bucket_policy {
                        "a bucket policy's resources are the bucket (`!GetAtt Bucket.Arn`) and its \
                         objects (`!Sub \"${Bucket.Arn}/*\"`); grant other resources in the \
                         principal's identity policy"
                    } else {
                        "name this resource, or grant the other resource in the principal's \
                         identity policy"
                    };
                    out.push(Diagnostic::new(&Self::META, span, message).with_help(help));
                }
            }
        }
    }

    /// Why a `Resource` item of a bucket policy is not the bucket or its objects.
    fn bucket_problem(
        &self,
        ctx: &FileContext<'_>,
        item: &Item<'_>,
        bucket: &Bucket<'_>,
    ) -> Option<String> {
        let parsed = item.resource(ctx.template);
        let arn =
            match &parsed.arn {
                ResourceArn::Star => return Some(
                    "`\"*\"` is not a resource of a bucket policy, which covers only its bucket \
                     and the bucket's objects"
                        .to_string(),
                ),
                ResourceArn::Arn(arn) if parsed.problem.is_none() => arn,
                _ => return None,
            };
        let service = arn.service.literal()?;
        if !service.eq_ignore_ascii_case("s3") {
            return Some(format!(
                "`{}` is an ARN of `{service}`; a bucket policy covers only its bucket and the \
                 bucket's objects",
                item.value
            ));
        }
        // Access points and other S3 resources with a region or account are not judged here.
        if !arn.region.is_empty() || !arn.account.is_empty() {
            return None;
        }
        match bucket {
            Bucket::Named(name) => {
                let pattern = bucket_pattern(&arn.resource.toks)?;
                (!glob_matches(&pattern, name)).then(|| {
                    format!(
                        "`{}` is not in the bucket this policy is attached to (`{name}`)",
                        item.value
                    )
                })
            }
            Bucket::Resource(id) => {
                let named: Vec<&str> = item
                    .value
                    .parts
                    .iter()
                    .filter_map(|p| match p {
                        StringPart::Ref { name, .. } => Some(*name),
                        StringPart::GetAtt { resource, .. } => Some(*resource),
                        _ => None,
                    })
                    .collect();
                let other = named
                    .iter()
                    .find(|n| **n != *id && is_bucket(ctx.template, n))?;
                (!named.contains(id)).then(|| {
                    format!(
                        "`{}` is in bucket `{other}`, not in `{id}`, the bucket this policy is \
                         attached to",
                        item.value
                    )
                })
            }
            Bucket::Unknown => None,
        }
    }
}

/// The service of a resource ARN when it is known and none of `services`.
fn other_service(ctx: &FileContext<'_>, item: &Item<'_>, services: &[&str]) -> Option<String> {
    let parsed = item.resource(ctx.template);
    let ResourceArn::Arn(arn) = &parsed.arn else {
        return None;
    };
    if parsed.problem.is_some() {
        return None;
    }
    let service = arn.service.literal()?;
    (!services.iter().any(|s| s.eq_ignore_ascii_case(&service))).then_some(service)
}

impl Rule for ResourcePolicyMismatch {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for policy in ctx.policies() {
            if policy.kind != PolicyKind::Resource {
                continue;
            }
            self.services(policy, out, &mut seen);
            self.resources(ctx, policy, out, &mut seen);
        }
    }
}
