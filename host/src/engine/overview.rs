//! Small views over several tickets: their states, current handlers' details, and counts per
//! day (spec 8.8, 8.21, 8.22 with S6 and B30).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::constants::participant_type;
use super::directory::split_names;
use super::{App, Engine, EngineResult};
use crate::store::{State, Ticket, User};

/// Tickets created on one day in one workflow.
pub struct DayCount {
    pub day: String,
    pub workflow_name: String,
    pub count: i64,
}

impl Engine {
    /// The current state of each of these tickets the app may see (deleted tickets included,
    /// as in loonflow); others are left out.
    pub async fn ticket_states(&self, app: &App, ticket_ids: &[i64]) -> EngineResult<Vec<(i64, Option<State>)>> {
        let tickets: Vec<_> = self
            .store()
            .tickets_by_ids(ticket_ids)
            .await?
            .into_iter()
            .filter(|ticket| app.may_use_workflow(ticket.workflow_id))
            .collect();
        let state_ids: Vec<i64> = tickets.iter().map(|ticket| ticket.state_id).collect();
        let states: HashMap<i64, State> = self
            .store()
            .states_by_ids(&state_ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        Ok(tickets
            .into_iter()
            .map(|ticket| (ticket.id, states.get(&ticket.state_id).cloned()))
            .collect())
    }

    /// The usernames a ticket waits for and the directory entries of those that exist.
    pub async fn current_handlers(&self, app: &App, ticket_id: i64) -> EngineResult<(Vec<String>, Vec<User>)> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        self.handlers_of(&ticket).await
    }

    /// The usernames a ticket waits for and the directory entries of those that exist.
    pub(super) async fn handlers_of(&self, ticket: &Ticket) -> EngineResult<(Vec<String>, Vec<User>)> {
        let names = match ticket.participant_type_id {
            participant_type::PERSON | participant_type::PEOPLE => split_names(&ticket.participant),
            participant_type::DEPT => {
                let ids: Vec<i64> = split_names(&ticket.participant)
                    .iter()
                    .filter_map(|id| id.parse().ok())
                    .collect();
                self.dept_members(&ids).await?
            }
            participant_type::ROLE => match ticket.participant.trim().parse() {
                Ok(role_id) => self.store().role_member_usernames(role_id).await?,
                Err(_) => Vec::new(),
            },
            _ => Vec::new(),
        };
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let users = self.store().users_by_names(&refs).await?;
        Ok((names, users))
    }

    /// Tickets per day and workflow, over the workflows the user manages and the app may
    /// use, between two days inclusive (open when not given).
    pub async fn tickets_per_day(
        &self,
        app: &App,
        username: &str,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> EngineResult<Vec<DayCount>> {
        let mut workflow_ids = self.managed_workflow_ids(username).await?;
        workflow_ids.retain(|id| app.may_use_workflow(*id));
        // Open bounds are years every stored time lies between, in both backends' ranges.
        let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let from = midnight(start.unwrap_or(NaiveDate::from_ymd_opt(1000, 1, 1).unwrap_or_default()));
        let to = midnight(
            end.and_then(|day| day.succ_opt())
                .unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()),
        );
        let rows = self.store().tickets_per_day(&workflow_ids, from, to).await?;
        let names: HashMap<i64, String> = self
            .store()
            .workflows_by_ids(&workflow_ids)
            .await?
            .into_iter()
            .map(|w| (w.id, w.name))
            .collect();
        Ok(rows
            .into_iter()
            .map(|(day, workflow_id, count)| DayCount {
                day,
                workflow_name: names.get(&workflow_id).cloned().unwrap_or_default(),
                count,
            })
            .collect())
    }
}
