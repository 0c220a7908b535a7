//! Real `.wasm` components for the tests: the shipped plugins in `plugins/` and the test
//! plugins in `tests/plugins/`, built for wasm32-wasip2 once per test run into their own
//! target directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// (workspace, package) of every plugin the tests use. Each is built on its own, because a
/// plugin's kind is a feature of the SDK and cargo would unify features across packages.
const PLUGINS: [(&str, &str); 8] = [
    ("plugins", "dept-leader"),
    ("plugins", "amount-threshold"),
    ("plugins", "template"),
    ("plugins", "http-hook"),
    ("tests/plugins", "hostile"),
    ("tests/plugins", "fetcher"),
    ("tests/plugins", "clock"),
    ("tests/plugins", "markdown-notice"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    root().join("target").join("wasm-plugins")
}

fn build_all() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for (workspace, package) in PLUGINS {
        let output = Command::new(&cargo)
            .current_dir(root())
            .args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
            .arg(root().join(workspace).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir())
            .args(["-p", package])
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .output()
            .map_err(|error| format!("cannot run cargo: {error}"))?;
        if !output.status.success() {
            return Err(format!(
                "building {package} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    Ok(())
}

/// The bytes of a built plugin, e.g. `wasm("dept-leader")`.
pub fn wasm(package: &str) -> Vec<u8> {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(error) = BUILT.get_or_init(build_all) {
        panic!("{error}");
    }
    std::fs::read(path(package)).unwrap_or_else(|error| panic!("{package}.wasm: {error}"))
}

/// Where a built plugin lies.
pub fn path(package: &str) -> PathBuf {
    target_dir()
        .join("wasm32-wasip2")
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}
