//! Build-time facts the crate and its tests derive instead of listing by hand.
//!
//! - **The rule registry.** Every file under `src/rules/<family>/` that declares a rule with
//!   `declare_rule!` becomes a module of that family, and its rule joins the registry. Adding a
//!   rule is adding its file: no list to edit. The generated code is in
//!   `$OUT_DIR/rules/<family>.rs` (modules and re-exports, included by the family's `mod.rs`)
//!   and `$OUT_DIR/rules/registry.rs` (every rule, included by `src/rules/mod.rs`).
//! - **The resource schemas, compressed.** `rules/schema/resources.jsonl` (one JSON line per
//!   resource type, about 7.5 MB of text, kept as text so that a data refresh reviews as a diff)
//!   is deflated line by line into `$OUT_DIR/schema/resources.bin`, and `rules/schema/index.tsv`
//!   is rewritten with each type's compressed range (`$OUT_DIR/schema/index.tsv`). The binary
//!   inflates a type's line when a template first names the type. The types' own descriptions
//!   (for editors listing many types) are also kept apart, one JSON string a line in index
//!   order, deflated as one piece (`$OUT_DIR/schema/descriptions.bin`).
//! - **`cfg(corpus_absent)`** when `../shared/corpus` (the shared corpus of real templates) is
//!   not next to the checkout, so that corpus tests are marked ignored, with a reason, instead
//!   of passing without checking anything.
//! - **`cfg(nvim_absent)`** when no `nvim` is on `PATH`, so that the Neovim client test is
//!   marked ignored, with a reason.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    generate_registry(&manifest.join("src/rules"), &out.join("rules"));
    compress_schemas(&manifest.join("rules/schema"), &out.join("schema"));
    corpus_cfg(&manifest);
    nvim_cfg();
    println!("cargo::rerun-if-changed=build.rs");
}

fn compress_schemas(dir: &Path, out: &Path) {
    let index_path = dir.join("index.tsv");
    let data_path = dir.join("resources.jsonl");
    println!("cargo::rerun-if-changed={}", index_path.display());
    println!("cargo::rerun-if-changed={}", data_path.display());
    fs::create_dir_all(out).expect("OUT_DIR is writable");
    let index = fs::read_to_string(&index_path).expect("rules/schema/index.tsv is readable");
    let data = fs::read(&data_path).expect("rules/schema/resources.jsonl is readable");
    let mut blob = Vec::with_capacity(data.len() / 3);
    let mut new_index = String::with_capacity(index.len());
    let mut descriptions = String::new();
    for line in index.lines() {
        if line.starts_with('#') {
            new_index.push_str(line);
            new_index.push('\n');
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, offset, length, regions] = fields[..] else {
            panic!("rules/schema/index.tsv: bad line {line:?}");
        };
        let offset: usize = offset.parse().expect("an offset");
        let length: usize = length.parse().expect("a length");
        let raw = &data[offset..offset + length];
        descriptions.push_str(top_level_description(raw).unwrap_or("null"));
        descriptions.push('\n');
        let packed = miniz_oxide::deflate::compress_to_vec(raw, 9);
        writeln!(
            new_index,
            "{name}\t{}\t{}\t{length}\t{regions}",
            blob.len(),
            packed.len()
        )
        .expect("writing to a String");
        blob.extend_from_slice(&packed);
    }
    fs::write(out.join("resources.bin"), blob).expect("OUT_DIR is writable");
    fs::write(out.join("index.tsv"), new_index).expect("OUT_DIR is writable");
    let descriptions = miniz_oxide::deflate::compress_to_vec(descriptions.as_bytes(), 9);
    fs::write(out.join("descriptions.bin"), descriptions).expect("OUT_DIR is writable");
}

