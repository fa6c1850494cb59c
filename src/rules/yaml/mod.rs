//! Rules of the `yaml` family: one file per rule.
