use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;
use crate::template::foreach::pattern_matches;
use crate::template::{RefKind, Reference, Template, PSEUDO_PARAMETERS, SECTIONS};

declare_rule! {
    /// ## What it does
    /// Reports a `Ref`, `GetAtt`, `${…}` variable of a `Sub` string, `DependsOn` entry,
    /// `Condition` (of a resource, an output, `Fn::If` or `!Condition`) or `FindInMap` map that
    /// names nothing defined in the template, and suggests the name that was probably meant.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the whole template when a reference cannot be resolved, but only
    /// when it is deployed. Inside a `!Sub` string a typo is easy to miss: `${Bukcet}` reads
    /// like `${Bucket}`.
    ///
    /// Names that the SAM transform creates (`MyFunctionRole`, `ServerlessRestApi`,
    /// `MyFunction.Alias` …) count as defined in templates using it, and so do the resources of
    /// a registry module (`Type: Org::Service::Thing::MODULE`), named after the module's
    /// logical ID (`MyModuleBucket`, `MyModule.Bucket`), and the resources and conditions that
    /// `Fn::ForEach` loops generate (by name when the loop's collection is a literal list, by
    /// pattern when it is a parameter). Templates using other macros or `Fn::Transform`, and
    /// files written for a packaging step or a preprocessor (packaging sections such as
    /// `Modules`, `!Rain::` tags, Serverless Framework variables: module sources whose names
    /// the parent resolves) are not checked, since something else may define anything.
    ///
    /// ## Example
    /// ```yaml
    /// Parameters:
    ///   Bucket:
    ///     Type: String
    /// Resources:
    ///   Policy:
    ///     Type: AWS::IAM::ManagedPolicy
    ///     Properties:
    ///       PolicyDocument:
    ///         Statement:
    ///           - Effect: Allow
    ///             Action: s3:GetObject
    ///             Resource: !Sub 'arn:aws:s3:::${Bukcet}/*'
    /// ```
    ///
    /// ## Fix
    /// Name something the template defines, spelt exactly (names are case-sensitive):
    /// ```yaml
    ///             Resource: !Sub 'arn:aws:s3:::${Bucket}/*'
    /// ```
    /// To keep a literal `${Text}` in a `Sub` string, write `${!Text}`.
    pub struct UndefinedReference {
        name: "undefined-reference",
        code: "T002",
        severity: Error,
        family: Template,
        summary: "A reference to a parameter, resource, condition or mapping that does not exist",
    }
}

impl Rule for UndefinedReference {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else { return };
        if !template.is_mapping || template.has_unknown_content() {
            return;
        }
        let names = Names::of(template);
        let source = ctx.source.text.as_str();
        for reference in template.references() {
            if let Some(d) = names.check(reference, source) {
                out.push(d);
            }
        }
    }
}

