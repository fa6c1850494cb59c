//! Rules of the `template` family: one file per rule.
