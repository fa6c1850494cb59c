//! Turns the paths a user gave into the list of files to check, and classifies file contents.
//!
//! Directories are walked honouring `.gitignore` (also outside a git repository), `.ignore` and
//! hidden-file conventions; files named explicitly are always taken. Which walked files are
//! checked is decided from their text (see [`classify`]), after the runner has read them, so each
//! file is read once.

use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// Extensions a walked file must have to be considered at all.
pub const TEMPLATE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// Other extensions a walk considers: Markdown pages, shell scripts and INI files (the
/// ParallelCluster 2 format), which feed the cross-file policy-name checks. Files named `config`
/// without an extension are considered too (ParallelCluster 2's default file name).
pub const PROJECT_EXTENSIONS: &[&str] = &["md", "markdown", "sh", "bash", "ini", "cfg"];

/// What a file is, judged from its name and a cheap look at its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A CloudFormation (or SAM) template.
    Template,
    /// A Markdown document whose code blocks may hold templates and commands.
    Markdown,
    /// An AWS ParallelCluster configuration (v3 YAML, or v2 INI with a `[cluster …]` section).
    PclusterConfig,
    /// A shell script, whose commands may refer to policies by name.
    ShellScript,
    /// A standalone IAM policy document (`Version` + `Statement`).
    PolicyDocument,
    /// Anything else: CI configs, docker-compose files, package manifests…
    Other,
}

/// Where a file to check comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Named on the command line: always checked.
    Explicit,
    /// Found by walking a directory: checked only when its text is a template.
    Walked,
}

/// A file to read and maybe check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    /// The path as found from the user's argument; used verbatim in output.
    pub display: String,
    pub origin: Origin,
}

/// A path that could not be walked or does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoverError {
    pub path: String,
    pub message: String,
}

/// Expand `paths` into candidate files, sorted by display path and without duplicates.
pub fn discover(paths: &[PathBuf]) -> (Vec<Candidate>, Vec<DiscoverError>) {
    let mut candidates = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => errors.push(DiscoverError {
                path: path.display().to_string(),
                message: describe_io_error(&e),
            }),
            Ok(meta) if meta.is_dir() => walk(path, &mut candidates, &mut errors),
            Ok(_) => candidates.push(Candidate {
                path: path.clone(),
                display: display_path(path),
                origin: Origin::Explicit,
            }),
        }
    }
    candidates.sort_by(|a, b| a.display.cmp(&b.display));
    // A file both named and found by a walk keeps the explicit entry (it sorts first among
    // equals only by chance, so merge origins by hand).
    candidates.dedup_by(|later, kept| {
        if later.display != kept.display {
            return false;
        }
        if later.origin == Origin::Explicit {
            kept.origin = Origin::Explicit;
        }
        true
    });
    (candidates, errors)
}

fn walk(root: &Path, candidates: &mut Vec<Candidate>, errors: &mut Vec<DiscoverError>) {
    let walker = WalkBuilder::new(root)
        // .gitignore is honoured in plain directories too, like most linters do.
        .require_git(false)
        // Symlinked files and directories are followed; the walker detects loops and reports
        // them as errors instead of recursing forever.
        .follow_links(true)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                // A broken or looping link whose name is not a template's is as irrelevant as
                // any other such file: it must not fail the run.
                let irrelevant = error_path(&err).is_some_and(|p| {
                    p != root.display().to_string() && !has_template_extension(Path::new(&p))
                });
                if !is_loop(&err) && !irrelevant {
                    errors.push(DiscoverError {
                        path: error_path(&err).unwrap_or_else(|| root.display().to_string()),
                        message: error_message(&err),
                    });
                }
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        if has_template_extension(path) || has_project_name(path) {
            candidates.push(Candidate {
                path: path.to_path_buf(),
                display: display_path(path),
                origin: Origin::Walked,
            });
        }
    }
}

