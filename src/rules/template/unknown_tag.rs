use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;
use crate::template::Function;

declare_rule! {
    /// ## What it does
    /// Reports a YAML tag such as `!GetAttr` or `!ref` that is not the short form of a
    /// CloudFormation intrinsic function.
    ///
    /// YAML core tags (`!!str`) and the `rain` CLI's `!Rain::…` directives are left alone.
    ///
    /// ## Why it matters
    /// CloudFormation only understands the tags of its intrinsic functions (`!Ref`, `!Sub`,
    /// `!GetAtt`, `!Join`, `!If`, …). Any other tag makes the whole template fail validation,
    /// and most YAML tools silently drop or misread it, so the mistake survives until deploy.
    ///
    /// ## Example
    /// ```yaml
    /// Value: !GetAttr Bucket.Arn
    /// ```
    ///
    /// ## Fix
    /// Use the intrinsic function's tag, spelt exactly (tags are case-sensitive):
    /// ```yaml
    /// Value: !GetAtt Bucket.Arn
    /// ```
    pub struct UnknownTag {
        name: "unknown-tag",
        code: "T001",
        severity: Error,
        family: Template,
        summary: "A YAML tag that is not a CloudFormation intrinsic function",
    }
}

impl Rule for UnknownTag {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(root) = ctx.template.and_then(|t| t.root) else {
            return;
        };
        let tags = Function::all_tags();
        root.walk(&mut |node| {
            let Some(tag) = &node.tag else { return };
            // `!!str` and friends are YAML's own core tags, not CloudFormation's business;
            // `!Rain::…` directives are expanded by the `rain` CLI before deployment.
            if tag.text.starts_with("!!")
                || tag.text.starts_with("!Rain::")
                || Function::from_tag(&tag.text).is_some()
            {
                return;
            }
            let suggestion = closest(&tag.text, tags.iter().map(String::as_str));
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "use one of the intrinsic function tags (`!Ref`, `!Sub`, `!GetAtt`, \
                         `!Join`, `!If`, …) or remove the tag"
                    .to_string(),
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    tag.span,
                    format!(
                        "`{}` is not a CloudFormation intrinsic function tag",
                        tag.text
                    ),
                )
                .with_help(help),
            );
        });
    }
}
