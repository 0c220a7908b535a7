//! Builds the default notice formatter (`plugins/notice-template`) for wasm32-wasip2, so that
//! the `grebe` binary carries it and every server has it without anyone registering it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("the workspace root");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let target_dir = out_dir.join("wasm");
    for watched in [
        "plugins/notice-template/src",
        "plugins/notice-template/Cargo.toml",
        "plugins/Cargo.toml",
        "plugins/Cargo.lock",
        "plugin-sdk/src",
        "plugin-sdk/wit",
        "plugin-sdk/Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    ensure_wasm_target();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
        .arg(root.join("plugins").join("Cargo.toml"))
        .args(["-p", "notice-template", "--target-dir"])
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output();
    let built = target_dir.join("wasm32-wasip2/release/notice_template.wasm");
    match output {
        Ok(output) if output.status.success() && built.exists() => {}
        Ok(output) => fail(&String::from_utf8_lossy(&output.stderr)),
        Err(error) => fail(&error.to_string()),
    }
    copy(&built, &out_dir.join("notice_template.wasm"));
}

/// rustup installs the targets of `rust-toolchain.toml` only with the toolchain itself, so a
/// machine whose toolchain came first lacks wasm32-wasip2; add it then, so that a fresh checkout
/// builds with nothing but `cargo`.
fn ensure_wasm_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", "wasm32-wasip2"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    if libdir.is_some_and(|dir| dir.exists()) {
        return;
    }
    println!(
        "cargo:warning=the wasm32-wasip2 target was missing: added it with rustup (the built-in notice formatter needs it)"
    );
    match Command::new("rustup").args(["target", "add", "wasm32-wasip2"]).output() {
        Ok(output) if output.status.success() => {}
        Ok(output) => fail(&String::from_utf8_lossy(&output.stderr)),
        Err(error) => fail(&format!("running rustup: {error}")),
    }
}

fn copy(from: &Path, to: &Path) {
    if let Err(error) = std::fs::copy(from, to) {
        fail(&format!("copying {}: {error}", from.display()));
    }
}

fn fail(detail: &str) -> ! {
    panic!(
        "could not build the default notice formatter (plugins/notice-template) for wasm32-wasip2; \
         if the target is missing, run `rustup target add wasm32-wasip2`.\n{detail}"
    );
}
