//! Command-line interface: the arguments of `check`, `rules`, `explain`, `config` and `lsp`, and
//! dispatch. A check's work lives in its stages: [`crate::run`] checks the files, [`crate::fix`]
//! fixes them, [`crate::output`] reports the findings and picks the exit code.
//!
//! Exit codes (DESIGN.md "Output contract"): 0 nothing at or above the failure threshold,
//! 1 findings at or above it, 2 the tool could not do its job — bad usage, an unknown rule name,
//! or a path that could not be walked, read or decoded. In the last case every other file is
//! still checked and reported; 2 wins over 1 because a partial result must not pass CI.

mod compat;

use crate::check::Settings;
use crate::config::{Config, Overrides, Resolver};
use crate::diagnostic::Severity;
use crate::fix;
use crate::iam::Catalog;
use crate::output::{self, ignore_broken_pipe, OutputOptions};
use crate::render::Format;
use crate::rules::{self, Selection};
use crate::run::{self, RunOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::output::{exit_code, EXIT_FINDINGS, EXIT_OK, EXIT_TROUBLE};

#[derive(Parser, Debug)]
#[command(
    name = "cfn-policy-lint",
    version,
    about = "A linter for AWS CloudFormation templates and the IAM policies inside them"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check templates: files, directories (walked, honouring .gitignore) or `-` for stdin.
    Check(Box<CheckArgs>),
    /// List every rule: name, code, default severity, family and summary.
    Rules,
    /// Show a rule's documentation.
    Explain {
        /// Rule name (e.g. `tab-indentation`) or code.
        rule: String,
    },
    /// Show the configuration that applies to a path.
    Config(ConfigArgs),
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Print the effective configuration as YAML.
    #[arg(long)]
    pub show: bool,
    /// Print the JSON Schema of the configuration file.
    #[arg(long, conflicts_with = "show")]
    pub schema: bool,
    /// Use this configuration file instead of looking for `.cfn-policy-lint.yaml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the `.cfn-policy-lint.yaml` equivalent to a cfn-lint configuration file (default:
    /// `.cfnlintrc`, `.cfnlintrc.yaml` or `.cfnlintrc.yml` in the current folder).
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        default_missing_value = ".cfnlintrc",
        conflicts_with_all = ["show", "schema"]
    )]
    pub from_cfnlintrc: Option<PathBuf>,
    /// File or folder whose configuration to show (default: the current folder).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to check; `-` reads stdin. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Name to show for text read from stdin.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Only run these rules (names, codes or families; comma-separated or repeated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules (names, codes or families; comma-separated or repeated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the exit code 1 [default: the configuration's, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Configuration file to use for every checked file, instead of the nearest
    /// `.cfn-policy-lint.yaml` above each file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// When to colour human output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Print findings only: no summary line.
    #[arg(short, long)]
    pub quiet: bool,

    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in FILE (JSON) and exit 0; nothing else is printed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Check a file named on the command line only when it looks like a template, as files
    /// found in folders are (for pre-commit, which passes every changed YAML/JSON file).
    #[arg(long)]
    pub only_templates: bool,

    /// Apply safe, mechanical fixes to the files, then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Print the fixes `--fix` would make as a unified diff; change nothing. Exit 1 when there
    /// is something to fix.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// IAM action catalogue to use instead of the embedded one (same format as
    /// `rules/iam/catalog.tsv`, e.g. regenerated with `scripts/gen_iam_catalog.py`).
    #[arg(long, value_name = "FILE")]
    pub iam_data: Option<PathBuf>,

    /// AWS regions the templates are deployed to (comma-separated; default: the
    /// configuration's `regions`, else us-east-1): a resource type one of them does not offer
    /// is reported.
    #[arg(long, value_name = "REGION,…", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Also read purpose packs and wiring files (`*.yaml`) from this folder; a pack or wiring
    /// named like a built-in one replaces it. Repeatable.
    #[arg(long = "packs", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Concise,
    Json,
    Github,
    Sarif,
    Junit,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Concise => Format::Concise,
            FormatArg::Json => Format::Json,
            FormatArg::Github => Format::Github,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Junit => Format::Junit,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// What the CLI needs to know about its surroundings, gathered once so that tests can fake it.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub no_color: bool,
    /// `TERM=dumb`.
    pub dumb_terminal: bool,
    /// `COLUMNS`, when set.
    pub columns: Option<usize>,
}

