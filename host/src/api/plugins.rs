//! `/api/v1.0/plugins…`: the plugin registry (super admins only), dry runs and run records.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State as Shared};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value, json};

use super::body::{JsonObject, only_keys};
use super::envelope::{ApiResult, ok};
use super::params::{Id, Params};
use super::shapes::{self, datetime};
use super::{ApiError, AppState, Caller};
use crate::engine::{PluginChange, RegisterPlugin};
use crate::plugins::Limits;
use crate::store::{PluginRow, PluginRun};

/// The limit fields, with the defaults for those not given.
const LIMIT_FIELDS: [&str; 6] = [
    "fuel",
    "memory_bytes",
    "time_ms",
    "input_bytes",
    "output_bytes",
    "host_calls",
];

fn limits_from(fields: &HashMap<String, String>, base: Limits) -> Result<Limits, ApiError> {
    let read = |name: &str, default: u64| -> Result<u64, ApiError> {
        match fields
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
        {
            None => Ok(default),
            Some(value) => value
                .parse()
                .map_err(|_| ApiError::Client(format!("{name} must be a positive integer, got {value:?}"))),
        }
    };
    Ok(Limits {
        fuel: read("fuel", base.fuel)?,
        memory_bytes: read("memory_bytes", base.memory_bytes)?,
        time_ms: read("time_ms", base.time_ms)?,
        input_bytes: read("input_bytes", base.input_bytes)?,
        output_bytes: read("output_bytes", base.output_bytes)?,
        host_calls: read("host_calls", base.host_calls)?,
    })
}

