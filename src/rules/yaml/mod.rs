//! Rules of the `yaml` family: one file per rule.

pub mod duplicate_key;
pub mod inconsistent_indentation;
pub mod json_not_strict;
pub mod tab_indentation;
pub mod yaml_alias;
pub mod yaml_syntax;

use crate::diagnostic::Diagnostic;
use crate::yaml::ParseError;

pub use duplicate_key::DuplicateKey;
pub use inconsistent_indentation::InconsistentIndentation;
pub use json_not_strict::JsonNotStrict;
pub use tab_indentation::TabIndentation;
pub use yaml_alias::YamlAlias;
pub use yaml_syntax::YamlSyntax;

/// The `yaml-syntax` diagnostic for a parse error the indentation doctor could not explain.
pub fn syntax_diagnostic(error: &ParseError) -> Diagnostic {
    let d = Diagnostic::new(&YamlSyntax::META, error.span, error.message.clone());
    match &error.help {
        Some(help) => d.with_help(help.clone()),
        None => d,
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::diagnostic::Diagnostic;
    use crate::rules::{FileContext, Rule};
    use crate::source::SourceFile;
    use crate::yaml::{parse, ParseOptions};

    /// Parse `text` as file `path` and run one rule on it.
    pub fn run(rule: &dyn Rule, path: &str, text: &str) -> Vec<Diagnostic> {
        let source = SourceFile::new(path, text);
        let document = parse(&source.text, &ParseOptions::default())
            .unwrap_or_else(|e| panic!("test input does not parse: {e:?}"));
        let ctx = FileContext::new(&source, Some(&document), None, false);
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }
}
