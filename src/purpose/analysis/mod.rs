//! For each principal: which purposes it has (declared or inferred), and which of their
//! required actions it does not grant on the resource each needs. Whether a principal grants an
//! action on a resource is answered in `grants`.

mod grants;

use crate::iam::arn::Tok;
use crate::iam::{Catalog, Policy, Statement};
use crate::template::{intrinsic, string_template, AttributeRef, Call, Template};
use crate::yaml::Node;

use super::pack::{Hint, Pack, PackSet, Requirement, BUILTIN_VARIABLES};
use super::principal::{Principal, PrincipalKind};
use grants::{statement_grants_action, Grants, State};

/// How a purpose came to apply to a principal.
#[derive(Clone, Debug, PartialEq)]
pub enum Recognition<'a> {
    /// Named in `Metadata: cfn-policy-lint: purposes`, at this node.
    Declared(&'a Node),
    /// Named for this resource in the configuration file (`rules: missing-required-actions:
    /// purposes:`).
    Configured,
    /// Shown by what the template wires to the principal (an SSM association targeting the
    /// instance whose role this is): the wiring's name and title, and where it is written.
    Wired {
        wiring: String,
        title: String,
        site: crate::source::Span,
        error: bool,
    },
    /// Inferred: these characteristic actions are already granted, by the principal's own
    /// statements or, when `through` is set, only by that attached AWS managed policy.
    Inferred {
        evidence: Vec<String>,
        through: Option<&'static str>,
    },
}

/// One action the principal lacks, and the resource it needs it on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    pub action: String,
    /// In `Fn::Sub` syntax bound to the template's names (`arn:${AWS::Partition}:s3:::${S3Bucket}/*`),
    /// or `*`.
    pub resource: String,
    pub why: Option<String>,
}

/// A purpose a principal has and does not fully grant.
#[derive(Debug)]
pub struct Finding<'p, 'a> {
    pub pack: &'p Pack,
    pub recognition: Recognition<'a>,
    pub missing: Vec<Missing>,
    /// The policy granting most of the pack's actions (where to add the rest).
    pub closest_policy: Option<&'p Policy<'a>>,
    /// Its statement granting most of them, with how many.
    pub closest_statement: Option<(&'p Statement<'a>, usize)>,
    /// How many distinct actions the purpose needs here (its applicable requirements).
    pub needed: usize,
    /// The principal attaches this deprecated AWS managed policy for the purpose (with where):
    /// the finding is that, with the replacement, and `missing` is empty.
    pub superseded: Option<(&'p super::pack::Superseded, crate::source::Span)>,
}

/// A declared purpose no pack defines.
#[derive(Debug)]
pub struct UnknownPurpose<'a> {
    pub node: &'a Node,
    pub suggestion: Option<String>,
}

/// What the purpose analysis found in one file.
#[derive(Debug, Default)]
pub struct Analysis<'p, 'a> {
    pub findings: Vec<(usize, Finding<'p, 'a>)>,
    pub unknown: Vec<UnknownPurpose<'a>>,
}

/// A value found for a pack variable.
#[derive(Clone, Debug)]
struct Bound {
    /// `Fn::Sub` text of the value (`${S3Bucket}`, `my-bucket`).
    sub: String,
    /// The value when literal.
    literal: Option<String>,
    /// The value is itself an ARN (`!GetAtt Key.Arn`), replacing the whole resource.
    whole_arn: bool,
}

pub fn analyse<'p, 'a>(
    packs: &'p PackSet,
    template: Option<&Template<'a>>,
    principals: &[Principal<'p, 'a>],
    source: &str,
) -> Analysis<'p, 'a> {
    analyse_with_configured(packs, template, principals, source, &|_| Vec::new())
}

/// [`analyse`], with purposes the configuration declares for a principal's logical id.
pub fn analyse_with_configured<'p, 'a>(
    packs: &'p PackSet,
    template: Option<&Template<'a>>,
    principals: &[Principal<'p, 'a>],
    source: &str,
    configured: &dyn Fn(&str) -> Vec<String>,
) -> Analysis<'p, 'a> {
    analyse_with_wired(packs, template, principals, source, configured, &|_| {
        Vec::new()
    })
}

