//! `.cfn-policy-lint.yaml`: typed configuration, its discovery (walking up from each checked
//! file), validation with positions and "did you mean", and the per-file [`Settings`] it yields.
//!
//! Validation happens twice on purpose: our own YAML parser walks the tree first, so an unknown
//! key or rule name is reported at its exact line and column with a suggestion; serde then
//! turns the (now known-good) keys into typed values and reports type errors at its position.

pub mod cfnlintrc;
mod schema;

pub use schema::json_schema;

use crate::diagnostic::Severity;
use crate::rules::{self, Selection};
use crate::source::SourceFile;
use crate::yaml::{self, Node, NodeKind, ParseOptions};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The configuration file looked for in each directory, from the checked file upwards.
pub const FILE_NAME: &str = ".cfn-policy-lint.yaml";

/// Every top-level key, in documentation order. A test keeps it equal to the serde fields.
pub const KEYS: &[&str] = &[
    "select",
    "ignore",
    "per-file-ignores",
    "severity",
    "fail-on",
    "exclude",
    "regions",
    "packs",
    "rules",
];

/// A severity as written in configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Self {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Info,
        }
    }
}

/// The contents of `.cfn-policy-lint.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Only run these rules (names, codes or families). Empty: all rules.
    #[serde(default)]
    pub select: Vec<String>,
    /// Never run these rules (names, codes or families).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Glob (relative to the configuration file's folder) → rules not run on matching files.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// Rule name or code → the severity its findings get instead of the default.
    #[serde(default)]
    pub severity: BTreeMap<String, Level>,
    /// Lowest severity that makes the exit code 1 (default: warning).
    #[serde(default)]
    pub fail_on: Option<Level>,
    /// Globs (relative to the configuration file's folder) of files never checked.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// AWS regions the templates are deployed to (default: us-east-1).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Extra folders of purpose packs and wiring files (relative to the configuration file's folder).
    #[serde(default)]
    pub packs: Vec<PathBuf>,
    /// Rule name → that rule's options (a mapping; each rule documents its own).
    #[serde(default)]
    pub rules: BTreeMap<String, serde_json::Value>,
}

/// An invalid configuration file, with the position of the offending text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the problem has no position (the file cannot be read).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parse and validate configuration text; `path` is only used in error messages.
    pub fn from_text(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let source = SourceFile::new(path.display().to_string(), text);
        let error_at = |offset: usize, message: String| {
            let p = source.position(offset);
            ConfigError {
                path: path.to_path_buf(),
                line: p.line,
                column: p.column,
                message,
            }
        };
        let document = yaml::parse(text, &ParseOptions::default())
            .map_err(|e| error_at(e.span.start, format!("not valid YAML: {}", e.message)))?;
        let Some(root) = &document.root else {
            return Ok(Config::default());
        };
        if matches!(&root.kind, NodeKind::Scalar(s) if s.value.is_empty()) {
            return Ok(Config::default());
        }
        validate(root).map_err(|(offset, message)| error_at(offset, message))?;
        serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            let mut message = e.to_string();
            // The position is reported separately.
            if let Some(at) = message.rfind(" at line ") {
                message.truncate(at);
            }
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        })
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read: {}", crate::discover::describe_io_error(&e)),
        })?;
        Config::from_text(path, &text)
    }

    /// The configuration with every default spelt out, as `config --show` prints it.
    pub fn effective(&self) -> Config {
        let mut c = self.clone();
        c.fail_on.get_or_insert(Level::Warning);
        c
    }

    /// YAML text of this configuration.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).unwrap_or_default()
    }
}