impl Environment {
    pub fn from_process() -> Self {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        Environment {
            stdout_is_terminal: io::stdout().is_terminal(),
            no_color: var("NO_COLOR").is_some(),
            dumb_terminal: var("TERM").is_some_and(|t| t == "dumb"),
            columns: var("COLUMNS")
                .and_then(|c| c.to_str().and_then(|c| c.parse().ok()))
                .filter(|c| *c >= 40),
        }
    }

    fn color(&self, choice: ColorArg) -> bool {
        match choice {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => self.stdout_is_terminal && !self.no_color && !self.dumb_terminal,
        }
    }
}

/// Run the CLI with the process arguments; returns the exit code (0, 1 or 2).
pub fn run() -> u8 {
    // Not locked: the language server's I/O threads need stdin and stdout themselves.
    let stdout = io::stdout();
    let stderr = io::stderr().lock();
    run_with(
        std::env::args_os(),
        &Environment::from_process(),
        io::stdin(),
        &mut io::BufWriter::new(stdout),
        &mut io::BufWriter::new(stderr),
    )
}

/// The CLI with every input and output passed in.
pub fn run_with(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    env: &Environment,
    stdin: impl Read,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> u8 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match compat::arguments(args).and_then(Cli::try_parse_from) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let text = if env.stdout_is_terminal {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let sink: &mut dyn Write = if e.use_stderr() { stderr } else { stdout };
            let _ = sink.write_all(text.as_bytes()).and_then(|()| sink.flush());
            return u8::try_from(e.exit_code()).unwrap_or(EXIT_TROUBLE);
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(*args, env, stdin, stdout, stderr),
        Command::Rules => list_rules(stdout).map(|()| EXIT_OK),
        Command::Explain { rule } => explain(&rule, stdout, stderr),
        Command::Config(args) => show_config(&args, stdout, stderr),
        Command::Lsp => Ok(crate::lsp::serve()),
    };
    let result = result.and_then(|code| {
        ignore_broken_pipe(stdout.flush())?;
        ignore_broken_pipe(stderr.flush())?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        // A closed pipe (`… | head`) is the reader's choice, not a failure of ours.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot write output: {e}");
            EXIT_TROUBLE
        }
    }
}

