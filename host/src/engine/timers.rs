//! Timer transitions (spec 11.4 with B4): arriving in a state arms one job per timer
//! transition leaving it; the job fires the transition as the system user unless the ticket
//! has changed in any way since it was armed.

use chrono::TimeDelta;
use serde_json::{Value, json};

use super::constants::SYSTEM_USER;
use super::handle::HandleRequest;
use super::{Engine, EngineError, EngineResult};
use crate::store::{NewJob, State};

/// The job kind of timer transitions.
pub const TIMER_JOB: &str = "timer";
/// The suggestion of a timer's flow log, as loonflow writes it.
const TIMER_SUGGESTION: &str = "定时器流转";
/// Timer transitions are type 2 (spec 3.4).
const TIMER_TRANSITION: i64 = 2;
/// A timer that keeps failing for a passing reason is tried this often.
const TIMER_ATTEMPTS: i64 = 5;

/// The integers `keys` of a job's JSON payload.
pub(super) fn payload_numbers<const N: usize>(kind: &str, payload: &str, keys: [&str; N]) -> EngineResult<[i64; N]> {
    let payload: Value = serde_json::from_str(payload)
        .map_err(|error| EngineError::Invalid(format!("{kind} payload is not JSON: {error}")))?;
    let mut numbers = [0; N];
    for (number, key) in numbers.iter_mut().zip(keys) {
        *number = payload[key]
            .as_i64()
            .ok_or_else(|| EngineError::Invalid(format!("{kind} payload has no {key}")))?;
    }
    Ok(numbers)
}

impl Engine {
    /// The timer jobs for a ticket that has just arrived in `state`, at ticket `version`.
    pub(super) async fn timer_jobs(&self, ticket_id: i64, state: &State, version: i64) -> EngineResult<Vec<NewJob>> {
        let now = crate::store::precise_now();
        Ok(self
            .store()
            .transitions_from(state.id)
            .await?
            .into_iter()
            .filter(|transition| transition.transition_type_id == TIMER_TRANSITION && transition.timer > 0)
            // A timer beyond what a clock can hold (written straight into the database) never
            // fires rather than overflowing.
            .filter_map(|transition| {
                let delay = TimeDelta::try_seconds(transition.timer)?;
                Some((transition, now.checked_add_signed(delay)?))
            })
            .map(|(transition, due_at)| NewJob {
                kind: TIMER_JOB.into(),
                dedup_key: Some(format!("timer:{ticket_id}:{}", transition.id)),
                payload: json!({
                    "ticket_id": ticket_id,
                    "state_id": state.id,
                    "transition_id": transition.id,
                    "version": version,
                })
                .to_string(),
                due_at,
                max_attempts: TIMER_ATTEMPTS,
            })
            .collect())
    }

    /// Fires a timer job. A ticket that was deleted, moved, or touched in any way since the
    /// timer was armed is left alone.
    pub async fn fire_timer(&self, payload: &str) -> EngineResult<String> {
        let [ticket_id, state_id, transition_id, version] =
            payload_numbers("timer", payload, ["ticket_id", "state_id", "transition_id", "version"])?;
        let Some(ticket) = self.store().ticket(ticket_id).await? else {
            return Ok(format!("skipped: ticket {ticket_id} is deleted"));
        };
        if ticket.state_id != state_id || ticket.version != version {
            return Ok(format!("skipped: ticket {ticket_id} changed since the timer was armed"));
        }
        let request = HandleRequest {
            ticket_id,
            transition_id,
            username: SYSTEM_USER.into(),
            suggestion: TIMER_SUGGESTION.into(),
            fields: Default::default(),
        };
        self.handle_visible(&ticket, &request, true).await?;
        Ok(format!("fired transition {transition_id} of ticket {ticket_id}"))
    }
}