/// What the template defines, by kind.
struct Names<'a> {
    parameters: Vec<&'a str>,
    resources: Vec<&'a str>,
    /// Logical ID patterns of resources declared in `Fn::ForEach` loops (`${Name}Topic`), and
    /// whether the loop's values are known (then the exact names are in `resources`, and the
    /// pattern only stands for names built inside a loop, `Queue${Name}`).
    resource_patterns: Vec<(&'a str, bool)>,
    /// Logical ID prefixes of registry modules (`Type: Org::Service::Thing::MODULE`): their
    /// resources are `MyModuleBucket` or `MyModule.Bucket`.
    module_prefixes: Vec<&'a str>,
    conditions: Vec<&'a str>,
    /// Condition name patterns of `Fn::ForEach` loops in `Conditions`, as `resource_patterns`.
    condition_patterns: Vec<(&'a str, bool)>,
    mappings: Vec<&'a str>,
    /// Logical IDs of `AWS::Serverless::*` resources, when the SAM transform is used: the
    /// resources it generates are named after them.
    sam_resources: Option<Vec<&'a str>>,
    /// `parameters` and `resources` as sets: a large template checks thousands of references
    /// against thousands of names.
    parameter_set: HashSet<&'a str>,
    resource_set: HashSet<&'a str>,
}

impl<'a> Names<'a> {
    fn of<'t: 'a>(t: &'a Template<'t>) -> Names<'a> {
        let mut n = Names {
            parameters: t.parameters.iter().map(|p| p.name).collect(),
            resources: Vec::new(),
            resource_patterns: Vec::new(),
            module_prefixes: t
                .resources
                .iter()
                .filter(|r| r.is_module())
                .map(|r| r.logical_id)
                .collect(),
            conditions: t.conditions.iter().map(|c| c.name).collect(),
            condition_patterns: Vec::new(),
            mappings: t.mappings.iter().map(|m| m.name).collect(),
            sam_resources: t.is_sam().then(|| {
                // Embedded connectors (`Connectors:` on any resource) are generated as
                // `<Resource><Connector>` too.
                t.resources
                    .iter()
                    .filter(|r| r.is_serverless() || r.attribute("Connectors").is_some())
                    .map(|r| r.logical_id)
                    .collect()
            }),
            parameter_set: HashSet::new(),
            resource_set: HashSet::new(),
        };
        // SAM creates resources under names given as `…LogicalId` properties (such as an event's
        // `DeadLetterConfig.QueueLogicalId`).
        if n.sam_resources.is_some() {
            for r in t.resources.iter().filter(|r| r.is_serverless()) {
                r.node.walk(&mut |node| {
                    for e in node.as_mapping().unwrap_or_default() {
                        if e.key.as_str().is_some_and(|k| k.ends_with("LogicalId")) {
                            n.resources.extend(e.value.as_str());
                        }
                    }
                });
            }
        }
        n.resources.extend(
            t.resources
                .iter()
                .filter(|r| !r.in_loop)
                .map(|r| r.logical_id),
        );
        for (section, names, patterns) in [
            ("Resources", &mut n.resources, &mut n.resource_patterns),
            ("Conditions", &mut n.conditions, &mut n.condition_patterns),
        ] {
            for g in t.generated(section) {
                if let Some(exact) = &g.names {
                    names.extend(exact.iter().map(String::as_str));
                }
                patterns.push((g.pattern, g.names.is_some()));
            }
        }
        // A misspelt section (`Resource:`) is reported by invalid-template-section; the names
        // in it are what the author meant to define, so references to them are not a second
        // mistake.
        for section in &t.sections {
            if SECTIONS.contains(&section.name) {
                continue;
            }
            let into = match closest(section.name, SECTIONS.iter().copied()) {
                Some("Resources") => &mut n.resources,
                Some("Parameters") => &mut n.parameters,
                Some("Conditions") => &mut n.conditions,
                Some("Mappings") => &mut n.mappings,
                _ => continue,
            };
            for entry in section.value.as_mapping().unwrap_or_default() {
                into.extend(entry.key.as_str());
            }
        }
        n.parameter_set = n.parameters.iter().copied().collect();
        n.resource_set = n.resources.iter().copied().collect();
        n
    }

    fn is_resource(&self, name: &str) -> bool {
        self.resource_set.contains(name)
            || fits_loop_pattern(&self.resource_patterns, name)
            || self
                .module_prefixes
                .iter()
                .any(|m| name.len() > m.len() && name.starts_with(m))
            || self.sam_generated(name)
    }

    fn is_condition(&self, name: &str) -> bool {
        self.conditions.contains(&name) || fits_loop_pattern(&self.condition_patterns, name)
    }

    /// Names the SAM transform generates: `ServerlessRestApi`, `ServerlessHttpApi`… and
    /// resources named after a serverless resource (`MyFunctionRole`, `MyFunction.Version`).
    fn sam_generated(&self, name: &str) -> bool {
        let Some(sam) = &self.sam_resources else {
            return false;
        };
        if name.starts_with("Serverless") {
            return true;
        }
        let base = name.split('.').next().unwrap_or(name);
        sam.iter().any(|r| base.starts_with(r))
            || (name.contains('.') && self.resource_set.contains(base))
    }

    fn check(&self, r: &Reference<'_>, source: &str) -> Option<Diagnostic> {
        let name = r.name;
        let (candidates, what): (Vec<&str>, &str) = match r.kind {
            RefKind::Ref | RefKind::SubName => {
                if name.starts_with("AWS::") {
                    if PSEUDO_PARAMETERS.contains(&name) {
                        return None;
                    }
                    (PSEUDO_PARAMETERS.to_vec(), "pseudo parameter")
                } else {
                    if self.parameter_set.contains(name) || self.is_resource(name) {
                        return None;
                    }
                    let mut c = self.parameters.clone();
                    c.extend(&self.resources);
                    c.extend(PSEUDO_PARAMETERS);
                    (c, "parameter, resource or pseudo parameter")
                }
            }
            RefKind::GetAtt | RefKind::SubAttribute | RefKind::DependsOn => {
                if self.is_resource(name) {
                    return None;
                }
                (self.resources.clone(), "resource")
            }
            RefKind::Condition => {
                if self.is_condition(name) {
                    return None;
                }
                (self.conditions.clone(), "condition")
            }
            RefKind::FindInMap => {
                if self.mappings.contains(&name) {
                    return None;
                }
                (self.mappings.clone(), "mapping")
            }
        };
        let suggestion = closest(name, candidates.iter().copied());
        let in_sub = matches!(r.kind, RefKind::SubName | RefKind::SubAttribute);
        let shown = |n: &str| match (r.kind, r.attribute) {
            (RefKind::SubName, _) => format!("${{{n}}}"),
            (RefKind::SubAttribute, Some(a)) => format!("${{{n}.{a}}}"),
            _ => n.to_string(),
        };
        let message = match r.kind {
            RefKind::Ref | RefKind::SubName | RefKind::Condition | RefKind::FindInMap => {
                format!("`{}` names no {what} of this template", shown(name))
            }
            _ => {
                let prefix = if r.kind == RefKind::SubAttribute {
                    format!("`{}`: ", shown(name))
                } else {
                    String::new()
                };
                if self.parameters.contains(&name) {
                    format!("{prefix}`{name}` is a parameter, but only a resource can be used here")
                } else {
                    format!("{prefix}`{name}` is not a {what} of this template")
                }
            }
        };
        // `Fn::GetAtt: [Arn, Role]`: the arguments swapped.
        if r.kind == RefKind::GetAtt {
            if let Some(attr) = r.attribute.filter(|a| self.is_resource(a)) {
                let help = format!("the arguments look swapped: write `!GetAtt {attr}.{name}`");
                return Some(
                    Diagnostic::new(&UndefinedReference::META, r.span(source), message)
                        .with_help(help),
                );
            }
        }
        let mut help = match suggestion {
            Some(s) => format!("did you mean `{}`?", shown(s)),
            None => match r.kind {
                RefKind::Condition => {
                    format!("define `{name}` under `Conditions`, or name an existing condition")
                }
                RefKind::FindInMap => {
                    format!("define `{name}` under `Mappings`, or name an existing mapping")
                }
                RefKind::GetAtt | RefKind::SubAttribute | RefKind::DependsOn => {
                    format!("define a resource `{name}`, or name an existing resource")
                }
                _ => format!("define a parameter or resource `{name}`, or name an existing one"),
            },
        };
        if in_sub && suggestion.is_none() {
            help.push_str(&format!(
                "; to keep the text literally, write `${{!{}}}`",
                r.attribute
                    .map_or(name.to_string(), |a| format!("{name}.{a}"))
            ));
        }
        Some(Diagnostic::new(&UndefinedReference::META, r.span(source), message).with_help(help))
    }
}

/// Whether `name` is one of the names of loops whose values are unknown, or is itself built
/// inside a loop (`Queue${Name}`) and fits a loop's pattern.
fn fits_loop_pattern(patterns: &[(&str, bool)], name: &str) -> bool {
    let built = name.contains("${") || name.contains("&{");
    patterns.iter().any(|(pattern, known)| {
        (built || !known) && (*pattern == name || pattern_matches(pattern, name))
    })
}
