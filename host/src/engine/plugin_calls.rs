//! Calling plugins from the rules: resolvers for participant type 6, evaluators for condition
//! entries that name a plugin. Calls run on blocking threads, at most a fixed number at once,
//! and every outcome is recorded for `GET /plugins/{id}/runs`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::sync::{OnceCell, Semaphore};

use super::plugin_registry::{DryRun, limits_of};
use super::{Engine, EngineError, EngineResult};
use crate::plugins::{
    CallInput, Compiled, Directory, DirectoryDept, DirectoryUser, FieldValue, Kind, Limits, MAX_CONCURRENT_CALLS,
    PluginError, PluginRuntime, PluginTicket, RenderedNotice,
};
use crate::store::{PluginRow, PluginRun, State, Store, StoreResult};

/// How long a directory snapshot serves plugin look-ups before it is read again.
const DIRECTORY_TTL: Duration = Duration::from_secs(1);

/// `name` or `name@version`: which registered plugin a state or condition means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginReference {
    pub name: String,
    pub version: Option<String>,
}

impl PluginReference {
    pub fn parse(text: &str) -> Option<PluginReference> {
        let text = text.trim();
        let (name, version) = match text.split_once('@') {
            Some((name, version)) => (name, Some(version.to_string())),
            None => (text, None),
        };
        let valid = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+'))
        };
        (valid(name) && version.as_deref().is_none_or(valid)).then(|| PluginReference {
            name: name.into(),
            version,
        })
    }
}

/// A state's plugin participant: `name[@version]`, or `{"plugin": "name[@version]", "args": …}`.
pub fn participant_plugin(participant: &str) -> Option<(PluginReference, String)> {
    match serde_json::from_str::<Value>(participant) {
        Ok(Value::Object(config)) => {
            let reference = PluginReference::parse(config.get("plugin")?.as_str()?)?;
            let args = config.get("args").cloned().unwrap_or_else(|| json!({}));
            Some((reference, args.to_string()))
        }
        _ => PluginReference::parse(participant).map(|reference| (reference, "{}".to_string())),
    }
}

/// Every plugin a participant text or condition list names.
pub fn references_in(text: &str) -> Vec<PluginReference> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(entries)) => entries
            .iter()
            .filter_map(|entry| entry.get("plugin")?.as_str().and_then(PluginReference::parse))
            .collect(),
        _ => participant_plugin(text)
            .map(|(reference, _)| vec![reference])
            .unwrap_or_default(),
    }
}

/// A directory snapshot and when it was read.
type CachedDirectory = Option<(Instant, Arc<Directory>)>;

/// The plugin machinery an engine holds.
#[derive(Clone)]
pub struct PluginContext {
    runtime: Arc<PluginRuntime>,
    slots: Arc<Semaphore>,
    directory: Arc<Mutex<CachedDirectory>>,
    /// The built-in notice formatter, compiled once: notices of many tickets at once must not
    /// each compile it.
    default_formatter: Arc<OnceCell<Arc<Compiled>>>,
}

impl PluginContext {
    pub fn new() -> Result<PluginContext, PluginError> {
        Ok(PluginContext {
            runtime: Arc::new(PluginRuntime::new()?),
            slots: Arc::new(Semaphore::new(MAX_CONCURRENT_CALLS as usize)),
            directory: Arc::default(),
            default_formatter: Arc::default(),
        })
    }

    pub(super) async fn directory(&self, store: &Store) -> EngineResult<Arc<Directory>> {
        if let Ok(cached) = self.directory.lock()
            && let Some((at, directory)) = cached.as_ref()
            && at.elapsed() < DIRECTORY_TTL
        {
            return Ok(directory.clone());
        }
        let directory = Arc::new(load_directory(store).await?);
        if let Ok(mut cached) = self.directory.lock() {
            *cached = Some((Instant::now(), directory.clone()));
        }
        Ok(directory)
    }
}