/// The top-level `description` of one schema line, as the JSON string literal it is written
/// as (quotes and escapes kept: JSON escapes every line break, so it stays on one line).
fn top_level_description(line: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\"description\":";
    let mut depth = 0usize;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                if depth == 1 && line[i..].starts_with(KEY) {
                    let start = i + KEY.len();
                    let end = string_end(line, start)?;
                    return std::str::from_utf8(&line[start..end]).ok();
                }
                i = string_end(line, i)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset just after the JSON string literal that starts at `start`.
fn string_end(line: &[u8], start: usize) -> Option<usize> {
    if line.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// One rule file: its module name and the struct `declare_rule!` declares in it.
struct RuleFile {
    module: String,
    path: PathBuf,
    ty: String,
}

fn generate_registry(rules_dir: &Path, out: &Path) {
    // For a folder, cargo looks at every file in it: a rule added, removed or edited.
    println!("cargo::rerun-if-changed={}", rules_dir.display());
    fs::create_dir_all(out).expect("OUT_DIR is writable");
    let mut families: Vec<(String, Vec<RuleFile>)> = Vec::new();
    for family_dir in sorted_entries(rules_dir).into_iter().filter(|p| p.is_dir()) {
        let family = file_stem(&family_dir);
        let mut rules = Vec::new();
        for path in sorted_entries(&family_dir) {
            if path.extension().is_none_or(|e| e != "rs") || file_stem(&path) == "mod" {
                continue;
            }
            let text = fs::read_to_string(&path).expect("rule file is readable UTF-8");
            if let Some(ty) = declared_rule(&text) {
                rules.push(RuleFile {
                    module: file_stem(&path),
                    path: path.clone(),
                    ty,
                });
            }
        }
        families.push((family, rules));
    }

    let mut registry = String::from("// @generated by build.rs from the files in src/rules/\n");
    let mut folders = String::from("/// The folder of each rule in `RULES`, in the same order.\n");
    folders.push_str("#[cfg(test)]\npub(super) const FOLDERS: &[&str] = &[\n");
    registry.push_str("pub(super) const RULES: &[&dyn Rule] = &[\n");
    for (family, rules) in &families {
        let mut modules = String::from("// @generated by build.rs from the files in this folder\n");
        for rule in rules {
            let path = rule.path.display().to_string();
            writeln!(
                modules,
                "#[path = {path:?}]\npub mod {module};\npub use {module}::{ty};",
                module = rule.module,
                ty = rule.ty
            )
            .expect("writing to a String");
            writeln!(registry, "    &{family}::{},", rule.ty).expect("writing to a String");
            writeln!(folders, "    {family:?},").expect("writing to a String");
        }
        fs::write(out.join(format!("{family}.rs")), modules).expect("OUT_DIR is writable");
    }
    registry.push_str("];\n");
    folders.push_str("];\n");
    registry.push_str(&folders);
    fs::write(out.join("registry.rs"), registry).expect("OUT_DIR is writable");
}

/// The struct name in `declare_rule! { … pub struct Name { … } }`, if the file declares a rule.
fn declared_rule(text: &str) -> Option<String> {
    let after = &text[text.find("declare_rule! {")?..];
    let after = &after[after.find("pub struct ")? + "pub struct ".len()..];
    let name: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn corpus_cfg(manifest: &Path) {
    let corpus_marker = manifest.join("../shared/corpus/valid-templates.txt");
    println!("cargo::rustc-check-cfg=cfg(corpus_absent)");
    if corpus_marker.is_file() {
        // Rerun if it goes away. An absent file is not watched: cargo would count it as
        // changed on every build and rebuild the crate each time. So a corpus that appears
        // later is noticed at the next rerun of this script (`touch build.rs`).
        println!("cargo::rerun-if-changed={}", corpus_marker.display());
    } else {
        println!("cargo::rustc-cfg=corpus_absent");
    }
}

fn nvim_cfg() {
    println!("cargo::rustc-check-cfg=cfg(nvim_absent)");
    let path = std::env::var_os("PATH").unwrap_or_default();
    match std::env::split_paths(&path)
        .map(|dir| dir.join("nvim"))
        .find(|p| p.is_file())
    {
        // Rerun if it is removed. One installed later is noticed at the next rerun of this
        // script (`touch build.rs`), as for the corpus: watching PATH would rebuild the crate
        // whenever a tool runs cargo with another PATH.
        Some(nvim) => println!("cargo::rerun-if-changed={}", nvim.display()),
        None => println!("cargo::rustc-cfg=nvim_absent"),
    }
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .expect("entry has a name")
        .to_string_lossy()
        .into_owned()
}
