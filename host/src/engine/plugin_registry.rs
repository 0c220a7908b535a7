//! The plugin registry's rules: who may register and change plugins (super admins), what a
//! registration must be (a component exporting its kind's world), and that a plugin still
//! referenced by a state or transition cannot be deleted.

use serde_json::{Map, Value};

use super::plugin_calls::{PluginReference, references_in};
use super::{Engine, EngineError, EngineResult, Paging};
use crate::plugins::{CallInput, Directory, Kind, Limits};
use crate::store::{NewPlugin, Page, PluginLimits, PluginRow, PluginRun};

/// A registration request.
pub struct RegisterPlugin {
    pub name: String,
    pub kind: String,
    pub version: String,
    pub limits: Limits,
    pub allowed_hosts: Vec<String>,
    pub wasm: Vec<u8>,
}

/// What an admin may change on a registered version.
#[derive(Default)]
pub struct PluginChange {
    pub enabled: Option<bool>,
    pub limits: Option<Limits>,
    pub allowed_hosts: Option<Vec<String>>,
}

/// The outcome of a dry run: the answer as JSON, or the failure, and what it used.
pub struct DryRun {
    pub answer: Result<Value, String>,
    pub fuel_used: u64,
    pub peak_memory: u64,
    pub micros: u64,
    pub output: String,
}

pub fn limits_of(row: &PluginRow) -> Limits {
    let unsigned = |value: i64| value.max(0) as u64;
    Limits {
        fuel: unsigned(row.fuel),
        memory_bytes: unsigned(row.memory_bytes),
        time_ms: unsigned(row.time_ms),
        input_bytes: unsigned(row.input_bytes),
        output_bytes: unsigned(row.output_bytes),
        host_calls: unsigned(row.host_calls),
    }
}

fn stored_limits(limits: &Limits) -> PluginLimits {
    let signed = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    PluginLimits {
        fuel: signed(limits.fuel),
        memory_bytes: signed(limits.memory_bytes),
        time_ms: signed(limits.time_ms),
        input_bytes: signed(limits.input_bytes),
        output_bytes: signed(limits.output_bytes),
        host_calls: signed(limits.host_calls),
    }
}

fn check_name(what: &str, text: &str, extra: &[char]) -> EngineResult<()> {
    let valid = !text.is_empty()
        && text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || extra.contains(&c));
    if valid {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "{what} must be 1-100 letters, digits, '-' or '_', got {text:?}"
        )))
    }
}

/// An allowed host pattern: `scheme://host[:port]`, where host may start with `*.`.
fn check_host_pattern(pattern: &str) -> EngineResult<()> {
    let valid = pattern
        .split_once("://")
        .is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/'));
    if valid {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "allowed host {pattern:?} must look like https://host, http://host:port or https://*.example.com"
        )))
    }
}

impl Engine {
    /// Only super admins manage plugins.
    pub(super) async fn require_super_admin(&self, username: &str) -> EngineResult<()> {
        match self.store().user(username).await? {
            Some(user) if user.is_admin => Ok(()),
            _ => Err(EngineError::Denied(format!(
                "plugins are managed by super admins only, and {username} is not one"
            ))),
        }
    }

    /// Registers a plugin version after checking that it compiles and exports its world.
    pub async fn register_plugin(&self, username: &str, request: RegisterPlugin) -> EngineResult<PluginRow> {
        self.require_super_admin(username).await?;
        check_name("name", &request.name, &[])?;
        check_name("version", &request.version, &['.', '+'])?;
        let kind = Kind::parse(&request.kind).ok_or_else(|| {
            EngineError::Invalid(format!(
                "kind must be participant-resolver, condition-evaluator, hook or notice-formatter, got {:?}",
                request.kind
            ))
        })?;
        request.limits.check().map_err(EngineError::Invalid)?;
        for host in &request.allowed_hosts {
            check_host_pattern(host)?;
        }
        if request.wasm.is_empty() {
            return Err(EngineError::Invalid(
                "the plugin's .wasm is missing: send it as the body".into(),
            ));
        }
        let label = format!("{}@{}", request.name, request.version);
        let compiled = self
            .compile_plugin(request.wasm.clone(), kind)
            .await
            .map_err(|error| EngineError::Invalid(format!("plugin {label} was not registered: {error}")))?;
        let plugin = NewPlugin {
            name: request.name,
            kind: kind.as_str().into(),
            version: request.version,
            content_hash: compiled.hash.clone(),
            wasm: request.wasm,
            limits: stored_limits(&request.limits),
            allowed_hosts: request.allowed_hosts.join(","),
            registered_by: username.into(),
        };
        let id = self.store().insert_plugin(&plugin).await?.ok_or_else(|| {
            EngineError::Invalid(format!("plugin {label} is registered already; register a new version"))
        })?;
        self.plugin_row(id).await
    }

