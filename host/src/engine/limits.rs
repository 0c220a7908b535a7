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

/// The keys a `limit_expression` may have.
pub(crate) const LIMIT_KEYS: &[&str] = &[
    "period",
    "count",
    "level",
    "allow_persons",
    "allow_depts",
    "allow_roles",
];

/// The longest rate-limit period: ten years, far below what date arithmetic can hold.
const MAX_PERIOD_HOURS: i64 = 10 * 366 * 24;

/// A parsed `limit_expression`: at most `count` tickets per `period` hours (when `period` is
/// positive), by each creator (level 1) or by everyone (level 2), and who may create at all.
pub(crate) struct Limits {
    pub period: i64,
    pub count: i64,
    pub per_creator: bool,
    pub persons: Vec<String>,
    pub depts: Vec<String>,
    pub roles: Vec<String>,
}

/// A limit value may be a number, a numeric string or a comma list of either.
fn text_of(key: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::Null => Ok(String::new()),
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Array(items) => Ok(items
            .iter()
            .map(|item| text_of(key, item))
            .collect::<Result<Vec<_>, _>>()?
            .join(",")),
        _ => Err(format!("{key} must be a number, a string or a list of them")),
    }
}

fn number_of(limits: &Map<String, Value>, key: &str) -> Result<Option<i64>, String> {
    let Some(value) = limits.get(key) else { return Ok(None) };
    let text = text_of(key, value)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse::<f64>()
        .map(|n| Some(n as i64))
        .map_err(|_| format!("{key} must be a number"))
}

/// Parses a `limit_expression`; empty text has no limits. The error says what is wrong.
pub(crate) fn parse_limits(text: &str) -> Result<Limits, String> {
    let text = text.trim();
    let limits = match serde_json::from_str::<Value>(if text.is_empty() { "{}" } else { text }) {
        Ok(Value::Object(limits)) => limits,
        _ => return Err("it is not a JSON object".into()),
    };
    let period = number_of(&limits, "period")?.unwrap_or(0);
    if period > MAX_PERIOD_HOURS {
        return Err(format!("period must be at most {MAX_PERIOD_HOURS} hours"));
    }
    let count = number_of(&limits, "count")?.unwrap_or(0);
    if period > 0 && count <= 0 {
        return Err("count is need when level is not none".into());
    }
    let per_creator = match number_of(&limits, "level")?.unwrap_or(1) {
        1 => true,
        2 => false,
        _ => return Err("level in limit_expression is invalid".into()),
    };
    let listed = |key: &str| -> Result<Vec<String>, String> {
        limits.get(key).map_or(Ok(Vec::new()), |value| {
            text_of(key, value).map(|text| split_names(&text))
        })
    };
    Ok(Limits {
        period,
        count,
        per_creator,
        persons: listed("allow_persons")?,
        depts: listed("allow_depts")?,
        roles: listed("allow_roles")?,
    })
}

impl Engine {
    /// Refuses a creation the workflow's allow lists forbid; returns its rate limit, which
    /// the creating transaction enforces (so concurrent creations cannot slip past it).
    pub(super) async fn check_creation_limits(
        &self,
        workflow: &Workflow,
        username: &str,
    ) -> EngineResult<Option<RateLimit>> {
        let limits = parse_limits(&workflow.limit_expression).map_err(|problem| {
            EngineError::Invalid(format!("limit_expression of workflow {}: {problem}", workflow.id))
        })?;
        let rate = (limits.period > 0).then(|| RateLimit {
            workflow_id: workflow.id,
            period_hours: limits.period,
            count: limits.count,
            creator: limits.per_creator.then(|| username.to_string()),
        });
        let refuse = || {
            EngineError::Denied(format!(
                "{username} can not create ticket base on workflow_id:{}",
                workflow.id
            ))
        };
        let (persons, depts, roles) = (&limits.persons, &limits.depts, &limits.roles);
        if !persons.is_empty() && !persons.iter().any(|name| name == username) {
            return Err(refuse());
        }
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