/// [`analyse_with_configured`], with purposes the template's wiring shows for a principal's
/// logical id (pack name and how it was recognised, a [`Recognition::Wired`]).
pub fn analyse_with_wired<'p, 'a>(
    packs: &'p PackSet,
    template: Option<&Template<'a>>,
    principals: &[Principal<'p, 'a>],
    source: &str,
    configured: &dyn Fn(&str) -> Vec<String>,
    wired: &dyn Fn(&str) -> Vec<(String, Recognition<'a>)>,
) -> Analysis<'p, 'a> {
    let mut analysis = Analysis::default();
    let catalog = Catalog::active();
    for (index, principal) in principals.iter().enumerate() {
        let grants = Grants::of(principal, template);
        let mut found: Vec<Finding<'p, 'a>> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let from_config = principal.logical_id.map(configured).unwrap_or_default();
        for name in &from_config {
            let Some(pack) = packs.get(name) else {
                // The configuration loader cannot know the packs; an unknown name declares
                // nothing (`cfn-policy-lint explain missing-required-actions` lists them).
                continue;
            };
            if seen.contains(&pack.name.as_str()) {
                continue;
            }
            seen.push(pack.name.as_str());
            if let Some(f) = check_pack(
                pack,
                Recognition::Configured,
                principal,
                &grants,
                template,
                source,
                catalog,
            ) {
                found.push(f);
            }
        }
        for (name, recognition) in principal.logical_id.map(wired).unwrap_or_default() {
            let Some(pack) = packs.get(&name) else {
                continue;
            };
            if seen.contains(&pack.name.as_str()) {
                continue;
            }
            // A principal whose policies this program cannot see may grant the rest.
            if principal.opaque || principal.partial {
                continue;
            }
            seen.push(pack.name.as_str());
            if let Some(f) = check_pack(
                pack,
                recognition,
                principal,
                &grants,
                template,
                source,
                catalog,
            ) {
                found.push(f);
            }
        }
        for node in &principal.declared {
            let name = node.as_str().unwrap_or("");
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            match packs.get(name) {
                Some(pack) => {
                    if let Some(f) = check_pack(
                        pack,
                        Recognition::Declared(node),
                        principal,
                        &grants,
                        template,
                        source,
                        catalog,
                    ) {
                        found.push(f);
                    }
                }
                None => analysis.unknown.push(UnknownPurpose {
                    node,
                    suggestion: crate::suggest::closest(
                        name,
                        packs.packs().iter().map(|p| p.name.as_str()),
                    )
                    .map(str::to_string),
                }),
            }
        }
        // What this program cannot see may grant the rest: infer nothing then.
        if !principal.opaque && !principal.partial {
            for pack in packs.packs() {
                if seen.contains(&pack.name.as_str()) {
                    continue;
                }
                let Some(recognition) = infer(pack, principal, &grants, template, source, catalog)
                else {
                    continue;
                };
                if let Some(f) = check_pack(
                    pack,
                    recognition,
                    principal,
                    &grants,
                    template,
                    source,
                    catalog,
                ) {
                    found.push(f);
                }
            }
        }
        // One mistake, one finding: a purpose whose gaps another one of the principal's
        // purposes also reports adds nothing.
        let mut keep = vec![true; found.len()];
        for i in 0..found.len() {
            if let Some((_, span)) = found[i].superseded {
                // One deprecation finding per attachment, whichever purposes it served.
                keep[i] = !found[..i]
                    .iter()
                    .any(|f| f.superseded.is_some_and(|(_, s)| s == span));
                continue;
            }
            for j in 0..found.len() {
                if i != j
                    && keep[j]
                    && found[j].superseded.is_none()
                    && found[i]
                        .missing
                        .iter()
                        .all(|m| found[j].missing.contains(m))
                    && (found[i].missing.len() < found[j].missing.len() || i > j)
                {
                    keep[i] = false;
                    break;
                }
            }
        }
        for (f, k) in found.into_iter().zip(keep) {
            if k {
                analysis.findings.push((index, f));
            }
        }
    }
    analysis
}

fn infer<'a>(
    pack: &Pack,
    principal: &Principal<'_, 'a>,
    grants: &Grants<'_, 'a>,
    template: Option<&Template<'a>>,
    source: &str,
    catalog: &'static Catalog,
) -> Option<Recognition<'a>> {
    let r = &pack.recognise;
    if r.actions.is_empty() && r.bound.is_empty() {
        return None;
    }
    if principal
        .managed
        .iter()
        .any(|(m, _)| r.unless_managed.iter().any(|u| u == m.name))
    {
        return None;
    }
    if !r.trusted_services.is_empty() {
        match (&principal.kind, &principal.trusted_services) {
            (PrincipalKind::Role, Some(services)) => {
                let first_label = |s: &str| s.split('.').next().unwrap_or("").to_ascii_lowercase();
                let wanted: Vec<String> =
                    r.trusted_services.iter().map(|s| first_label(s)).collect();
                if !services.iter().any(|s| wanted.contains(&first_label(s))) {
                    return None;
                }
            }
            (PrincipalKind::Policy, _) => {}
            _ => return None,
        }
    }
    let evidence: Vec<String> = r
        .actions
        .iter()
        .filter(|a| grants.evidence_for(a, catalog))
        .cloned()
        .collect();
    if evidence.len() < r.min_actions.max(usize::from(!r.actions.is_empty())) {
        return None;
    }
    for var in &r.bound {
        bind(pack, var, template, source)?;
    }
    if !r.keywords.is_empty() && !mentions(&r.keywords, principal, template) {
        return None;
    }
    let own = evidence
        .iter()
        .any(|a| grants.evidence_in_statements(a, catalog));
    let through = if own {
        None
    } else {
        principal
            .managed
            .iter()
            .find(|(m, _)| {
                evidence
                    .iter()
                    .any(|e| m.actions().any(|a| a.eq_ignore_ascii_case(e)))
            })
            .map(|(m, _)| m.name)
    };
    Some(Recognition::Inferred { evidence, through })
}

