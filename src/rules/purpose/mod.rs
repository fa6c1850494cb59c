//! Rules of the `purpose` family: one file per rule.
