//! Acting on a ticket outside its transitions (spec 8.6, 8.9, 8.11-8.14, 8.18, 8.19, with
//! B6, B7, B24, B25, S6): accept, deliver, add node, admin state change, close, retreat,
//! delete. Each checks who may do it, logs with its intervene type and keeps the ticket-user
//! index right.

use serde_json::{Map, Value};

use super::constants::{act_state, intervene_type, participant_type, state_type};
use super::hooks::hook_job;
use super::lifecycle::{self, ChangePlan, LogEntry, stored_suggestion};
use super::permissions::HandleRight;
use super::resolve::{Resolution, Subject};
use super::subtickets::parent_job;
use super::{App, Engine, EngineError, EngineResult};
use crate::store::{State, Ticket};

/// The flags of a granted handle check.
struct Granted {
    need_accept: bool,
    in_add_node: bool,
}

/// Members who have not acted yet, when the ticket is in all-process mode.
fn unacted_members(ticket: &Ticket) -> Vec<String> {
    match serde_json::from_str::<Value>(&ticket.multi_all_person) {
        Ok(Value::Object(members)) => members
            .into_iter()
            .filter(|(_, entry)| entry.get("transition_id").is_none())
            .map(|(name, _)| name)
            .collect(),
        _ => Vec::new(),
    }
}

fn empty_members() -> String {
    Value::Object(Map::new()).to_string()
}

impl Engine {
    /// Refuses anyone who may not handle the ticket now.
    async fn require_handler(&self, ticket: &Ticket, username: &str) -> EngineResult<Granted> {
        let state = self.store().state(ticket.state_id).await?;
        match self.check_handle(ticket, state.as_ref(), username, false).await?.right {
            HandleRight::Denied(reason) => Err(EngineError::Denied(reason)),
            HandleRight::Granted {
                need_accept,
                in_add_node,
            } => Ok(Granted {
                need_accept,
                in_add_node,
            }),
        }
    }

    /// A target user must exist and be active.
    async fn require_target(&self, target: &str) -> EngineResult<()> {
        match self.store().user(target).await? {
            Some(user) if user.is_active => Ok(()),
            _ => Err(EngineError::Invalid(format!(
                "target user {target} is not existed, deleted or inactive"
            ))),
        }
    }

    /// Snapshots the ticket after the plan and applies it, logged as a person's action.
    async fn apply_logged(&self, plan: &ChangePlan) -> EngineResult<()> {
        self.apply_with_snapshot(plan, participant_type::PERSON).await
    }

    fn log(plan: &mut ChangePlan, intervene: i64, username: &str, state_id: i64, suggestion: &str) {
        plan.logs.push(LogEntry {
            transition_id: 0,
            suggestion: stored_suggestion(suggestion),
            participant: username.to_string(),
            state_id,
            intervene_type_id: intervene,
        });
    }

    /// Hands the ticket to one person, who is now the only one it waits for.
    fn assign(plan: &mut ChangePlan, username: &str) {
        plan.change.participant_type_id = participant_type::PERSON;
        plan.change.participant = username.to_string();
        plan.change.relation = lifecycle::with_relations(&plan.change.relation, &[username.to_string()]);
        plan.waiting_for = Some(vec![username.to_string()]);
    }

