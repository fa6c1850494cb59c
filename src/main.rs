use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(cfn_policy_lint::cli::run())
}