async fn load_directory(store: &Store) -> StoreResult<Directory> {
    let (users, depts) = store.directory_snapshot().await?;
    let users = users
        .into_iter()
        .map(|(user, roles)| DirectoryUser {
            username: user.username,
            alias: user.alias,
            email: user.email,
            phone: user.phone,
            dept_id: user.dept_id,
            is_active: user.is_active,
            roles,
        })
        .collect();
    let depts = depts
        .into_iter()
        .map(|dept| DirectoryDept {
            id: dept.id,
            name: dept.name,
            parent_id: dept.parent_dept_id,
            approvers: super::directory::split_names(&dept.approver),
            leader: dept.leader,
        })
        .collect();
    Ok(Directory::new(users, depts))
}

pub(super) fn unavailable(error: impl std::fmt::Display) -> EngineError {
    EngineError::Invalid(format!("the plugin runtime could not run the call: {error}"))
}

impl Engine {
    /// Compiles (or takes from the cache) a component for `kind`, off the async threads.
    pub(super) async fn compile_plugin(&self, wasm: Vec<u8>, kind: Kind) -> Result<Arc<Compiled>, PluginError> {
        let runtime = self.plugin_context().runtime.clone();
        tokio::task::spawn_blocking(move || runtime.compile(&wasm, kind))
            .await
            .map_err(|error| PluginError::Unavailable(error.to_string()))?
    }

    /// Runs a registered plugin on `input` and records the outcome.
    pub(super) async fn run_plugin(
        &self,
        row: &PluginRow,
        mut input: CallInput,
        purpose: &str,
        templates: (String, String),
    ) -> EngineResult<DryRun> {
        input.allowed_hosts = super::directory::split_names(&row.allowed_hosts);
        let label = format!("{}@{}", row.name, row.version);
        let kind = Kind::parse(&row.kind)
            .ok_or_else(|| EngineError::Invalid(format!("plugin {label} has an unknown kind")))?;
        let wasm = self.store().plugin_wasm(row.id).await?.unwrap_or_default();
        let compiled = self
            .compile_plugin(wasm, kind)
            .await
            .map_err(|error| EngineError::Invalid(format!("plugin {label} {error}")))?;
        let context = self.plugin_context().clone();
        let limits = limits_of(row);
        let ticket_id = input.ticket.id;
        let _slot = context.slots.acquire().await.map_err(unavailable)?;
        let call_label = label.clone();
        let report = tokio::task::spawn_blocking(move || {
            context
                .runtime
                .call_json(&compiled, &limits, &call_label, &input, (&templates.0, &templates.1))
        })
        .await
        .map_err(unavailable)?;
        let run = PluginRun {
            id: 0,
            plugin_id: row.id,
            plugin_name: row.name.clone(),
            plugin_version: row.version.clone(),
            ticket_id,
            purpose: purpose.chars().take(200).collect(),
            outcome: report
                .result
                .as_ref()
                .map_or_else(|error| error.code().to_string(), |_| "ok".into()),
            error: report
                .result
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default(),
            fuel_used: i64::try_from(report.fuel_used).unwrap_or(i64::MAX),
            peak_memory: i64::try_from(report.peak_memory).unwrap_or(i64::MAX),
            wall_micros: i64::try_from(report.elapsed.as_micros()).unwrap_or(i64::MAX),
            gmt_created: crate::store::now(),
        };
        // Recording must not delay or fail the ticket operation that called the plugin.
        let store = self.store().clone();
        tokio::spawn(async move {
            if let Err(error) = store.insert_plugin_run(&run).await {
                tracing::warn!(%error, "could not record a plugin run");
            }
        });
        Ok(DryRun {
            answer: report.result.map_err(|error| format!("plugin {label} {error}")),
            fuel_used: report.fuel_used,
            peak_memory: report.peak_memory,
            micros: u64::try_from(report.elapsed.as_micros()).unwrap_or(u64::MAX),
            output: report.output,
        })
    }

    /// Renders a notice with the formatter built into the binary, within default limits.
    pub(super) async fn format_with_default(
        &self,
        wasm: &'static [u8],
        input: CallInput,
        templates: (String, String),
    ) -> EngineResult<Result<RenderedNotice, String>> {
        let context = self.plugin_context().clone();
        let compiled = context
            .default_formatter
            .get_or_try_init(|| self.compile_plugin(wasm.to_vec(), Kind::NoticeFormatter))
            .await
            .map_err(unavailable)?
            .clone();
        let _slot = context.slots.acquire().await.map_err(unavailable)?;
        let report = tokio::task::spawn_blocking(move || {
            context.runtime.format_notice(
                &compiled,
                &Limits::default(),
                "default notice formatter",
                &input,
                (&templates.0, &templates.1),
            )
        })
        .await
        .map_err(unavailable)?;
        Ok(report
            .result
            .map_err(|error| format!("the default notice formatter {error}")))
    }

