//! A ticket's history: flow logs and the step view (spec 8.7, 8.10, B11).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::constants::{intervene_type, participant_type};
use super::{App, Engine, EngineResult, Paging};
use crate::store::{FlowLog, Page, State, User};

/// A flow log with the names it shows.
#[derive(Debug, Clone)]
pub struct LogView {
    pub log: FlowLog,
    pub state_name: String,
    pub transition_name: String,
    pub attribute_type_id: i64,
    /// The acting user, when the log's actor is a known person.
    pub actor: Option<User>,
}

impl LogView {
    /// Who acted, as flow logs show it.
    pub fn participant_info(&self) -> Value {
        let log = &self.log;
        let (alias, email, phone) = match &self.actor {
            Some(user) => (user.alias.clone(), user.email.clone(), user.phone.clone()),
            None => (log.participant.clone(), String::new(), String::new()),
        };
        json!({
            "participant_type_id": log.participant_type_id, "participant": log.participant,
            "participant_alias": alias, "participant_email": email, "participant_phone": phone
        })
    }

    /// The log as an item of the flow-log list (spec 8.7), which notices send as well.
    pub fn to_json(&self) -> Value {
        let log = &self.log;
        json!({
            "id": log.id,
            "ticket_id": log.ticket_id,
            "state": {"state_id": log.state_id, "state_name": self.state_name},
            "transition": {
                "transition_id": log.transition_id, "transition_name": self.transition_name,
                "attribute_type_id": self.attribute_type_id
            },
            "intervene_type_id": log.intervene_type_id,
            "participant_type_id": log.participant_type_id,
            "participant": log.participant,
            "participant_info": self.participant_info(),
            "suggestion": log.suggestion,
            "gmt_created": log.gmt_created.format("%Y-%m-%d %H:%M:%S").to_string(),
        })
    }
}

/// One state of the step view with the logs written in it.
pub struct Step {
    pub state: State,
    pub logs: Vec<LogView>,
}

impl Engine {
    /// Names and actors for logs; deleted states and transitions still name old logs.
    /// The newest flow log of a ticket.
    pub(super) async fn newest_log(&self, ticket_id: i64) -> EngineResult<Option<LogView>> {
        let newest: Vec<FlowLog> = self.store().flow_logs(ticket_id).await?.into_iter().take(1).collect();
        Ok(self.log_views(newest).await?.pop())
    }

    async fn log_views(&self, logs: Vec<FlowLog>) -> EngineResult<Vec<LogView>> {
        let mut state_ids: Vec<i64> = logs.iter().map(|log| log.state_id).collect();
        let mut transition_ids: Vec<i64> = logs.iter().map(|log| log.transition_id).filter(|id| *id != 0).collect();
        let mut actors: Vec<&str> = logs
            .iter()
            .filter(|log| log.participant_type_id == participant_type::PERSON)
            .map(|log| log.participant.as_str())
            .collect();
        state_ids.sort_unstable();
        state_ids.dedup();
        transition_ids.sort_unstable();
        transition_ids.dedup();
        actors.sort_unstable();
        actors.dedup();
        let states: HashMap<i64, String> = self
            .store()
            .states_by_ids(&state_ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let transitions: HashMap<i64, (String, i64)> = self
            .store()
            .transitions_by_ids(&transition_ids)
            .await?
            .into_iter()
            .map(|t| (t.id, (t.name, t.attribute_type_id)))
            .collect();
        let users: HashMap<String, User> = self
            .store()
            .users_by_names(&actors)
            .await?
            .into_iter()
            .map(|u| (u.username.clone(), u))
            .collect();
        Ok(logs
            .into_iter()
            .map(|log| {
                let (transition_name, attribute_type_id) = match transitions.get(&log.transition_id) {
                    Some((name, attribute)) if log.transition_id != 0 => (name.clone(), *attribute),
                    _ => (intervene_type::display_name(log.intervene_type_id).to_string(), 3),
                };
                let actor = if log.participant_type_id == participant_type::PERSON {
                    users.get(&log.participant).cloned()
                } else {
                    None
                };
                LogView {
                    state_name: states.get(&log.state_id).cloned().unwrap_or_default(),
                    transition_name,
                    attribute_type_id,
                    actor,
                    log,
                }
            })
            .collect())
    }

    /// A page of a ticket's flow logs, newest first.
    pub async fn flow_logs(&self, app: &App, ticket_id: i64, paging: Paging) -> EngineResult<Page<LogView>> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let logs = self.store().flow_logs(ticket.id).await?;
        let total = logs.len() as i64;
        let window = paging.window(total);
        let page: Vec<FlowLog> = logs
            .into_iter()
            .skip(window.offset as usize)
            .take(window.limit as usize)
            .collect();
        Ok(Page {
            items: self.log_views(page).await?,
            total,
        })
    }

    /// The workflow's states (hidden ones only when current), each with its logs, and the
    /// ticket's current state id.
    pub async fn flow_steps(&self, app: &App, ticket_id: i64) -> EngineResult<(Vec<Step>, i64)> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let states = self.store().states_of_workflow(ticket.workflow_id).await?;
        let logs = self.log_views(self.store().flow_logs(ticket.id).await?).await?;
        let steps = states
            .into_iter()
            .filter(|state| !state.is_hidden || state.id == ticket.state_id)
            .map(|state| {
                let logs = logs
                    .iter()
                    .filter(|view| view.log.state_id == state.id)
                    .cloned()
                    .collect();
                Step { state, logs }
            })
            .collect();
        Ok((steps, ticket.state_id))
    }
}
