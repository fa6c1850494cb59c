//! `yaml-syntax`: a parse error the indentation doctor could not explain.

use crate::diagnostic::Diagnostic;
use crate::rules::yaml::YamlSyntax;
use crate::yaml::ParseError;

/// The `yaml-syntax` diagnostic for a parse error.
pub fn diagnostic(error: &ParseError) -> Diagnostic {
    let d = Diagnostic::new(&YamlSyntax::META, error.span, error.message.clone());
    match &error.help {
        Some(help) => d.with_help(help.clone()),
        None => d,
    }
}
