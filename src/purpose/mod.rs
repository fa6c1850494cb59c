//! Purposes: what a principal is meant to do (be an SSM managed node, invoke a Lambda
//! function…), declared in template metadata or inferred from what it already grants, and the
//! permissions each purpose needs, from the purpose packs in `rules/packs/`.
//!
//! - [`pack`]: the pack format, the embedded packs, user pack folders.
//! - [`principal`]: permissions aggregated per role, user, group or standalone policy.
//! - [`analysis`]: recognising purposes and finding what they lack.
//! - [`wiring`]: what each role must be allowed because of what the template wires to it.

pub mod analysis;
pub mod pack;
pub mod principal;
pub mod wiring;

pub use analysis::{
    analyse, analyse_with_configured, analyse_with_wired, Analysis, Finding, Missing, Recognition,
    UnknownPurpose,
};
pub use pack::{
    activate, by_design_on_star, is_by_design_on_star, load_dir, Pack, PackError, PackSet,
};
pub use principal::{principals, Principal, PrincipalKind};
