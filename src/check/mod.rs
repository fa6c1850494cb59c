//! The checking pipeline. Per file: parse (with the indentation doctor's recovery), build the
//! template model, run the enabled rules, apply suppressions, map findings back to the
//! original text, and sort them; files of other kinds are read for their facts, and Markdown
//! pages are checked through their code blocks ([`markdown`]). Across files: the cross-file
//! pass ([`cross_file`]).

pub mod markdown;

use crate::checkers;
pub use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::discover::FileKind;
use crate::iam;
use crate::project::{self, DefinitionSource, Facts};
use crate::rules::{self, FileContext};
use crate::source::{OffsetMap, SourceFile};
use crate::suppress::Suppressions;
use crate::template::Template;
use crate::yaml::{self, doctor, Document, ParseOptions};

/// The findings for one file, in output order.
#[derive(Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// The file's suppressions, kept for the findings of the cross-file pass.
    pub suppressions: Suppressions,
}

impl FileReport {
    /// A report with no suppressions to carry (a file that is not a template, a test).
    pub fn new(source: SourceFile, diagnostics: Vec<Diagnostic>) -> Self {
        FileReport {
            source,
            diagnostics,
            suppressions: Suppressions::default(),
        }
    }
}

/// Check one file according to its kind and gather its facts for the cross-file pass. Files of
/// other kinds (named explicitly) are checked as templates, as before
/// other kinds were recognised.
pub fn check_file(source: SourceFile, kind: FileKind, settings: &Settings) -> (FileReport, Facts) {
    match kind {
        FileKind::Markdown => markdown::check_markdown(source, settings),
        FileKind::PclusterConfig => {
            let facts = project::pcluster::config_facts(&source, &settings.parse);
            (commented_report(source), facts)
        }
        FileKind::ShellScript => {
            let facts = project::shell::shell_facts(&source.text);
            (commented_report(source), facts)
        }
        FileKind::Template | FileKind::PolicyDocument | FileKind::Other => {
            let facts = project::index::template_facts(
                &source,
                &settings.parse,
                DefinitionSource::Template,
            );
            (check_template(source, settings), facts)
        }
    }
}

/// The report of a file that only the cross-file pass judges (a cluster configuration, a shell
/// script): no findings of its own, but its `#` comments may suppress the ones to come.
fn commented_report(source: SourceFile) -> FileReport {
    let suppressions = Suppressions::scan_cross_file_only(&source);
    FileReport {
        source,
        diagnostics: Vec::new(),
        suppressions,
    }
}

/// The cross-file pass: compare the facts of every file of the run, and add what it finds to
/// the files' reports, after their suppressions have had their say.
pub fn cross_file(files: &mut [(FileReport, Facts)], settings: &Settings) {
    let sources: Vec<(&SourceFile, &Facts)> = files.iter().map(|(r, f)| (&r.source, f)).collect();
    let found = checkers::cross_file::diagnostics(&sources, &settings.selection);
    for ((report, _), mut new) in files.iter_mut().zip(found) {
        checkers::suppressions::apply_cross_file(
            &report.suppressions,
            &report.source,
            &settings.selection,
            &mut new,
        );
        if new.is_empty() {
            continue;
        }
        report.diagnostics.extend(new);
        sort(&mut report.diagnostics);
    }
}

/// Check one YAML or JSON file's text as a CloudFormation template.
pub fn check_template(source: SourceFile, settings: &Settings) -> FileReport {
    check_text(source, settings, false)
}

/// Check a Markdown code block's text as a template: like a file, except that a part of a
/// template (documentation often shows one section) is not reported as incomplete.
pub(crate) fn check_code_block(source: SourceFile, settings: &Settings) -> FileReport {
    check_text(source, settings, true)
}

