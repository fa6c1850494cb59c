use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{FileContext, Rule};
use crate::source::Span;
use crate::suggest::closest;
use crate::template::{Template, PACKAGING_SECTIONS, SECTIONS};
use crate::yaml::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports a top-level key that is not a template section, such as `Resource` or `Output`,
    /// and a file checked as a template that is none: an empty document, a document that is
    /// not a mapping of sections, or one without resources (no `Resources` section, or an
    /// empty one). A file is checked as a template when it is named on the command line, read
    /// from stdin, or found in a folder and recognised as one (an empty `.yaml` file found in a
    /// folder is not); a template shown in a Markdown code block may be a part of one, so only
    /// its keys are checked.
    ///
    /// The sections of a packaging step (`Modules`, `Constants`, `Packages`, `Rain`: local
    /// modules for `aws cloudformation package` and `rain pkg`) are reported once per file,
    /// as info: such a template is deployed after packaging, which removes them. Such a file
    /// need not have `Resources` of its own (its modules provide them).
    ///
    /// ## Why it matters
    /// CloudFormation rejects templates with unknown top-level keys, and templates without
    /// resources. A misspelt section also hides everything inside it: resources under
    /// `Resource:` are never created, outputs under `Output:` never exported. An empty file
    /// that passes a check hides a problem: a truncated download, a generator that wrote
    /// nothing, the wrong file named in CI.
    ///
    /// ## Example
    /// ```yaml
    /// Resource:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    /// ```
    ///
    /// ## Fix
    /// Use one of the sections `AWSTemplateFormatVersion`, `Description`, `Metadata`,
    /// `Parameters`, `Rules`, `Mappings`, `Conditions`, `Transform`, `Resources`, `Outputs`,
    /// `Hooks` (and `Globals` with the SAM transform), and declare at least one resource:
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    /// ```
    pub struct InvalidTemplateSection {
        name: "invalid-template-section",
        code: "T004",
        severity: Error,
        family: Template,
        summary: "A top-level key that is no template section, or a file checked as a template that is none",
    }
}

impl Rule for InvalidTemplateSection {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else { return };
        let mut packaging = template.packaging_sections();
        if let Some(first) = packaging.next() {
            let mut d = Diagnostic::new(
                &Self::META,
                first.key.span,
                format!(
                    "`{}` is a section for a packaging step (local modules of `rain pkg` or \
                     `aws cloudformation package`): this template must be packaged before \
                     CloudFormation can deploy it",
                    first.name
                ),
            )
            .with_severity(Severity::Info)
            .with_help(
                "deploy (and lint) the packaged template, which has no packaging sections; \
                 names that the packaging step or a parent template resolves are not checked \
                 in this file",
            );
            for other in packaging {
                d = d.with_label(other.key.span, "a packaging section too");
            }
            out.push(d);
        }
        for section in &template.sections {
            if SECTIONS.contains(&section.name) || PACKAGING_SECTIONS.contains(&section.name) {
                continue;
            }
            let help = match closest(section.name, SECTIONS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "a template's top-level keys are {}; move `{}` under one of them or remove it",
                    SECTIONS
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    section.name
                ),
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    section.key.span,
                    format!("`{}` is not a template section", section.name),
                )
                .with_help(help),
            );
        }
        if !ctx.code_block {
            out.extend(not_a_template(template));
        }
    }
}

/// Why a document checked as a template is none: empty, not a mapping, or without resources.
fn not_a_template(template: &Template<'_>) -> Option<Diagnostic> {
    let meta = &InvalidTemplateSection::META;
    let Some(root) = template.root else {
        return Some(
            Diagnostic::new(meta, Span::new(0, 0), "the template is empty").with_help(
                "a template is a mapping of sections with at least one resource under \
                 `Resources`; check that the right file was named and that it was written \
                 completely",
            ),
        );
    };
    if !template.is_mapping {
        return Some(
            Diagnostic::new(
                meta,
                root.span,
                format!(
                    "a template is a mapping of sections, but this document is {}",
                    shape(root)
                ),
            )
            .with_help("write the template's sections as `Key: value` lines: `Resources:` …"),
        );
    }
    // Modules provide the resources of a template that is packaged.
    if template.packaging_sections().next().is_some() {
        return None;
    }
    match template.section("Resources") {
        Some(section) if is_empty(section.value) => Some(
            Diagnostic::new(meta, section.key.span, "`Resources` declares no resource")
                .with_help("CloudFormation needs at least one resource in a template"),
        ),
        Some(_) => None,
        None => {
            // A misspelt `Resource:` is reported above, with "did you mean": one mistake, one
            // diagnostic.
            let misspelt = template.sections.iter().any(|s| {
                !SECTIONS.contains(&s.name)
                    && closest(s.name, SECTIONS.iter().copied()) == Some("Resources")
            });
            let first = template.sections.first();
            (!misspelt).then(|| {
                let span = first.map_or(root.span, |s| s.key.span);
                Diagnostic::new(meta, span, "the template has no `Resources` section").with_help(
                    "CloudFormation needs a `Resources` section with at least one resource",
                )
            })
        }
    }
}

/// `Resources:` with nothing under it, or `{}`.
fn is_empty(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Mapping(entries) => entries.is_empty(),
        NodeKind::Scalar(s) => node.tag.is_none() && matches!(s.value.as_str(), "" | "~" | "null"),
        _ => false,
    }
}

/// "a list", "the text `…`".
fn shape(node: &Node) -> String {
    match &node.kind {
        NodeKind::Sequence(_) => "a list".to_string(),
        NodeKind::Scalar(s) => {
            let text: String = s.value.chars().take(40).collect();
            let more = if s.value.chars().count() > 40 {
                "…"
            } else {
                ""
            };
            format!("the text `{text}{more}`")
        }
        _ => "not a mapping".to_string(),
    }
}
