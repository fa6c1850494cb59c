//! Which CloudFormation resources stand for an ARN this linter can read.
//!
//! A symbol that starts the resource (`!GetAtt Bucket.Arn`, `${BucketArn}/*`, `!Ref TopicArn`)
//! stands for a whole ARN and may contain colons. When it is the ARN of a resource of a known
//! type in the template, the catalogue's ARN format of that type takes its place (with the
//! format's variables as symbols), so `${MyBucket.Arn}/*` reads as an S3 object ARN. Otherwise
//! the resource is [`super::ResourceArn::Unknown`] and matches anything. The table is kept on its
//! own because it grows with every resource type templates reference, while parsing does not.

use super::Tok;
use crate::iam::catalog::Catalog;
use crate::template::Template;

/// Resource types whose `Ref` or ARN attribute is an ARN: (CloudFormation type, attribute or
/// `Ref`, IAM service prefix, catalogue resource type).
const REFERENCE_ARNS: &[(&str, &str, &str, &str)] = &[
    ("AWS::S3::Bucket", "Arn", "s3", "bucket"),
    ("AWS::SQS::Queue", "Arn", "sqs", "queue"),
    ("AWS::SNS::Topic", "Ref", "sns", "topic"),
    ("AWS::SNS::Topic", "TopicArn", "sns", "topic"),
    ("AWS::IAM::Role", "Arn", "iam", "role"),
    ("AWS::IAM::User", "Arn", "iam", "user"),
    ("AWS::IAM::Group", "Arn", "iam", "group"),
    ("AWS::IAM::ManagedPolicy", "Ref", "iam", "policy"),
    ("AWS::IAM::ManagedPolicy", "PolicyArn", "iam", "policy"),
    (
        "AWS::IAM::InstanceProfile",
        "Arn",
        "iam",
        "instance-profile",
    ),
    ("AWS::Lambda::Function", "Arn", "lambda", "function"),
    ("AWS::Serverless::Function", "Arn", "lambda", "function"),
    ("AWS::DynamoDB::Table", "Arn", "dynamodb", "table"),
    ("AWS::DynamoDB::Table", "StreamArn", "dynamodb", "stream"),
    ("AWS::KMS::Key", "Arn", "kms", "key"),
    ("AWS::Kinesis::Stream", "Arn", "kinesis", "stream"),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        "Arn",
        "firehose",
        "deliverystream",
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "Ref",
        "states",
        "statemachine",
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "Arn",
        "states",
        "statemachine",
    ),
    (
        "AWS::Serverless::StateMachine",
        "Ref",
        "states",
        "statemachine",
    ),
    (
        "AWS::Serverless::StateMachine",
        "Arn",
        "states",
        "statemachine",
    ),
    (
        "AWS::SecretsManager::Secret",
        "Ref",
        "secretsmanager",
        "Secret",
    ),
    ("AWS::ECR::Repository", "Arn", "ecr", "repository"),
    ("AWS::Logs::LogGroup", "Arn", "logs", "log-group"),
    ("AWS::Events::EventBus", "Arn", "events", "event-bus"),
    (
        "AWS::CodeCommit::Repository",
        "Arn",
        "codecommit",
        "repository",
    ),
    (
        "AWS::EFS::FileSystem",
        "Arn",
        "elasticfilesystem",
        "file-system",
    ),
];

/// The catalogue ARN format, compiled, of `!Ref name` (`attribute` None) or
/// `!GetAtt name.attribute`, when `name` is a resource of a type whose ARN this linter knows.
pub(super) fn reference_format(
    template: Option<&Template<'_>>,
    name: &str,
    attribute: Option<&str>,
) -> Option<&'static [Tok]> {
    let resource = template?.resource(name)?;
    let type_ = resource.type_?;
    let attribute = attribute.unwrap_or("Ref");
    let (_, _, service, rt) = REFERENCE_ARNS
        .iter()
        .find(|(t, a, _, _)| *t == type_ && *a == attribute)?;
    let rt = Catalog::active().service(service)?.resource_type(rt)?;
    match rt.format_tokens() {
        [format] => Some(format),
        _ => None,
    }
}
