//! Hostile and unusual input through the real binary: each case gets a clear per-file finding or
//! error, the other files of the run are still checked, and the exit code says what happened
//! (0 clean, 1 findings, 2 a file could not be checked). Inputs are generated in temp dirs.

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Output;

mod common;
use common::bin;

/// `check --format json` in `dir` over `args`.
fn check(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out: Output = bin()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("binary runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().expect("exited normally"), json, stderr)
}

fn diagnostics(json: &Value) -> &Vec<Value> {
    json["diagnostics"].as_array().expect("diagnostics array")
}

fn files(json: &Value) -> u64 {
    json["summary"]["files"].as_u64().expect("summary.files")
}

/// (path, rule, line, column) of every finding.
fn findings(json: &Value) -> Vec<(String, String, u64, u64)> {
    diagnostics(json)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A template with exactly one finding: `Missing` (line 5, column 24) is undefined.
const ONE_FINDING: &str = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Missing\n";
const CLEAN: &str =
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";

fn undefined_at(path: &str) -> Vec<(String, String, u64, u64)> {
    vec![(path.to_string(), "undefined-reference".to_string(), 5, 24)]
}

#[test]
fn binary_and_invalid_utf8_files_are_per_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let binary: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(dir.path().join("binary.yaml"), &binary).unwrap();
    fs::write(
        dir.path().join("latin1.yaml"),
        b"AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9\n",
    )
    .unwrap();
    fs::write(dir.path().join("good.yaml"), ONE_FINDING).unwrap();
    let (code, json, stderr) = check(dir.path(), &["binary.yaml", "latin1.yaml", "good.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("binary.yaml: not UTF-8 text"), "{stderr}");
    assert!(
        stderr.contains("latin1.yaml: not UTF-8 text (invalid byte on line 2)"),
        "{stderr}"
    );
    assert_eq!(findings(&json), undefined_at("good.yaml"));

    // Walked, a binary file that does not look like a template is none of our business; one
    // that does is reported.
    let (code, json, stderr) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("binary.yaml"), "{stderr}");
    assert!(stderr.contains("latin1.yaml"), "{stderr}");
    assert_eq!(files(&json), 1);
}

#[test]
fn bom_and_crlf_keep_positions_as_editors_show_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("lf.yaml"), ONE_FINDING).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(ONE_FINDING.as_bytes());
    fs::write(dir.path().join("bom.yaml"), bom).unwrap();
    fs::write(
        dir.path().join("crlf.yaml"),
        ONE_FINDING.replace('\n', "\r\n"),
    )
    .unwrap();
    let (code, json, stderr) = check(dir.path(), &["lf.yaml", "bom.yaml", "crlf.yaml"]);
    assert_eq!(code, 1, "{stderr}");
    let mut expected = undefined_at("bom.yaml");
    expected.extend(undefined_at("crlf.yaml"));
    expected.extend(undefined_at("lf.yaml"));
    assert_eq!(findings(&json), expected);
    for d in diagnostics(&json) {
        assert_eq!(d["end_line"], 5, "{d}");
        assert_eq!(
            d["end_column"], 31,
            "{d}: the span must not swallow the \\r"
        );
    }
}

#[test]
fn a_50_mb_file_is_refused_quickly_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(fs::File::create(&big).unwrap());
        f.write_all(b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
            .unwrap();
        let line = format!("# {}\n", "x".repeat(1022));
        for _ in 0..50 * 1024 {
            f.write_all(line.as_bytes()).unwrap();
        }
    }
    assert!(fs::metadata(&big).unwrap().len() > 50 * 1024 * 1024);
    fs::write(dir.path().join("small.yaml"), ONE_FINDING).unwrap();
    let (code, json, stderr) = check(dir.path(), &["big.yaml", "small.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("big.yaml: file is larger than 20 MiB; not checked"),
        "{stderr}"
    );
    assert_eq!(findings(&json), undefined_at("small.yaml"));
}

