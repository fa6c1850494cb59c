//! The indentation doctor: reports every tab-indented line and mis-indented key, and proposes a
//! repaired text. (To be written: see issue 2.)

use super::ParseError;
use crate::diagnostic::Diagnostic;
use crate::source::{OffsetMap, SourceFile};

/// A repaired text and the map from its offsets back to the original.
#[derive(Debug)]
pub struct Repair {
    pub text: String,
    pub map: OffsetMap,
}

#[derive(Debug, Default)]
pub struct DoctorReport {
    /// `tab-indentation` and `inconsistent-indentation` findings on the original text.
    pub findings: Vec<Diagnostic>,
    /// Tabs expanded and misplaced keys moved, when the doctor knows how.
    pub repair: Option<Repair>,
}

/// Examine a file that failed to parse with `error`.
pub fn examine(_source: &SourceFile, _error: &ParseError) -> DoctorReport {
    DoctorReport::default()
}
