//! Wiring packs: what a template wires together tells what each role must be allowed to do. An
//! event source mapping names a queue and a function, so the function's role must read the
//! queue; a task definition names an ECR image, so its execution role must pull it.
//!
//! Each wiring (declarative YAML in `rules/wiring/*.yaml`, embedded; more with `--packs DIR`,
//! format in `rules/README.md`, "Wiring packs") names the resource type and the condition on its
//! properties that makes it apply, the property path to the role, the actions required with the
//! resource each needs (bound to the wiring resource's own values), the AWS managed policies that
//! satisfy it, a severity and the AWS page stating the requirement. [`engine`] finds the
//! wirings of a template and asks [`crate::iam::eval`] whether the role allows each action.

pub mod engine;
pub mod sam;

use serde::Deserialize;

use super::pack::PackError;

/// The wiring files shipped in the binary, as (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "lambda.yaml",
        include_str!("../../../rules/wiring/lambda.yaml"),
    ),
    ("ecs.yaml", include_str!("../../../rules/wiring/ecs.yaml")),
    (
        "stepfunctions.yaml",
        include_str!("../../../rules/wiring/stepfunctions.yaml"),
    ),
    ("ec2.yaml", include_str!("../../../rules/wiring/ec2.yaml")),
    (
        "targets.yaml",
        include_str!("../../../rules/wiring/targets.yaml"),
    ),
    (
        "services.yaml",
        include_str!("../../../rules/wiring/services.yaml"),
    ),
];

/// One file: a list of wirings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WiringFile {
    pub wirings: Vec<Wiring>,
}

/// One wiring.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Wiring {
    /// Stable kebab-case identifier, shown in findings.
    pub name: String,
    /// What the wiring does, as a phrase ("the function polls an SQS queue").
    pub title: String,
    /// The CloudFormation resource types it applies to.
    pub resource: OneOrMany,
    /// Where the wiring is written: a property path under `Properties` (`EventSourceArn`,
    /// `ContainerDefinitions[*].Secrets[*].ValueFrom`; `[*]` visits every list item), or
    /// `states:` and a pattern of a Step Functions task's `Resource` (`states:arn:*:states:::sqs:sendMessage*`),
    /// or `shell:` and a command (`shell:aws s3 cp`) in user data. Each match is one site:
    /// findings point at it. Absent: the resource's `Type`.
    /// Several paths may be given (a list); each match of each is a site.
    #[serde(default)]
    pub site: Option<OneOrMany>,
    /// Conditions that must all hold for the wiring to apply.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Property paths to the role, tried in order: the first that is present is followed
    /// through instance profiles, launch templates, functions and aliases to an
    /// `AWS::IAM::Role` (or a SAM resource's generated role). `self` is the resource itself
    /// (a function's own role).
    pub role: OneOrMany,
    /// What the role must be allowed: actions and the resource each needs.
    #[serde(default)]
    pub requires: Vec<Need>,
    /// Or: the role must satisfy this purpose pack (`rules/packs/`).
    #[serde(default)]
    pub pack: Option<String>,
    /// AWS managed policies, any of which grants everything required.
    #[serde(default)]
    pub satisfied_by: Vec<String>,
    pub severity: WiringSeverity,
    /// The AWS documentation page that states the requirement.
    pub docs: String,
}

/// A string or a list of strings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum WiringSeverity {
    /// CloudFormation refuses the resource, or its first use certainly fails.
    Error,
    /// The stack works, degraded (no logs, no traces).
    Warning,
}

/// One condition on a value: `path` (as `site`, or `site.X` below the site) and one test.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Condition {
    pub path: String,
    /// The value is present (`true`) or absent (`false`).
    #[serde(default)]
    pub present: Option<bool>,
    /// The literal value is one of these (case-insensitive).
    #[serde(default)]
    pub equals: Option<OneOrMany>,
    /// The value, as `Fn::Sub` text, matches this regular expression.
    #[serde(default)]
    pub matches: Option<String>,
    /// The value is an ARN of this IAM service prefix (literal, or a template resource's).
    #[serde(default)]
    pub service: Option<String>,
}