fn check_text(source: SourceFile, settings: &Settings, code_block: bool) -> FileReport {
    let mut diagnostics = Vec::new();
    let analysed = analyse(&source, settings, &mut diagnostics);
    let mut suppressions = if let Some(analysed) = &analysed {
        let analysed_source = analysed.repaired_source.as_ref().unwrap_or(&source);
        let template = Template::from_document(&analysed.document);
        let suppressions = Suppressions::collect(
            &source,
            &analysed.document,
            &template,
            analysed.map.as_ref(),
        );
        // A rule ignored for the whole file is not run on it.
        let skipped = suppressions.file_wide_rules();
        // A standalone policy document is not a template: only the YAML and IAM rules apply.
        let is_policy = analysed
            .document
            .root
            .as_ref()
            .is_some_and(iam::is_policy_document);
        let embedded = iam::EmbeddedDocuments::default();
        let ctx = FileContext::new(
            analysed_source,
            Some(&analysed.document),
            (!is_policy).then_some(&template),
            analysed.map.is_some(),
        )
        .with_embedded(&embedded)
        .with_rule_options(&settings.rule_options)
        .with_code_block(code_block)
        .with_regions(&settings.regions);
        let mut found = Vec::new();
        for rule in rules::registry() {
            let meta = rule.meta();
            if meta.stage == rules::Stage::File
                && settings.selection.is_enabled(meta)
                && !skipped.contains(&meta.name)
            {
                rule.check(&ctx, &mut found);
            }
        }
        // A finding inside one branch of an `Fn::If` names the condition choosing it.
        rules::iam::branches::name_conditions(&ctx, &mut found);
        if let Some(map) = &analysed.map {
            for d in &mut found {
                remap(d, map);
            }
        }
        diagnostics.extend(found);
        suppressions
    } else {
        Suppressions::scan(&source)
    };
    checkers::suppressions::apply(
        &mut suppressions,
        &source,
        &settings.selection,
        analysed.is_some(),
        &mut diagnostics,
    );
    diagnostics.retain(|d| settings.selection.is_enabled_name(d.rule));
    for d in &mut diagnostics {
        if let Some(severity) = settings.severity.get(d.rule) {
            d.severity = *severity;
        }
    }
    sort(&mut diagnostics);
    FileReport {
        source,
        diagnostics,
        suppressions,
    }
}

/// The file's document as the rules see it — parsed, or parsed from the indentation doctor's
/// repair — and, for a repair, the map from its offsets back to `source`. `None` when even the
/// repair does not parse. For tools that need structure after the fact (baseline fingerprints).
pub fn parse_with_repair(
    source: &SourceFile,
    parse: &ParseOptions,
) -> Option<(Document, Option<OffsetMap>)> {
    let settings = Settings {
        parse: parse.clone(),
        ..Settings::default()
    };
    analyse(source, &settings, &mut Vec::new()).map(|a| (a.document, a.map))
}

struct Analysed {
    document: Document,
    /// Set when the document was parsed from the doctor's repair.
    repaired_source: Option<SourceFile>,
    map: Option<OffsetMap>,
}

/// Parse the file; when it does not parse, let the doctor explain why and try its repair.
fn analyse(
    source: &SourceFile,
    settings: &Settings,
    out: &mut Vec<Diagnostic>,
) -> Option<Analysed> {
    match yaml::parse(&source.text, &settings.parse) {
        Ok(document) => Some(Analysed {
            document,
            repaired_source: None,
            map: None,
        }),
        Err(error) => {
            let report = doctor::examine(source);
            let explained = !report.findings.is_empty();
            out.extend(checkers::indentation::diagnostics(report.findings));
            let Some(repair) = report.repair else {
                if !explained {
                    out.push(checkers::syntax::diagnostic(&error));
                }
                return None;
            };
            match yaml::parse(&repair.text, &settings.parse) {
                Ok(document) => Some(Analysed {
                    document,
                    repaired_source: Some(SourceFile::new(source.path.clone(), repair.text)),
                    map: Some(repair.map),
                }),
                Err(second) => {
                    let mut d = checkers::syntax::diagnostic(&second);
                    remap(&mut d, &repair.map);
                    out.push(d);
                    None
                }
            }
        }
    }
}

fn remap(d: &mut Diagnostic, map: &OffsetMap) {
    d.span = map.map_span(d.span);
    for label in &mut d.labels {
        label.span = map.map_span(label.span);
    }
    // Edits computed on repaired text do not apply to the original.
    d.fix = None;
    d.after_repair = true;
}

/// Deterministic order: position, then rule, then message.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.rule, &a.message)
            .cmp(&(b.span.start, b.rule, &b.message))
            .then_with(|| a.span.end.cmp(&b.span.end))
    });
}