/// The path as shown in output: as found, minus a leading `./` (which walking `.` adds and
/// which GitHub annotations and editors do not expect).
pub fn display_path(path: &Path) -> String {
    let text = path.display().to_string();
    let mut rest = text.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped.trim_start_matches('/');
    }
    if rest.is_empty() {
        text
    } else {
        rest.to_string()
    }
}

pub fn has_template_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        TEMPLATE_EXTENSIONS
            .iter()
            .any(|t| t.eq_ignore_ascii_case(e))
    })
}

/// A Markdown page, shell script, INI file or extension-less `config` file.
pub fn has_project_name(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) => PROJECT_EXTENSIONS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(ext)),
        None => path.file_name().is_some_and(|n| n == "config"),
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(errs) => errs.iter().all(is_loop),
        _ => false,
    }
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        ignore::Error::Io(e) => describe_io_error(e),
        other => other.to_string(),
    }
}

/// An I/O error in words, without the `(os error N)` suffix.
pub fn describe_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = e.to_string();
            let text = match text.find(" (os error") {
                Some(i) => &text[..i],
                None => &text,
            };
            // The walker's errors repeat the path the caller already prints.
            let text = match text.strip_prefix("IO error for operation on ") {
                Some(rest) => rest.rfind(": ").map_or(rest, |i| &rest[i + 2..]),
                None => text,
            };
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// Judge what a file is from its path and text. Cheap: a few substring scans, no parsing, so it
/// can run on every YAML/JSON file in a large repository.
pub fn classify(path: &Path, text: &str) -> FileKind {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("md" | "markdown") => return FileKind::Markdown,
        Some("sh" | "bash") => return FileKind::ShellScript,
        Some("ini" | "cfg") | None if looks_like_pcluster_ini(text) => {
            return FileKind::PclusterConfig
        }
        None if text.starts_with("#!") && text.lines().next().is_some_and(|l| l.contains("sh")) => {
            return FileKind::ShellScript
        }
        _ => {}
    }
    if looks_like_template(text) {
        FileKind::Template
    } else if looks_like_pcluster_config(text) {
        FileKind::PclusterConfig
    } else if looks_like_policy_document(text) {
        FileKind::PolicyDocument
    } else {
        FileKind::Other
    }
}

/// A template declares its format version, or has a top-level `Resources` mapping whose entries
/// carry a `Type`. The second test is on text, so it also accepts templates that do not parse
/// (the ones most in need of a linter).
pub fn looks_like_template(text: &str) -> bool {
    if text.contains("AWSTemplateFormatVersion") {
        return true;
    }
    let yaml_resources = has_top_level_key(text, "Resources");
    let json_resources = text.contains("\"Resources\"");
    (yaml_resources && (text.contains("Type:") || text.contains("\"Type\"")))
        || (json_resources && text.contains("\"Type\""))
}

pub fn looks_like_pcluster_config(text: &str) -> bool {
    has_top_level_key(text, "HeadNode") && has_top_level_key(text, "Scheduling")
}

/// ParallelCluster 2 keeps clusters in `[cluster NAME]` sections of an INI file.
pub fn looks_like_pcluster_ini(text: &str) -> bool {
    text.lines().any(|line| {
        line.trim_start()
            .strip_prefix('[')
            .is_some_and(|rest| rest.starts_with("cluster ") && rest.trim_end().ends_with(']'))
    })
}

pub fn looks_like_policy_document(text: &str) -> bool {
    (text.contains("\"Statement\"") && text.contains("\"Version\""))
        || (has_top_level_key(text, "Statement") && has_top_level_key(text, "Version"))
}

