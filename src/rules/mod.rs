//! The rule trait, rule metadata and the registry of every rule.
//!
//! A rule's doc comment is the single source of its documentation: `declare_rule!` captures it
//! into [`RuleMeta::docs`], which `explain`, `rules` and the generated `docs/rules.md` read.
//!
//! The registry is derived, not listed: `build.rs` makes every file under `src/rules/<family>/`
//! that calls `declare_rule!` a module of its family and puts its rule in [`registry`]. Adding a
//! rule is adding its file (`scripts/new-rule` writes one with its fixtures).

use crate::diagnostic::Diagnostic;
pub use crate::diagnostic::{Family, RuleMeta, Stage};
use crate::iam::{EmbeddedDocuments, Policy};
use crate::source::SourceFile;
use crate::template::Template;
use crate::yaml::Document;
use std::sync::OnceLock;

pub mod cfnlint;
pub mod iam;
pub mod project;
pub mod purpose;
pub mod reference;
pub mod schema;
pub mod template;
pub mod yaml;

/// What a per-file rule can look at. `source` is the text the AST was built from: the original
/// file, or the indentation doctor's repair of it (then `repaired` is true and the engine maps
/// every span back to the original before reporting).
///
/// `template` is `None` for a file that is a standalone policy document (see
/// [`crate::iam::is_policy_document`]): template rules do not apply to it.
pub struct FileContext<'a> {
    pub source: &'a SourceFile,
    pub document: Option<&'a Document>,
    pub template: Option<&'a Template<'a>>,
    pub repaired: bool,
    /// Where policy documents written as strings are parsed into; without it they are skipped.
    pub embedded: Option<&'a EmbeddedDocuments>,
    /// Per-rule options from the configuration's `rules:` section, by rule name.
    pub rule_options: Option<&'a std::collections::BTreeMap<String, serde_json::Value>>,
    /// The text is a code block of a Markdown page, not a file: documentation shows parts of
    /// templates, so what a whole template must have (a `Resources` section) is not asked.
    pub code_block: bool,
    /// The regions whose resource types the schema rules check (`--regions`, `regions:`);
    /// empty means [`crate::schema::DEFAULT_REGION`].
    pub regions: &'a [String],
    /// Built on first use by [`FileContext::policies`], shared by every IAM rule.
    policies: OnceLock<Vec<Policy<'a>>>,
    /// Built on first use by [`FileContext::schema`], shared by every schema rule.
    schema: OnceLock<Vec<crate::schema::Problem>>,
}

impl<'a> FileContext<'a> {
    pub fn new(
        source: &'a SourceFile,
        document: Option<&'a Document>,
        template: Option<&'a Template<'a>>,
        repaired: bool,
    ) -> Self {
        FileContext {
            source,
            document,
            template,
            repaired,
            embedded: None,
            rule_options: None,
            code_block: false,
            regions: &[],
            policies: OnceLock::new(),
            schema: OnceLock::new(),
        }
    }

    /// Check resource types against these regions (the first one's schemas are used).
    pub fn with_regions(mut self, regions: &'a [String]) -> Self {
        self.regions = regions;
        self
    }

    /// Every problem the resource schemas show in the template (found once, on first use).
    pub fn schema(&self) -> &[crate::schema::Problem] {
        self.schema.get_or_init(|| match self.template {
            Some(t) => {
                let regions: Vec<&str> = if self.regions.is_empty() {
                    vec![crate::schema::DEFAULT_REGION]
                } else {
                    self.regions.iter().map(String::as_str).collect()
                };
                crate::schema::check(t, &self.source.text, &regions)
            }
            None => Vec::new(),
        })
    }

