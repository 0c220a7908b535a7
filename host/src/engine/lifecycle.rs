//! What every ticket operation shares: checking required fields, turning request values into
//! writes, the act_state rules, and applying a change in one transaction that loses cleanly
//! to a concurrent change of the same ticket.

use std::time::Duration;

use serde_json::{Map, Value};

use super::constants::{act_state, attribute_type, state_type};
use super::fields::field_attributes;
use super::hooks::hook_job;
use super::snapshot::all_values;
use super::subtickets::parent_job;
use super::values::{convert, typed_json};
use super::{Engine, EngineError, EngineResult};
use crate::store::{
    CustomField, FieldWrite, NewFlowLog, NewJob, State, StoreError, StoredValue, Ticket, TicketChange, TicketUser,
    Transition,
};

/// Attribute values of `state_field_str` (spec 3.6).
const REQUIRED: i64 = 2;
const OPTIONAL: i64 = 3;
/// Loonflow's suggestion column holds 10000 characters (B12).
const MAX_SUGGESTION_CHARS: usize = 10_000;
const MAX_TITLE_CHARS: usize = 500;
/// How often a transaction that hit a deadlock or a busy database is tried.
const WRITE_ATTEMPTS: u32 = 8;

/// Keys of the fields a state requires.
pub(super) fn required_keys(state: &State) -> Vec<String> {
    field_attributes(state)
        .into_iter()
        .filter(|(_, a)| *a == REQUIRED)
        .map(|(key, _)| key)
        .collect()
}

/// Keys of the fields a state lets the handler write.
fn writable_keys(state: &State) -> Vec<String> {
    field_attributes(state)
        .into_iter()
        .filter(|(_, a)| matches!(*a, REQUIRED | OPTIONAL))
        .map(|(key, _)| key)
        .collect()
}

/// With `field_require_check`, every required field of `state` must be sent (null counts as
/// not sent).
pub(super) fn check_required(state: &State, transition: &Transition, request: &Map<String, Value>) -> EngineResult<()> {
    if !transition.field_require_check {
        return Ok(());
    }
    let required = required_keys(state);
    let missing: Vec<&str> = required
        .iter()
        .filter(|key| request.get(key.as_str()).is_none_or(Value::is_null))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(EngineError::Invalid(format!(
        "此工单的必填字段为:{} (missing: {})",
        required.join(","),
        missing.join(",")
    )))
}

/// A title as sent: a string of at most 500 characters.
pub(super) fn check_title(value: &Value) -> EngineResult<String> {
    let title = value
        .as_str()
        .ok_or_else(|| EngineError::Invalid(format!("title must be a string, got {value}")))?;
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(EngineError::Invalid(format!(
            "title is longer than {MAX_TITLE_CHARS} characters"
        )));
    }
    Ok(title.to_string())
}

/// The writes a request makes in `state`: the fields it may write, converted and checked.
/// Read-only and unknown keys are ignored; a bad value fails the whole request. A writable
/// `title` comes back separately.
pub(super) fn writes_for(
    state: &State,
    fields: &[CustomField],
    request: &Map<String, Value>,
) -> EngineResult<(Vec<FieldWrite>, Option<String>)> {
    let mut writes = Vec::new();
    let mut title = None;
    for key in writable_keys(state) {
        let Some(value) = request.get(&key) else { continue };
        if key == "title" {
            title = Some(check_title(value)?);
        } else if let Some(field) = fields.iter().find(|field| field.field_key == key) {
            writes.push(FieldWrite {
                key: field.field_key.clone(),
                name: field.field_name.clone(),
                type_id: field.field_type_id,
                value: convert(field, value)?,
            });
        }
    }
    Ok((writes, title))
}

/// act_state after arriving in `destination` by `transition` (spec 3.9, B3d).
pub(super) fn act_state_after(destination: &State, transition: &Transition) -> i64 {
    if transition.attribute_type_id == attribute_type::REJECT {
        return act_state::REJECTED;
    }
    match destination.type_id {
        state_type::START => act_state::DRAFT,
        state_type::END => act_state::FINISHED,
        _ => act_state::ONGOING,
    }
}

