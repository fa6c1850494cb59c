//! The indentation doctor: when a file does not parse, report every tab-indented line and every
//! mis-indented key or list item (the parser stops at the first), and propose a repaired text
//! on which the other rules can still run.
//!
//! It works on raw lines ([`lines`]), rebuilds the block structure from visual columns
//! ([`structure`], with CloudFormation/IAM knowledge from [`cfn`]) and writes the repair with
//! a byte map back to the original ([`repair`]).

mod cfn;
mod lines;
mod repair;
mod structure;

use crate::diagnostic::{Edit, Finding, Fix};
use crate::source::{OffsetMap, SourceFile, Span};
use cfn::Domain;
use lines::{Context, Line, Node, NodeKind};
use structure::{Layout, Misplaced};

/// A repaired text and the map from its offsets back to the original.
#[derive(Debug)]
pub struct Repair {
    pub text: String,
    pub map: OffsetMap,
}

/// What the doctor reports; `crate::checkers::indentation` names the rule of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A run of lines indented with tabs.
    Tabs,
    /// A key or list item at a column that matches no enclosing block, or the place where the
    /// doctor stopped after too many of them.
    Misplaced,
}

#[derive(Debug, Default)]
pub struct DoctorReport {
    /// Findings on the original text.
    pub findings: Vec<Finding<Problem>>,
    /// Tabs expanded and misplaced keys moved, when the doctor knows how.
    pub repair: Option<Repair>,
}

/// Examine a file that failed to parse with `error`. The repair is only offered together with
/// findings: without them the doctor has no explanation, and the syntax error stands.
pub fn examine(source: &SourceFile) -> DoctorReport {
    let lines = lines::scan(&source.text);
    let mut layout = structure::rebuild(&lines);
    if is_templated(&source.text, &lines) {
        // Jinja and similar sources are not YAML until rendered; their indentation is only
        // judged after rendering. Tabs are still tabs.
        layout.misplaced.clear();
        layout.stopped_at = None;
        layout.shift.iter_mut().for_each(|s| *s = 0);
    }
    let rewrite = repair::rewrite(&source.text, &lines, &layout.shift);

    // Each changed line's edit belongs to one diagnostic, so that applying every fix yields the
    // repair: a moved line to the innermost move that covers it, other lines to their tabs.
    let mut moved_by = vec![None; lines.len()];
    for (k, m) in layout.misplaced.iter().enumerate() {
        for slot in moved_by.iter_mut().take(m.region_end).skip(m.line) {
            *slot = Some(k);
        }
    }
    let edit = |i: usize| -> Option<Edit> {
        let line = lines.get(i)?;
        let indent = rewrite.indents.get(i)?.as_ref()?;
        Some(Edit {
            span: Span::new(line.ws_start, line.ws_end),
            replacement: indent.clone(),
        })
    };

    let ctx = Ctx {
        source,
        lines: &lines,
        layout: &layout,
    };
    let mut findings = Vec::new();
    for run in tab_runs(&lines) {
        let edits = run
            .iter()
            .filter(|i| moved_by[**i].is_none())
            .filter_map(|i| edit(*i))
            .collect();
        findings.extend(ctx.tab_finding(&run, edits));
    }
    for (k, m) in layout.misplaced.iter().enumerate() {
        // A move whose lines run past the line the doctor stopped at is only partly worked out:
        // it gets no fix rather than one that moves some of its lines.
        let complete = layout.stopped_at.is_none_or(|stop| m.region_end <= stop);
        let edits = if complete {
            (m.line..m.region_end)
                .filter(|i| moved_by[*i] == Some(k))
                .filter_map(edit)
                .collect()
        } else {
            Vec::new()
        };
        findings.push(ctx.misplaced_finding(m, edits));
    }
    if let Some(stop) = layout.stopped_at {
        // The rest of the file was not examined: no repair can be trusted.
        findings.extend(ctx.stopped_finding(stop));
        return DoctorReport {
            findings,
            repair: None,
        };
    }
    let repair = (!findings.is_empty()).then_some(Repair {
        text: rewrite.text,
        map: rewrite.map,
    });
    DoctorReport { findings, repair }
}

