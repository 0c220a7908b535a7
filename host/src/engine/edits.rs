//! Changing a ticket outside its flow: overwriting field values (S5) and comments (B28).

use serde_json::{Map, Value};

use super::constants::{intervene_type, participant_type};
use super::lifecycle::{self, ChangePlan, LogEntry, check_title, stored_suggestion};
use super::values::convert;
use super::{App, Engine, EngineError, EngineResult};
use crate::store::{FieldWrite, NewFlowLog};

impl Engine {
    /// Overwrites custom field values and the title. Unlike loonflow, no other column can be
    /// written this way, every value is checked first, and the change is logged.
    pub async fn update_fields(
        &self,
        app: &App,
        ticket_id: i64,
        username: &str,
        values: &Map<String, Value>,
    ) -> EngineResult<()> {
        if values.is_empty() {
            return Err(EngineError::Invalid(
                "post参数为空: send the field values to change".into(),
            ));
        }
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let fields = self.store().custom_fields(ticket.workflow_id).await?;
        let mut plan = ChangePlan::for_ticket(&ticket);
        for (key, value) in values {
            if key == "title" {
                plan.change.title = check_title(value)?;
            } else if let Some(field) = fields.iter().find(|field| field.field_key == *key) {
                plan.writes.push(FieldWrite {
                    key: key.clone(),
                    name: field.field_name.clone(),
                    type_id: field.field_type_id,
                    value: convert(field, value)?,
                });
            } else {
                return Err(EngineError::Invalid(format!(
                    "{key} is not a custom field of this ticket's workflow; only custom fields and title can be changed"
                )));
            }
        }
        let keys: Vec<&str> = values.keys().map(String::as_str).collect();
        plan.logs.push(LogEntry {
            transition_id: 0,
            suggestion: format!("修改字段: {}", keys.join(", ")),
            participant: username.to_string(),
            state_id: ticket.state_id,
            intervene_type_id: intervene_type::NONE,
        });
        let stored = self.store().field_values(&[ticket.id]).await?;
        let snapshot = lifecycle::snapshot(&plan.after(), &fields, &stored, &plan.writes);
        self.apply(&plan, &snapshot, participant_type::PERSON).await
    }

    /// Adds a comment to a ticket's history; it changes nothing else.
    pub async fn add_comment(&self, app: &App, ticket_id: i64, username: &str, suggestion: &str) -> EngineResult<()> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let snapshot = Value::Object(self.ticket_values(&ticket).await?).to_string();
        let log = NewFlowLog {
            ticket_id,
            transition_id: 0,
            suggestion: stored_suggestion(suggestion),
            participant_type_id: participant_type::PERSON,
            participant: username.to_string(),
            state_id: ticket.state_id,
            intervene_type_id: intervene_type::COMMENT,
            ticket_data: snapshot,
            creator: username.to_string(),
        };
        lifecycle::with_retries(|| async {
            let mut tx = self.store().begin_ticket_write().await?;
            tx.insert_flow_log(&log).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