/// A suggestion as stored: at most 10000 characters, marked when cut.
pub(super) fn stored_suggestion(suggestion: &str) -> String {
    if suggestion.chars().count() <= MAX_SUGGESTION_CHARS {
        return suggestion.to_string();
    }
    let mut cut: String = suggestion.chars().take(MAX_SUGGESTION_CHARS - 20).collect();
    cut.push_str("…(truncated)");
    cut
}

/// The destination of a transition for these values (conditions applied), which must be a
/// state of its workflow.
pub(super) async fn destination(
    engine: &Engine,
    transition: &Transition,
    source: &State,
    values: &Map<String, Value>,
    fields: &[CustomField],
) -> EngineResult<State> {
    let state_id = engine.choose_destination(transition, source, values, fields).await?;
    engine
        .store()
        .state(state_id)
        .await?
        .filter(|state| state.workflow_id == transition.workflow_id)
        .ok_or_else(|| {
            EngineError::Invalid(format!(
                "transition {} leads to state {state_id}, which is not a state of its workflow",
                transition.id
            ))
        })
}

/// A flow log to write, with its snapshot already taken.
pub(super) struct LogEntry {
    pub transition_id: i64,
    pub suggestion: String,
    pub participant: String,
    pub state_id: i64,
    pub intervene_type_id: i64,
}

/// Everything one operation changes on an existing ticket.
pub(super) struct ChangePlan {
    pub before: Ticket,
    pub change: TicketChange,
    pub writes: Vec<FieldWrite>,
    /// Exactly the users the ticket waits for afterwards, when that changes.
    pub waiting_for: Option<Vec<String>>,
    pub worked_by: Option<String>,
    pub logs: Vec<LogEntry>,
    /// Jobs enqueued with the change (timers of the state the ticket arrives in).
    pub jobs: Vec<NewJob>,
}

impl ChangePlan {
    /// A plan that changes nothing yet.
    pub fn for_ticket(ticket: &Ticket) -> ChangePlan {
        ChangePlan {
            before: ticket.clone(),
            change: TicketChange {
                is_deleted: ticket.is_deleted,
                title: ticket.title.clone(),
                state_id: ticket.state_id,
                participant_type_id: ticket.participant_type_id,
                participant: ticket.participant.clone(),
                relation: ticket.relation.clone(),
                in_add_node: ticket.in_add_node,
                add_node_man: ticket.add_node_man.clone(),
                act_state_id: ticket.act_state_id,
                multi_all_person: ticket.multi_all_person.clone(),
                script_run_last_result: ticket.script_run_last_result,
            },
            writes: Vec::new(),
            waiting_for: None,
            worked_by: None,
            logs: Vec::new(),
            jobs: Vec::new(),
        }
    }

    /// The ticket as it will be after the change.
    pub fn after(&self) -> Ticket {
        let change = &self.change;
        Ticket {
            is_deleted: change.is_deleted,
            title: change.title.clone(),
            state_id: change.state_id,
            participant_type_id: change.participant_type_id,
            participant: change.participant.clone(),
            relation: change.relation.clone(),
            in_add_node: change.in_add_node,
            add_node_man: change.add_node_man.clone(),
            act_state_id: change.act_state_id,
            multi_all_person: change.multi_all_person.clone(),
            script_run_last_result: change.script_run_last_result,
            gmt_modified: crate::store::now(),
            version: self.before.version + 1,
            ..self.before.clone()
        }
    }
}

/// The relation list with `names` added, first-seen order.
pub(super) fn with_relations(relation: &str, names: &[String]) -> String {
    let mut all: Vec<&str> = relation
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    for name in names {
        if !all.contains(&name.as_str()) {
            all.push(name);
        }
    }
    all.join(",")
}