    /// The schema problems of `kind`, as diagnostics of the rule `meta`.
    pub fn schema_diagnostics(
        &self,
        kind: crate::schema::Kind,
        meta: &'static RuleMeta,
        out: &mut Vec<Diagnostic>,
    ) {
        out.extend(
            self.schema()
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.clone().into_diagnostic(meta)),
        );
    }

    /// Also read policy documents given as JSON strings, parsing them into `store`.
    pub fn with_embedded(mut self, store: &'a EmbeddedDocuments) -> Self {
        self.embedded = Some(store);
        self
    }

    /// Give rules their configured options.
    pub fn with_rule_options(
        mut self,
        options: &'a std::collections::BTreeMap<String, serde_json::Value>,
    ) -> Self {
        self.rule_options = Some(options);
        self
    }

    /// Mark the text as a Markdown code block (see [`FileContext::code_block`]).
    pub fn with_code_block(mut self, code_block: bool) -> Self {
        self.code_block = code_block;
        self
    }

    /// Whether the file is written in JSON (by its extension, or a document that opens with
    /// `{`): help texts then show JSON, not YAML.
    pub fn is_json(&self) -> bool {
        self.source
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || self
                .document
                .and_then(|d| d.root.as_ref())
                .is_some_and(|root| self.source.text[root.span.start..].starts_with('{'))
    }

    /// This rule's options from the configuration, if any.
    pub fn options_of(&self, rule: &str) -> Option<&'a serde_json::Value> {
        self.rule_options?.get(rule)
    }

    /// Every IAM policy document of the file (extracted once, on first use).
    pub fn policies(&self) -> &[Policy<'a>] {
        self.policies.get_or_init(|| {
            crate::iam::extract::extract(
                self.document,
                self.template,
                &self.source.text,
                self.embedded,
            )
        })
    }
}

/// A rule's identity. `declare_rule!` implements it; nothing else should.
pub trait HasMeta {
    fn meta(&self) -> &'static RuleMeta;
}

pub trait Rule: HasMeta + Sync + Send {
    /// Per-file check. Rules whose findings come from another stage (`Stage::Yaml`,
    /// `Stage::CrossFile`: see `crate::checkers`) keep the default.
    fn check(&self, _ctx: &FileContext<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// Declare a rule struct whose doc comment becomes its documentation.
///
/// `stage` defaults to `File` (a per-file rule), `opt_in` to `false`, `options` to none.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $ty:ident {
            name: $name:literal,
            code: $code:literal,
            severity: $sev:ident,
            family: $fam:ident,
            $(stage: $stage:ident,)?
            summary: $summary:literal
            $(, opt_in: $opt_in:literal)?
            $(, options: [$(($opt:literal, $opt_doc:literal $(,)?)),* $(,)?])? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        $vis struct $ty;

        impl $ty {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                name: $name,
                code: $code,
                severity: $crate::diagnostic::Severity::$sev,
                family: $crate::rules::Family::$fam,
                stage: $crate::declare_rule!(@stage $($stage)?),
                summary: $summary,
                opt_in: false $(|| $opt_in)?,
                options: &[$($(($opt, $opt_doc)),*)?],
                docs: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::rules::HasMeta for $ty {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &Self::META
            }
        }
    };
    (@stage) => { $crate::rules::Stage::File };
    (@stage $stage:ident) => { $crate::rules::Stage::$stage };
}

mod generated {
    use super::{iam, project, purpose, schema, template, yaml, Rule};
    include!(concat!(env!("OUT_DIR"), "/rules/registry.rs"));
}

/// Every rule, once, by family (in [`Family::ALL`] order) and then by code: the order of
/// `cfn-policy-lint rules` and of the generated reference.
pub fn registry() -> &'static [&'static dyn Rule] {
    static SORTED: OnceLock<Vec<&'static dyn Rule>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut rules = generated::RULES.to_vec();
        rules.sort_by_key(|r| (r.meta().family, r.meta().code));
        rules
    })
}

/// The rules whose findings are made at `stage`.
pub fn at_stage(stage: Stage) -> impl Iterator<Item = &'static RuleMeta> {
    registry()
        .iter()
        .map(|r| r.meta())
        .filter(move |m| m.stage == stage)
}

pub fn find(name_or_code: &str) -> Option<&'static dyn Rule> {
    registry().iter().copied().find(|r| {
        let m = r.meta();
        m.name.eq_ignore_ascii_case(name_or_code) || m.code.eq_ignore_ascii_case(name_or_code)
    })
}

/// Which rules run: `select` (empty = all) minus `ignore`. Entries are rule names, codes or
/// family names.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    fn matches(entry: &str, meta: &RuleMeta) -> bool {
        entry.eq_ignore_ascii_case(meta.name)
            || entry.eq_ignore_ascii_case(meta.code)
            || entry.eq_ignore_ascii_case(meta.family.as_str())
            || entry == "all"
    }

    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        let selected = if meta.opt_in {
            self.select
                .iter()
                .any(|s| s.eq_ignore_ascii_case(meta.name) || s.eq_ignore_ascii_case(meta.code))
        } else {
            self.select.is_empty() || self.select.iter().any(|s| Self::matches(s, meta))
        };
        selected && !self.ignore.iter().any(|s| Self::matches(s, meta))
    }

    pub fn is_enabled_name(&self, name: &str) -> bool {
        find(name).is_none_or(|r| self.is_enabled(r.meta()))
    }

    /// Entries that name no rule, code or family.
    pub fn unknown_entries(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|e| find(e).is_none() && !is_group(e))
            .collect()
    }
}

