//! Rules of the `project` family: one file per rule.