    /// The enabled plugin a reference names, of the expected kind.
    pub(super) async fn referenced_plugin(&self, reference: &PluginReference, kind: Kind) -> EngineResult<PluginRow> {
        let shown = match &reference.version {
            Some(version) => format!("{}@{version}", reference.name),
            None => reference.name.clone(),
        };
        let row = self
            .store()
            .enabled_plugin(&reference.name, reference.version.as_deref())
            .await?
            .ok_or_else(|| EngineError::Invalid(format!("plugin {shown} is not registered or not enabled")))?;
        if row.kind != kind.as_str() {
            return Err(EngineError::Invalid(format!(
                "plugin {shown} is a {}, not a {kind}",
                row.kind
            )));
        }
        Ok(row)
    }

    /// What a plugin sees of a ticket: its values (`values` holds the ticket's columns and
    /// fields, or a new ticket's request) in `state`, and its parent's fields.
    pub(super) async fn plugin_input(
        &self,
        values: &Map<String, Value>,
        state: &State,
        args: String,
    ) -> EngineResult<CallInput> {
        let number = |key: &str| values.get(key).and_then(Value::as_i64).unwrap_or(0);
        let text = |key: &str| values.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let workflow_name = self
            .store()
            .workflow(state.workflow_id)
            .await?
            .map(|w| w.name)
            .unwrap_or_default();
        let parent_ticket_id = number("parent_ticket_id");
        let parent_fields = match self.store().ticket(parent_ticket_id).await? {
            Some(parent) => self
                .ticket_values(&parent)
                .await?
                .iter()
                .map(|(k, v)| (k.clone(), FieldValue::from_json(v)))
                .collect(),
            None => Vec::new(),
        };
        Ok(CallInput {
            ticket: PluginTicket {
                id: number("id"),
                sn: text("sn"),
                title: text("title"),
                workflow_id: state.workflow_id,
                workflow_name,
                state_id: state.id,
                state_name: state.name.clone(),
                creator: text("creator"),
                parent_ticket_id,
                fields: values
                    .iter()
                    .map(|(key, value)| (key.clone(), FieldValue::from_json(value)))
                    .collect(),
            },
            parent_fields,
            args,
            directory: self.plugin_directory().await?,
            allowed_hosts: Vec::new(),
        })
    }

    /// The usernames a state's resolver plugin names for a ticket.
    pub(super) async fn resolve_by_plugin(
        &self,
        state: &State,
        values: &Map<String, Value>,
    ) -> EngineResult<Vec<String>> {
        let (reference, args) = participant_plugin(&state.participant).ok_or_else(|| {
            EngineError::Invalid(format!("state {} names no plugin: {:?}", state.id, state.participant))
        })?;
        let row = self.referenced_plugin(&reference, Kind::ParticipantResolver).await?;
        let input = self.plugin_input(values, state, args).await?;
        let run = self
            .run_plugin(
                &row,
                input,
                &format!("participants of state {}", state.id),
                Default::default(),
            )
            .await?;
        let answer = run.answer.map_err(EngineError::Invalid)?;
        Ok(answer
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default())
    }

    /// Whether a condition entry's plugin holds for a ticket arriving by a transition from
    /// `state`.
    pub(super) async fn condition_by_plugin(
        &self,
        reference: &PluginReference,
        args: String,
        state: &State,
        values: &Map<String, Value>,
    ) -> EngineResult<bool> {
        let row = self.referenced_plugin(reference, Kind::ConditionEvaluator).await?;
        let input = self.plugin_input(values, state, args).await?;
        let run = self
            .run_plugin(
                &row,
                input,
                &format!("condition leaving state {}", state.id),
                Default::default(),
            )
            .await?;
        Ok(run.answer.map_err(EngineError::Invalid)?.as_bool().unwrap_or(false))
    }
}
