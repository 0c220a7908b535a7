//! Tickets as callers see them in lists and details: current participants and creator
//! described, with directory look-ups batched per page (spec 6.12.1, 12.5).

use std::collections::HashMap;

use serde_json::Value;

use super::constants::participant_type::*;
use super::directory::{Named, split_names};
use super::{Engine, EngineResult, ParticipantInfo};
use crate::store::{Dept, State, Ticket, User, Workflow};

/// Who created a ticket, when the directory knows them.
#[derive(Debug, Clone)]
pub struct CreatorInfo {
    pub username: String,
    pub user: Option<User>,
    pub dept: Option<Dept>,
}

/// A ticket with what lists and details show beside it.
#[derive(Debug, Clone)]
pub struct TicketView {
    pub ticket: Ticket,
    pub state: Option<State>,
    pub workflow: Option<Workflow>,
    pub participant_info: ParticipantInfo,
    pub creator: CreatorInfo,
}

/// The all-process members and their choices, when the ticket is in that mode.
fn all_process_entries(ticket: &Ticket) -> Vec<(String, Option<String>)> {
    match serde_json::from_str::<Value>(&ticket.multi_all_person) {
        Ok(Value::Object(members)) => members
            .into_iter()
            .map(|(name, entry)| {
                let choice = entry.get("transition_name").and_then(Value::as_str).map(str::to_string);
                (name, choice)
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Engine {
    /// Views of these tickets, in the same order.
    pub async fn ticket_views(&self, tickets: Vec<Ticket>) -> EngineResult<Vec<TicketView>> {
        let mut state_ids: Vec<i64> = tickets.iter().map(|t| t.state_id).collect();
        let mut workflow_ids: Vec<i64> = tickets.iter().map(|t| t.workflow_id).collect();
        state_ids.sort_unstable();
        state_ids.dedup();
        workflow_ids.sort_unstable();
        workflow_ids.dedup();
        let mut named = Named::default();
        for ticket in &tickets {
            named.add_user(&ticket.creator);
            named.add_participant(ticket.participant_type_id, &ticket.participant);
            for (name, _) in all_process_entries(ticket) {
                named.add_user(&name);
            }
        }
        let book = self.look_up(named, true).await?;
        let states: HashMap<i64, State> = self
            .store()
            .states_by_ids(&state_ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let workflows: HashMap<i64, Workflow> = self
            .store()
            .workflows_by_ids(&workflow_ids)
            .await?
            .into_iter()
            .map(|w| (w.id, w))
            .collect();

        let alias = |name: &str| book.alias(name);
        Ok(tickets
            .into_iter()
            .map(|ticket| {
                let participant_info = describe(&ticket, &alias, &book.depts, &book.roles);
                let user = book.users.get(&ticket.creator).cloned();
                let dept = user.as_ref().and_then(|user| book.depts.get(&user.dept_id).cloned());
                TicketView {
                    state: states.get(&ticket.state_id).cloned(),
                    workflow: workflows.get(&ticket.workflow_id).cloned(),
                    participant_info,
                    creator: CreatorInfo {
                        username: ticket.creator.clone(),
                        user,
                        dept,
                    },
                    ticket,
                }
            })
            .collect())
    }
}

/// A ticket's current participants in display form (spec 6.12.1, B21).
fn describe(
    ticket: &Ticket,
    alias: &impl Fn(&str) -> String,
    depts: &HashMap<i64, Dept>,
    roles: &HashMap<i64, String>,
) -> ParticipantInfo {
    let raw = ticket.participant.clone();
    let (type_name, name, participant_alias) = match ticket.participant_type_id {
        PERSON => (
            "个人",
            raw.clone(),
            if raw.is_empty() { String::new() } else { alias(&raw) },
        ),
        PEOPLE => (
            "多人",
            raw.clone(),
            split_names(&raw).iter().map(|n| alias(n)).collect::<Vec<_>>().join(","),
        ),
        DEPT => {
            let names = split_names(&raw)
                .iter()
                .filter_map(|id| id.parse::<i64>().ok())
                .filter_map(|id| depts.get(&id).map(|dept| dept.name.clone()))
                .collect::<Vec<_>>()
                .join(",");
            ("部门", names.clone(), names)
        }
        ROLE => {
            let role = raw
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|id| roles.get(&id).cloned())
                .unwrap_or_default();
            ("角色", role.clone(), role)
        }
        _ => ("", raw.clone(), String::new()),
    };
    let entries = all_process_entries(ticket);
    let (type_name, participant_alias) = if entries.is_empty() {
        (type_name.to_string(), participant_alias)
    } else {
        let text = entries
            .iter()
            .map(|(name, choice)| match choice {
                Some(choice) => format!("{}({name})已处理:{choice}", alias(name)),
                None => format!("{}({name})未处理", alias(name)),
            })
            .collect::<Vec<_>>()
            .join(";");
        ("多人且全部处理".to_string(), text)
    };
    ParticipantInfo {
        participant: raw,
        participant_name: name,
        participant_type_id: ticket.participant_type_id,
        participant_type_name: type_name,
        participant_alias,
    }
}
