//! The command line as people coming from cfn-lint type it: `cfn-policy-lint FILE…` without a
//! subcommand means `check FILE…`, and cfn-lint's spellings of flags we name differently are
//! usage errors that say what to write here.

use super::Cli;
use clap::error::ErrorKind;
use clap::CommandFactory;
use std::ffi::OsString;

/// cfn-lint's flags that have another name here: (cfn-lint's, ours, what to know).
const RENAMED: &[(&str, &str, &str)] = &[
    (
        "--ignore-checks",
        "--ignore",
        "it takes rule names, codes or families, e.g. `--ignore unused-parameter`",
    ),
    (
        "--include-checks",
        "--select",
        "it takes rule names, codes or families, e.g. `--select all,unquoted-policy-version`",
    ),
];

/// The arguments to parse: `check` inserted when the first argument names no subcommand, or
/// the usage error for a cfn-lint spelling.
pub fn arguments(args: Vec<OsString>) -> Result<Vec<OsString>, clap::Error> {
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    for (i, word) in words.iter().enumerate() {
        for (theirs, ours, note) in RENAMED {
            if word == theirs || word.starts_with(&format!("{theirs}=")) {
                return Err(usage_error(format!(
                    "`{theirs}` is cfn-lint's flag; here it is `{ours}`: {note}. cfn-lint check \
                     IDs map to rules as docs/migrating-from-cfn-lint.md shows"
                )));
            }
        }
        let format = match word.as_str() {
            "--format" | "-f" => words.get(i + 1).map(String::as_str),
            w => w.strip_prefix("--format="),
        };
        if format == Some("parseable") {
            return Err(usage_error(
                "`--format parseable` is cfn-lint's; here it is `--format concise` \
                 (`path:line:col: severity[code name] message`, one finding a line)"
                    .into(),
            ));
        }
    }
    let Some(first) = args.get(1).map(|a| a.to_string_lossy()) else {
        return Ok(args);
    };
    let command = Cli::command();
    let is_subcommand = first == "help"
        || command
            .get_subcommands()
            .any(|s| s.get_name() == first || s.get_all_aliases().any(|a| a == first));
    let is_top_level_flag = matches!(first.as_ref(), "-h" | "--help" | "-V" | "--version");
    if is_subcommand || is_top_level_flag {
        return Ok(args);
    }
    let mut with_check = args;
    with_check.insert(1, OsString::from("check"));
    Ok(with_check)
}

fn usage_error(message: String) -> clap::Error {
    Cli::command().error(ErrorKind::UnknownArgument, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        std::iter::once("cfn-policy-lint")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn words(args: Vec<OsString>) -> Vec<String> {
        args.into_iter()
            .skip(1)
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn paths_without_a_subcommand_are_checked() {
        let ok = |w: &[&str]| words(arguments(args(w)).unwrap());
        assert_eq!(ok(&["a.yaml", "b.yaml"]), ["check", "a.yaml", "b.yaml"]);
        assert_eq!(
            ok(&["--format", "json", "."]),
            ["check", "--format", "json", "."]
        );
        assert_eq!(ok(&["rules"]), ["rules"]);
        assert_eq!(ok(&["check", "x"]), ["check", "x"]);
        assert_eq!(ok(&["--version"]), ["--version"]);
        assert_eq!(ok(&["help", "check"]), ["help", "check"]);
        assert!(ok(&[]).is_empty());
    }

    #[test]
    fn cfn_lint_spellings_name_ours() {
        let error = |w: &[&str]| arguments(args(w)).unwrap_err().to_string();
        let e = error(&["check", "--ignore-checks", "W3037", "t.yaml"]);
        assert!(e.contains("here it is `--ignore`"), "{e}");
        let e = error(&["t.yaml", "--include-checks=I"]);
        assert!(e.contains("here it is `--select`"), "{e}");
        let e = error(&["--format", "parseable", "t.yaml"]);
        assert!(e.contains("`--format concise`"), "{e}");
        assert!(error(&["--format=parseable"]).contains("`--format concise`"));
        // After `--`, words are paths.
        assert!(arguments(args(&["check", "--", "--ignore-checks"])).is_ok());
    }
}