fn check(
    args: CheckArgs,
    env: &Environment,
    stdin: impl Read,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> io::Result<u8> {
    let mut unknown = false;
    for (flag, entries) in [("--select", &args.select), ("--ignore", &args.ignore)] {
        for entry in entries {
            if !is_known_rule_entry(entry) {
                unknown = true;
                write!(stderr, "error: unknown rule `{entry}` in {flag}")?;
                match suggest(entry) {
                    Some(s) => writeln!(stderr, "; did you mean `{s}`?")?,
                    None => writeln!(stderr, " (see `cfn-policy-lint rules`)")?,
                }
            }
        }
    }
    if unknown {
        return Ok(EXIT_TROUBLE);
    }
    if let Some(path) = &args.iam_data {
        match Catalog::from_file(path) {
            Ok(catalog) => {
                // Only one catalogue per process: a second run in the same process (tests,
                // a language server) keeps the first.
                if Catalog::set_active(catalog).is_err() {
                    writeln!(
                        stderr,
                        "warning: an IAM catalogue was already loaded; --iam-data {} is ignored",
                        path.display()
                    )?;
                }
            }
            Err(e) => {
                writeln!(stderr, "error: --iam-data: {e}")?;
                return Ok(EXIT_TROUBLE);
            }
        }
    }

    let mut paths = args.paths;
    if paths.is_empty() {
        // A stdin name without paths means the text comes from stdin, as editors call it.
        paths.push(if args.stdin_filename.is_some() {
            PathBuf::from(run::STDIN_PATH)
        } else {
            PathBuf::from(".")
        });
    }
    for region in &args.regions {
        if let Err(e) = crate::config::check_region(region) {
            writeln!(stderr, "error: --regions: {e}")?;
            return Ok(EXIT_TROUBLE);
        }
    }
    let overrides = Overrides {
        select: args.select,
        ignore: args.ignore,
        fail_on: args.fail_on.map(Severity::from),
        regions: args.regions,
    };
    let resolver = match Resolver::new(args.config.as_deref(), overrides, Settings::default()) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            writeln!(stderr, "error: invalid configuration: {e}")?;
            return Ok(EXIT_TROUBLE);
        }
    };
    let threshold = resolver.fail_on();
    let stdin_name = paths
        .iter()
        .any(|p| p.as_os_str() == run::STDIN_PATH)
        .then(|| {
            args.stdin_filename
                .clone()
                .unwrap_or_else(|| run::DEFAULT_STDIN_NAME.to_string())
        });
    let mut settings = resolver.run_settings();
    // Packs (purpose packs and wiring files) are loaded once for the whole run: the command line's, then the configuration's.
    settings.packs = args.packs.iter().chain(&settings.packs).cloned().collect();
    if let Err(e) = crate::purpose::activate(&settings.packs) {
        writeln!(stderr, "error: invalid purpose pack: {e}")?;
        return Ok(EXIT_TROUBLE);
    }
    if let Err(e) = crate::purpose::wiring::activate(&settings.packs) {
        writeln!(stderr, "error: invalid wiring pack: {e}")?;
        return Ok(EXIT_TROUBLE);
    }
    let opts = RunOptions {
        settings,
        stdin_filename: args.stdin_filename,
        resolver: Some(resolver.clone()),
        only_templates: args.only_templates,
        ..RunOptions::default()
    };
    let mut outcome = run::run(&paths, &opts, stdin);

    if args.fix || args.diff {
        let fixed = fix::fix_files(&outcome, &resolver, stdin_name.as_deref(), args.diff);
        if args.diff {
            return output::diff(&outcome, &fixed, args.quiet, stdout, stderr);
        }
        let only_stdin = paths.iter().all(|p| p.as_os_str() == run::STDIN_PATH);
        if !only_stdin {
            output::fixed(&fixed, args.quiet, stderr)?;
        }
        if stdin_name.is_some() {
            writeln!(
                stderr,
                "note: text read from stdin is not fixed (there is no file to write it back \
                 to); `--diff` prints its fixes as a unified diff"
            )?;
        }
        outcome = fix::recheck(outcome, fixed, &paths, &opts, stdin_name.as_deref());
    }

    let output = OutputOptions {
        format: args.format.into(),
        statistics: args.statistics,
        quiet: args.quiet,
        color: env.color(args.color),
        width: env.columns.unwrap_or(100),
        fail_on: threshold,
        baseline: args.baseline,
        write_baseline: args.write_baseline,
        output_file: args.output_file,
    };
    output::finish(outcome, &output, stdout, stderr)
}

fn is_known_rule_entry(entry: &str) -> bool {
    Selection {
        select: vec![entry.to_string()],
        ignore: Vec::new(),
    }
    .unknown_entries()
    .is_empty()
}

fn list_rules(out: &mut impl Write) -> io::Result<()> {
    let header = ["NAME", "CODE", "SEVERITY", "FAMILY", "SUMMARY"].map(String::from);
    let rows: Vec<[String; 5]> = rules::registry()
        .iter()
        .map(|r| {
            let m = r.meta();
            let summary = if m.opt_in {
                format!("{} (opt-in: select it by name)", m.summary)
            } else {
                m.summary.to_string()
            };
            [
                m.name.to_string(),
                m.code.to_string(),
                m.severity.as_str().to_string(),
                m.family.as_str().to_string(),
                summary,
            ]
        })
        .collect();
    let mut widths = header.each_ref().map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn explain(rule: &str, out: &mut impl Write, err: &mut impl Write) -> io::Result<u8> {
    let Some(found) = rules::find(rule) else {
        write!(err, "error: unknown rule `{rule}`")?;
        match suggest(rule) {
            Some(s) => writeln!(err, "; did you mean `{s}`?")?,
            None => writeln!(err, " (see `cfn-policy-lint rules`)")?,
        }
        return Ok(EXIT_TROUBLE);
    };
    let m = found.meta();
    writeln!(
        out,
        "{} ({}): {}, {} family\n",
        m.name,
        m.code,
        m.severity,
        m.family.as_str()
    )?;
    write!(out, "{}", m.docs_text())?;
    if let Some(more) = rules::reference::appendix(m.name) {
        write!(out, "\n{more}")?;
    }
    Ok(EXIT_OK)
}

/// The closest rule name, code or family to a mistyped one, if any is close enough.
fn suggest(typed: &str) -> Option<&'static str> {
    rules::suggest(typed)
}

