//! State hooks (spec 11.2, 8.15, 8.17 with B14, B15): arriving in a state whose participant
//! type is 10 enqueues a hook job; the job POSTs the ticket's values to the state's
//! `hook_url` and moves the ticket on, leaves it waiting for the callback, or marks it failed.
//!
//! Connection errors, timeouts and 5xx answers are passing: the job is tried again with
//! backoff, and only its last attempt marks the ticket failed. An answer whose `code` is not
//! 0, or that is not JSON, fails the hook at once.

use serde_json::{Map, Value, json};

use super::auth::sign;
use super::constants::{SYSTEM_USER, intervene_type, participant_type, state_type};
use super::handle::HandleRequest;
use super::lifecycle::{ChangePlan, LogEntry, stored_suggestion, writes_for};
use super::plugin_calls::{PluginReference, participant_plugin};
use super::timers::payload_numbers;
use super::{App, Engine, EngineError, EngineResult};
use crate::outbound::{self, DeliveryError};
use crate::plugins::Kind;
use crate::store::{NewJob, State, Ticket};

/// The job kind of state hooks.
pub const HOOK_JOB: &str = "hook";
/// A hook whose receiver keeps failing for a passing reason is tried this often.
const HOOK_ATTEMPTS: i64 = 4;
/// The participant of a hook's flow logs.
const HOOK_PARTICIPANT: &str = "hook";

/// The hook job of a ticket that has arrived in `state` at ticket `version`, if the state
/// is a hook state. One per ticket: arriving again replaces a pending one.
pub(super) fn hook_job(ticket_id: i64, state: &State, version: i64) -> Option<NewJob> {
    (state.participant_type_id == participant_type::HOOK && state.type_id == state_type::NORMAL).then(|| NewJob {
        kind: HOOK_JOB.into(),
        dedup_key: Some(format!("hook:{ticket_id}")),
        payload: json!({"ticket_id": ticket_id, "state_id": state.id, "version": version}).to_string(),
        due_at: crate::store::precise_now(),
        max_attempts: HOOK_ATTEMPTS,
    })
}

/// The headers of a signed outbound call: loonflow's `signature` and `timestamp`, and the
/// key a receiver can drop repeated deliveries by.
pub(super) fn signed_headers(token: &str, idempotency_key: &str) -> Vec<(&'static str, String)> {
    let timestamp = chrono::Utc::now().timestamp().to_string();
    vec![
        ("signature", sign(&timestamp, token)),
        ("timestamp", timestamp),
        ("Idempotency-Key", idempotency_key.to_string()),
    ]
}

/// What a hook decided.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum HookOutcome {
    /// Handle the ticket by this transition, writing these fields.
    Move {
        transition_id: i64,
        suggestion: String,
        fields: Map<String, Value>,
    },
    /// Stay for the callback.
    Wait {
        suggestion: String,
        fields: Map<String, Value>,
    },
    Fail(String),
}

/// A URL hook's configuration (spec 11.2 step 2).
struct UrlHook {
    url: String,
    token: String,
    wait: bool,
    extra_info: Value,
}

fn url_hook(state: &State) -> EngineResult<UrlHook> {
    let config: Map<String, Value> = serde_json::from_str(&state.participant).map_err(|error| {
        EngineError::Invalid(format!(
            "the hook configuration of state {} is not a JSON object: {error}",
            state.id
        ))
    })?;
    let url = config
        .get("hook_url")
        .and_then(Value::as_str)
        .filter(|url| !url.trim().is_empty())
        .ok_or_else(|| EngineError::Invalid(format!("the hook configuration of state {} has no hook_url", state.id)))?;
    let truthy = |value: Option<&Value>| match value {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Number(number)) => number.as_f64() != Some(0.0),
        Some(Value::String(text)) => !text.is_empty(),
        _ => false,
    };
    Ok(UrlHook {
        url: url.trim().to_string(),
        token: config
            .get("hook_token")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        wait: truthy(config.get("wait")),
        extra_info: config.get("extra_info").cloned().unwrap_or(Value::Null),
    })
}

/// The hook plugin a state names instead of a URL: `{"plugin": "name[@version]", "args": …}`.
fn hook_plugin(state: &State) -> Option<(PluginReference, String)> {
    let config: Map<String, Value> = serde_json::from_str(&state.participant).ok()?;
    config
        .contains_key("plugin")
        .then(|| participant_plugin(&state.participant))?
}

