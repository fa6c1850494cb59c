//! Facts of a template (managed policy names defined, policy ARNs referenced) and the
//! cross-file pass that compares the facts of every file of a run.

use super::names::{find_policy_arns, Account, NamePattern};
use super::{Definition, DefinitionSource, Facts, PolicyRef, RefForm};
use crate::diagnostic::{Edit, Finding, Fix};
use crate::iam::managed::{managed_policies, managed_policy, ManagedPolicy};
use crate::source::{OffsetMap, SourceFile, Span};
use crate::template::spans::{value_span, whole_value_span};
use crate::template::{string_template, StringPart, Template};
use crate::yaml::{self, doctor, Document, Node, ParseOptions};

/// The facts of one template. Templates that do not parse are read from the indentation
/// doctor's repair, like the per-file rules do, so a tab-indented template still defines its
/// policy.
pub fn template_facts(
    source: &SourceFile,
    parse: &ParseOptions,
    origin: DefinitionSource,
) -> Facts {
    // Nearly every file in a repository has nothing to say about policies: skip the parse.
    if !source.text.contains("Polic") && !source.text.contains(":policy") {
        return Facts::default();
    }
    let Some((document, text, map)) = parse_with_repair(source, parse) else {
        return Facts::default();
    };
    let facts = document_facts(&document, &text, origin);
    match map {
        Some(map) => facts.mapped(&map),
        None => facts,
    }
}

/// The parsed document, the text its spans refer to, and the map back to the source when that
/// text is the doctor's repair.
pub(crate) fn parse_with_repair(
    source: &SourceFile,
    parse: &ParseOptions,
) -> Option<(Document, String, Option<OffsetMap>)> {
    match yaml::parse(&source.text, parse) {
        Ok(document) => Some((document, source.text.clone(), None)),
        Err(_) => {
            let repair = doctor::examine(source).repair?;
            let document = yaml::parse(&repair.text, parse).ok()?;
            Some((document, repair.text, Some(repair.map)))
        }
    }
}

fn document_facts(document: &Document, text: &str, origin: DefinitionSource) -> Facts {
    let mut facts = Facts::default();
    let template = Template::from_document(document);
    for resource in template.resources_of_type("AWS::IAM::ManagedPolicy") {
        let (name, span) = match resource.property("ManagedPolicyName") {
            Some(node) => (
                name_pattern(node, &template, text),
                whole_value_span(node, text),
            ),
            None => {
                // CloudFormation names it `<stack>-<logical id>-<random suffix>`.
                let mut generated = NamePattern::default();
                generated.push_any("AWS::StackName");
                generated.push_literal(&format!("-{}-", resource.logical_id));
                generated.push_any("generated suffix");
                (generated, resource.key.span)
            }
        };
        if !name.is_unknown() {
            facts.definitions.push(Definition {
                name,
                span,
                source: origin,
            });
        }
    }
    facts.references.extend(sam_policy_names(&template, text));
    if !facts.definitions.is_empty() {
        let mut ids: Vec<String> = template
            .resources
            .iter()
            .map(|r| r.logical_id.to_string())
            .collect();
        ids.sort();
        facts.logical_ids = ids;
    }
    if let Some(root) = &document.root {
        root.walk(&mut |node| {
            facts.references.extend(scalar_references(node, |range| {
                value_span(node, range, text)
            }));
        });
    }
    facts
}

/// The bare names in the `Policies` of SAM functions and state machines (and of `Globals`):
/// the SAM transform reads each as the name of an AWS managed policy.
fn sam_policy_names(template: &Template<'_>, text: &str) -> Vec<PolicyRef> {
    if !template.is_sam() {
        return Vec::new();
    }
    let globals = template
        .globals
        .iter()
        .flat_map(|g| ["Function", "StateMachine"].map(|kind| g.get(kind)))
        .flatten()
        .filter_map(|g| g.get("Policies"));
    let own = template
        .resources
        .iter()
        .filter(|r| {
            matches!(
                r.type_,
                Some("AWS::Serverless::Function" | "AWS::Serverless::StateMachine")
            )
        })
        .filter_map(|r| r.property("Policies"));
    let mut out = Vec::new();
    for policies in globals.chain(own) {
        let items: Vec<&Node> = match policies.as_sequence() {
            Some(list) if policies.tag.is_none() => list.iter().collect(),
            _ => vec![policies],
        };
        for item in items {
            let Some(name) = item.as_str().filter(|_| item.tag.is_none()) else {
                continue;
            };
            // ARNs are read with every other ARN; placeholders make the name unknown.
            let bare = !name.is_empty()
                && name.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '-' | '_' | '+' | '=' | ',' | '.' | '@')
                });
            if bare {
                out.push(PolicyRef {
                    name: name.to_string(),
                    span: whole_value_span(item, text),
                    form: RefForm::SamPolicyName,
                });
            }
        }
    }
    out
}

