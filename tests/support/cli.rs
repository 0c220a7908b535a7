//! Running the `grebe` command line against a test database.

use std::process::Command;

use serde_json::Value;

/// What a `grebe` command printed and how it ended.
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as JSON, failing the test if the command failed.
    pub fn json(&self) -> Value {
        assert!(self.success, "grebe failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", self.stdout))
    }
}

/// Runs `grebe ARGS` and waits for it.
pub fn grebe(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_grebe"))
        .args(args)
        .env_remove("GREBE_DATABASE_URL")
        .output()
        .expect("run grebe");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
