//! Handling a ticket with a transition (spec 7.2, with B2, B3, B8, B17).

use serde_json::{Map, Value, json};

use super::conditions::typed_request;
use super::constants::{SYSTEM_USER, participant_type};
use super::lifecycle::{self, ChangePlan, LogEntry, act_state_after, check_required, stored_suggestion, writes_for};
use super::permissions::HandleRight;
use super::resolve::{Resolution, Subject};
use super::snapshot::all_values;
use super::values::typed_json;
use super::{App, Engine, EngineError, EngineResult};
use crate::store::{State, Ticket, Transition};

/// A handle request. `fields` holds the field values sent with it.
#[derive(Debug, Clone)]
pub struct HandleRequest {
    pub ticket_id: i64,
    pub transition_id: i64,
    pub username: String,
    pub suggestion: String,
    pub fields: Map<String, Value>,
}

/// Where an all-process ticket goes when one member acts.
enum AllProcessStep {
    /// Everyone acted alike: the ticket moves on.
    Move,
    /// Others have yet to act: the ticket stays, waiting for them.
    Wait {
        members: Map<String, Value>,
        waiting: Vec<String>,
    },
    /// Everyone acted, but not alike: the ticket stays and goes back to all members (B3a).
    Disagree {
        members: Map<String, Value>,
        summary: String,
    },
}