/// A line that starts at column 0 with `key:` (optionally quoted).
fn has_top_level_key(text: &str, key: &str) -> bool {
    text.lines().any(|line| {
        let line = line
            .strip_prefix('"')
            .or_else(|| line.strip_prefix('\''))
            .unwrap_or(line);
        line.strip_prefix(key).is_some_and(|rest| {
            let rest = rest
                .strip_prefix('"')
                .or_else(|| rest.strip_prefix('\''))
                .unwrap_or(rest);
            rest.trim_start_matches([' ', '\t']).starts_with(':')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn classifies_templates_by_content() {
        let p = Path::new("x.yaml");
        assert_eq!(
            classify(p, "AWSTemplateFormatVersion: 2010-09-09\n"),
            FileKind::Template
        );
        assert_eq!(
            classify(p, "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"),
            FileKind::Template
        );
        assert_eq!(
            classify(
                Path::new("t.json"),
                r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}"#
            ),
            FileKind::Template
        );
        // docker-compose and GitHub workflows are not templates
        assert_eq!(
            classify(p, "services:\n  web:\n    image: nginx\n"),
            FileKind::Other
        );
        assert_eq!(
            classify(p, "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"),
            FileKind::Other
        );
        // Kubernetes manifests use lower-case `resources:` nested under containers
        assert_eq!(
            classify(p, "kind: Pod\nspec:\n  resources:\n    type: x\n"),
            FileKind::Other
        );
        assert_eq!(
            classify(
                p,
                "HeadNode:\n  InstanceType: t3.micro\nScheduling:\n  Scheduler: slurm\n"
            ),
            FileKind::PclusterConfig
        );
        assert_eq!(
            classify(
                Path::new("p.json"),
                r#"{"Version": "2012-10-17", "Statement": []}"#
            ),
            FileKind::PolicyDocument
        );
        assert_eq!(classify(Path::new("README.md"), "# hi"), FileKind::Markdown);
        assert_eq!(
            classify(Path::new("setup.sh"), "aws s3 ls"),
            FileKind::ShellScript
        );
        let ini = "[aws]\naws_region_name = us-east-1\n\n[cluster default]\nkey_name = k\n";
        assert_eq!(classify(Path::new("config"), ini), FileKind::PclusterConfig);
        assert_eq!(classify(Path::new("c.ini"), ini), FileKind::PclusterConfig);
        assert_eq!(classify(Path::new("tox.ini"), "[tox]\n"), FileKind::Other);
        assert_eq!(
            classify(Path::new("run"), "#!/bin/bash\nls\n"),
            FileKind::ShellScript
        );
    }

    #[test]
    fn walk_honours_gitignore_hidden_and_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        fs::create_dir_all(root.join("ignored")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        fs::create_dir_all(root.join("sub")).unwrap();
        for f in [
            "ignored/a.yaml",
            ".hidden/b.yaml",
            "sub/c.yml",
            "d.json",
            "e.template",
            "f.txt",
            "g.md",
        ] {
            fs::write(root.join(f), "x").unwrap();
        }
        let (found, errors) = discover(&[root.to_path_buf()]);
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<_> = found
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["d.json", "e.template", "g.md", "sub/c.yml"]);
        assert!(found.iter().all(|c| c.origin == Origin::Walked));
    }

    #[test]
    fn explicit_files_are_kept_whatever_their_name_and_missing_paths_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        fs::write(&file, "x").unwrap();
        let missing = dir.path().join("missing.yaml");
        let (found, errors) = discover(&[file.clone(), missing, dir.path().to_path_buf()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].origin, Origin::Explicit);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "no such file or directory");
    }

    #[test]
    fn display_paths_drop_a_leading_dot_slash() {
        assert_eq!(display_path(Path::new("./a/b.yaml")), "a/b.yaml");
        assert_eq!(display_path(Path::new("././a.yaml")), "a.yaml");
        assert_eq!(display_path(Path::new("../a.yaml")), "../a.yaml");
        assert_eq!(display_path(Path::new("/abs/a.yaml")), "/abs/a.yaml");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_do_not_hang() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir_all(&sub).unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("loop")).unwrap();
        fs::write(sub.join("t.yaml"), "x").unwrap();
        let (found, errors) = discover(&[dir.path().to_path_buf()]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(errors.is_empty(), "{errors:?}");
    }
}