/// 10,000 levels of nesting, flow and block: a syntax finding at the depth limit, no stack
/// overflow, and a following file still checked.
#[test]
fn ten_thousand_levels_of_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    let cases = [
        (
            "flow-seq.yaml",
            format!("Resources: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "flow-map.json",
            format!(
                "{{\"Resources\": {}{}}}\n",
                "{\"a\": ".repeat(n),
                "}".repeat(n)
            ),
        ),
        (
            "block-seq.yaml",
            format!("Resources:\n{}x\n", "- ".repeat(n)),
        ),
        (
            // Block mappings need one more column per level; 10,000 of them would be a 50 MB
            // file (tested above), so go 2,000 deep: still far beyond the parser's limit.
            "block-map.yaml",
            format!(
                "Resources:\n{}",
                (1..2_000)
                    .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
        ),
    ];
    let mut args = Vec::new();
    for (name, text) in &cases {
        fs::write(dir.path().join(name), text).unwrap();
        args.push(*name);
    }
    fs::write(dir.path().join("z.yaml"), ONE_FINDING).unwrap();
    args.push("z.yaml");
    let (code, json, stderr) = check(dir.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(files(&json), 5);
    let found = findings(&json);
    for (name, _) in &cases {
        let mine: Vec<_> = diagnostics(&json)
            .iter()
            .filter(|d| d["path"] == *name)
            .collect();
        assert!(
            mine.iter()
                .any(|d| d["rule"] == "yaml-syntax"
                    && d["message"].as_str().unwrap().contains("nested")),
            "{name}: {mine:?}"
        );
    }
    assert!(found.contains(&undefined_at("z.yaml")[0]), "{found:?}");
}

/// A billion-laughs document: aliases are reported, never expanded (output stays small).
#[test]
fn alias_bomb_is_not_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        String::from("Resources:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..30 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    fs::write(dir.path().join("bomb.yaml"), &text).unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["check", "--format", "concise", "bomb.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("yaml-alias"), "{stdout}");
    // Expanded, a29 alone would be 10^30 nodes; reported, each of the ~300 aliases is one line.
    assert!(
        stdout.len() < 200 * 1024,
        "{} bytes of output",
        stdout.len()
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_a_walked_directory_terminates() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("repo/sub");
    fs::create_dir_all(&sub).unwrap();
    std::os::unix::fs::symlink("..", sub.join("up")).unwrap();
    std::os::unix::fs::symlink("loop-b", sub.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", sub.join("loop-b")).unwrap();
    fs::write(sub.join("t.yaml"), ONE_FINDING).unwrap();
    let (code, json, stderr) = check(dir.path(), &["repo"]);
    // Looping links that are not named like templates are ignored like any other such file;
    // the directory loop is walked once.
    assert_eq!((code, stderr.as_str()), (1, ""));
    assert_eq!(files(&json), 1, "{json}");
    assert_eq!(findings(&json), undefined_at("repo/sub/t.yaml"));

    // One that is named like a template is a file we could not check.
    std::os::unix::fs::symlink("self.yaml", sub.join("self.yaml")).unwrap();
    let (code, json, stderr) = check(dir.path(), &["repo"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim(),
        "error: repo/sub/self.yaml: too many levels of symbolic links"
    );
    assert_eq!(findings(&json), undefined_at("repo/sub/t.yaml"));
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_per_file_errors() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.yaml"), ONE_FINDING).unwrap();
    // A dangling link is unreadable whoever runs the test (root reads through chmod 000).
    std::os::unix::fs::symlink(
        "/nonexistent/template.yaml",
        dir.path().join("dangling.yaml"),
    )
    .unwrap();
    let locked = dir.path().join("locked.yaml");
    fs::write(&locked, CLEAN).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let chmod_blocks_reads = fs::read(&locked).is_err();

    let (code, json, stderr) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("dangling.yaml: no such file or directory"),
        "{stderr}"
    );
    if chmod_blocks_reads {
        assert!(
            stderr.contains("locked.yaml: permission denied"),
            "{stderr}"
        );
    } else {
        eprintln!("note: running as root, chmod 000 does not block reads; only the dangling link is unreadable");
    }
    assert!(findings(&json).contains(&undefined_at("ok.yaml")[0]));
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn a_directory_of_ten_thousand_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("many");
    fs::create_dir(&root).unwrap();
    for i in 0..10_000 {
        let text = if i % 1000 == 7 { ONE_FINDING } else { CLEAN };
        fs::write(root.join(format!("t{i:05}.yaml")), text).unwrap();
    }
    let (code, json, stderr) = check(dir.path(), &["many"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(files(&json), 10_000);
    let found = findings(&json);
    let expected: Vec<_> = (0..10)
        .flat_map(|k| undefined_at(&format!("many/t{:05}.yaml", k * 1000 + 7)))
        .collect();
    assert_eq!(found, expected, "in path order");
}

/// Small hostile inputs kept as files (fuzzing and hand-made regressions): every format renders
/// them, the run exits 1 with findings and nothing on stderr.
#[test]
fn regression_inputs_in_every_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/robustness");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in &names {
        for format in ["json", "concise", "github", "human"] {
            let out = bin()
                .current_dir(&dir)
                .args(["check", "--format", format, name])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{name} {format}: {stderr}");
            assert!(stderr.is_empty(), "{name} {format}: {stderr}");
            assert!(!out.stdout.is_empty(), "{name} {format}");
        }
        let (_, json, _) = check(&dir, &[name]);
        assert!(!diagnostics(&json).is_empty(), "{name}");
    }
    let (_, json, _) = check(&dir, &["bom-crlf-tabs.yaml"]);
    assert_eq!(
        findings(&json),
        [
            ("bom-crlf-tabs.yaml".into(), "tab-indentation".into(), 3, 1),
            (
                "bom-crlf-tabs.yaml".into(),
                "undefined-reference".into(),
                6,
                22
            ),
        ]
    );
}

/// The preprocessor test scans every scalar byte by byte (a hot path, see README "Performance");
/// it must still recognise Serverless variables anywhere in a string, and nothing else.
#[test]
fn serverless_variables_mark_a_fragment_and_lookalikes_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let with = |value: &str| {
        format!("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Missing\n      Tags: [{{Key: k, Value: '{value}'}}]\n")
    };
    fs::write(
        dir.path().join("sls.yaml"),
        with("prefix-${self:custom.name}"),
    )
    .unwrap();
    fs::write(dir.path().join("opt.yaml"), with("é${opt:stage}")).unwrap();
    fs::write(
        dir.path().join("plain.yaml"),
        with("$${self} ${ self:x} $self:x {self:x}"),
    )
    .unwrap();
    let (_, json, stderr) = check(dir.path(), &["sls.yaml", "opt.yaml", "plain.yaml"]);
    assert!(stderr.is_empty(), "{stderr}");
    let paths: Vec<_> = findings(&json).into_iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        paths,
        [("plain.yaml".to_string(), "undefined-reference".to_string())]
    );
}