fn hosts_from(text: Option<&String>) -> Vec<String> {
    text.map(|text| {
        text.split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

pub fn plugin_dict(row: &PluginRow) -> Value {
    json!({
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "version": row.version,
        "content_hash": row.content_hash,
        "size_bytes": row.size_bytes,
        "limits": {
            "fuel": row.fuel, "memory_bytes": row.memory_bytes, "time_ms": row.time_ms,
            "input_bytes": row.input_bytes, "output_bytes": row.output_bytes, "host_calls": row.host_calls,
        },
        "allowed_hosts": hosts_from(Some(&row.allowed_hosts)),
        "enabled": row.enabled,
        "registered_by": row.registered_by,
        "gmt_created": datetime(&row.gmt_created),
        "gmt_modified": datetime(&row.gmt_modified),
    })
}

fn run_dict(run: &PluginRun) -> Value {
    json!({
        "id": run.id,
        "plugin_id": run.plugin_id,
        "plugin": format!("{}@{}", run.plugin_name, run.plugin_version),
        "ticket_id": run.ticket_id,
        "purpose": run.purpose,
        "outcome": run.outcome,
        "error": run.error,
        "fuel_used": run.fuel_used,
        "peak_memory": run.peak_memory,
        "wall_micros": run.wall_micros,
        "gmt_created": datetime(&run.gmt_created),
    })
}

/// POST /api/v1.0/plugins — the `.wasm` as the body with the other fields as query
/// parameters, or a multipart form with a `file` part and the fields as parts.
pub async fn register(Shared(state): Shared<AppState>, caller: Caller, params: Params, request: Request) -> ApiResult {
    let username = caller.require_username()?.to_string();
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let mut fields: HashMap<String, String> = params.all().clone();
    let wasm = if multipart {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|rejection| ApiError::Client(format!("invalid multipart form: {}", rejection.body_text())))?;
        let mut wasm = Vec::new();
        while let Some(part) = form
            .next_field()
            .await
            .map_err(|error| ApiError::Client(format!("invalid multipart form: {error}")))?
        {
            let name = part.name().unwrap_or_default().to_string();
            let bytes = part
                .bytes()
                .await
                .map_err(|error| ApiError::Client(format!("invalid multipart part {name}: {error}")))?;
            if name == "file" {
                wasm = bytes.to_vec();
            } else {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        wasm
    } else {
        Bytes::from_request(request, &state)
            .await
            .map_err(|rejection| ApiError::Client(format!("could not read the .wasm body: {}", rejection.body_text())))?
            .to_vec()
    };
    let text = |name: &str| {
        fields
            .get(name)
            .map(|value| value.trim().to_string())
            .unwrap_or_default()
    };
    let registration = RegisterPlugin {
        name: text("name"),
        kind: text("kind"),
        version: Some(text("version"))
            .filter(|version| !version.is_empty())
            .unwrap_or_else(|| "1.0.0".into()),
        limits: limits_from(&fields, Limits::default())?,
        allowed_hosts: hosts_from(fields.get("allowed_hosts")),
        wasm,
    };
    let row = state.engine.register_plugin(&username, registration).await?;
    Ok(ok(plugin_dict(&row)))
}

/// GET /api/v1.0/plugins
pub async fn list(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let paging = params.paging()?;
    let page = state.engine.list_plugins(caller.require_username()?, paging).await?;
    Ok(ok(shapes::page(page, paging.page, paging.per_page, |row| {
        plugin_dict(&row)
    })))
}

/// GET /api/v1.0/plugins/{id}
pub async fn detail(Shared(state): Shared<AppState>, caller: Caller, Id(id): Id) -> ApiResult {
    let row = state.engine.plugin_detail(caller.require_username()?, id).await?;
    Ok(ok(plugin_dict(&row)))
}

/// PATCH /api/v1.0/plugins/{id}: `enabled`, `limits` (any of the limit fields) and
/// `allowed_hosts` (a list).
pub async fn change(Shared(state): Shared<AppState>, caller: Caller, Id(id): Id, body: JsonObject) -> ApiResult {
    let body = body.required("send enabled, limits or allowed_hosts to change")?;
    only_keys(&body, &["enabled", "limits", "allowed_hosts"])?;
    let username = caller.require_username()?;
    let enabled = match body.get("enabled") {
        None => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(other) => return Err(ApiError::Client(format!("enabled must be true or false, got {other}"))),
    };
    let limits = match body.get("limits") {
        None => None,
        Some(Value::Object(given)) => {
            only_keys(given, &LIMIT_FIELDS)?;
            let current = state.engine.plugin_detail(username, id).await?;
            let base = crate::engine::plugin_limits(&current);
            let fields: HashMap<String, String> = given
                .iter()
                .map(|(key, value)| (key.clone(), value.to_string()))
                .collect();
            Some(limits_from(&fields, base)?)
        }
        Some(other) => {
            return Err(ApiError::Client(format!(
                "limits must be an object of limit fields, got {other}"
            )));
        }
    };
    let allowed_hosts = match body.get("allowed_hosts") {
        None => None,
        Some(Value::Array(hosts)) => Some(
            hosts
                .iter()
                .map(|host| {
                    host.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| ApiError::Client(format!("allowed_hosts must hold strings, got {host}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => return Err(ApiError::Client(format!("allowed_hosts must be a list, got {other}"))),
    };
    let row = state
        .engine
        .change_plugin(
            username,
            id,
            PluginChange {
                enabled,
                limits,
                allowed_hosts,
            },
        )
        .await?;
    Ok(ok(plugin_dict(&row)))
}

/// DELETE /api/v1.0/plugins/{id}
pub async fn delete(Shared(state): Shared<AppState>, caller: Caller, Id(id): Id) -> ApiResult {
    state.engine.delete_plugin(caller.require_username()?, id).await?;
    Ok(ok(json!({})))
}

/// POST /api/v1.0/plugins/{id}/dry_run with `{"ticket": {…}, "parent_fields": {…}, "args": …}`
/// (and `title_template` / `content_template` for formatters). Nothing is written but the run
/// record.
pub async fn dry_run(Shared(state): Shared<AppState>, caller: Caller, Id(id): Id, body: JsonObject) -> ApiResult {
    let input: Map<String, Value> = body.or_empty();
    only_keys(
        &input,
        &["ticket", "parent_fields", "args", "title_template", "content_template"],
    )?;
    let run = state.engine.dry_run(caller.require_username()?, id, &input).await?;
    let (ok_flag, answer, error) = match run.answer {
        Ok(answer) => (true, answer, Value::Null),
        Err(error) => (false, Value::Null, Value::String(error)),
    };
    Ok(ok(json!({
        "ok": ok_flag,
        "answer": answer,
        "error": error,
        "fuel_used": run.fuel_used,
        "peak_memory": run.peak_memory,
        "micros": run.micros,
        "output": run.output,
    })))
}

/// GET /api/v1.0/plugins/{id}/runs: the newest hundred calls.
pub async fn runs(Shared(state): Shared<AppState>, caller: Caller, Id(id): Id) -> ApiResult {
    let runs = state.engine.plugin_runs(caller.require_username()?, id).await?;
    Ok(ok(json!({"value": runs.iter().map(run_dict).collect::<Vec<_>>()})))
}