/// One condition or a list of them (all must hold).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Conditions {
    One(Condition),
    All(Vec<Condition>),
}

impl Conditions {
    pub fn items(&self) -> &[Condition] {
        match self {
            Conditions::One(c) => std::slice::from_ref(c),
            Conditions::All(v) => v,
        }
    }
}

/// Actions required on one resource.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Need {
    pub actions: Vec<String>,
    /// `*`, or ARN text with `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` and
    /// placeholders: `{path}` the value at a path (`{site}`, `{site.Options.awslogs-group}`,
    /// `{KmsKeyArn}`), `{arn:path}` the ARN of the template resource the value refers to (a
    /// queue's URL becomes its ARN), `{name}` the wiring resource's own name.
    pub resource: String,
    /// Only when this condition holds (or all of these).
    #[serde(default)]
    pub when: Option<Conditions>,
    /// Why, for the docs.
    #[serde(default)]
    pub why: Option<String>,
}

/// The wirings in use.
#[derive(Clone, Debug, Default)]
pub struct WiringSet {
    wirings: Vec<Wiring>,
}

impl WiringSet {
    /// The embedded wirings (parsed on first use; `embedded_wirings_validate` tests them).
    pub fn embedded() -> &'static WiringSet {
        static SET: std::sync::OnceLock<WiringSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| WiringSet {
            wirings: (0..EMBEDDED.len())
                .flat_map(|i| embedded_file(i).iter().cloned())
                .collect(),
        })
    }

    pub fn wirings(&self) -> &[Wiring] {
        &self.wirings
    }

    pub fn add(&mut self, wiring: Wiring) {
        match self.wirings.iter_mut().find(|w| w.name == wiring.name) {
            Some(existing) => *existing = wiring,
            None => self.wirings.push(wiring),
        }
    }
}

static ACTIVE: std::sync::OnceLock<WiringSet> = std::sync::OnceLock::new();

/// The wirings that may apply to a template with these resource types. Without user wirings,
/// only the embedded files that name one of the types are read (each once per process), so a
/// run pays for the wirings its templates use.
pub fn for_types(types: &[&str]) -> Vec<&'static Wiring> {
    if let Some(set) = ACTIVE.get() {
        return set.wirings.iter().collect();
    }
    (0..EMBEDDED.len())
        .filter(|&index| types.iter().any(|t| names_type(index, t)))
        .flat_map(embedded_file)
        .collect()
}

/// The wirings of embedded file `index`, parsed once per process.
fn embedded_file(index: usize) -> &'static [Wiring] {
    static FILES: [std::sync::OnceLock<Vec<Wiring>>; EMBEDDED.len()] =
        [const { std::sync::OnceLock::new() }; EMBEDDED.len()];
    let Some((file, text)) = EMBEDDED.get(index) else {
        return &[];
    };
    FILES[index].get_or_init(|| match parse(file, text) {
        Ok(f) => f.wirings,
        // Validated by `embedded_wirings_validate`: a broken embedded file is a build defect.
        Err(e) => panic!("embedded wiring pack rules/wiring/{file}: {e}"),
    })
}

/// Whether embedded wiring file `index` names a resource type (the whole name). The names each
/// file mentions are collected once per process: a corpus run asks for every resource of every
/// template.
fn names_type(index: usize, t: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<std::collections::HashSet<&'static str>>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        EMBEDDED
            .iter()
            .map(|(_, text)| {
                text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
                    .filter(|w| w.matches("::").count() == 2)
                    .collect()
            })
            .collect()
    });
    names.get(index).is_some_and(|set| set.contains(t))
}

/// Whether a pack file holds wirings (a top-level `wirings:` key) rather than a purpose pack.
pub fn is_wiring_file(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("wirings:"))
}

