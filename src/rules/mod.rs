//! The rule trait, rule metadata and the registry of every rule.
//!
//! A rule's doc comment is the single source of its documentation: `declare_rule!` captures it
//! into [`RuleMeta::docs`], which `explain`, `rules` and generated docs read.

use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::{EmbeddedDocuments, Policy};
use crate::source::SourceFile;
use crate::template::Template;
use crate::yaml::Document;
use std::sync::OnceLock;

pub mod iam;
pub mod project;
pub mod purpose;
pub mod template;
pub mod yaml;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Yaml,
    Template,
    Iam,
    Purpose,
    Project,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Yaml => "yaml",
            Family::Template => "template",
            Family::Iam => "iam",
            Family::Purpose => "purpose",
            Family::Project => "project",
        }
    }
}

#[derive(Debug)]
pub struct RuleMeta {
    pub name: &'static str,
    pub code: &'static str,
    pub severity: Severity,
    pub family: Family,
    pub summary: &'static str,
    /// Runs only when selected by its own name or code (not by `all` or its family): for
    /// portability advice that would be noise on most repositories.
    pub opt_in: bool,
    /// Markdown from the rule's doc comment (each line keeps the one leading space rustdoc adds).
    pub docs: &'static str,
}

impl RuleMeta {
    /// The documentation with rustdoc's leading space removed from each line.
    pub fn docs_text(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }
}

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
    /// Built on first use by [`FileContext::policies`], shared by every IAM rule.
    policies: OnceLock<Vec<Policy<'a>>>,
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
            policies: OnceLock::new(),
        }
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

pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    /// Per-file check. Rules whose findings come from an earlier stage (syntax errors, the
    /// indentation doctor, the cross-file pass) keep the default.
    fn check(&self, _ctx: &FileContext<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// Declare a rule struct whose doc comment becomes its documentation.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $ty:ident {
            name: $name:literal,
            code: $code:literal,
            severity: $sev:ident,
            family: $fam:ident,
            summary: $summary:literal
            $(, opt_in: $opt_in:literal)? $(,)?
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
                summary: $summary,
                opt_in: false $(|| $opt_in)?,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// Every rule, once. Order is the order of `cfn-policy-lint rules`.
pub fn registry() -> &'static [&'static dyn Rule] {
    static RULES: &[&dyn Rule] = &[
        // yaml
        &yaml::YamlSyntax,
        &yaml::DuplicateKey,
        &yaml::YamlAlias,
        &yaml::TabIndentation,
        &yaml::InconsistentIndentation,
        &yaml::JsonNotStrict,
        &yaml::UnusedSuppression,
        // template
        &template::UnknownTag,
        &template::UndefinedReference,
        &template::UnusedParameter,
        &template::InvalidTemplateSection,
        &template::InvalidSubVariable,
        // iam: policy structure
        &iam::InvalidEffect,
        &iam::InvalidPolicyVersion,
        &iam::UnquotedPolicyVersion,
        &iam::MissingPolicyVersion,
        &iam::InvalidPolicyElement,
        &iam::MissingPolicyElement,
        &iam::ConflictingPolicyElements,
        &iam::InvalidSid,
        &iam::DuplicateSid,
        &iam::PrincipalInIdentityPolicy,
        &iam::AllowNotAction,
        &iam::AllowNotResource,
        &iam::AllowNotPrincipal,
        &iam::PublicPrincipal,
        &iam::FullAdmin,
        &iam::PolicyTooLarge,
        // iam: catalogue
        &iam::UnknownService,
        &iam::UnknownAction,
        &iam::ActionPatternMatchesNothing,
        &iam::InvalidArn,
        &iam::ResourceScopeMismatch,
        &iam::ServiceWildcardAction,
        &iam::WildcardResource,
        &iam::PassRoleWildcard,
        &iam::UnknownConditionOperator,
        &iam::UnknownConditionKey,
        // purpose
        &purpose::MissingRequiredActions,
        // project
        &project::PolicyNameMismatch,
        &project::DuplicatePolicyName,
        &project::UnknownAwsManagedPolicy,
    ];
    RULES
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
        let families = ["yaml", "template", "iam", "purpose", "project", "all"];
        self.select
            .iter()
            .chain(&self.ignore)
            .map(String::as_str)
            .filter(|e| find(e).is_none() && !families.iter().any(|f| f.eq_ignore_ascii_case(e)))
            .collect()
    }
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
