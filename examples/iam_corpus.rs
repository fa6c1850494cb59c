//! IAM rule precision over a list of templates: counts per rule and samples.
//!
//! ```sh
//! cargo run --example iam_corpus                       # ../shared/corpus/iam-templates.txt
//! cargo run --example iam_corpus -- FILE…              # print every IAM finding of these files
//! cargo run --example iam_corpus -- --rule unknown-action --samples 50
//! ```

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::rules::Selection;
use cfn_policy_lint::source::SourceFile;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rule_filter: Option<String> = None;
    let mut samples = 5usize;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--rule" if i + 1 < args.len() => {
                rule_filter = Some(args.remove(i + 1));
                args.remove(i);
            }
            "--samples" if i + 1 < args.len() => {
                samples = args.remove(i + 1).parse().unwrap_or(5);
                args.remove(i);
            }
            _ => i += 1,
        }
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let (files, verbose): (Vec<PathBuf>, bool) = if args.is_empty() {
        let list = match std::fs::read_to_string(corpus.join("iam-templates.txt")) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("no corpus at {}: {e}", corpus.display());
                return;
            }
        };
        let files = list
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| corpus.join(l))
            .collect();
        (files, false)
    } else {
        (args.iter().map(PathBuf::from).collect(), true)
    };
    let settings = Settings {
        selection: Selection {
            select: vec!["iam".into()],
            ignore: vec![],
        },
        ..Settings::default()
    };
    let findings: Vec<(String, String)> = files
        .par_iter()
        .flat_map_iter(|path| {
            let text = std::fs::read(path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let shown = path
                .strip_prefix(&corpus)
                .unwrap_or(path)
                .display()
                .to_string();
            let report = check_template(SourceFile::new(shown, text), &settings);
            report
                .diagnostics
                .iter()
                .map(|d| {
                    let p = report.source.position(d.span.start);
                    let line = format!(
                        "{}:{}:{}: {} [{}] `{}` | {}",
                        report.source.path,
                        p.line,
                        p.column,
                        d.message,
                        d.rule,
                        report.source.slice(d.span),
                        d.help.clone().unwrap_or_default()
                    );
                    (d.rule.to_string(), line)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (rule, line) in &findings {
        by_rule.entry(rule).or_default().push(line);
    }
    println!("{} files", files.len());
    for (rule, lines) in &by_rule {
        if rule_filter.as_deref().is_some_and(|r| r != *rule) {
            continue;
        }
        println!("{rule}: {}", lines.len());
        let limit = if verbose { usize::MAX } else { samples };
        for line in lines.iter().take(limit) {
            println!("    {line}");
        }
    }
}
