//! "All field values" of a ticket (spec 6.10.3): its columns and every custom field. Used by
//! snapshots in flow logs, ticket-field participants and, later, conditions and templates.

use serde_json::{Map, Value, json};

use super::values::stored_json;
use super::{Engine, EngineResult};
use crate::store::{CustomField, StoredValue, Ticket};

fn datetime_text(datetime: &chrono::NaiveDateTime) -> Value {
    Value::String(datetime.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// The ticket's own columns in loonflow's row-dict order (spec 12.1).
pub fn base_values(ticket: &Ticket) -> Map<String, Value> {
    let json = json!({
        "id": ticket.id,
        "creator": ticket.creator,
        "gmt_created": datetime_text(&ticket.gmt_created),
        "gmt_modified": datetime_text(&ticket.gmt_modified),
        "is_deleted": ticket.is_deleted,
        "title": ticket.title,
        "workflow_id": ticket.workflow_id,
        "sn": ticket.sn,
        "state_id": ticket.state_id,
        "parent_ticket_id": ticket.parent_ticket_id,
        "parent_ticket_state_id": ticket.parent_ticket_state_id,
        "participant_type_id": ticket.participant_type_id,
        "participant": ticket.participant,
        "relation": ticket.relation,
        "in_add_node": ticket.in_add_node,
        "add_node_man": ticket.add_node_man,
        "script_run_last_result": ticket.script_run_last_result,
        "act_state_id": ticket.act_state_id,
        "multi_all_person": ticket.multi_all_person,
    });
    match json {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The base values followed by each custom field's value (null when unset).
pub fn all_values(ticket: &Ticket, fields: &[CustomField], stored: &[StoredValue]) -> Map<String, Value> {
    let mut values = base_values(ticket);
    for field in fields {
        let value = stored
            .iter()
            .find(|value| value.ticket_id == ticket.id && value.field_key == field.field_key)
            .map_or(Value::Null, stored_json);
        values.insert(field.field_key.clone(), value);
    }
    values
}

impl Engine {
    /// All field values of a stored ticket.
    pub async fn ticket_values(&self, ticket: &Ticket) -> EngineResult<Map<String, Value>> {
        let fields = self.store().custom_fields(ticket.workflow_id).await?;
        let stored = self.store().field_values(&[ticket.id]).await?;
        Ok(all_values(ticket, &fields, &stored))
    }
}
