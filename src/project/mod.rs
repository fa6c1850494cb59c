//! The project stage: files other than templates (Markdown pages, ParallelCluster configs, shell
//! scripts) and the cross-file pass over policy names.
//!
//! Each file yields its [`Facts`] (policy names it defines and references) in the parallel
//! per-file stage; [`index::compare`] then compares the facts of every file of the run, and
//! `crate::check::cross_file` adds what it finds to the files' reports.
//!
//! - [`names`]: policy ARNs in free text, symbolic definition names.
//! - [`index`]: facts of a template, and the cross-file pass.
//! - [`markdown`]: code blocks of a Markdown page as virtual files mapped back to the page.
//! - [`pcluster`]: ParallelCluster configs (v3 YAML, v2 INI).
//! - [`shell`]: policy names in shell commands.

pub mod index;
pub mod markdown;
pub mod names;
pub mod pcluster;
pub mod shell;

use crate::discover::FileKind;
use crate::source::{OffsetMap, Span};

pub use names::{Account, NamePattern};

/// Where a policy definition was found; decides which definitions can collide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefinitionSource {
    /// A template file.
    Template,
    /// A template shown in a Markdown code block (documentation, often a copy of a file).
    Markdown,
    /// `aws iam create-policy --policy-name NAME` in a script or a Markdown code block.
    Command,
}

/// A customer managed policy name defined by a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub name: NamePattern,
    /// The name's bytes (or the resource's key when the name is generated).
    pub span: Span,
    pub source: DefinitionSource,
}

/// How a file refers to a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefForm {
    /// `arn:…:iam::ACCOUNT:policy/PATH/NAME`.
    Arn {
        account: Account,
        /// IAM path with both slashes: `/`, `/service-role/`.
        path: String,
        /// From the slash after `policy` to the end of the name.
        path_and_name: Span,
    },
    /// `aws iam list-policies --query '…PolicyName==`NAME`…'`: managed policies only.
    Query,
    /// A bare name in the `Policies` of a SAM function or state machine, which the SAM
    /// transform turns into an AWS managed policy's ARN.
    SamPolicyName,
}

/// A reference to a policy by a literal name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRef {
    pub name: String,
    /// The name's bytes.
    pub span: Span,
    pub form: RefForm,
}

/// What one file contributes to the cross-file pass. Spans are in the file's own text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub definitions: Vec<Definition>,
    pub references: Vec<PolicyRef>,
    /// The logical IDs of a template's resources, sorted, when it defines a policy name: a
    /// template kept in two formats (`stack.yml` and `stack.json`) is one stack, recognised by
    /// them.
    pub logical_ids: Vec<String>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty() && self.references.is_empty()
    }

    pub fn extend(&mut self, other: Facts) {
        self.definitions.extend(other.definitions);
        self.references.extend(other.references);
        self.logical_ids.extend(other.logical_ids);
        self.logical_ids.sort();
    }

    /// The same facts with every span moved through `map` (derived text → original).
    pub fn mapped(mut self, map: &OffsetMap) -> Facts {
        for d in &mut self.definitions {
            d.span = map.map_span(d.span);
        }
        for r in &mut self.references {
            r.span = map.map_span(r.span);
            if let RefForm::Arn { path_and_name, .. } = &mut r.form {
                *path_and_name = map.map_span(*path_and_name);
            }
        }
        self
    }
}

/// Whether a file of this kind found in a directory walk is checked.
pub fn is_walked_kind(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Template | FileKind::Markdown | FileKind::PclusterConfig | FileKind::ShellScript
    )
}