    /// One of several candidates takes the ticket (distribute type "accept first").
    pub async fn accept(&self, app: &App, ticket_id: i64, username: &str) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let granted = self.require_handler(&ticket, username).await?;
        if !granted.need_accept {
            return Err(EngineError::Invalid(
                "participant is one people, do not accept ticket first".into(),
            ));
        }
        let mut plan = ChangePlan::for_ticket(&ticket);
        Self::assign(&mut plan, username);
        Self::log(&mut plan, intervene_type::ACCEPT, username, ticket.state_id, "接单处理");
        self.apply_logged(&plan).await
    }

    /// Passes the ticket to another user: its handler may (after accepting), and so may a
    /// workflow admin with `from_admin`.
    pub async fn deliver(
        &self,
        app: &App,
        ticket_id: i64,
        username: &str,
        target: &str,
        from_admin: bool,
        suggestion: &str,
    ) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        if from_admin {
            self.check_ticket_admin(&ticket, username).await?;
        } else if self.require_handler(&ticket, username).await?.need_accept {
            return Err(EngineError::Denied("需要先接单再处理".into()));
        }
        self.require_target(target).await?;
        let mut plan = ChangePlan::for_ticket(&ticket);
        Self::assign(&mut plan, target);
        plan.change.multi_all_person = empty_members();
        Self::log(
            &mut plan,
            intervene_type::DELIVER,
            username,
            ticket.state_id,
            suggestion,
        );
        self.apply_logged(&plan).await
    }

    /// Asks another user to look at the ticket first (加签); it comes back to this handler
    /// when they finish.
    pub async fn add_node(
        &self,
        app: &App,
        ticket_id: i64,
        username: &str,
        target: &str,
        suggestion: &str,
    ) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let granted = self.require_handler(&ticket, username).await?;
        if granted.in_add_node {
            return Err(EngineError::Denied(
                "ticket is already in add node state; finish it first".into(),
            ));
        }
        if granted.need_accept {
            return Err(EngineError::Denied("需要先接单再处理".into()));
        }
        if target == username {
            return Err(EngineError::Invalid("target_username must be another user".into()));
        }
        self.require_target(target).await?;
        let mut plan = ChangePlan::for_ticket(&ticket);
        Self::assign(&mut plan, target);
        plan.change.in_add_node = true;
        plan.change.add_node_man = username.to_string();
        Self::log(
            &mut plan,
            intervene_type::ADD_NODE,
            username,
            ticket.state_id,
            suggestion,
        );
        self.apply_logged(&plan).await
    }

    /// The added user is done: the ticket returns to whoever added them (or, in all-process
    /// mode, to the members who have yet to act).
    pub async fn add_node_end(&self, app: &App, ticket_id: i64, username: &str, suggestion: &str) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let granted = self.require_handler(&ticket, username).await?;
        if !granted.in_add_node {
            return Err(EngineError::Invalid("ticket is not in add node state".into()));
        }
        let mut plan = ChangePlan::for_ticket(&ticket);
        let unacted = unacted_members(&ticket);
        if unacted.len() > 1 {
            plan.change.participant_type_id = participant_type::PEOPLE;
            plan.change.participant = unacted.join(",");
            plan.waiting_for = Some(unacted);
        } else {
            Self::assign(&mut plan, &ticket.add_node_man);
        }
        plan.change.in_add_node = false;
        plan.change.add_node_man = String::new();
        Self::log(
            &mut plan,
            intervene_type::ADD_NODE_END,
            username,
            ticket.state_id,
            suggestion,
        );
        self.apply_logged(&plan).await
    }

    /// Moves the ticket to `state_id` as a workflow admin (B7): the state must be of the
    /// ticket's workflow; its handlers are resolved anew.
    pub async fn change_state(
        &self,
        app: &App,
        ticket_id: i64,
        username: &str,
        state_id: i64,
        suggestion: &str,
    ) -> EngineResult<State> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        self.check_ticket_admin(&ticket, username).await?;
        let target = self
            .store()
            .state(state_id)
            .await?
            .filter(|state| state.workflow_id == ticket.workflow_id)
            .ok_or_else(|| {
                EngineError::Invalid(format!("state {state_id} is not a state of this ticket's workflow"))
            })?;
        let values = self.ticket_values(&ticket).await?;
        let subject = Subject {
            creator: &ticket.creator,
            values: &values,
            parent_ticket_id: ticket.parent_ticket_id,
        };
        let resolution = self.resolve(&target, &subject).await?;
        let mut plan = ChangePlan::for_ticket(&ticket);
        self.arrive(&mut plan, &target, resolution);
        plan.change.act_state_id = match target.type_id {
            state_type::START => act_state::DRAFT,
            state_type::END => act_state::CLOSED,
            _ => act_state::ONGOING,
        };
        plan.jobs.extend(hook_job(ticket.id, &target, ticket.version + 1));
        plan.jobs.extend(self.notice_jobs_of(&ticket).await?);
        Self::log(
            &mut plan,
            intervene_type::ALTER_STATE,
            username,
            ticket.state_id,
            suggestion,
        );
        self.apply_logged(&plan).await?;
        Ok(target)
    }

    /// Puts the ticket in `state` with `resolution` as its handlers, leaving add-node mode.
    pub(super) fn arrive(&self, plan: &mut ChangePlan, state: &State, resolution: Resolution) {
        let humans = resolution.humans();
        plan.change.state_id = state.id;
        plan.change.participant_type_id = resolution.type_id;
        plan.change.participant = resolution.participant.clone();
        plan.change.multi_all_person = if resolution.all_process.is_empty() {
            empty_members()
        } else {
            resolution.all_process_json()
        };
        plan.change.in_add_node = false;
        plan.change.add_node_man = String::new();
        plan.change.relation = lifecycle::with_relations(&plan.change.relation, &humans);
        plan.waiting_for = Some(humans);
    }

    /// Ends the ticket at once: a workflow admin may in any state, its creator while it is in
    /// the start state.
    pub async fn close(&self, app: &App, ticket_id: i64, username: &str, suggestion: &str) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let start = self.store().start_state(ticket.workflow_id).await?;
        let creator_at_start = ticket.creator == username && start.is_some_and(|start| start.id == ticket.state_id);
        if !creator_at_start && self.check_ticket_admin(&ticket, username).await.is_err() {
            return Err(EngineError::Denied(
                "just ticket's creator can close ticket in start state or workflow_admin can close ticket in any state"
                    .into(),
            ));
        }
        if matches!(ticket.act_state_id, act_state::FINISHED | act_state::CLOSED) {
            return Err(EngineError::Invalid("ticket is already finished or closed".into()));
        }
        let end = self
            .store()
            .end_state(ticket.workflow_id)
            .await?
            .ok_or_else(|| EngineError::Invalid("该工作流未配置结束状态，请检查工作流配置".into()))?;
        // The close log keeps the values as they were before closing (B32).
        let snapshot = Value::Object(self.ticket_values(&ticket).await?).to_string();
        let mut plan = ChangePlan::for_ticket(&ticket);
        self.arrive(
            &mut plan,
            &end,
            Resolution {
                type_id: participant_type::NONE,
                participant: String::new(),
                all_process: Vec::new(),
            },
        );
        plan.change.act_state_id = act_state::CLOSED;
        plan.jobs.extend(parent_job(&ticket, &end));
        Self::log(
            &mut plan,
            intervene_type::CLOSE,
            username,
            end.id,
            &format!("强制关闭工单:{suggestion}"),
        );
        self.apply(&plan, &snapshot, participant_type::PERSON).await
    }

    /// The creator takes the ticket back to the start state, where the current state allows.
    pub async fn retreat(&self, app: &App, ticket_id: i64, username: &str, suggestion: &str) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        if ticket.creator != username {
            return Err(EngineError::Denied(
                "just ticket's creator can retreat ticket in specific state that enable retreat".into(),
            ));
        }
        let current = self.store().state(ticket.state_id).await?;
        if !current.is_some_and(|state| state.enable_retreat) {
            return Err(EngineError::Denied("now state can not be retreat".into()));
        }
        let start =
            self.store().start_state(ticket.workflow_id).await?.ok_or_else(|| {
                EngineError::Invalid("This workflow have no init state, please check the config".into())
            })?;
        let mut plan = ChangePlan::for_ticket(&ticket);
        self.arrive(&mut plan, &start, Resolution::person(&ticket.creator));
        plan.change.act_state_id = act_state::WITHDRAWN;
        Self::log(&mut plan, intervene_type::RETREAT, username, start.id, suggestion);
        self.apply_logged(&plan).await
    }

    /// Soft-deletes the ticket as a workflow admin; the log keeps its last values.
    pub async fn delete_ticket(&self, app: &App, ticket_id: i64, username: &str, suggestion: &str) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        self.check_ticket_admin(&ticket, username).await?;
        let snapshot = Value::Object(self.ticket_values(&ticket).await?).to_string();
        let mut plan = ChangePlan::for_ticket(&ticket);
        plan.change.is_deleted = true;
        plan.waiting_for = Some(Vec::new());
        Self::log(&mut plan, intervene_type::DELETE, username, ticket.state_id, suggestion);
        self.apply(&plan, &snapshot, participant_type::PERSON).await
    }
}
