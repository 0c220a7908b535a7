//! Creation limits of a workflow (`limit_expression`, spec 6.14 with Grebe's fixes B5).

use chrono::TimeDelta;
use serde_json::{Map, Value};

use super::directory::split_names;
use super::{Engine, EngineError, EngineResult};
use crate::store::{Tx, Workflow};

/// "At most `count` tickets per `period_hours`", by one creator or by everyone.
pub(super) struct RateLimit {
    workflow_id: i64,
    period_hours: i64,
    count: i64,
    creator: Option<String>,
}

impl RateLimit {
    /// Counts inside the creating transaction, with creations of the workflow serialised.
    pub(super) async fn enforce(&self, tx: &mut Tx) -> EngineResult<()> {
        tx.lock_workflow(self.workflow_id).await?;
        let since = crate::store::now() - TimeDelta::hours(self.period_hours);
        let made = tx
            .count_tickets_since(self.workflow_id, self.creator.as_deref(), since)
            .await?;
        if made >= self.count {
            return Err(EngineError::Denied(format!(
                "{} tickets can be created in {} hours for workflow {}",
                self.count, self.period_hours, self.workflow_id
            )));
        }
        Ok(())
    }
}

/// A limit value may be a number, a numeric string or a comma list of either.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        _ => String::new(),
    }
}

fn number_of(limits: &Map<String, Value>, key: &str, workflow: &Workflow) -> EngineResult<Option<i64>> {
    match limits.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let text = text_of(value);
            if text.trim().is_empty() {
                return Ok(None);
            }
            text.trim().parse::<f64>().map(|n| Some(n as i64)).map_err(|_| {
                EngineError::Invalid(format!(
                    "limit_expression of workflow {}: {key} must be a number",
                    workflow.id
                ))
            })
        }
    }
}

impl Engine {
    /// Refuses a creation the workflow's limits forbid, with the reason.
    /// Refuses a creation the workflow's allow lists forbid; returns its rate limit, which
    /// the creating transaction enforces (so concurrent creations cannot slip past it).
    pub(super) async fn check_creation_limits(
        &self,
        workflow: &Workflow,
        username: &str,
    ) -> EngineResult<Option<RateLimit>> {
        let text = workflow.limit_expression.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let limits = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(limits)) => limits,
            _ => {
                return Err(EngineError::Invalid(format!(
                    "limit_expression of workflow {} is not a JSON object",
                    workflow.id
                )));
            }
        };
        let period = number_of(&limits, "period", workflow)?.unwrap_or(0);
        let mut rate = None;
        if period > 0 {
            let count = number_of(&limits, "count", workflow)?.unwrap_or(0);
            if count <= 0 {
                return Err(EngineError::Invalid("count is need when level is not none".into()));
            }
            let creator = match number_of(&limits, "level", workflow)?.unwrap_or(1) {
                1 => Some(username),
                2 => None,
                _ => return Err(EngineError::Invalid("level in limit_expression is invalid".into())),
            };
            rate = Some(RateLimit {
                workflow_id: workflow.id,
                period_hours: period,
                count,
                creator: creator.map(str::to_string),
            });
        }
        let listed = |key: &str| {
            limits
                .get(key)
                .map(|value| split_names(&text_of(value)))
                .unwrap_or_default()
        };
        let refuse = || {
            EngineError::Denied(format!(
                "{username} can not create ticket base on workflow_id:{}",
                workflow.id
            ))
        };
        let persons = listed("allow_persons");
        if !persons.is_empty() && !persons.iter().any(|name| name == username) {
            return Err(refuse());
        }
        let depts = listed("allow_depts");
        let roles = listed("allow_roles");
        if depts.is_empty() && roles.is_empty() {
            return Ok(rate);
        }
        let user = self.store().user(username).await?.ok_or_else(refuse)?;
        if !depts.is_empty() {
            let chain = self.dept_chain(&user).await?;
            if !chain.iter().any(|id| depts.contains(&id.to_string())) {
                return Err(EngineError::Denied("user is not in allow dept".into()));
            }
        }
        if !roles.is_empty() {
            let user_roles = self.store().role_ids_of_user(user.id).await?;
            if !user_roles.iter().any(|id| roles.contains(&id.to_string())) {
                return Err(EngineError::Denied("user is not in allow role".into()));
            }
        }
        Ok(rate)
    }
}
