//! Rules of the `purpose` family: one file per rule.

pub mod missing_required_actions;

pub use missing_required_actions::MissingRequiredActions;
