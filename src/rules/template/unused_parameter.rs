use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;
use crate::template::foreach::pattern_matches;
use crate::template::RefKind;
use crate::yaml::ast::Node;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a parameter that nothing uses: no `Ref`, no `${Name}` in a `Sub` string, in the
    /// `Resources`, `Outputs`, `Conditions`, `Rules` or SAM `Globals` sections.
    ///
    /// A misspelt reference that undefined-reference traces back to the parameter (`${Bukcet}`
    /// for `Bucket`) counts as a use, so one typo gives one diagnostic. Inside a `Fn::ForEach`
    /// loop, a `Ref` whose name is built with `Fn::Sub` (`Ref: !Sub 'Size${Name}'`) uses the
    /// parameters it names for the loop's values (every parameter fitting the pattern when the
    /// values come from a parameter); the collection (`!Ref Names`) is a use like any `Ref`.
    ///
    /// A mention in the top-level `Metadata` (such as the console's parameter groups) is not a
    /// use, but a `Ref` there is: templates use it to mark a parameter that only orders nested
    /// stacks as used on purpose. Templates whose content partly comes from a macro or `Fn::Transform` are not
    /// checked, since the macro may use the parameter; nor are files written for a packaging
    /// step or a preprocessor (module sources, whose parameters the parent template fills in).
    ///
    /// ## Why it matters
    /// Every parameter is something people deploying the stack must fill in. One that changes
    /// nothing misleads them, and often shows that a reference to it was misspelt or lost.
    ///
    /// ## Example
    /// ```yaml
    /// Parameters:
    ///   BucketName:
    ///     Type: String
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    /// ```
    ///
    /// ## Fix
    /// Use the parameter where it was meant to be used, or delete it:
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    ///     Properties:
    ///       BucketName: !Ref BucketName
    /// ```
    pub struct UnusedParameter {
        name: "unused-parameter",
        code: "T003",
        severity: Warning,
        family: Template,
        summary: "A parameter that nothing in the template uses",
    }
}

impl Rule for UnusedParameter {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else { return };
        if template.parameters.is_empty() || template.has_unknown_content() {
            return;
        }
        let references = template.references();
        let mut used: HashSet<&str> = HashSet::new();
        let defined: Vec<&str> = template
            .parameters
            .iter()
            .map(|p| p.name)
            .chain(template.resources.iter().map(|r| r.logical_id))
            .collect();
        let is_defined: HashSet<&str> = defined.iter().copied().collect();
        for r in references {
            if !matches!(r.kind, RefKind::Ref | RefKind::SubName) {
                continue;
            }
            used.insert(r.name);
            // A misspelt use (`${Bukcet}`) is undefined-reference's finding, and its "did you
            // mean" names this parameter: one mistake, one diagnostic.
            if !is_defined.contains(r.name) && !r.name.starts_with("AWS::") {
                if let Some(meant) = closest(r.name, defined.iter().copied()) {
                    used.insert(meant);
                }
            }
        }
        // Inside a `Fn::ForEach` loop, `Ref: !Sub 'Size${Name}'` uses the parameters it builds:
        // the loop's values name them, or, when those are not known, every parameter that
        // fits the pattern may be one.
        for r in template.loop_references() {
            match &r.names {
                Some(names) => used.extend(names.iter().map(String::as_str)),
                None => used.extend(
                    template
                        .parameters
                        .iter()
                        .map(|p| p.name)
                        .filter(|p| pattern_matches(r.pattern, p)),
                ),
            }
        }
        // A `Ref` in the top-level `Metadata` is how templates mark a parameter as used on
        // purpose (a nested stack's `DependsOn…` parameter that only orders stacks). It is not
        // evaluated, so it is not walked as a reference, but it is a use.
        if let Some(metadata) = template.metadata {
            metadata.walk(&mut |n| {
                if let Some(name) = ref_target(n) {
                    used.insert(name);
                }
            });
        }
        for p in &template.parameters {
            if used.contains(p.name) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    p.key.span,
                    format!("parameter `{}` is never used", p.name),
                )
                .with_help(format!(
                    "reference it with `!Ref {0}` (or `${{{0}}}` inside a `!Sub`), or delete it",
                    p.name
                )),
            );
        }
    }
}

/// The name in `!Ref Name` or `{Ref: Name}`.
fn ref_target(node: &Node) -> Option<&str> {
    if node.tag_text() == Some("!Ref") {
        return node.as_str();
    }
    match node.as_mapping() {
        Some([entry]) if entry.key.as_str() == Some("Ref") => entry.value.as_str(),
        _ => None,
    }
}
