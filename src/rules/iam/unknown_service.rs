use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{suggest_action, suggest_service, Catalog};
use crate::rules::iam::support::{action_patterns, sub_span};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an action whose service prefix (the part before `:`) names no AWS service, such
    /// as `s3x:GetObject` or `dynamo:Query`.
    ///
    /// ## Why it matters
    /// IAM accepts any prefix without complaint, so the statement silently grants nothing and
    /// the workload fails with `AccessDenied` at run time.
    ///
    /// ## Example
    /// ```yaml
    /// Action: dynamo:Query
    /// ```
    ///
    /// ## Fix
    /// Use the service's IAM prefix (the help names the closest one):
    /// ```yaml
    /// Action: dynamodb:Query
    /// ```
    pub struct UnknownService {
        name: "unknown-service",
        code: "I020",
        severity: Error,
        family: Iam,
        summary: "An action's service prefix names no AWS service",
    }
}

impl Rule for UnknownService {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        for (item, pattern) in action_patterns(ctx) {
            let service = pattern.service();
            if pattern.service_has_wildcard() || item.service().is_some() {
                continue;
            }
            let help = if let Some(action) = (!pattern.has_wildcard())
                .then(|| suggest_action(catalog, service, pattern.name()))
                .flatten()
            {
                format!("did you mean `{}`?", action.full_name())
            } else if let Some(s) = alias(service)
                .and_then(|a| catalog.service(a))
                .or_else(|| suggest_service(catalog, service))
                .or_else(|| {
                    // An endpoint name such as `bedrock-runtime` for the `bedrock` prefix.
                    service
                        .split_once('-')
                        .and_then(|(head, _)| catalog.service(head))
                })
            {
                format!("did you mean `{}` ({})?", s.prefix, s.name)
            } else {
                "use the service's IAM prefix, as listed in the Service Authorization \
                 Reference (e.g. `s3`, `dynamodb`, `ssm`)"
                    .to_string()
            };
            let span = sub_span(item.span, pattern.as_str(), 0..service.len());
            out.push(
                Diagnostic::new(
                    &Self::META,
                    span,
                    format!("`{service}` is not the IAM prefix of any AWS service"),
                )
                .with_help(help),
            );
        }
    }
}

/// Names people write for a service whose IAM prefix differs (API endpoint or product names).
fn alias(written: &str) -> Option<&'static str> {
    const ALIASES: &[(&str, &str)] = &[
        ("docdb", "rds"),
        ("documentdb", "rds"),
        ("neptune", "rds"),
        ("bedrock-runtime", "bedrock"),
        ("bedrock-agent", "bedrock"),
        ("bedrock-agent-runtime", "bedrock"),
        ("opensearch", "es"),
        ("elasticsearch", "es"),
        ("stepfunctions", "states"),
        ("eventbridge", "events"),
        ("cloudwatchlogs", "logs"),
        ("cloudwatch-logs", "logs"),
        ("cognito", "cognito-idp"),
        ("elbv2", "elasticloadbalancing"),
        ("elb", "elasticloadbalancing"),
        ("efs", "elasticfilesystem"),
        ("firehose-delivery", "firehose"),
        ("monitoring", "cloudwatch"),
    ];
    ALIASES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(written))
        .map(|(_, prefix)| *prefix)
}
