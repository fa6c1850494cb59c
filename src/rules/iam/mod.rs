//! Rules of the `iam` family: one file per rule.
