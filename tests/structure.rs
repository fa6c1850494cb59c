//! The module layering of `docs/architecture.md` ("Which module may use which") holds: every
//! `crate::` path in `src/` names a module of a lower layer than the module it is written in
//! (or that module itself). So no stage reaches into a later one, and there is no cycle.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Module → layer, from the fenced block after the `<!-- layers` marker.
fn layers() -> BTreeMap<String, usize> {
    let doc = std::fs::read_to_string(crate_root().join("docs/architecture.md"))
        .expect("docs/architecture.md is readable");
    let after = &doc[doc.find("<!-- layers").expect("the layers block is marked")..];
    let block = after
        .split("```")
        .nth(1)
        .expect("a fenced block follows the marker");
    let mut out = BTreeMap::new();
    for line in block.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let layer: usize = words
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("a layer line starts with its number: {line:?}"));
        for module in words {
            assert!(
                out.insert(module.to_string(), layer).is_none(),
                "{module} is placed twice"
            );
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate modules a file's code refers to with `crate::…` (comments removed), each with a
/// line that does it. `crate::declare_rule!` is the rules' macro.
fn references(text: &str) -> BTreeMap<String, String> {
    let path = Regex::new(r"\bcrate::([a-z_][a-z0-9_]*)").unwrap();
    let group = Regex::new(r"\bcrate::\{").unwrap();
    let mut out = BTreeMap::new();
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    for m in path.captures_iter(&code) {
        let name = if &m[1] == "declare_rule" {
            "rules"
        } else {
            &m[1]
        };
        out.entry(name.to_string())
            .or_insert_with(|| m[0].to_string());
    }
    // `use crate::{a::x, b::{y, z}}`: the first segment of each top-level item.
    for m in group.find_iter(&code) {
        let mut depth = 0;
        let mut item = String::new();
        for c in code[m.end()..].chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    add_first_segment(&item, &mut out);
                    item.clear();
                    continue;
                }
                _ => {}
            }
            if depth == 0 || c != '{' {
                item.push(c);
            }
        }
        add_first_segment(&item, &mut out);
    }
    out
}

fn add_first_segment(item: &str, out: &mut BTreeMap<String, String>) {
    let first: String = item
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !first.is_empty() && first != "self" {
        out.entry(first.clone())
            .or_insert_with(|| format!("crate::{{{}}}", item.trim()));
    }
}

#[test]
fn no_module_uses_its_own_layer_or_a_higher_one() {
    let layers = layers();
    let src = crate_root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src/");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a first component")
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(&own) = layers.get(&top) else {
            problems.insert(format!(
                "src/{top}: a module docs/architecture.md does not place in a layer"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source is readable");
        for (used, example) in references(&text) {
            if used == top {
                continue;
            }
            match layers.get(&used) {
                None => {
                    problems.insert(format!(
                        "{}: `{example}` names `{used}`, which no layer holds",
                        rel.display()
                    ));
                }
                Some(&layer) if layer >= own => {
                    problems.insert(format!(
                        "{}: `{example}`: {top} (layer {own}) uses {used} (layer {layer})",
                        rel.display()
                    ));
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the layering of docs/architecture.md is broken:\n{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_reader_sees_paths_inside_use_groups() {
    let found = references(
        "use crate::{a::x, b::{y, z}, self};\nuse crate::c::D; // crate::e in a comment\n",
    );
    let names: Vec<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn every_placed_module_exists() {
    let src = crate_root().join("src");
    for module in layers().keys() {
        assert!(
            src.join(format!("{module}.rs")).is_file() || src.join(module).join("mod.rs").is_file(),
            "docs/architecture.md places `{module}`, which src/ does not have"
        );
    }
}