/// Whether a description of the template, the principal or its policies names a keyword.
fn mentions(
    keywords: &[String],
    principal: &Principal<'_, '_>,
    template: Option<&Template<'_>>,
) -> bool {
    let mut texts: Vec<&str> = Vec::new();
    if let Some(t) = template {
        texts.extend(t.description.and_then(Node::as_str));
        if let Some(id) = principal.logical_id {
            texts.extend(
                t.resource(id)
                    .and_then(|r| r.property("Description"))
                    .and_then(Node::as_str),
            );
        }
    }
    for p in &principal.policies {
        texts.extend(
            p.owner
                .and_then(|o| o.node.get("Properties"))
                .and_then(|props| props.get("Description"))
                .and_then(Node::as_str),
        );
    }
    texts.iter().any(|t| {
        let lower = t.to_ascii_lowercase();
        keywords
            .iter()
            .any(|k| contains_word(&lower, &k.to_ascii_lowercase()))
    })
}

/// `needle` in `haystack` at word boundaries (so `ssm` does not match `assmebly`).
fn contains_word(haystack: &str, needle: &str) -> bool {
    let bytes = haystack.as_bytes();
    haystack.match_indices(needle).any(|(i, _)| {
        let before = i.checked_sub(1).and_then(|j| bytes.get(j));
        let after = bytes.get(i + needle.len());
        !before.is_some_and(u8::is_ascii_alphanumeric)
            && !after.is_some_and(u8::is_ascii_alphanumeric)
    })
}