/// Keys, rule names and shapes our own tree walk can check with exact positions.
fn validate(root: &Node) -> Result<(), (usize, String)> {
    let Some(entries) = root.as_mapping() else {
        return Err((
            root.span.start,
            "the configuration must be a mapping of keys such as `select` and `ignore`".into(),
        ));
    };
    for entry in entries {
        let Some(key) = entry.key.as_str() else {
            return Err((entry.key.span.start, "keys must be plain names".into()));
        };
        if !KEYS.contains(&key) {
            let mut message = format!("unknown key `{key}`");
            match crate::suggest::suggest(key, KEYS.iter().copied()) {
                Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
                None => message.push_str(&format!(" (known keys: {})", KEYS.join(", "))),
            }
            return Err((entry.key.span.start, message));
        }
        let value = &entry.value;
        match key {
            "select" | "ignore" => check_rule_list(value, RuleKind::Entry)?,
            "per-file-ignores" => {
                for e in mapping(value, key)? {
                    check_rule_list(&e.value, RuleKind::Entry)?;
                }
            }
            "severity" => {
                for e in mapping(value, key)? {
                    check_rule_name(&e.key, RuleKind::Rule)?;
                }
            }
            "regions" => check_regions(value)?,
            "rules" => {
                for e in mapping(value, key)? {
                    check_rule_name(&e.key, RuleKind::Rule)?;
                    if !matches!(e.value.kind, NodeKind::Mapping(_)) && !is_null(&e.value) {
                        return Err((
                            e.value.span.start,
                            "a rule's options must be a mapping of option names to values".into(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_regions(node: &Node) -> Result<(), (usize, String)> {
    let items = match &node.kind {
        NodeKind::Sequence(items) => items,
        NodeKind::Scalar(_) if is_null(node) => return Ok(()),
        _ => return Err((node.span.start, "expected a list of regions".into())),
    };
    for item in items {
        let Some(region) = item.as_str() else {
            return Err((item.span.start, "expected a region name".into()));
        };
        check_region(region).map_err(|message| (item.span.start, message))?;
    }
    Ok(())
}

/// Whether the resource schemas know `region`; the error says what was probably meant.
pub fn check_region(region: &str) -> Result<(), String> {
    let known = crate::schema::catalog().regions();
    if known.contains(&region) {
        return Ok(());
    }
    let mut message = format!("unknown region `{region}`");
    match crate::suggest::closest(region, known.iter().copied()) {
        Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
        None => message.push_str(&format!(" (known: {})", known.join(", "))),
    }
    Err(message)
}

fn is_null(node: &Node) -> bool {
    matches!(node.resolved(), Some(yaml::Resolved::Null))
}

fn mapping<'a>(node: &'a Node, key: &str) -> Result<&'a [yaml::Entry], (usize, String)> {
    if is_null(node) {
        return Ok(&[]);
    }
    node.as_mapping()
        .ok_or_else(|| (node.span.start, format!("`{key}` must be a mapping")))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    /// A rule name or code, a family, or `all`.
    Entry,
    /// A rule name or code.
    Rule,
}

fn check_rule_list(node: &Node, kind: RuleKind) -> Result<(), (usize, String)> {
    match &node.kind {
        NodeKind::Sequence(items) => items.iter().try_for_each(|i| check_rule_name(i, kind)),
        NodeKind::Scalar(_) if is_null(node) => Ok(()),
        // A single name where a list was expected is accepted by neither serde nor us.
        _ => Err((node.span.start, "expected a list of rule names".into())),
    }
}

fn check_rule_name(node: &Node, kind: RuleKind) -> Result<(), (usize, String)> {
    let Some(name) = node.as_str() else {
        return Err((node.span.start, "expected a rule name".into()));
    };
    let known = match kind {
        RuleKind::Rule => rules::find(name).is_some(),
        RuleKind::Entry => is_known_entry(name),
    };
    if known {
        return Ok(());
    }
    let mut message = format!("unknown rule `{name}`");
    match rules::suggest(name) {
        Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
        None => message.push_str(" (see `cfn-policy-lint rules`)"),
    }
    Err((node.span.start, message))
}

/// A rule name, code, family or `all`.
pub fn is_known_entry(entry: &str) -> bool {
    Selection {
        select: vec![entry.to_string()],
        ignore: Vec::new(),
    }
    .unknown_entries()
    .is_empty()
}

/// Everything a run needs to know besides the files themselves.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub selection: Selection,
    pub parse: ParseOptions,
    /// Rule name → severity its findings get instead of the rule's default (configuration).
    pub severity: BTreeMap<String, Severity>,
    /// Extra folders of purpose packs and wiring files from the configuration (absolute or
    /// relative to the cwd).
    pub packs: Vec<PathBuf>,
    /// Rule name → that rule's options from the configuration's `rules` key.
    pub rule_options: BTreeMap<String, serde_json::Value>,
    /// Regions the schema rules check resource types against (empty: us-east-1).
    pub regions: Vec<String>,
}

/// What the command line says, applied on top of every configuration file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Replaces the configuration's `select` when not empty.
    pub select: Vec<String>,
    /// Added to the configuration's `ignore`.
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Replaces the configuration's `regions` when not empty.
    pub regions: Vec<String>,
}

/// A loaded configuration file, ready to answer questions about the files below it.
#[derive(Debug)]
pub struct Loaded {
    /// The configuration file; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Folder relative globs are resolved against.
    pub root: PathBuf,
    pub config: Config,
    exclude: GlobSet,
    per_file: Vec<(GlobSet, Vec<String>)>,
}

impl Loaded {
    pub fn new(path: Option<PathBuf>, root: PathBuf, config: Config) -> Result<Self, String> {
        let exclude = glob_set(&config.exclude)?;
        let per_file = config
            .per_file_ignores
            .iter()
            .map(|(g, rules)| Ok((glob_set(std::slice::from_ref(g))?, rules.clone())))
            .collect::<Result<_, String>>()?;
        Ok(Loaded {
            path,
            root,
            config,
            exclude,
            per_file,
        })
    }

    fn defaults(root: PathBuf) -> Self {
        Loaded {
            path: None,
            root,
            config: Config::default(),
            exclude: GlobSet::empty(),
            per_file: Vec::new(),
        }
    }

    /// Whether `file` (absolute) matches an `exclude` glob.
    pub fn excludes(&self, file: &Path) -> bool {
        matches_any(&self.exclude, &self.root, file)
    }

    /// The settings for `file` (absolute) with `overrides` applied.
    pub fn settings_for(&self, file: &Path, overrides: &Overrides, base: &Settings) -> Settings {
        let c = &self.config;
        let mut selection = Selection {
            select: if overrides.select.is_empty() {
                c.select.clone()
            } else {
                overrides.select.clone()
            },
            ignore: c.ignore.iter().chain(&overrides.ignore).cloned().collect(),
        };
        for (globs, rules) in &self.per_file {
            if matches_any(globs, &self.root, file) {
                selection.ignore.extend(rules.iter().cloned());
            }
        }
        let severity = c
            .severity
            .iter()
            .filter_map(|(rule, level)| {
                rules::find(rule).map(|r| (r.meta().name.to_string(), Severity::from(*level)))
            })
            .collect();
        Settings {
            selection,
            severity,
            packs: c.packs.iter().map(|p| self.root.join(p)).collect(),
            rule_options: c.rules.clone(),
            regions: if overrides.regions.is_empty() {
                c.regions.clone()
            } else {
                overrides.regions.clone()
            },
            ..base.clone()
        }
    }
}

fn glob_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        builder.add(Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Globs match the path relative to the configuration's folder, or just the file name (so
/// `*.json` means every JSON file at any depth).
fn matches_any(set: &GlobSet, root: &Path, file: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let relative = file.strip_prefix(root).unwrap_or(file);
    set.is_match(relative) || file.file_name().is_some_and(|n| set.is_match(Path::new(n)))
}

/// What [`Resolver::settings_for`] decides about one file.
#[derive(Debug)]
pub enum FileSettings {
    Check(Settings),
    /// Matched an `exclude` glob.
    Excluded,
}

/// Finds the configuration for each checked file: `--config FILE` for every file, or the
/// nearest `.cfn-policy-lint.yaml` walking up from the file's folder (cached per folder, since
/// files are checked in parallel and share folders).
#[derive(Debug)]
pub struct Resolver {
    explicit: Option<Arc<Loaded>>,
    overrides: Overrides,
    base: Settings,
    cwd: PathBuf,
    cache: Mutex<HashMap<PathBuf, Result<Arc<Loaded>, ConfigError>>>,
}

impl Resolver {
    /// `explicit` is `--config FILE`; it is loaded now so that a bad file fails before any work.
    pub fn new(
        explicit: Option<&Path>,
        overrides: Overrides,
        base: Settings,
    ) -> Result<Self, ConfigError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let explicit = match explicit {
            Some(path) => Some(Arc::new(load_file(&normalize(&cwd.join(path)))?)),
            None => None,
        };
        Ok(Resolver {
            explicit,
            overrides,
            base,
            cwd,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// A resolver that looks for configuration files (no `--config`); it cannot fail.
    pub fn discovering(overrides: Overrides, base: Settings) -> Self {
        Resolver {
            explicit: None,
            overrides,
            base,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// The configuration governing `path` (a file or a folder).
    pub fn loaded_for(&self, path: &Path) -> Result<Arc<Loaded>, ConfigError> {
        if let Some(explicit) = &self.explicit {
            return Ok(explicit.clone());
        }
        let absolute = normalize(&self.cwd.join(path));
        let dir = if absolute.is_dir() {
            absolute
        } else {
            absolute
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| self.cwd.clone())
        };
        self.lookup(&dir)
    }

    fn lookup(&self, dir: &Path) -> Result<Arc<Loaded>, ConfigError> {
        if let Some(found) = self.cache.lock().ok().and_then(|c| c.get(dir).cloned()) {
            return found;
        }
        let candidate = dir.join(FILE_NAME);
        let found = if candidate.is_file() {
            load_file(&candidate).map(Arc::new)
        } else {
            match dir.parent() {
                Some(parent) if parent != dir => self.lookup(parent),
                _ => Ok(Arc::new(Loaded::defaults(self.cwd.clone()))),
            }
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    /// Settings for one file, or why it is not checked.
    pub fn settings_for(&self, path: &Path) -> Result<FileSettings, ConfigError> {
        let loaded = self.loaded_for(path)?;
        let absolute = normalize(&self.cwd.join(path));
        if loaded.excludes(&absolute) {
            return Ok(FileSettings::Excluded);
        }
        Ok(FileSettings::Check(loaded.settings_for(
            &absolute,
            &self.overrides,
            &self.base,
        )))
    }

    /// Settings for what belongs to no single file (the cross-file pass): the configuration
    /// governing the current folder with the command line applied.
    pub fn run_settings(&self) -> Settings {
        match self.loaded_for(&self.cwd) {
            Ok(loaded) => loaded.settings_for(&self.cwd, &self.overrides, &self.base),
            Err(_) => Loaded::defaults(self.cwd.clone()).settings_for(
                &self.cwd,
                &self.overrides,
                &self.base,
            ),
        }
    }

    /// The run's failure threshold: the command line's, else the configuration that governs
    /// the current folder, else warning.
    pub fn fail_on(&self) -> Severity {
        if let Some(s) = self.overrides.fail_on {
            return s;
        }
        self.loaded_for(&self.cwd)
            .ok()
            .and_then(|l| l.config.fail_on)
            .map(Severity::from)
            .unwrap_or(Severity::Warning)
    }
}

/// Drop `.` and resolve `..` lexically, so that paths in messages and glob matching are clean.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn load_file(path: &Path) -> Result<Loaded, ConfigError> {
    let config = Config::load(path)?;
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Loaded::new(Some(path.to_path_buf()), root, config).map_err(|message| ConfigError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_list_matches_the_serde_fields() {
        let yaml = serde_yaml::to_string(&Config::default()).unwrap();
        let value: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        let fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = KEYS.to_vec();
        keys.sort_unstable();
        let mut fields = fields;
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }
}
