//! The engine-stage rules: findings that do not come from a per-file rule's `check`, but from
//! an engine below the rules (the parser, the indentation doctor, the suppression engine, the
//! cross-file index). Each engine reports plain findings about its own problems; the module of
//! that engine here names the rule of each, so that the engines need not know the rules exist.
//!
//! The rules themselves (their docs and metadata) are in `src/rules/` like every other rule,
//! declared with a stage other than `File`.

pub mod cross_file;
pub mod indentation;
pub mod suppressions;
pub mod syntax;
