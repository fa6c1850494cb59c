//! Purpose packs: declarative descriptions of what a workload needs IAM to grant, read from
//! `rules/packs/*.yaml` (embedded) and from user folders (`--packs DIR`, the `packs` config key).
//! The format is documented in `rules/README.md` ("Purpose packs").

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::iam::action::glob_matches;
use crate::iam::{ActionPattern, Catalog};

/// The packs shipped in the binary, as (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "ssm-managed-instance.yaml",
        include_str!("../../rules/packs/ssm-managed-instance.yaml"),
    ),
    (
        "ssm-session-manager.yaml",
        include_str!("../../rules/packs/ssm-session-manager.yaml"),
    ),
    (
        "ssm-run-command-output-s3.yaml",
        include_str!("../../rules/packs/ssm-run-command-output-s3.yaml"),
    ),
    (
        "lambda-invoke.yaml",
        include_str!("../../rules/packs/lambda-invoke.yaml"),
    ),
    (
        "cloudwatch-agent.yaml",
        include_str!("../../rules/packs/cloudwatch-agent.yaml"),
    ),
];

/// One purpose: how it is recognised and what it needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pack {
    /// Stable kebab-case identifier, used in `Metadata: cfn-policy-lint: purposes: [...]`.
    pub name: String,
    /// What the purpose is, as a phrase ("Session Manager sessions to the instance").
    pub title: String,
    /// The AWS page that lists the permissions.
    pub docs: String,
    #[serde(default)]
    pub recognise: Recognise,
    /// Values the requirements' ARN templates use, beyond `Partition`, `Region`, `Account`.
    #[serde(default)]
    pub variables: BTreeMap<String, Variable>,
    pub requires: Vec<Requirement>,
    /// AWS managed policies any one of which grants everything the pack requires.
    #[serde(default)]
    pub satisfied_by: Vec<String>,
    /// Deprecated AWS managed policies that once served the purpose, each with the one that
    /// replaces it: a principal attaching one is told to switch, rather than what it lacks.
    #[serde(default)]
    pub superseded: Vec<Superseded>,
    /// Actions AWS itself grants on `Resource: "*"` for this purpose (patterns allowed).
    #[serde(default)]
    pub by_design_on_star: Vec<String>,
}

/// A deprecated AWS managed policy and its replacement.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Superseded {
    pub policy: String,
    pub by: String,
}

/// When a purpose is inferred for a principal that did not declare it. Every given criterion
/// must hold; a pack with no `actions` and no `variables` is only ever declared.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Recognise {
    /// Characteristic actions: evidence that the principal is meant for the purpose.
    #[serde(default)]
    pub actions: Vec<String>,
    /// How many distinct characteristic actions the principal must already grant.
    #[serde(default = "one")]
    pub min_actions: usize,
    /// Words one of which a description (template, principal, its policies, the parameter
    /// bound to a variable) must contain, case-insensitively. Empty: no text needed.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Service principals one of which the role's trust policy must name (when the principal
    /// is a role of the template). Empty: any.
    #[serde(default)]
    pub trusted_services: Vec<String>,
    /// Variables that must be bound for the purpose to be inferred.
    #[serde(default)]
    pub bound: Vec<String>,
    /// AWS managed policies that show the principal is something else (an SSM Automation
    /// assume role holds `AmazonSSMAutomationRole`; it is no managed node): never inferred then.
    #[serde(default)]
    pub unless_managed: Vec<String>,
}

fn one() -> usize {
    1
}

/// How a variable finds its value in the template; hints are tried in order.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Variable {
    /// Shown in help when no value is found.
    pub description: String,
    pub hints: Vec<Hint>,
}

/// One way to find a variable's value; exactly one field is given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Hint {
    /// A parameter whose name and description, together, contain a word of every group
    /// (case-insensitive), e.g. `[[bucket], [ssm, run command], [output]]`.
    #[serde(default)]
    pub parameter: Option<Vec<Vec<String>>>,
    /// The only resource of this CloudFormation type in the template (its `Ref`).
    #[serde(default)]
    pub resource: Option<String>,
    /// An input of the template's Session Manager preferences document
    /// (`AWS::SSM::Document` with `DocumentType: Session`), e.g. `kmsKeyId`.
    #[serde(default)]
    pub session_document_input: Option<String>,
}

