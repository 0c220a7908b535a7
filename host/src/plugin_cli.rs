//! `grebe plugin …`: register and list plugins in a database, and run one locally on a JSON
//! ticket with the server's engine settings and limits.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::cli::{DatabaseArgs, LimitArgs, PluginAddArgs, PluginRunArgs};
use crate::engine::{Engine, Paging, RegisterPlugin};
use crate::plugins::{CallInput, Directory, Kind, Limits, PluginRuntime};
use crate::server::open_store;

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        let base = Limits::default();
        Limits {
            fuel: self.fuel.unwrap_or(base.fuel),
            memory_bytes: self.memory_bytes.unwrap_or(base.memory_bytes),
            time_ms: self.time_ms.unwrap_or(base.time_ms),
            input_bytes: self.input_bytes.unwrap_or(base.input_bytes),
            output_bytes: self.output_bytes.unwrap_or(base.output_bytes),
            host_calls: self.host_calls.unwrap_or(base.host_calls),
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not valid JSON: {error}", path.display()))
}

pub async fn add(args: PluginAddArgs) -> Result<(), String> {
    let wasm = std::fs::read(&args.file).map_err(|error| format!("cannot read {}: {error}", args.file.display()))?;
    let store = open_store(&args.database).await.map_err(|error| error.to_string())?;
    let engine = Engine::new(store.clone()).map_err(|error| error.to_string())?;
    let registration = RegisterPlugin {
        name: args.name,
        kind: args.kind,
        version: args.version,
        limits: args.limits.limits(),
        allowed_hosts: args.allowed_hosts,
        wasm,
    };
    let row = engine
        .register_plugin(&args.username, registration)
        .await
        .map_err(|error| error.to_string())?;
    println!(
        "registered {}@{} ({}) as plugin {}, sha256 {}",
        row.name, row.version, row.kind, row.id, row.content_hash
    );
    store.close().await;
    Ok(())
}

pub async fn list(args: DatabaseArgs) -> Result<(), String> {
    let store = open_store(&args).await.map_err(|error| error.to_string())?;
    let page = store
        .plugins_page(|total| {
            Paging {
                page: 1,
                per_page: total.max(1),
            }
            .window(total)
        })
        .await
        .map_err(|error| error.to_string())?;
    println!(
        "{:>4}  {:<32} {:<22} {:<8} {:>9}  sha256",
        "id", "plugin", "kind", "enabled", "bytes"
    );
    for row in page.items {
        let label = format!("{}@{}", row.name, row.version);
        let hash: String = row.content_hash.chars().take(12).collect();
        println!(
            "{:>4}  {label:<32} {:<22} {:<8} {:>9}  {hash}",
            row.id, row.kind, row.enabled, row.size_bytes
        );
    }
    store.close().await;
    Ok(())
}

/// Runs the plugin and prints its report; `Ok(false)` when the plugin failed.
pub fn run(args: PluginRunArgs) -> Result<bool, String> {
    let kind = Kind::parse(&args.kind).ok_or_else(|| format!("unknown kind {:?}", args.kind))?;
    let wasm = std::fs::read(&args.file).map_err(|error| format!("cannot read {}: {error}", args.file.display()))?;
    let input: Map<String, Value> = read_json(&args.input)?;
    let directory = match &args.directory {
        Some(path) => read_json::<Directory>(path)?.indexed(),
        None => Directory::default(),
    };
    let limits = args.limits.limits();
    limits.check()?;
    let runtime = PluginRuntime::new().map_err(|error| error.to_string())?;
    let compiled = runtime
        .compile(&wasm, kind)
        .map_err(|error| format!("{}: {error}", args.file.display()))?;
    let call = CallInput::from_json(&input, Arc::new(directory));
    let text = |key: &str| input.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let (title, content) = (text("title_template"), text("content_template"));
    let report = runtime.call_json(
        &compiled,
        &limits,
        &args.file.display().to_string(),
        &call,
        (&title, &content),
    );
    let ok = report.result.is_ok();
    let (answer, error) = match report.result {
        Ok(answer) => (answer, Value::Null),
        Err(error) => (Value::Null, Value::String(error.to_string())),
    };
    let printed = json!({
        "ok": ok,
        "answer": answer,
        "error": error,
        "fuel_used": report.fuel_used,
        "peak_memory": report.peak_memory,
        "micros": report.elapsed.as_micros() as u64,
        "output": report.output,
    });
    println!("{}", serde_json::to_string_pretty(&printed).unwrap_or_default());
    Ok(ok)
}
