use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports YAML anchors (`&name`), aliases (`*name`) and merge keys (`<<:`).
    ///
    /// ## Why it matters
    /// CloudFormation's template reader does not support them: a template that shares values
    /// this way is rejected on upload, although local YAML tools accept it. A `<<` merge key is
    /// additionally read as an ordinary key named `<<` by YAML 1.2 tools.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   QueueA:
    ///     Type: AWS::SQS::Queue
    ///     Properties: &queue
    ///       VisibilityTimeout: 60
    ///   QueueB:
    ///     Type: AWS::SQS::Queue
    ///     Properties: *queue
    /// ```
    ///
    /// ## Fix
    /// Write the shared value out at each place (or share it through a Parameter or a Mapping).
    /// ```yaml
    /// Resources:
    ///   QueueA:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       VisibilityTimeout: 60
    ///   QueueB:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       VisibilityTimeout: 60
    /// ```
    pub struct YamlAlias {
        name: "yaml-alias",
        code: "Y005",
        severity: Error,
        family: Yaml,
        summary: "A YAML anchor, alias or merge key, which CloudFormation does not support",
    }
}

const HELP: &str = "CloudFormation does not expand YAML anchors and aliases: write the value out \
                    in full where it is used (or share it through a Parameter or a Mapping)";

impl Rule for YamlAlias {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(root) = ctx.document.and_then(|d| d.root.as_ref()) else {
            return;
        };
        let mut anchors: Vec<(&str, Span)> = Vec::new();
        // Aliases already reported as part of the merge key that uses them.
        let mut covered: Vec<Span> = Vec::new();
        root.walk(&mut |node| {
            if let Some(anchor) = &node.anchor {
                anchors.push((&anchor.name, anchor.span));
                out.push(
                    Diagnostic::new(
                        &YamlAlias::META,
                        anchor.span,
                        format!(
                            "YAML anchor `&{}` is not supported by CloudFormation",
                            anchor.name
                        ),
                    )
                    .with_help(HELP),
                );
            }
            match &node.kind {
                NodeKind::Mapping(entries) => {
                    for entry in entries.iter().filter(|e| e.key.is_merge_key()) {
                        let mut d = Diagnostic::new(
                            &YamlAlias::META,
                            entry.key.span,
                            "YAML merge key `<<` is not supported by CloudFormation",
                        )
                        .with_help(
                            "CloudFormation reads `<<` as an ordinary key: copy the merged keys \
                             into this mapping instead",
                        );
                        for alias in merged_aliases(&entry.value) {
                            covered.push(alias.span);
                            d = d.with_label(alias.span, "merged from here");
                        }
                        out.push(d);
                    }
                }
                NodeKind::Alias(name) if !covered.contains(&node.span) => {
                    let defined = anchors.iter().find(|(n, _)| *n == name.as_str());
                    let mut d = Diagnostic::new(
                        &YamlAlias::META,
                        node.span,
                        match defined {
                            Some(_) => {
                                format!("YAML alias `*{name}` is not supported by CloudFormation")
                            }
                            None => format!(
                                "YAML alias `*{name}` is not supported by CloudFormation, and no \
                                 anchor `&{name}` is defined before it"
                            ),
                        },
                    )
                    .with_help(HELP);
                    if let Some((_, span)) = defined {
                        d = d.with_label(*span, "anchor defined here");
                    }
                    out.push(d);
                }
                _ => {}
            }
        });
    }
}

/// `<<: *a` or `<<: [*a, *b]`.
fn merged_aliases(value: &Node) -> Vec<&Node> {
    match &value.kind {
        NodeKind::Alias(_) => vec![value],
        NodeKind::Sequence(items) => items
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Alias(_)))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::yaml::test_support::run;

    #[test]
    fn anchors_aliases_and_merges_each_reported_once() {
        let text = "base: &b {x: 1}\nm:\n  <<: *b\n  y: *b\nz: *nope\n";
        let mut found = run(&YamlAlias, "t.yaml", text);
        found.sort_by_key(|d| d.span.start);
        let spans: Vec<&str> = found
            .iter()
            .map(|d| &text[d.span.start..d.span.end])
            .collect();
        assert_eq!(spans, ["&b", "<<", "*b", "*nope"]);
        // The merge key's alias is a label, not a second finding.
        assert_eq!(found[1].labels.len(), 1);
        assert_eq!(found[1].labels[0].span.start, text.find("*b").unwrap());
        assert_eq!(found[2].labels[0].span.start, text.find("&b").unwrap());
        assert!(found[3].message.contains("no anchor `&nope`"));
    }

    #[test]
    fn quoted_merge_key_and_plain_text_are_fine() {
        assert!(run(&YamlAlias, "t.yaml", "'<<': 1\na: 'x &y *z'\nb: a&b\n").is_empty());
    }
}
