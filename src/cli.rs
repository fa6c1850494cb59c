//! Command-line interface. (To be written: see issue 2.)

/// Run the CLI with the process arguments; returns the exit code (0, 1 or 2).
pub fn run() -> u8 {
    2
}