/// Policy ARNs inside one scalar (plain or `!Sub` text alike: `${…}` parts are placeholders).
pub(crate) fn scalar_references(
    node: &Node,
    span_of: impl Fn(std::ops::Range<usize>) -> Span,
) -> Vec<PolicyRef> {
    let Some(scalar) = node.as_scalar() else {
        return Vec::new();
    };
    find_policy_arns(&scalar.value)
        .into_iter()
        .filter(|m| !m.templated)
        .map(|m| PolicyRef {
            span: span_of(m.name_range.clone()),
            form: RefForm::Arn {
                account: m.account.clone(),
                path: m.path.clone(),
                path_and_name: span_of(m.path_and_name.clone()),
            },
            name: m.name,
        })
        .collect()
}

/// A `ManagedPolicyName` as a pattern. A parameter stands for its default (what a plain deploy
/// uses); anything else unknown at lint time becomes a wildcard.
fn name_pattern(node: &Node, template: &Template<'_>, text: &str) -> NamePattern {
    let mut pattern = NamePattern::default();
    for part in string_template(node, text).parts {
        match part {
            StringPart::Literal { text, .. } => pattern.push_literal(&text),
            StringPart::Ref { name, .. } => {
                let default = template
                    .parameter(name)
                    .and_then(|p| p.default)
                    .and_then(Node::as_str);
                match default {
                    Some(value) if !value.is_empty() => pattern.push_literal(value),
                    _ => pattern.push_any(name),
                }
            }
            StringPart::GetAtt { resource, .. } => pattern.push_any(resource),
            StringPart::Unknown { .. } => pattern.push_any("?"),
        }
    }
    pattern
}

/// What the comparison of files reports; `crate::checkers::cross_file` names the rule of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// An AWS managed policy ARN with a misspelt name or a wrong path.
    UnknownAwsManaged,
    /// A policy referred to by a name that no file defines, close to one that is defined.
    Mismatch,
    /// A managed policy name defined twice.
    Duplicate,
}

/// Compare the facts of every file of a run, looking only for the `wanted` problems: the
/// findings of each file, in the order of `files`.
pub fn compare(
    files: &[(&SourceFile, &Facts)],
    wanted: impl Fn(Problem) -> bool,
) -> Vec<Vec<Finding<Problem>>> {
    let mut found: Vec<Vec<Finding<Problem>>> = files.iter().map(|_| Vec::new()).collect();
    let defs: Vec<(usize, &Definition)> = files
        .iter()
        .enumerate()
        .flat_map(|(i, (_, facts))| facts.definitions.iter().map(move |d| (i, d)))
        .collect();
    // "line 12" within the same file, "policy.yaml:12" from another one.
    let where_defined = |from: usize, file: usize, span: Span| -> String {
        let source = files[file].0;
        let line = source.position(span.start).line;
        if from == file {
            format!("line {line}")
        } else {
            format!("{}:{line}", source.path)
        }
    };

    for (i, (source, facts)) in files.iter().enumerate() {
        for reference in &facts.references {
            let f = match &reference.form {
                RefForm::Arn {
                    account: Account::Aws,
                    path,
                    path_and_name,
                } if wanted(Problem::UnknownAwsManaged) => {
                    aws_managed(reference, path, *path_and_name, source)
                }
                RefForm::Arn {
                    account: Account::Aws,
                    ..
                } => None,
                RefForm::SamPolicyName if wanted(Problem::UnknownAwsManaged) => {
                    sam_policy_name(reference, source)
                }
                RefForm::SamPolicyName => None,
                _ if wanted(Problem::Mismatch) => {
                    mismatch(reference, &defs, &|file, span| where_defined(i, file, span))
                }
                _ => None,
            };
            found[i].extend(f);
        }
    }

    if wanted(Problem::Duplicate) {
        let mut literal: Vec<(&str, usize, Span)> = defs
            .iter()
            .filter(|(_, d)| d.source == DefinitionSource::Template)
            .filter_map(|(i, d)| d.name.as_literal().map(|n| (n, *i, d.span)))
            .collect();
        // Files come sorted by path; keep that order within a name.
        literal.sort_by(|a, b| (a.0, a.1, a.2.start).cmp(&(b.0, b.1, b.2.start)));
        for pair in literal.windows(2) {
            let [(first, fi, fspan), (second, si, sspan)] = pair else {
                continue;
            };
            if first != second || twins(files[*fi], files[*si]) {
                continue;
            }
            found[*si].push(
                Finding::new(
                    Problem::Duplicate,
                    *sspan,
                    format!(
                        "managed policy name `{second}` is already defined at {}",
                        where_defined(*si, *fi, *fspan)
                    ),
                )
                .with_help(
                    "managed policy names are unique per account: give this policy another \
                     name, or derive it from the stack (`!Sub ${AWS::StackName}-…`)",
                ),
            );
        }
    }
    found
}

