//! May this user handle or view this ticket now (spec 6.4, 6.5)?

use super::constants::{SYSTEM_USER, distribute_type, participant_type};
use super::directory::split_names;
use super::{Engine, EngineError, EngineResult};
use crate::store::{State, Ticket, Transition, Workflow};

/// The outcome of the handle check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandleRight {
    /// Not this user's turn, with loonflow's reason.
    Denied(String),
    /// The user may act; with several candidates under "accept first" they must accept before
    /// handling, and while the ticket is added to someone only "add node end" is allowed.
    Granted { need_accept: bool, in_add_node: bool },
}

/// The check's result and the transitions of the current state it looked at.
pub struct HandleCheck {
    pub right: HandleRight,
    pub transitions: Vec<Transition>,
}

impl Engine {
    /// Whether `username` may act on the ticket now. `system` lets the system user act on any
    /// ticket (timers, hooks, automatic moves).
    pub async fn check_handle(
        &self,
        ticket: &Ticket,
        state: Option<&State>,
        username: &str,
        system: bool,
    ) -> EngineResult<HandleCheck> {
        let denied = |reason: &str| HandleCheck {
            right: HandleRight::Denied(reason.to_string()),
            transitions: Vec::new(),
        };
        let Some(state) = state else {
            return Ok(denied("工单当前状态id不存在或已被删除"));
        };
        let transitions = self.store().transitions_from(state.id).await?;
        if transitions.is_empty() {
            return Ok(denied("工单当前状态无需操作"));
        }
        if system && username == SYSTEM_USER {
            return Ok(HandleCheck {
                right: HandleRight::Granted {
                    need_accept: false,
                    in_add_node: false,
                },
                transitions,
            });
        }
        let candidates = match ticket.participant_type_id {
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
        if username.is_empty() || !candidates.iter().any(|name| name == username) {
            return Ok(denied("not current participant, no permission"));
        }
        let need_accept = candidates.len() > 1 && state.distribute_type_id == distribute_type::ACCEPT_FIRST;
        Ok(HandleCheck {
            right: HandleRight::Granted {
                need_accept,
                in_add_node: ticket.in_add_node,
            },
            transitions,
        })
    }

    /// Refuses a user who may not see the ticket when its workflow checks view rights.
    pub(super) async fn check_view(&self, ticket: &Ticket, workflow: &Workflow, username: &str) -> EngineResult<()> {
        if !workflow.view_permission_check {
            return Ok(());
        }
        let user = self
            .store()
            .user(username)
            .await?
            .ok_or_else(|| EngineError::Denied(format!("user {username} is not existed or has been deleted")))?;
        if user.is_admin || split_names(&ticket.relation).iter().any(|name| name == username) {
            return Ok(());
        }
        Err(EngineError::Denied(
            "user is not relation about this ticket and the workflow open view permission check".into(),
        ))
    }

    /// Refuses a user who may not manage the ticket's workflow (spec 6.3): super admins and
    /// the workflow's creator or listed admins may.
    pub(super) async fn check_ticket_admin(&self, ticket: &Ticket, username: &str) -> EngineResult<()> {
        let user =
            self.store().user(username).await?.ok_or_else(|| {
                EngineError::Denied(format!("username: {username} is not existed or has been deleted"))
            })?;
        if user.is_admin || self.managed_workflow_ids(username).await?.contains(&ticket.workflow_id) {
            return Ok(());
        }
        Err(EngineError::Denied(
            "user has no permission to manage this ticket".into(),
        ))
    }
}
