//! Sub-tickets (spec 7.4 with B16): a child ticket belongs to a parent ticket and the parent
//! state that spawned it. When the last child ends, the parent — if still in that state —
//! moves on by its state's first transition as the system user. That step is a durable job
//! enqueued with the child's change, so it survives restarts and runs once.

use serde_json::{Value, json};

use super::constants::{SYSTEM_USER, intervene_type, participant_type, state_type};
use super::handle::HandleRequest;
use super::lifecycle::with_retries;
use super::{Engine, EngineError, EngineResult};
use crate::store::{NewFlowLog, NewJob, State, Ticket};

/// The job kind that settles a parent after its children.
pub const PARENT_JOB: &str = "parent";
const PARENT_SUGGESTION: &str = "所有子工单处理完毕，自动流转";
const PARENT_ATTEMPTS: i64 = 5;

/// The job to enqueue when `ticket` arrives in `state`: only for a child reaching an end.
pub(super) fn parent_job(ticket: &Ticket, state: &State) -> Option<NewJob> {
    if state.type_id != state_type::END || ticket.parent_ticket_id == 0 || ticket.parent_ticket_state_id == 0 {
        return None;
    }
    let (parent, parent_state) = (ticket.parent_ticket_id, ticket.parent_ticket_state_id);
    Some(NewJob {
        kind: PARENT_JOB.into(),
        dedup_key: Some(format!("parent:{parent}:{parent_state}")),
        payload: json!({"parent_ticket_id": parent, "parent_ticket_state_id": parent_state}).to_string(),
        due_at: crate::store::precise_now(),
        max_attempts: PARENT_ATTEMPTS,
    })
}

impl Engine {
    /// Refuses a child for a parent that is elsewhere, or of another workflow than the one
    /// the parent state names.
    pub(super) async fn check_child(
        &self,
        parent: &Ticket,
        parent_state_id: i64,
        workflow_id: i64,
    ) -> EngineResult<()> {
        if parent.state_id != parent_state_id {
            return Err(EngineError::Invalid(format!(
                "parent ticket {} is not in state {parent_state_id}, so it takes no sub-tickets there",
                parent.id
            )));
        }
        let state = self.store().state(parent_state_id).await?;
        if let Some(state) = state.filter(|state| state.sub_workflow_id != 0 && state.sub_workflow_id != workflow_id) {
            return Err(EngineError::Invalid(format!(
                "state {} takes sub-tickets of workflow {} only, not {workflow_id}",
                state.id, state.sub_workflow_id
            )));
        }
        Ok(())
    }

    /// Moves a parent on when all its children of a state have ended.
    pub async fn settle_parent(&self, payload: &str) -> EngineResult<String> {
        let payload: Value = serde_json::from_str(payload)
            .map_err(|error| EngineError::Invalid(format!("parent payload is not JSON: {error}")))?;
        let (Some(parent_id), Some(state_id)) = (
            payload["parent_ticket_id"].as_i64(),
            payload["parent_ticket_state_id"].as_i64(),
        ) else {
            return Err(EngineError::Invalid("parent payload lacks its ids".into()));
        };
        let Some(parent) = self
            .store()
            .ticket(parent_id)
            .await?
            .filter(|parent| parent.state_id == state_id)
        else {
            return Ok(format!(
                "skipped: parent ticket {parent_id} is no longer in state {state_id}"
            ));
        };
        if !self.store().children_all_ended(parent_id, state_id).await? {
            return Ok(format!(
                "waiting: ticket {parent_id} has children of state {state_id} still running"
            ));
        }
        let Some(transition) = self.store().transitions_from(state_id).await?.into_iter().next() else {
            return self
                .note_on_parent(&parent, "state has no transition to move on by")
                .await;
        };
        let request = HandleRequest {
            ticket_id: parent_id,
            transition_id: transition.id,
            username: SYSTEM_USER.into(),
            suggestion: PARENT_SUGGESTION.into(),
            fields: Default::default(),
        };
        match self.handle_visible(&parent, &request, true).await {
            Ok(()) => Ok(format!(
                "moved parent ticket {parent_id} by transition {}",
                transition.id
            )),
            Err(error @ EngineError::Store(_)) => Err(error),
            Err(error) => self.note_on_parent(&parent, &error.to_string()).await,
        }
    }

    /// Records on the parent why it could not move on by itself (B16).
    async fn note_on_parent(&self, parent: &Ticket, problem: &str) -> EngineResult<String> {
        let log = NewFlowLog {
            ticket_id: parent.id,
            transition_id: 0,
            suggestion: format!("{PARENT_SUGGESTION}失败: {problem}"),
            participant_type_id: participant_type::PERSON,
            participant: SYSTEM_USER.into(),
            state_id: parent.state_id,
            intervene_type_id: intervene_type::NONE,
            ticket_data: Value::Object(self.ticket_values(parent).await?).to_string(),
            creator: SYSTEM_USER.into(),
        };
        with_retries(|| async {
            let mut tx = self.store().begin_ticket_write().await?;
            tx.insert_flow_log(&log).await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
        Ok(format!("parent ticket {} could not move on: {problem}", parent.id))
    }
}