/// Two files that are one stack written twice, as sample repositories keep a template in YAML
/// and in JSON: the same folder, the same name but for the extension, the same logical IDs.
fn twins(a: (&SourceFile, &Facts), b: (&SourceFile, &Facts)) -> bool {
    let (pa, pb) = (
        std::path::Path::new(&a.0.path),
        std::path::Path::new(&b.0.path),
    );
    pa != pb
        && pa.parent() == pb.parent()
        && pa.file_stem() == pb.file_stem()
        && !a.1.logical_ids.is_empty()
        && a.1.logical_ids == b.1.logical_ids
}

fn aws_managed(
    reference: &PolicyRef,
    path: &str,
    path_and_name: Span,
    source: &SourceFile,
) -> Option<Finding<Problem>> {
    let name = reference.name.as_str();
    let written = format!("{path}{name}");
    // The corrected ARN in the partition the file writes (`aws-cn`, `${AWS::Partition}`), when
    // the ARN is spelt out on one line; otherwise the `aws` partition's.
    let arn_as_written = |policy: &ManagedPolicy| -> String {
        let before = &source.text[..path_and_name.start.min(source.text.len())];
        let head = before
            .rfind("arn:")
            .map(|at| &before[at..])
            .filter(|h| h.ends_with(":policy") && !h.contains(['\n', ' ', '"', '\'']));
        match head {
            Some(head) => format!("{head}{}{}", policy.path, policy.name),
            None => policy.arn(),
        }
    };
    // A fix rewrites the bytes only where they spell the ARN's tail exactly.
    let fix_to = |right: &str| {
        (source.slice(path_and_name) == written).then(|| Fix {
            description: format!("write `{right}`"),
            edits: vec![Edit {
                span: path_and_name,
                replacement: right.to_string(),
            }],
        })
    };
    if let Some(policy) = managed_policy(name) {
        if policy.path == path {
            return None;
        }
        let right = format!("{}{}", policy.path, policy.name);
        let mut d = Finding::new(
            Problem::UnknownAwsManaged,
            path_and_name,
            format!(
                "AWS managed policy `{name}` has the path `{}`, not `{path}`",
                policy.path
            ),
        )
        .with_help(format!("the policy's ARN is `{}`", arn_as_written(policy)));
        d.fix = fix_to(&right);
        return Some(d);
    }
    let suggestion = suggest_aws_managed(name)?;
    let right = format!("{}{}", suggestion.path, suggestion.name);
    let mut d = did_you_mean(
        reference,
        suggestion,
        format!("the policy's ARN is `{}`", arn_as_written(suggestion)),
    );
    d.fix = fix_to(&right);
    if d.fix.is_some() {
        d.span = path_and_name;
    }
    Some(d)
}

/// "`NAME` is not an AWS managed policy; did you mean `SUGGESTION`?", at the name.
fn did_you_mean(
    reference: &PolicyRef,
    suggestion: &ManagedPolicy,
    help: String,
) -> Finding<Problem> {
    Finding::new(
        Problem::UnknownAwsManaged,
        reference.span,
        format!(
            "`{}` is not an AWS managed policy; did you mean `{}`?",
            reference.name, suggestion.name
        ),
    )
    .with_help(help)
}

/// A bare name in SAM `Policies` that is no AWS managed policy but close to one.
fn sam_policy_name(reference: &PolicyRef, source: &SourceFile) -> Option<Finding<Problem>> {
    let name = reference.name.as_str();
    if managed_policy(name).is_some() {
        return None;
    }
    let suggestion = suggest_aws_managed(name)?;
    let mut d = did_you_mean(
        reference,
        suggestion,
        format!(
            "SAM reads a bare name in `Policies` as an AWS managed policy's; write `{}`",
            suggestion.name
        ),
    );
    // A fix rewrites the bytes only where they spell the name exactly.
    d.fix = (source.slice(reference.span) == name).then(|| Fix {
        description: format!("write `{}`", suggestion.name),
        edits: vec![Edit {
            span: reference.span,
            replacement: suggestion.name.to_string(),
        }],
    });
    Some(d)
}

