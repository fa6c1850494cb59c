//! Checking a Markdown page: its template and policy blocks as virtual files with the per-file
//! rules, findings moved back onto the page; its other blocks read for the cross-file index.

use super::{check_code_block, sort, FileReport};
use crate::config::Settings;
use crate::diagnostic::Diagnostic;
use crate::project::index::template_facts;
use crate::project::markdown::{
    classify_block, code_blocks, shortcode_bodies, virtual_text, BlockKind, VirtualText,
};
use crate::project::shell::shell_facts;
use crate::project::{DefinitionSource, Facts};
use crate::source::SourceFile;
use crate::suppress::Suppressions;

/// Check a Markdown page: its template and policy blocks with the per-file rules, its other
/// blocks for the cross-file index.
pub fn check_markdown(source: SourceFile, settings: &Settings) -> (FileReport, Facts) {
    let mut diagnostics = Vec::new();
    let mut facts = Facts::default();
    let blocks = code_blocks(&source.text, &source.lines);
    let shortcodes = shortcode_bodies(&source.text, &source.lines, &blocks);
    let fenced = blocks.len();
    for (n, block) in blocks.into_iter().chain(shortcodes).enumerate() {
        let virt = virtual_text(&source.text, &source.lines, &block);
        let kind = classify_block(&virt.text);
        if kind == BlockKind::Commands && n >= fenced {
            // Prose inside a shortcode.
            continue;
        }
        if kind == BlockKind::Commands {
            facts.extend(shell_facts(&virt.text).mapped(&virt.map));
            continue;
        }
        let file = SourceFile::new(source.path.clone(), virt.text.clone());
        let mut block_settings = settings.clone();
        if kind == BlockKind::Template {
            facts.extend(
                template_facts(&file, &settings.parse, DefinitionSource::Markdown)
                    .mapped(&virt.map),
            );
        } else {
            // A bare policy document has no template sections to check.
            block_settings.selection.ignore.push("template".to_string());
        }
        let report = check_code_block(file, &block_settings);
        diagnostics.extend(report.diagnostics.into_iter().map(|d| to_page(d, &virt)));
    }
    sort(&mut diagnostics);
    (
        FileReport {
            // Suppressions in a block apply to that block's own findings already (the block
            // is checked as a file); those of cross-file rules wait for the cross-file pass,
            // whose findings are placed on the page.
            suppressions: Suppressions::scan_cross_file_only(&source),
            source,
            diagnostics,
        },
        facts,
    )
}

/// "1 tab and 4 spaces".
fn describe_whitespace(ws: &str) -> String {
    let tabs = ws.matches('\t').count();
    let spaces = ws.chars().count() - tabs;
    let part = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (tabs, spaces) {
        (0, n) => part(n, "space"),
        (t, 0) => part(t, "tab"),
        (t, n) => format!("{} and {}", part(t, "tab"), part(n, "space")),
    }
}

/// Move a finding from the virtual file to the page. Fixes survive only where every edit maps
/// byte for byte (within one line, or where no indentation was removed).
fn to_page(mut d: Diagnostic, virt: &VirtualText) -> Diagnostic {
    // The doctor counts columns in the block's own text; on the page the block is indented.
    let mentions_columns =
        d.message.contains("column") || d.help.as_deref().is_some_and(|h| h.contains("column"));
    if mentions_columns && !virt.removed.is_empty() {
        let note = format!(
            "columns are counted inside the code block, after the page's indentation of {}",
            describe_whitespace(&virt.removed)
        );
        d.help = Some(match d.help.take() {
            Some(help) => format!("{help} ({note})"),
            None => note,
        });
    }
    d.span = virt.map.map_span(d.span);
    for label in &mut d.labels {
        label.span = virt.map.map_span(label.span);
    }
    if let Some(fix) = &mut d.fix {
        let one_to_one = fix.edits.iter().all(|e| {
            virt.map.map_span(e.span).len() == e.span.len()
                && (virt.removed.is_empty() || !e.replacement.contains('\n'))
        });
        if one_to_one {
            for e in &mut fix.edits {
                e.span = virt.map.map_span(e.span);
            }
        } else {
            d.fix = None;
        }
    }
    d
}