    async fn plugin_row(&self, id: i64) -> EngineResult<PluginRow> {
        self.store()
            .plugin(id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("plugin {id} is not registered")))
    }

    pub async fn list_plugins(&self, username: &str, paging: Paging) -> EngineResult<Page<PluginRow>> {
        self.require_super_admin(username).await?;
        Ok(self.store().plugins_page(|total| paging.window(total)).await?)
    }

    pub async fn plugin_detail(&self, username: &str, id: i64) -> EngineResult<PluginRow> {
        self.require_super_admin(username).await?;
        self.plugin_row(id).await
    }

    pub async fn change_plugin(&self, username: &str, id: i64, change: PluginChange) -> EngineResult<PluginRow> {
        self.require_super_admin(username).await?;
        let row = self.plugin_row(id).await?;
        let limits = change.limits.unwrap_or_else(|| limits_of(&row));
        limits.check().map_err(EngineError::Invalid)?;
        let hosts = match change.allowed_hosts {
            Some(hosts) => {
                for host in &hosts {
                    check_host_pattern(host)?;
                }
                hosts.join(",")
            }
            None => row.allowed_hosts.clone(),
        };
        let enabled = change.enabled.unwrap_or(row.enabled);
        self.store()
            .update_plugin(id, enabled, stored_limits(&limits), &hosts)
            .await?;
        self.plugin_row(id).await
    }

    /// Deletes a plugin version, unless a state or transition still names it (by this exact
    /// version, or by name alone when it is the only version).
    pub async fn delete_plugin(&self, username: &str, id: i64) -> EngineResult<()> {
        self.require_super_admin(username).await?;
        let row = self.plugin_row(id).await?;
        let (states, transitions) = self.store().plugin_mentions(&row.name).await?;
        let names_this = |reference: &PluginReference| {
            reference.name == row.name
                && reference
                    .version
                    .as_deref()
                    .is_none_or(|version| version == row.version)
        };
        let mut users = Vec::new();
        for state in &states {
            if references_in(&state.participant).iter().any(names_this) {
                users.push(format!("state {} ({})", state.id, state.name));
            }
        }
        for transition in &transitions {
            if references_in(&transition.condition_expression).iter().any(names_this) {
                users.push(format!("transition {} ({})", transition.id, transition.name));
            }
        }
        if !users.is_empty() {
            return Err(EngineError::Invalid(format!(
                "plugin {}@{} is still used by {}",
                row.name,
                row.version,
                users.join(", ")
            )));
        }
        Ok(self.store().delete_plugin(id).await?)
    }

    /// Runs a plugin version on a JSON ticket without touching any ticket.
    pub async fn dry_run(&self, username: &str, id: i64, input: &Map<String, Value>) -> EngineResult<DryRun> {
        self.require_super_admin(username).await?;
        let row = self.plugin_row(id).await?;
        let directory = self.plugin_directory().await?;
        let call = CallInput::from_json(input, directory);
        let templates = (
            input
                .get("title_template")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            input
                .get("content_template")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        );
        self.run_plugin(&row, call, "dry run", templates).await
    }

    pub async fn plugin_runs(&self, username: &str, id: i64) -> EngineResult<Vec<PluginRun>> {
        self.require_super_admin(username).await?;
        self.plugin_row(id).await?;
        Ok(self.store().plugin_runs(id, 100).await?)
    }

    /// The directory snapshot plugins read, rebuilt at most once a second.
    pub(super) async fn plugin_directory(&self) -> EngineResult<std::sync::Arc<Directory>> {
        self.plugin_context().directory(self.store()).await
    }
}