/// Whether any line starts with a template-engine statement (`{% … %}`, `{# … #}`).
fn is_templated(text: &str, lines: &[Line]) -> bool {
    lines.iter().any(|l| {
        let content = text.get(l.ws_end..l.end).unwrap_or_default();
        content.starts_with("{%") || content.starts_with("{#")
    })
}

/// Groups of tab-indented lines with nothing but blank or comment lines between them.
fn tab_runs(lines: &[Line]) -> Vec<Vec<usize>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.reported_tabs().next().is_some() {
            current.push(i);
        } else if !(line.is_blank() || line.context == Context::Neutral || current.is_empty()) {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

struct Ctx<'a> {
    source: &'a SourceFile,
    lines: &'a [Line],
    layout: &'a Layout,
}

fn one_based(col: usize) -> usize {
    col + 1
}

fn code(name: &str) -> String {
    format!("`{name}`")
}

/// "`A`", "`A` and `B`", "`A`, `B` and `C`".
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => code(one),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|n| code(n)).collect();
            format!("{} and {}", init.join(", "), code(last))
        }
    }
}

impl Ctx<'_> {
    fn line_number(&self, i: usize) -> usize {
        self.lines
            .get(i)
            .map_or(0, |l| self.source.position(l.start).line)
    }

    /// The tabs of line `i` that are indentation.
    fn tab_span(&self, i: usize) -> Option<Span> {
        let tabs: Vec<usize> = self.lines.get(i)?.reported_tabs().map(|t| t.0).collect();
        Some(Span::new(*tabs.first()?, *tabs.last()? + 1))
    }

    /// Column of a node as written, found through the line that holds it (the layout may have
    /// recorded it at its repaired column).
    fn written_col(&self, node: &Node) -> usize {
        let at = self.lines.partition_point(|l| l.start <= node.span.start);
        at.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .and_then(|l| l.nodes.iter().find(|n| n.span == node.span))
            .map_or(node.col, |n| n.col)
    }

    fn subject(node: Option<&Node>) -> String {
        match node {
            Some(n) if n.kind == NodeKind::Key && !n.name.is_empty() => code(&n.name),
            Some(n) if n.kind == NodeKind::Dash => "the list item".to_string(),
            _ => "the line".to_string(),
        }
    }

    fn tab_finding(&self, run: &[usize], edits: Vec<Edit>) -> Option<Finding<Problem>> {
        let first = *run.first()?;
        let last = *run.last()?;
        let span = self.tab_span(first)?;
        let message = if run.len() == 1 {
            "tab character in the indentation".to_string()
        } else {
            format!(
                "tab characters in the indentation of {} lines ({}–{})",
                run.len(),
                self.line_number(first),
                self.line_number(last)
            )
        };
        let line = self.lines.get(first)?;
        let mut help = format!(
            "YAML indentation must be spaces: expanding each tab to the next 8-column stop puts {} at column {}",
            Self::subject(line.first()),
            one_based(line.col)
        );
        if let Some(parent) = self.layout.parent.get(first).and_then(Option::as_ref) {
            if parent.kind == NodeKind::Key && !parent.name.is_empty() {
                help.push_str(&format!(
                    ", under {} (column {})",
                    code(&parent.name),
                    one_based(self.written_col(parent))
                ));
            }
        }
        let mut d = Finding::new(Problem::Tabs, span, message).with_help(help);
        for &i in &run[1..] {
            if let Some(tabs) = self.tab_span(i) {
                d = d.with_offending_label(tabs, "tab-indented");
            }
        }
        if !edits.is_empty() {
            d = d.with_fix(Fix {
                description: "expand tabs to spaces at 8-column stops".into(),
                edits,
            });
        }
        Some(d)
    }

    /// Where the doctor gave up after [`structure::MAX_MISPLACED`] misplaced lines.
    fn stopped_finding(&self, line: usize) -> Option<Finding<Problem>> {
        let l = self.lines.get(line)?;
        let span = l.first().map_or(Span::new(l.ws_end, l.end), |n| n.span);
        Some(
            Finding::new(
                Problem::Misplaced,
                span,
                format!(
                    "stopped checking indentation here, after {} misplaced lines",
                    structure::MAX_MISPLACED
                ),
            )
            .with_help(
                "a file with this many misplaced lines was most likely re-indented by a tool; \
                 fix the lines reported above (or restore the file's indentation) and run again \
                 to check the rest",
            ),
        )
    }

    fn misplaced_finding(&self, m: &Misplaced, edits: Vec<Edit>) -> Finding<Problem> {
        let from = one_based(m.from_col);
        let to = one_based(m.to_col);
        let tabbed = self.lines.get(m.line).is_some_and(|l| !l.tabs.is_empty());
        let at = if tabbed {
            format!("column {from} (counting tabs as 8-column stops)")
        } else {
            format!("column {from}")
        };
        let subject = Self::subject(Some(&m.node));
        let sibling = m.siblings.last();
        let sibling_name = sibling.map(|s| s.name.as_str()).unwrap_or_default();
        let owner = m
            .owner
            .as_ref()
            .filter(|o| o.kind == NodeKind::Key && !o.name.is_empty())
            .map(|o| format!(" of {}", code(&o.name)))
            .unwrap_or_default();
        let message = match (m.node.kind, m.domain) {
            (NodeKind::Key, Some(Domain::Statement)) => {
                let keys: Vec<&str> = m
                    .siblings
                    .iter()
                    .map(|s| s.name.as_str())
                    .filter(|n| Domain::Statement.keys().contains(n))
                    .collect();
                let verb = if keys.len() == 1 { "is" } else { "are" };
                format!(
                    "{subject} is at {at} but belongs to the policy statement whose {} {verb} at column {to}",
                    join_names(&keys)
                )
            }
            (NodeKind::Key, Some(domain)) => format!(
                "{subject} is at {at} but is a {}: it belongs at column {to}, with {}{owner}",
                domain.describe(),
                code(sibling_name)
            ),
            (NodeKind::Key, None) if sibling.is_some() => format!(
                "{subject} is at {at}, which matches no enclosing block: its sibling keys{owner} are at column {to}"
            ),
            (NodeKind::Key, None) => format!(
                "{subject} is at {at}, which matches no enclosing block; it belongs at column {to}"
            ),
            (NodeKind::Dash, _) => format!(
                "this list item is at {at}, which matches no enclosing block: the items of its list{owner} are at column {to}"
            ),
        };
        let verb = if m.to_col > m.from_col {
            "indent"
        } else {
            "outdent"
        };
        let mut help = match sibling {
            Some(s) if s.kind == NodeKind::Key => format!(
                "{verb} {subject} to column {to}, in line with {}",
                code(&s.name)
            ),
            _ => format!("{verb} {subject} to column {to}"),
        };
        let carried = (m.line + 1..m.region_end)
            .filter(|i| self.lines.get(*i).is_some_and(|l| !l.is_blank()))
            .count();
        if carried > 0 {
            help.push_str(&format!(
                ", and the {carried} line{} below it by the same amount",
                if carried == 1 { "" } else { "s" }
            ));
        }
        let mut d = Finding::new(Problem::Misplaced, m.node.span, message).with_help(help);
        if let Some(s) = sibling {
            let label = match s.kind {
                NodeKind::Key => format!("{} is at column {to}", code(&s.name)),
                NodeKind::Dash => format!("the list's items are at column {to}"),
            };
            d = d.with_label(s.span, label);
        }
        if !edits.is_empty() {
            d = d.with_fix(Fix {
                description: format!("move {subject} to column {to}"),
                edits,
            });
        }
        d
    }
}