/// Whether `name` is a family name or `all`.
fn is_group(name: &str) -> bool {
    name.eq_ignore_ascii_case("all")
        || Family::ALL
            .iter()
            .any(|f| f.as_str().eq_ignore_ascii_case(name))
}

/// The rule name, code or family closest to a misspelt or shortened one (`tab-indent` →
/// `tab-indentation`): the one suggester for rule names, used by `explain`, `--select` and
/// `--ignore`, the configuration and suppressions.
pub fn suggest(typed: &str) -> Option<&'static str> {
    let candidates = registry()
        .iter()
        .flat_map(|r| [r.meta().name, r.meta().code])
        .chain(Family::ALL.iter().map(|f| f.as_str()));
    crate::suggest::suggest(typed, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn opt_in_rules_run_only_when_named() {
        let meta = &crate::rules::iam::UnquotedPolicyVersion::META;
        assert!(meta.opt_in);
        let sel = |select: &[&str], ignore: &[&str]| Selection {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
        };
        assert!(!sel(&[], &[]).is_enabled(meta));
        assert!(!sel(&["all"], &[]).is_enabled(meta));
        assert!(!sel(&["iam"], &[]).is_enabled(meta));
        assert!(sel(&["all", "unquoted-policy-version"], &[]).is_enabled(meta));
        assert!(sel(&["I016"], &[]).is_enabled(meta));
        assert!(!sel(&["I016"], &["iam"]).is_enabled(meta));
        // Ordinary rules are unaffected.
        assert!(sel(&[], &[]).is_enabled(&crate::rules::iam::InvalidEffect::META));
    }

    #[test]
    fn every_rule_lives_in_the_folder_of_its_family() {
        for (rule, folder) in generated::RULES.iter().zip(generated::FOLDERS) {
            let m = rule.meta();
            assert_eq!(
                m.family.as_str(),
                *folder,
                "{} is declared in family `{}` but its file is in src/rules/{folder}/",
                m.name,
                m.family.as_str()
            );
        }
        assert_eq!(generated::RULES.len(), generated::FOLDERS.len());
    }

    #[test]
    fn registry_is_ordered_by_family_then_code() {
        let keys: Vec<_> = registry()
            .iter()
            .map(|r| (r.meta().family, r.meta().code))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(registry().len(), generated::RULES.len());
    }

    #[test]
    fn engine_stage_rules_have_no_per_file_check() {
        // A rule of another stage whose `check` reported something would be reported twice or
        // at the wrong time: run each on a file that every per-file rule has something to say
        // about, and expect silence.
        let text = "Resources:\n  R:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: allow\n            Action: '*'\n            Resource: '*'\n";
        let source = SourceFile::new("t.yaml", text);
        let document = crate::yaml::parse(text, &Default::default()).expect("parses");
        let template = Template::from_document(&document);
        let ctx = FileContext::new(&source, Some(&document), Some(&template), false);
        for rule in registry().iter().filter(|r| r.meta().stage != Stage::File) {
            let mut out = Vec::new();
            rule.check(&ctx, &mut out);
            assert!(
                out.is_empty(),
                "{} reported from its per-file check",
                rule.meta().name
            );
        }
        assert!(at_stage(Stage::Yaml).count() >= 3);
        assert!(at_stage(Stage::CrossFile).count() >= 3);
    }

    #[test]
    fn names_and_codes_are_unique_and_documented() {
        let mut names = HashSet::new();
        let mut codes = HashSet::new();
        for rule in registry() {
            let m = rule.meta();
            assert!(names.insert(m.name), "duplicate rule name {}", m.name);
            assert!(codes.insert(m.code), "duplicate rule code {}", m.code);
            assert!(
                m.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                m.name
            );
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(m.docs.contains(section), "{} docs lack `{section}`", m.name);
            }
        }
    }
}