fn check_pack<'p, 'a>(
    pack: &'p Pack,
    recognition: Recognition<'a>,
    principal: &Principal<'p, 'a>,
    grants: &Grants<'p, 'a>,
    template: Option<&Template<'a>>,
    source: &str,
    catalog: &'static Catalog,
) -> Option<Finding<'p, 'a>> {
    if principal
        .managed
        .iter()
        .any(|(m, _)| pack.satisfied_by.iter().any(|s| s == m.name))
    {
        return None;
    }
    if let Some((old, span)) = principal.managed.iter().find_map(|(m, span)| {
        pack.superseded
            .iter()
            .find(|s| s.policy == m.name)
            .map(|s| (s, *span))
    }) {
        return Some(Finding {
            pack,
            recognition,
            missing: Vec::new(),
            closest_policy: None,
            closest_statement: None,
            needed: 0,
            superseded: Some((old, span)),
        });
    }
    let declared = matches!(
        recognition,
        Recognition::Declared(_) | Recognition::Configured
    );
    let mut missing = Vec::new();
    let mut required: Vec<&str> = Vec::new();
    for req in &pack.requires {
        let applies = match req.when.as_deref() {
            None => true,
            Some("declared") => declared,
            Some(var) => bind(pack, var, template, source).is_some(),
        };
        if !applies {
            continue;
        }
        let (sub, toks) = render(pack, req, template, source);
        for action in &req.actions {
            if !required.iter().any(|r| r.eq_ignore_ascii_case(action)) {
                required.push(action);
            }
            match grants.state(action, &toks, catalog) {
                State::Granted | State::ScopeGap => {}
                State::Missing => {
                    let m = Missing {
                        action: action.clone(),
                        resource: sub.clone(),
                        why: req.why.clone(),
                    };
                    if !missing.contains(&m) {
                        missing.push(m);
                    }
                }
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    let mut closest_policy = None;
    let mut closest_statement = None;
    let mut best_policy = 0;
    for policy in &principal.policies {
        let mut in_policy = 0;
        for statement in &policy.statements {
            let n = required
                .iter()
                .filter(|a| statement_grants_action(statement, a))
                .count();
            in_policy += n;
            if n > closest_statement.map_or(0, |(_, c)| c) {
                closest_statement = Some((statement, n));
            }
        }
        if closest_policy.is_none() || in_policy > best_policy {
            closest_policy = Some(*policy);
            best_policy = in_policy;
        }
    }
    Some(Finding {
        pack,
        recognition,
        missing,
        closest_policy,
        closest_statement,
        needed: required.len(),
        superseded: None,
    })
}

/// The value of a pack variable in this template, from the first hint that finds one.
fn bind(pack: &Pack, var: &str, template: Option<&Template<'_>>, source: &str) -> Option<Bound> {
    let template = template?;
    let variable = pack.variables.get(var)?;
    variable
        .hints
        .iter()
        .find_map(|hint| bind_hint(hint, template, source))
}

fn bind_hint(hint: &Hint, template: &Template<'_>, source: &str) -> Option<Bound> {
    if let Some(groups) = &hint.parameter {
        return template.parameters.iter().find_map(|p| {
            let text = format!("{} {}", p.name, p.description.unwrap_or("")).to_ascii_lowercase();
            groups
                .iter()
                .all(|g| {
                    g.iter()
                        .any(|w| contains_word_loose(&text, &w.to_ascii_lowercase()))
                })
                .then(|| Bound {
                    sub: format!("${{{}}}", p.name),
                    literal: None,
                    whole_arn: false,
                })
        });
    }
    if let Some(type_) = &hint.resource {
        let mut of_type = template.resources_of_type(type_);
        let only = of_type.next()?;
        return of_type.next().is_none().then(|| Bound {
            sub: format!("${{{}}}", only.logical_id),
            literal: None,
            whole_arn: false,
        });
    }
    if let Some(input) = &hint.session_document_input {
        let document = template
            .resources_of_type("AWS::SSM::Document")
            .find(|r| r.property("DocumentType").and_then(Node::as_str) == Some("Session"))?;
        let value = document
            .property("Content")
            .and_then(|c| c.get("inputs"))
            .and_then(|i| i.get(input))?;
        let t = string_template(value, source);
        let literal = t.literal();
        if literal.as_deref().is_some_and(|l| l.trim().is_empty()) {
            return None;
        }
        let whole_arn = literal.as_deref().is_some_and(|l| l.starts_with("arn:"))
            || matches!(intrinsic(value).map(|i| i.call), Some(Call::GetAtt { attribute: AttributeRef::Name(a), .. }) if a.text.ends_with("Arn"));
        return Some(Bound {
            sub: t.to_string(),
            literal,
            whole_arn,
        });
    }
    None
}

/// Word match that also accepts a short word at either end of an identifier (`SSMOutput`,
/// `ssm_bucket`); longer words and phrases match anywhere.
fn contains_word_loose(haystack: &str, needle: &str) -> bool {
    if needle.len() > 3 || needle.contains(' ') {
        haystack.contains(needle)
    } else {
        haystack
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w.starts_with(needle) || w.ends_with(needle))
    }
}

/// A requirement's resource as `Fn::Sub` text for help, and as tokens for matching.
fn render(
    pack: &Pack,
    req: &Requirement,
    template: Option<&Template<'_>>,
    source: &str,
) -> (String, Vec<Tok>) {
    let mut sub = String::new();
    let mut toks = Vec::new();
    let mut rest = req.resource.as_str();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                let var = &after[..end];
                rest = &after[end + 1..];
                match builtin(var) {
                    Some(pseudo) => {
                        sub.push_str(&format!("${{{pseudo}}}"));
                        toks.push(Tok::SEGMENT);
                    }
                    None => match bind(pack, var, template, source) {
                        Some(b) if b.whole_arn => return (b.sub, vec![Tok::STAR]),
                        Some(b) => {
                            sub.push_str(&b.sub);
                            match b.literal {
                                Some(l) => toks.extend(l.chars().map(Tok::Char)),
                                None => toks.push(Tok::SEGMENT),
                            }
                        }
                        None => {
                            sub.push_str(&format!("${{{var}}}"));
                            toks.push(Tok::SEGMENT);
                        }
                    },
                }
                continue;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            sub.push(c);
            toks.push(if c == '*' { Tok::STAR } else { Tok::Char(c) });
        }
        rest = chars.as_str();
    }
    (sub, toks)
}

fn builtin(var: &str) -> Option<&'static str> {
    match var {
        "Partition" => Some("AWS::Partition"),
        "Region" => Some("AWS::Region"),
        "Account" => Some("AWS::AccountId"),
        _ => None,
    }
    .filter(|_| BUILTIN_VARIABLES.contains(&var))
}