/// Parse and validate one wiring file.
pub fn parse(path: &str, text: &str) -> Result<WiringFile, PackError> {
    let err = |message: String| PackError {
        path: path.to_string(),
        message,
    };
    let file: WiringFile = serde_yaml::from_str(text).map_err(|e| err(e.to_string()))?;
    for w in &file.wirings {
        validate(w).map_err(|m| err(format!("wiring `{}`: {m}", w.name)))?;
    }
    Ok(file)
}

fn validate(w: &Wiring) -> Result<(), String> {
    if w.name.is_empty()
        || !w
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("the name must be kebab-case".into());
    }
    if w.requires.is_empty() == w.pack.is_none() {
        return Err("give either `requires` or `pack`".into());
    }
    if !w.docs.starts_with("https://") {
        return Err("`docs` must be an https link".into());
    }
    let conditions = w.when.iter().chain(
        w.requires
            .iter()
            .filter_map(|n| n.when.as_ref())
            .flat_map(Conditions::items),
    );
    for c in conditions {
        let tests = usize::from(c.present.is_some())
            + usize::from(c.equals.is_some())
            + usize::from(c.matches.is_some())
            + usize::from(c.service.is_some());
        if tests != 1 {
            return Err(format!(
                "condition on `{}` must give exactly one test",
                c.path
            ));
        }
        if let Some(r) = &c.matches {
            regex::Regex::new(r).map_err(|e| format!("pattern `{r}`: {e}"))?;
        }
    }
    for n in &w.requires {
        for a in &n.actions {
            if !a.contains(':') {
                return Err(format!("action `{a}` has no service prefix"));
            }
        }
    }
    Ok(())
}

/// Install the embedded wirings plus those in the user's pack folders (files with `wirings:`).
pub fn activate(dirs: &[std::path::PathBuf]) -> Result<(), PackError> {
    if dirs.is_empty() || ACTIVE.get().is_some() {
        return Ok(());
    }
    let mut set = WiringSet::embedded().clone();
    for dir in dirs {
        for (path, text) in super::pack::pack_files(dir)?
            .into_iter()
            .filter(|(_, text)| is_wiring_file(text))
        {
            for w in parse(&path, &text)?.wirings {
                set.add(w);
            }
        }
    }
    let _ = ACTIVE.set(set);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::Catalog;

    #[test]
    fn embedded_wirings_validate() {
        let catalog = Catalog::active();
        let set = WiringSet::embedded();
        assert!(set.wirings().len() >= 20, "{}", set.wirings().len());
        let mut names = std::collections::HashSet::new();
        for w in set.wirings() {
            assert!(names.insert(&w.name), "duplicate wiring {}", w.name);
            for n in &w.requires {
                for a in &n.actions {
                    assert!(
                        catalog.lookup(a).is_some(),
                        "{}: unknown action {a}",
                        w.name
                    );
                }
            }
            for m in &w.satisfied_by {
                let p = crate::iam::managed_policy(m)
                    .unwrap_or_else(|| panic!("{}: unknown managed policy {m}", w.name));
                for n in &w.requires {
                    for a in &n.actions {
                        let (s, x) = a.split_once(':').unwrap();
                        assert!(
                            p.actions().any(|pa| crate::iam::ActionPattern::parse(pa)
                                .is_ok_and(|pp| pp.matches(s, x))),
                            "{}: {m} does not grant {a}",
                            w.name
                        );
                    }
                }
            }
            if let Some(pack) = &w.pack {
                assert!(
                    crate::purpose::PackSet::embedded().get(pack).is_some(),
                    "{}: unknown pack {pack}",
                    w.name
                );
            }
        }
    }

    #[test]
    fn a_wiring_needs_requirements_or_a_pack() {
        let text = "wirings:\n  - name: x\n    title: t\n    resource: AWS::Lambda::Function\n    role: Role\n    severity: error\n    docs: https://example.com\n";
        let e = parse("x.yaml", text).unwrap_err();
        assert!(e.message.contains("either `requires` or `pack`"), "{e}");
    }
}