impl Hint {
    fn given(&self) -> usize {
        usize::from(self.parameter.is_some())
            + usize::from(self.resource.is_some())
            + usize::from(self.session_document_input.is_some())
    }
}

/// Actions that must be granted on one resource.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Requirement {
    pub actions: Vec<String>,
    /// `*` or an ARN template using `${Partition}`, `${Region}`, `${Account}` and the pack's
    /// variables.
    pub resource: String,
    /// Only required when this condition holds: a variable name (it was bound), or
    /// `declared` (the purpose was declared explicitly).
    #[serde(default)]
    pub when: Option<String>,
    /// Why the requirement exists, shown in `explain`-style docs.
    #[serde(default)]
    pub why: Option<String>,
}

/// A pack that could not be read or is inconsistent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for PackError {}

/// Variables every ARN template may use without declaring them.
pub const BUILTIN_VARIABLES: &[&str] = &["Partition", "Region", "Account"];

impl Pack {
    /// Parse and validate one pack file.
    pub fn parse(path: &str, text: &str) -> Result<Pack, PackError> {
        let err = |message: String| PackError {
            path: path.to_string(),
            message,
        };
        let pack: Pack = serde_yaml::from_str(text).map_err(|e| err(e.to_string()))?;
        pack.validate().map_err(err)?;
        Ok(pack)
    }

    fn validate(&self) -> Result<(), String> {
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!("pack name `{}` is not kebab-case", self.name));
        }
        if self.requires.is_empty() {
            return Err(format!("pack `{}` requires nothing", self.name));
        }
        let patterns = self
            .recognise
            .actions
            .iter()
            .chain(self.requires.iter().flat_map(|r| &r.actions))
            .chain(&self.by_design_on_star);
        for action in patterns {
            ActionPattern::parse(action)
                .map_err(|e| format!("pack `{}`: `{action}`: {e}", self.name))?;
        }
        for r in &self.requires {
            for action in &r.actions {
                if action.contains(['*', '?']) {
                    return Err(format!(
                        "pack `{}`: required action `{action}` must be one action, not a pattern",
                        self.name
                    ));
                }
            }
            for var in template_variables(&r.resource) {
                if !BUILTIN_VARIABLES.contains(&var) && !self.variables.contains_key(var) {
                    return Err(format!(
                        "pack `{}`: resource `{}` uses `${{{var}}}`, which is not a declared variable",
                        self.name, r.resource
                    ));
                }
            }
            if let Some(when) = &r.when {
                if when != "declared" && !self.variables.contains_key(when) {
                    return Err(format!(
                        "pack `{}`: `when: {when}` is neither `declared` nor a variable",
                        self.name
                    ));
                }
            }
        }
        for (name, var) in &self.variables {
            if var.hints.iter().any(|h| h.given() != 1) {
                return Err(format!(
                    "pack `{}`: each hint of variable `{name}` needs exactly one of `parameter`, `resource`, `session-document-input`",
                    self.name
                ));
            }
        }
        for var in &self.recognise.bound {
            if !self.variables.contains_key(var) {
                return Err(format!(
                    "pack `{}`: recognise.bound names `{var}`, which is not a declared variable",
                    self.name
                ));
            }
        }
        for name in &self.satisfied_by {
            if crate::iam::managed_policy(name).is_none() {
                return Err(format!(
                    "pack `{}`: `{name}` is not an AWS managed policy",
                    self.name
                ));
            }
        }
        Ok(())
    }

    /// Every required action name, in pack order, without duplicates.
    pub fn required_actions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.requires {
            for a in &r.actions {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// Actions named by the pack that the catalogue does not know (a test keeps this empty).
    pub fn unknown_actions(&self, catalog: &Catalog) -> Vec<String> {
        self.recognise
            .actions
            .iter()
            .chain(self.requires.iter().flat_map(|r| &r.actions))
            .chain(&self.by_design_on_star)
            .filter(|a| match ActionPattern::parse(a) {
                Ok(p) => p.expand(catalog).next().is_none(),
                Err(_) => true,
            })
            .cloned()
            .collect()
    }
}

/// The `${Name}` variables of an ARN template.
pub fn template_variables(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// A set of packs: the embedded ones, plus any read from folders (a user pack with the name of
/// an embedded one replaces it).
#[derive(Clone, Debug, Default)]
pub struct PackSet {
    packs: Vec<Pack>,
}

impl PackSet {
    /// The packs shipped in the binary (parsed on first use).
    pub fn embedded() -> &'static PackSet {
        static SET: std::sync::OnceLock<PackSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| {
            let packs = EMBEDDED
                .iter()
                .map(|(file, text)| {
                    // Validated by `embedded_packs_validate` (validation loads every AWS
                    // managed policy, which a run need not pay for); a broken embedded pack is a
                    // build defect.
                    serde_yaml::from_str(text)
                        .unwrap_or_else(|e| panic!("embedded pack rules/packs/{file}: {e}"))
                })
                .collect();
            PackSet { packs }
        })
    }

    /// The embedded packs plus every `*.yaml` file of each folder, in name order.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<PackSet, PackError> {
        let mut set = PackSet::embedded().clone();
        for dir in dirs {
            for pack in load_dir(dir)? {
                set.add(pack);
            }
        }
        Ok(set)
    }

    pub fn add(&mut self, pack: Pack) {
        match self.packs.iter_mut().find(|p| p.name == pack.name) {
            Some(existing) => *existing = pack,
            None => self.packs.push(pack),
        }
    }

    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    pub fn get(&self, name: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.name == name)
    }

    /// The set the rules use: the embedded packs, or what [`activate`] installed.
    pub fn active() -> &'static PackSet {
        ACTIVE.get().unwrap_or_else(|| PackSet::embedded())
    }
}

