//! The indentation doctor on the workshop template, its corrected twin, tricky-but-valid files
//! and the corpus.

use cfn_policy_lint::diagnostic::Diagnostic;
use cfn_policy_lint::source::{SourceFile, Span};
use cfn_policy_lint::yaml::doctor::{examine, DoctorReport};
use cfn_policy_lint::yaml::ParseError;

fn run(text: &str) -> (SourceFile, DoctorReport) {
    let source = SourceFile::new("t.yaml", text);
    let error = ParseError {
        span: Span::default(),
        message: "test".into(),
        help: None,
    };
    let report = examine(&source, &error);
    (source, report)
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn at(source: &SourceFile, span: Span) -> (usize, usize) {
    let p = source.position(span.start);
    (p.line, p.column)
}

fn dump(source: &SourceFile, d: &Diagnostic) -> String {
    let (l, c) = at(source, d.span);
    let labels: Vec<String> = d
        .labels
        .iter()
        .map(|lb| format!("{:?} {}", at(source, lb.span), lb.message))
        .collect();
    format!(
        "{} {l}:{c} {:?} | {} | help: {:?} | labels: {labels:?} | fix: {:?}",
        d.rule,
        source.slice(d.span),
        d.message,
        d.help,
        d.fix.as_ref().map(|f| (&f.description, f.edits.len()))
    )
}

#[test]
fn debug_tutorial() {
    let (source, report) = run(&fixture("tutorial/policy.yaml"));
    for d in &report.findings {
        println!("{}", dump(&source, d));
    }
    if let Some(r) = &report.repair {
        std::fs::write("/tmp/doctor-repair.yaml", &r.text).ok();
    }
}