/// Records `username`'s choice in the all-process members and decides the step. Ids are
/// compared as integers (B3b).
fn all_process_step(members: &Map<String, Value>, username: &str, transition: &Transition) -> AllProcessStep {
    let mut members = members.clone();
    members.insert(
        username.to_string(),
        json!({"transition_id": transition.id, "transition_name": transition.name}),
    );
    let chosen = |entry: &Value| entry.get("transition_id").and_then(Value::as_i64);
    let waiting: Vec<String> = members
        .iter()
        .filter(|(_, entry)| chosen(entry).is_none())
        .map(|(name, _)| name.clone())
        .collect();
    if !waiting.is_empty() {
        return AllProcessStep::Wait { members, waiting };
    }
    if members.values().all(|entry| chosen(entry) == Some(transition.id)) {
        return AllProcessStep::Move;
    }
    let summary = members
        .iter()
        .map(|(name, entry)| {
            format!(
                "{name}:{}",
                entry.get("transition_name").and_then(Value::as_str).unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let reset = members.keys().map(|name| (name.clone(), json!({}))).collect();
    AllProcessStep::Disagree {
        members: reset,
        summary,
    }
}

/// The members of an all-process ticket, when it is in that mode (B3c: an object with no
/// unacted member is not).
fn all_process_members(ticket: &Ticket) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(&ticket.multi_all_person) {
        Ok(Value::Object(members)) if members.values().any(|entry| entry.get("transition_id").is_none()) => {
            Some(members)
        }
        _ => None,
    }
}

impl Engine {
    /// The ticket with this id, provided the app may use its workflow.
    pub async fn visible_ticket(&self, app: &App, ticket_id: i64) -> EngineResult<Ticket> {
        self.store()
            .ticket(ticket_id)
            .await?
            .filter(|ticket| app.may_use_workflow(ticket.workflow_id))
            .ok_or_else(|| EngineError::NotFound(format!("ticket {ticket_id} is not existed or has been deleted")))
    }

    /// Handles a ticket with a transition of its current state.
    pub async fn handle_ticket(&self, app: &App, request: &HandleRequest) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, request.ticket_id).await?;
        let system = request.username == SYSTEM_USER;
        self.handle_visible(&ticket, request, system).await
    }

    /// Handles a ticket already checked to be visible; `system` relaxes the handler check
    /// for the system user.
    pub(super) async fn handle_visible(
        &self,
        ticket: &Ticket,
        request: &HandleRequest,
        system: bool,
    ) -> EngineResult<()> {
        let username = request.username.as_str();
        let source = self.store().state(ticket.state_id).await?;
        let check = self.check_handle(ticket, source.as_ref(), username, system).await?;
        match check.right {
            HandleRight::Denied(reason) => return Err(EngineError::Denied(reason)),
            HandleRight::Granted { in_add_node: true, .. } => {
                return Err(EngineError::Denied("工单当前处于加签中，只允许加签完成操作".into()));
            }
            HandleRight::Granted { need_accept: true, .. } => {
                return Err(EngineError::Denied("需要先接单再处理".into()));
            }
            HandleRight::Granted { .. } => {}
        }
        let Some(source) = source else {
            return Err(EngineError::Denied("工单当前状态id不存在或已被删除".into()));
        };
        let transition = check
            .transitions
            .into_iter()
            .find(|transition| transition.id == request.transition_id)
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "transition_id is invalid: transition {} does not leave the ticket's current state {}",
                    request.transition_id, source.id
                ))
            })?;
        check_required(&source, &transition, &request.fields)?;
        let fields = self.store().custom_fields(ticket.workflow_id).await?;
        let stored = self.store().field_values(&[ticket.id]).await?;
        let (writes, title) = writes_for(&source, &fields, &request.fields)?;
        let current = all_values(ticket, &fields, &stored);
        // Type-7 participants see the values this request writes (spec 6.8.2).
        let mut arriving = current.clone();
        for write in &writes {
            arriving.insert(write.key.clone(), typed_json(&write.value));
        }
        if let Some(title) = &title {
            arriving.insert("title".into(), Value::String(title.clone()));
        }
        // Conditions see the ticket's values with every key of the request over them (spec 6.7).
        let mut values = current;
        values.extend(typed_request(&request.fields, &fields));
        values.insert("username".into(), username.into());
        values.insert("transition_id".into(), transition.id.into());
        let destination = lifecycle::destination(self, &transition, &source, &values, &fields).await?;

        let mut plan = ChangePlan::for_ticket(ticket);
        // A hook that moves the ticket on has succeeded, whatever failed before (B15).
        if ticket.participant_type_id == participant_type::HOOK {
            plan.change.script_run_last_result = true;
        }
        if let Some(title) = title {
            plan.change.title = title;
        }
        plan.writes = writes;
        if !system {
            plan.worked_by = Some(username.to_string());
        }
        plan.logs.push(LogEntry {
            transition_id: transition.id,
            suggestion: stored_suggestion(&request.suggestion),
            participant: username.to_string(),
            state_id: source.id,
            intervene_type_id: 0,
        });
        match all_process_members(ticket).map(|members| all_process_step(&members, username, &transition)) {
            Some(AllProcessStep::Wait { members, waiting }) => {
                plan.change.participant_type_id = participant_type::PEOPLE;
                plan.change.participant = waiting.join(",");
                plan.change.multi_all_person = Value::Object(members).to_string();
                plan.waiting_for = Some(waiting);
            }
            Some(AllProcessStep::Disagree { members, summary }) => {
                let everyone: Vec<String> = members.keys().cloned().collect();
                plan.change.participant_type_id = participant_type::PEOPLE;
                plan.change.participant = everyone.join(",");
                plan.change.multi_all_person = Value::Object(members).to_string();
                plan.waiting_for = Some(everyone);
                plan.logs.push(LogEntry {
                    transition_id: 0,
                    suggestion: format!("处理人选择的操作不一致，请全部重新处理 (choices: {summary})"),
                    participant: SYSTEM_USER.to_string(),
                    state_id: source.id,
                    intervene_type_id: 0,
                });
            }
            Some(AllProcessStep::Move) => {
                let resolution = self.resolve_arrival(ticket, &destination, &arriving, false).await?;
                self.move_to(&mut plan, &destination, &transition, resolution);
            }
            None => {
                let resolution = self.resolve_arrival(ticket, &destination, &arriving, true).await?;
                self.move_to(&mut plan, &destination, &transition, resolution);
            }
        }
        // Arriving (or staying, in all-process mode) arms the timers of the state it is in.
        let arrived = if plan.change.state_id == destination.id {
            &destination
        } else {
            &source
        };
        self.arrival_jobs(&mut plan, arrived).await?;
        let snapshot = lifecycle::snapshot(&plan.after(), &fields, &stored, &plan.writes);
        self.apply(&plan, &snapshot, participant_type::PERSON).await
    }

    /// Who handles the ticket in `destination`: resolved from the state's configuration, or
    /// the state's last handler when it remembers one.
    async fn resolve_arrival(
        &self,
        ticket: &Ticket,
        destination: &State,
        values: &Map<String, Value>,
        remember: bool,
    ) -> EngineResult<Resolution> {
        let subject = Subject {
            creator: &ticket.creator,
            values,
            parent_ticket_id: ticket.parent_ticket_id,
        };
        let resolution = self.resolve(destination, &subject).await?;
        if remember
            && resolution.all_process.is_empty()
            && let Some(last) = self.last_handler(ticket.id, destination).await?
        {
            return Ok(Resolution::person(&last));
        }
        Ok(resolution)
    }

    fn move_to(&self, plan: &mut ChangePlan, destination: &State, transition: &Transition, resolution: Resolution) {
        self.arrive(plan, destination, resolution);
        plan.change.act_state_id = act_state_after(destination, transition);
    }
}