/// The snapshot of a ticket's values with `writes` applied, as flow logs store it.
pub(super) fn snapshot(
    ticket: &Ticket,
    fields: &[CustomField],
    stored: &[StoredValue],
    writes: &[FieldWrite],
) -> String {
    let mut values = all_values(ticket, fields, stored);
    for write in writes {
        values.insert(write.key.clone(), typed_json(&write.value));
    }
    Value::Object(values).to_string()
}

/// Retries `attempt` while it fails with a deadlock or a busy database, with a short backoff.
pub(super) async fn with_retries<T, F, Fut>(mut attempt: F) -> EngineResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = EngineResult<T>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(EngineError::Store(error)) if error.is_transient() && tries < WRITE_ATTEMPTS => {
                tracing::debug!(%error, tries, "retrying a transaction");
                // Jitter keeps two transactions that collided from colliding again.
                let jitter: u64 = rand::random_range(0..5);
                tokio::time::sleep(Duration::from_millis(2 * u64::from(tries * tries) + jitter)).await;
            }
            other => return other,
        }
    }
}

fn conflict(ticket_id: i64) -> EngineError {
    EngineError::Invalid(format!(
        "ticket {ticket_id} was changed by another request at the same time; reload it and try again"
    ))
}

impl Engine {
    /// Applies a plan in one transaction, provided the ticket is unchanged since it was read.
    pub(super) async fn apply(&self, plan: &ChangePlan, snapshot: &str, actor_type: i64) -> EngineResult<()> {
        let ticket_id = plan.before.id;
        with_retries(|| async {
            let mut tx = self.store().begin_ticket_write().await?;
            tx.change_ticket(ticket_id, plan.before.version, &plan.change).await?;
            tx.write_values(ticket_id, &plan.writes).await?;
            let mut users = Vec::new();
            if let Some(names) = &plan.waiting_for {
                tx.clear_waiting(ticket_id).await?;
                users.extend(names.iter().map(|name| TicketUser::waiting(name)));
            }
            users.extend(plan.worked_by.as_deref().map(TicketUser::worked));
            tx.relate(ticket_id, &users).await?;
            for log in &plan.logs {
                tx.insert_flow_log(&NewFlowLog {
                    ticket_id,
                    transition_id: log.transition_id,
                    suggestion: log.suggestion.clone(),
                    participant_type_id: actor_type,
                    participant: log.participant.clone(),
                    state_id: log.state_id,
                    intervene_type_id: log.intervene_type_id,
                    ticket_data: snapshot.to_string(),
                    creator: log.participant.clone(),
                })
                .await?;
            }
            for job in &plan.jobs {
                tx.enqueue(job).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
        .map_err(|error| match error {
            EngineError::Store(StoreError::Stale) => conflict(ticket_id),
            other => other,
        })
    }

    /// Applies a plan whose logs carry the snapshot of the ticket after it.
    pub(super) async fn apply_with_snapshot(&self, plan: &ChangePlan, actor_type: i64) -> EngineResult<()> {
        let fields = self.store().custom_fields(plan.before.workflow_id).await?;
        let stored = self.store().field_values(&[plan.before.id]).await?;
        let snapshot = snapshot(&plan.after(), &fields, &stored, &plan.writes);
        self.apply(plan, &snapshot, actor_type).await
    }

    /// The jobs of arriving in `state`: its timers, its hook, the workflow's notices, and
    /// settling the parent of a child that ends.
    pub(super) async fn arrival_jobs(&self, plan: &mut ChangePlan, state: &State) -> EngineResult<()> {
        plan.jobs = self.timer_jobs(plan.before.id, state, plan.before.version + 1).await?;
        plan.jobs.extend(parent_job(&plan.before, state));
        plan.jobs
            .extend(hook_job(plan.before.id, state, plan.before.version + 1));
        plan.jobs.extend(self.notice_jobs_of(&plan.before).await?);
        Ok(())
    }
}