/// `config --show` / `config --schema`.
fn show_config(args: &ConfigArgs, out: &mut impl Write, err: &mut impl Write) -> io::Result<u8> {
    if let Some(file) = &args.from_cfnlintrc {
        return from_cfnlintrc(file, out, err);
    }
    if args.schema {
        let text = serde_json::to_string_pretty(&crate::config::json_schema())?;
        writeln!(out, "{text}")?;
        return Ok(EXIT_OK);
    }
    if !args.show {
        writeln!(
            err,
            "error: nothing to do: pass `--show`, `--schema` or `--from-cfnlintrc`"
        )?;
        return Ok(EXIT_TROUBLE);
    }
    let resolver = Resolver::new(
        args.config.as_deref(),
        Overrides::default(),
        Settings::default(),
    );
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    // The defaults for a path that does not exist would answer a question nobody asked.
    if let Err(e) = std::fs::metadata(&path) {
        let reason = crate::discover::describe_io_error(&e);
        writeln!(err, "error: {}: {reason}", path.display())?;
        return Ok(EXIT_TROUBLE);
    }
    let loaded = match resolver.and_then(|r| r.loaded_for(&path)) {
        Ok(l) => l,
        Err(e) => {
            writeln!(err, "error: invalid configuration: {e}")?;
            return Ok(EXIT_TROUBLE);
        }
    };
    match &loaded.path {
        Some(p) => writeln!(out, "# from {}", p.display())?,
        None => writeln!(
            out,
            "# no {} found: built-in defaults",
            crate::config::FILE_NAME
        )?,
    }
    let config: Config = loaded.config.effective();
    write!(out, "{}", config.to_yaml())?;
    Ok(EXIT_OK)
}

/// `config --from-cfnlintrc [FILE]`. Without FILE (`.cfnlintrc`), the first of the files cfn-lint
/// reads in the current folder.
fn from_cfnlintrc(file: &Path, out: &mut impl Write, err: &mut impl Write) -> io::Result<u8> {
    use crate::config::cfnlintrc;
    let path = if file == Path::new(cfnlintrc::FILE_NAMES[0]) {
        cfnlintrc::FILE_NAMES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .unwrap_or_else(|| file.to_path_buf())
    } else {
        file.to_path_buf()
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            writeln!(err, "error: {}: {e}", path.display())?;
            return Ok(EXIT_TROUBLE);
        }
    };
    match cfnlintrc::translate(&path.display().to_string(), &text) {
        Ok(config) => {
            write!(out, "{config}")?;
            Ok(EXIT_OK)
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(EXIT_TROUBLE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_families_and_nothing_for_nonsense() {
        assert_eq!(suggest("templte"), Some("template"));
        assert_eq!(suggest("YAML"), Some("yaml"));
        assert_eq!(suggest("zzzzzzzz"), None);
        assert_eq!(suggest("duplicate-kye"), Some("duplicate-key"));
    }

    #[test]
    fn colour_decision() {
        let mut env = Environment {
            stdout_is_terminal: true,
            ..Environment::default()
        };
        assert!(env.color(ColorArg::Auto));
        env.no_color = true;
        assert!(!env.color(ColorArg::Auto));
        assert!(env.color(ColorArg::Always));
        env.no_color = false;
        env.stdout_is_terminal = false;
        assert!(!env.color(ColorArg::Auto));
        assert!(!env.color(ColorArg::Never));
    }
}
