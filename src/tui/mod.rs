//! The full-screen TUI. (Placeholder until the TUI lands: see issue 3.)

use crate::context::Context;

/// Runs the TUI over the user's profiles. Returns the process exit code.
pub async fn run_app(_ctx: Context) -> Result<i32, Box<dyn std::error::Error>> {
    Err("the full-screen TUI is not built yet; use the subcommands (bbtoken --help)".into())
}

/// Runs the demo: sample profiles, a fake Bitbucket on loopback, an
/// in-memory secret store. Returns the process exit code.
pub async fn run_demo() -> Result<i32, Box<dyn std::error::Error>> {
    Err("the demo is not built yet".into())
}
