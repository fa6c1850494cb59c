//! The walker's template detection against the real-template corpus (ignored when absent).

use cfn_policy_lint::discover::{self, FileKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn walker_picks_exactly_the_corpus_templates() {
    let root = common::corpus();
    let list = std::fs::read_to_string(root.join("templates.txt")).expect("the corpus's list");
    let expected: BTreeSet<PathBuf> = list
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| root.join(l.trim()))
        .filter(|p| discover::has_template_extension(p))
        // Hidden directories (`.aws-sam/`, `.aws-composer/` build copies) are not walked.
        .filter(|p| !is_hidden(p.strip_prefix(&root).unwrap_or(p)))
        .collect();
    let (found, errors) = discover::discover(std::slice::from_ref(&root));
    assert!(errors.is_empty(), "{errors:?}");
    let mut picked = BTreeSet::new();
    for candidate in found {
        let Ok(text) = std::fs::read_to_string(&candidate.path) else {
            continue;
        };
        if discover::classify(&candidate.path, &text) == FileKind::Template {
            picked.insert(candidate.path);
        }
    }
    let missed: Vec<_> = expected.difference(&picked).collect();
    // `hpc-tutorial/extracted/` holds templates copied out of workshop pages; the corpus list
    // does not name them, but they are templates, so picking them is right.
    let extra: Vec<_> = picked
        .difference(&expected)
        .filter(|p| !p.starts_with(root.join("hpc-tutorial/extracted")))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {} templates, e.g. {:?}; picked {} non-templates, e.g. {:?}",
        missed.len(),
        missed.iter().take(5).collect::<Vec<_>>(),
        extra.len(),
        extra.iter().take(5).collect::<Vec<_>>()
    );
}

fn is_hidden(relative: &Path) -> bool {
    relative
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}
