//! Rules of the `yaml` family: one file per rule.

pub mod inconsistent_indentation;
pub mod tab_indentation;

use crate::diagnostic::Diagnostic;
use crate::yaml::ParseError;

/// The `yaml-syntax` diagnostic for a parse error the indentation doctor could not explain.
/// (To be written with the `yaml-syntax` rule.)
pub fn syntax_diagnostic(error: &ParseError) -> Diagnostic {
    let _ = error;
    unimplemented!("yaml-syntax rule")
}
