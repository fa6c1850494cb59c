use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;
use crate::template::SECTIONS;

declare_rule! {
    /// ## What it does
    /// Reports a top-level key that is not a template section, such as `Resource` or `Output`.
    ///
    /// ## Why it matters
    /// CloudFormation rejects templates with unknown top-level keys. A misspelt section also
    /// hides everything inside it: resources under `Resource:` are never created, outputs under
    /// `Output:` never exported.
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
    /// `Hooks` (and `Globals` with the SAM transform):
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
        summary: "A top-level key that is not a CloudFormation template section",
    }
}

impl Rule for InvalidTemplateSection {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else { return };
        for section in &template.sections {
            if SECTIONS.contains(&section.name) {
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
    }
}