/// The AWS managed policy an unknown name most likely meant: fewest edits ignoring case, then
/// the most characters shared at both ends (`CloudWatchReadAccess` is nearer to
/// `CloudWatchReadOnlyAccess` than to `CloudWatchFullAccess`, at equal edit distance).
fn suggest_aws_managed(name: &str) -> Option<&'static ManagedPolicy> {
    let lower = name.to_lowercase();
    let tolerance = (name.len() / 5).clamp(1, 4);
    let affix = |other: &str| {
        let prefix = lower
            .bytes()
            .zip(other.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let suffix = lower
            .bytes()
            .rev()
            .zip(other.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count();
        prefix + suffix
    };
    managed_policies()
        .iter()
        .filter(|p| p.name.len().abs_diff(name.len()) <= tolerance && p.name != name)
        .filter_map(|p| {
            let other = p.name.to_lowercase();
            let d = crate::suggest::distance(&lower, &other);
            (d <= tolerance).then(|| (d, std::cmp::Reverse(affix(&other)), p))
        })
        .min_by_key(|(d, a, _)| (*d, *a))
        .map(|(_, _, p)| p)
}

fn mismatch(
    reference: &PolicyRef,
    defs: &[(usize, &Definition)],
    where_defined: &dyn Fn(usize, Span) -> String,
) -> Option<Finding<Problem>> {
    let name = reference.name.as_str();
    if defs.iter().any(|(_, d)| d.name.matches(name)) {
        return None;
    }
    let (file, def, defined) = defs
        .iter()
        .filter_map(|(i, d)| {
            let defined = d.name.as_literal()?;
            closeness(name, defined).map(|score| (score, *i, *d, defined))
        })
        .min_by_key(|(score, ..)| *score)
        .map(|(_, i, d, defined)| (i, d, defined))?;
    let at = where_defined(file, def.span);
    let what = match reference.form {
        RefForm::Query => "the `list-policies` query looks for",
        RefForm::Arn { .. } => "the ARN refers to",
        RefForm::SamPolicyName => "the SAM `Policies` entry names",
    };
    Some(
        Finding::new(
            Problem::Mismatch,
            reference.span,
            format!(
                "{what} policy `{name}`, which no checked file defines; did you mean \
                 `{defined}` (defined at {at})?"
            ),
        )
        .with_help(format!(
            "use one name in both places: write `{defined}` here, or rename the policy defined \
             at {at} to `{name}`"
        )),
    )
}

/// How close a reference is to a defined name (smaller is closer), or `None` when they are
/// different names rather than one name mistyped.
fn closeness(reference: &str, defined: &str) -> Option<usize> {
    if reference == defined {
        return None;
    }
    if reference.eq_ignore_ascii_case(defined) {
        return Some(0);
    }
    let (short, long) = if reference.len() <= defined.len() {
        (reference, defined)
    } else {
        (defined, reference)
    };
    // `pclusterSSM` / `pclusterSSM2`, `ssm-policy` / `ssm-policy-v2`: a version suffix.
    if short.len() >= 4 {
        if let Some(suffix) = long.strip_prefix(short) {
            let versionish = suffix.len() <= 3
                && suffix
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | 'v' | 'V'))
                && suffix.chars().any(|c| c.is_ascii_digit());
            if versionish {
                return Some(1);
            }
        }
    }
    let limit = (short.chars().count() / 4).min(2);
    let d = crate::suggest::distance(&reference.to_lowercase(), &defined.to_lowercase());
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeness_accepts_typos_case_and_version_suffixes_only() {
        assert_eq!(closeness("pclusterSSM", "pclusterSSM2"), Some(1));
        assert_eq!(closeness("pclusterssm", "pclusterSSM"), Some(0));
        assert_eq!(closeness("pclustrSSM2", "pclusterSSM2"), Some(1));
        assert_eq!(closeness("ssm-policy", "ssm-policy-v2"), Some(1));
        assert_eq!(closeness("pclusterSSM", "pclusterSSM"), None);
        assert_eq!(closeness("abc", "abd"), None);
        assert_eq!(closeness("LambdaExec", "SlurmExec"), None);
        assert_eq!(closeness("policy", "policyAdmin"), None);
    }
}
