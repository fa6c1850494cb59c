//! Known privilege-escalation paths, from `rules/iam/escalation-paths.yaml` (written by hand
//! from the public research it cites; see `rules/README.md`). Parsed on first use.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../../rules/iam/escalation-paths.yaml");

/// One path: actions that, all granted without limits, let a principal gain other privileges.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationPath {
    /// Stable kebab-case identifier.
    pub id: String,
    /// What the actions let the principal do; finishes "it may …".
    pub title: String,
    /// Every action the path needs (exact names).
    pub actions: Vec<String>,
    /// How the path is used, in one sentence.
    pub how: String,
    /// Ids of the sources documenting it.
    pub sources: Vec<String>,
}

/// Who documented a path.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A short name for messages ("Rhino Security Labs").
    pub name: String,
    /// Who published what, and where.
    pub reference: String,
}

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationPaths {
    /// By source id.
    pub sources: BTreeMap<String, Source>,
    pub paths: Vec<EscalationPath>,
}

/// The embedded paths. The file is checked by the tests, so a broken one cannot ship; should
/// it fail to parse anyway, there are no paths.
pub fn escalation_paths() -> &'static EscalationPaths {
    static PATHS: OnceLock<EscalationPaths> = OnceLock::new();
    PATHS.get_or_init(|| {
        serde_yaml::from_str(EMBEDDED).unwrap_or(EscalationPaths {
            sources: BTreeMap::new(),
            paths: Vec::new(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::Catalog;
    use std::collections::HashSet;

    #[test]
    fn the_embedded_paths_are_well_formed() {
        let parsed: EscalationPaths = serde_yaml::from_str(EMBEDDED).expect("the file parses");
        assert!(parsed.paths.len() >= 20);
        let catalog = Catalog::embedded();
        let mut ids = HashSet::new();
        for path in &parsed.paths {
            assert!(ids.insert(path.id.as_str()), "{} is listed twice", path.id);
            assert!(!path.actions.is_empty(), "{} has no actions", path.id);
            assert!(!path.sources.is_empty(), "{} cites no source", path.id);
            for action in &path.actions {
                assert!(
                    catalog.lookup(action).is_some(),
                    "{}: unknown action {action}",
                    path.id
                );
            }
            for source in &path.sources {
                assert!(
                    parsed.sources.contains_key(source),
                    "{}: unknown source {source}",
                    path.id
                );
            }
        }
        for source in parsed.sources.keys() {
            assert!(
                parsed.paths.iter().any(|p| p.sources.contains(source)),
                "source {source} is cited by no path"
            );
        }
        assert_eq!(escalation_paths().paths.len(), parsed.paths.len());
    }
}