static ACTIVE: std::sync::OnceLock<PackSet> = std::sync::OnceLock::new();

/// Load the user pack folders once per process and make them the active set. Later calls with
/// the same folders are no-ops; the first call wins.
pub fn activate(dirs: &[PathBuf]) -> Result<(), PackError> {
    if dirs.is_empty() || ACTIVE.get().is_some() {
        return Ok(());
    }
    let set = PackSet::with_dirs(dirs)?;
    let _ = ACTIVE.set(set);
    Ok(())
}

/// Every `*.yaml`/`*.yml` pack of a folder, sorted by file name; wiring files (a top-level
/// `wirings:` key) are left to [`crate::purpose::wiring::activate`].
pub fn load_dir(dir: &Path) -> Result<Vec<Pack>, PackError> {
    pack_files(dir)?
        .into_iter()
        // A wiring file shares the folder; `wiring::activate` reads it.
        .filter(|(_, text)| !crate::purpose::wiring::is_wiring_file(text))
        .map(|(shown, text)| Pack::parse(&shown, &text))
        .collect()
}

/// Every `*.yaml`/`*.yml` file of a pack folder, sorted by name, as (shown path, text): the
/// purpose packs and the wiring files both live there.
pub fn pack_files(dir: &Path) -> Result<Vec<(String, String)>, PackError> {
    let entries = std::fs::read_dir(dir).map_err(|e| PackError {
        path: dir.display().to_string(),
        message: format!("cannot read pack folder: {e}"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|x| {
                    x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml")
                })
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let shown = path.display().to_string();
            // Packs are small; a huge file is a mistake, not a pack.
            let meta = std::fs::metadata(path).map_err(|e| PackError {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            if meta.len() > 1 << 20 {
                return Err(PackError {
                    path: shown,
                    message: "pack file is larger than 1 MiB".into(),
                });
            }
            let text = std::fs::read_to_string(path).map_err(|e| PackError {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            Ok((shown, text))
        })
        .collect()
}

/// Every action pattern some pack says AWS grants on `Resource: "*"` by design (the
/// `wildcard-resource` rule does not flag these).
pub fn by_design_on_star() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for pack in PackSet::embedded().packs() {
        for a in &pack.by_design_on_star {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
                out.push(a);
            }
        }
    }
    out
}

/// Whether `service:name` is granted on `*` by design according to the embedded packs.
pub fn is_by_design_on_star(service: &str, name: &str) -> bool {
    by_design_on_star().iter().any(|p| {
        p.split_once(':')
            .is_some_and(|(s, n)| glob_matches(s, service) && glob_matches(n, name))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_packs_validate() {
        for (file, text) in super::EMBEDDED {
            if let Err(e) = super::Pack::parse(file, text) {
                panic!("{e}");
            }
        }
    }
}