/// The message of a hook's JSON answer.
fn answer_msg(answer: &Value) -> String {
    match &answer["msg"] {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Engine {
    /// The first transition leaving a hook state (loonflow supports one).
    async fn first_transition(&self, state: &State) -> EngineResult<i64> {
        self.store()
            .transitions_from(state.id)
            .await?
            .first()
            .map(|transition| transition.id)
            .ok_or_else(|| EngineError::Invalid(format!("hook state {} has no transition to move on by", state.id)))
    }

    /// Runs a hook job. `last_attempt` tells whether a passing failure may still be retried.
    pub async fn run_hook(&self, payload: &str, last_attempt: bool) -> EngineResult<String> {
        let [ticket_id, state_id, version] = payload_numbers("hook", payload, ["ticket_id", "state_id", "version"])?;
        let Some(ticket) = self.store().ticket(ticket_id).await? else {
            return Ok(format!("skipped: ticket {ticket_id} is deleted"));
        };
        if ticket.state_id != state_id || ticket.participant_type_id != participant_type::HOOK {
            return Ok(format!("skipped: ticket {ticket_id} left hook state {state_id}"));
        }
        let Some(state) = self.store().state(state_id).await? else {
            return Ok(format!("skipped: state {state_id} is deleted"));
        };
        let outcome = match hook_plugin(&state) {
            Some((reference, args)) => self.call_hook_plugin(&ticket, &state, &reference, args).await?,
            None => match self.call_url_hook(&ticket, &state, version).await {
                Ok(outcome) => outcome,
                Err(DeliveryError::Passing(reason)) if !last_attempt => {
                    return Err(EngineError::Unavailable(reason));
                }
                Err(error) => HookOutcome::Fail(error.to_string()),
            },
        };
        let summary = format!("{outcome:?}");
        self.apply_hook_outcome(&ticket, &state, outcome).await?;
        Ok(format!("hook of ticket {ticket_id}: {summary}"))
    }

    /// POSTs the ticket's values to the state's hook URL and reads the answer.
    async fn call_url_hook(&self, ticket: &Ticket, state: &State, version: i64) -> Result<HookOutcome, DeliveryError> {
        let hook = match url_hook(state) {
            Ok(hook) => hook,
            Err(error) => return Ok(HookOutcome::Fail(error.to_string())),
        };
        let mut values = self
            .ticket_values(ticket)
            .await
            .map_err(|error| DeliveryError::Passing(error.to_string()))?;
        if !hook.extra_info.is_null() {
            values.insert("extra_info".into(), hook.extra_info.clone());
        }
        let key = format!("hook-{}-{version}", ticket.id);
        let answer = outbound::post_json(
            &self.http,
            &hook.url,
            &signed_headers(&hook.token, &key),
            &Value::Object(values),
        )
        .await?;
        let suggestion = answer_msg(&answer);
        if answer["code"].as_i64() != Some(0) {
            let reason = if suggestion.is_empty() {
                format!("the hook answered code {}", answer["code"])
            } else {
                suggestion
            };
            return Ok(HookOutcome::Fail(reason));
        }
        if hook.wait {
            return Ok(HookOutcome::Wait {
                suggestion,
                fields: Map::new(),
            });
        }
        match self.first_transition(state).await {
            Ok(transition_id) => Ok(HookOutcome::Move {
                transition_id,
                suggestion,
                fields: Map::new(),
            }),
            Err(error) => Ok(HookOutcome::Fail(error.to_string())),
        }
    }

    /// Runs a state's hook plugin. Whatever goes wrong in the plugin fails the hook; the
    /// plugin retries its own requests if it wants to.
    async fn call_hook_plugin(
        &self,
        ticket: &Ticket,
        state: &State,
        reference: &PluginReference,
        args: String,
    ) -> EngineResult<HookOutcome> {
        let row = match self.referenced_plugin(reference, Kind::Hook).await {
            Ok(row) => row,
            Err(EngineError::Invalid(reason)) => return Ok(HookOutcome::Fail(reason)),
            Err(error) => return Err(error),
        };
        let values = self.ticket_values(ticket).await?;
        let input = self.plugin_input(&values, state, args).await?;
        let run = self
            .run_plugin(&row, input, &format!("hook of state {}", state.id), Default::default())
            .await?;
        let answer = match run.answer {
            Ok(answer) => answer,
            Err(reason) => return Ok(HookOutcome::Fail(reason)),
        };
        let suggestion = answer["suggestion"].as_str().unwrap_or("").to_string();
        let fields = answer["updates"].as_object().cloned().unwrap_or_default();
        let next = &answer["next"];
        if next == "wait" {
            return Ok(HookOutcome::Wait { suggestion, fields });
        }
        if let Some(reason) = next["fail"].as_str() {
            return Ok(HookOutcome::Fail(reason.to_string()));
        }
        let name = next["transition"].as_str().unwrap_or("");
        let transition = self
            .store()
            .transitions_from(state.id)
            .await?
            .into_iter()
            .find(|transition| transition.name == name);
        Ok(match transition {
            Some(transition) => HookOutcome::Move {
                transition_id: transition.id,
                suggestion,
                fields,
            },
            None => HookOutcome::Fail(format!(
                "hook plugin {} chose transition {name:?}, which does not leave state {}",
                row.name, state.id
            )),
        })
    }

    /// Applies what a hook decided, as the system user.
    pub(super) async fn apply_hook_outcome(
        &self,
        ticket: &Ticket,
        state: &State,
        outcome: HookOutcome,
    ) -> EngineResult<()> {
        match outcome {
            HookOutcome::Move {
                transition_id,
                suggestion,
                fields,
            } => {
                let request = HandleRequest {
                    ticket_id: ticket.id,
                    transition_id,
                    username: SYSTEM_USER.into(),
                    suggestion,
                    fields,
                };
                self.handle_visible(ticket, &request, true).await
            }
            HookOutcome::Wait { suggestion, fields } => {
                let mut plan = ChangePlan::for_ticket(ticket);
                let custom_fields = self.store().custom_fields(ticket.workflow_id).await?;
                let (writes, title) = writes_for(state, &custom_fields, &fields)?;
                plan.writes = writes;
                if let Some(title) = title {
                    plan.change.title = title;
                }
                hook_log(&mut plan, intervene_type::NONE, &suggestion);
                self.apply_with_snapshot(&plan, participant_type::HOOK).await
            }
            HookOutcome::Fail(reason) => self.mark_hook_failed(ticket, intervene_type::NONE, &reason).await,
        }
    }

    /// Sets `script_run_last_result` false and logs why.
    async fn mark_hook_failed(&self, ticket: &Ticket, intervene: i64, reason: &str) -> EngineResult<()> {
        let mut plan = ChangePlan::for_ticket(ticket);
        plan.change.script_run_last_result = false;
        hook_log(&mut plan, intervene, reason);
        self.apply_with_snapshot(&plan, participant_type::HOOK).await
    }

    /// A hook service's answer to a waiting hook (spec 8.17, B15).
    pub async fn hook_callback(
        &self,
        app: &App,
        ticket_id: i64,
        result: bool,
        msg: &str,
        fields: Map<String, Value>,
    ) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        if ticket.participant_type_id != participant_type::HOOK {
            return Err(EngineError::Invalid("工单当前处理人类型非hook，不执行回调操作".into()));
        }
        if !result {
            return self.mark_hook_failed(&ticket, intervene_type::HOOK, msg).await;
        }
        let state = self
            .store()
            .state(ticket.state_id)
            .await?
            .ok_or_else(|| EngineError::Invalid("工单当前状态id不存在或已被删除".into()))?;
        let transition_id = self.first_transition(&state).await?;
        let outcome = HookOutcome::Move {
            transition_id,
            suggestion: msg.to_string(),
            fields,
        };
        self.apply_hook_outcome(&ticket, &state, outcome).await
    }

    /// Runs a failed hook again (spec 8.15 with B15).
    pub async fn retry_hook(&self, app: &App, ticket_id: i64) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        if ticket.participant_type_id != participant_type::HOOK {
            return Err(EngineError::Invalid(
                "The ticket's participant_type is not robot or hook, do not allow retry".into(),
            ));
        }
        if ticket.script_run_last_result {
            return Err(EngineError::Invalid("script or hook is not in failed state".into()));
        }
        let state = self
            .store()
            .state(ticket.state_id)
            .await?
            .ok_or_else(|| EngineError::Invalid("工单当前状态id不存在或已被删除".into()))?;
        let mut plan = ChangePlan::for_ticket(&ticket);
        plan.change.script_run_last_result = true;
        plan.jobs.extend(hook_job(ticket.id, &state, ticket.version + 1));
        self.apply(&plan, "", participant_type::HOOK).await
    }
}

fn hook_log(plan: &mut ChangePlan, intervene: i64, suggestion: &str) {
    let state_id = plan.before.state_id;
    plan.logs.push(LogEntry {
        transition_id: 0,
        suggestion: stored_suggestion(suggestion),
        participant: HOOK_PARTICIPANT.into(),
        state_id,
        intervene_type_id: intervene,
    });
}
