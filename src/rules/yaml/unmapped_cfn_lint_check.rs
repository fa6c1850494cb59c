use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::cfnlint::{self, CHECKS};
use crate::rules::{FileContext, Rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Reports an entry of cfn-lint's `Metadata: cfn-lint: config: ignore_checks` (on a
    /// resource, or at template level) that names a cfn-lint check no rule here corresponds to,
    /// so that the suppression carries over nothing. The entries that do correspond suppress our
    /// rules for that check (`docs/migrating-from-cfn-lint.md` has the table). As in cfn-lint, a
    /// resource's entries are whole IDs and the template's may be prefixes (`W3`).
    ///
    /// ## Why it matters
    /// Nothing goes wrong: the entry is there for cfn-lint. But a team moving from cfn-lint
    /// reads its suppressions as decisions about its templates, and should know which of those
    /// decisions mean nothing here, rather than assume that every one was carried over.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    ///     Metadata:
    ///       cfn-lint:
    ///         config:
    ///           ignore_checks: [W3011]
    /// ```
    ///
    /// ## Fix
    /// Keep the entry while cfn-lint still runs on the template, and ignore this rule
    /// (`ignore: [unmapped-cfn-lint-check]` in `.cfn-policy-lint.yaml`); remove the entry once
    /// cfn-lint no longer runs:
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    /// ```
    pub struct UnmappedCfnLintCheck {
        name: "unmapped-cfn-lint-check",
        code: "S002",
        severity: Info,
        family: Yaml,
        summary: "A cfn-lint `ignore_checks` entry for a check that no rule here corresponds to",
    }
}

impl Rule for UnmappedCfnLintCheck {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else {
            return;
        };
        let metadata = template.metadata.map(|m| (m, true)).into_iter().chain(
            template
                .resources
                .iter()
                .filter_map(|r| Some((r.metadata?, false))),
        );
        for (metadata, prefix) in metadata {
            for entry in cfnlint::ignore_checks(metadata) {
                if let Some(d) = unmapped(entry, prefix, ctx) {
                    out.push(d);
                }
            }
        }
    }
}

/// The finding for an entry whose checks map to none of our rules.
fn unmapped(entry: &Node, prefix: bool, ctx: &FileContext<'_>) -> Option<Diagnostic> {
    let id = entry.as_str()?.trim();
    if cfnlint::selected(id, prefix).any(|c| !c.ours.is_empty()) {
        return None;
    }
    let span = crate::template::spans::whole_value_span(entry, &ctx.source.text);
    let help = match CHECKS.iter().find(|c| c.id == id) {
        Some(c) => format!(
            "cfn-policy-lint does not check what `{id}` checks ({}); keep the entry while \
             cfn-lint runs, or ignore `unmapped-cfn-lint-check`",
            c.checks
        ),
        None => "`docs/migrating-from-cfn-lint.md` lists the cfn-lint checks that carry over; \
                 keep the entry while cfn-lint runs, or ignore `unmapped-cfn-lint-check`"
            .to_string(),
    };
    Some(
        Diagnostic::new(
            &UnmappedCfnLintCheck::META,
            span,
            format!("cfn-lint check `{id}` has no equivalent here, so this suppression carries over nothing"),
        )
        .with_help(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::template::Template;
    use crate::yaml::{self, ParseOptions};

    fn found(text: &str) -> Vec<(String, String)> {
        let source = SourceFile::new("t.yaml", text);
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        let template = Template::from_document(&doc);
        let ctx = FileContext::new(&source, Some(&doc), Some(&template), false);
        let mut out = Vec::new();
        UnmappedCfnLintCheck.check(&ctx, &mut out);
        out.into_iter()
            .map(|d| (text[d.span.start..d.span.end].to_string(), d.message))
            .collect()
    }

    #[test]
    fn only_entries_that_map_to_nothing_are_reported() {
        let text = "\
Metadata:
  cfn-lint:
    config:
      ignore_checks: [W3, E9, W3011]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [W3037, W3, 'E3510']
";
        let found = found(text);
        let spans: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
        // Template level: `W3` selects W3037 (mapped); `E9` selects nothing; `W3011` maps to
        // nothing. Resource level: `W3` is not a whole ID, as in cfn-lint.
        assert_eq!(spans, ["E9", "W3011", "W3"]);
        assert!(found[1]
            .1
            .starts_with("cfn-lint check `W3011` has no equivalent here"));
    }
}
