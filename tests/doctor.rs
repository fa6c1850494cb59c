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

fn corpus() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.join("valid-templates.txt").is_file().then_some(dir)
}

#[test]
fn valid_corpus_templates_get_no_findings() {
    let Some(dir) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let list = std::fs::read_to_string(dir.join("valid-templates.txt")).unwrap_or_default();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for rel in list.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        checked += 1;
        let (source, report) = run(&text);
        if !report.findings.is_empty() || report.repair.is_some() {
            wrong.push(format!("{rel}: {}", dump(&source, &report.findings[0])));
        }
    }
    assert!(checked > 3000, "only {checked} corpus files read");
    assert!(
        wrong.is_empty(),
        "{} files:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
#[ignore = "prints the doctor's findings on the corpus's unparsable templates, for review"]
fn show_invalid_corpus_findings() {
    let Some(dir) = corpus() else {
        return;
    };
    let list = std::fs::read_to_string(dir.join("invalid-templates.tsv")).unwrap_or_default();
    let extra = [
        "hpc-tutorial/extracted/policy.yaml__inline_2020-10-21_tab-indented_pclusterSSM2.yaml",
        "hpc-tutorial/extracted/serverless-template.yaml__inline_2020-10-29.yaml",
        "hpc-tutorial/extracted/serverless-template.yaml__inline_2020-10-30_to_sc20-tip.yaml",
    ];
    for rel in list
        .lines()
        .filter_map(|l| l.split('\t').next())
        .chain(extra)
    {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        let (source, report) = run(&text);
        println!("== {rel}: {} findings", report.findings.len());
        for d in &report.findings {
            println!("  {}", dump(&source, d));
        }
    }
}
