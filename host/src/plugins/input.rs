//! What a plugin call is given: the ticket, its parent's fields, the configured arguments
//! and the directory; and the JSON form of it that dry runs and `grebe plugin run` read.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::bindings::{Field, Ticket, Value as WitValue};
use super::directory::Directory;

/// A field value as plugins receive it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Null,
    Bool(bool),
    Integer(i64),
    Number(f64),
    Text(String),
}

impl FieldValue {
    pub fn from_json(value: &Value) -> FieldValue {
        match value {
            Value::Null => FieldValue::Null,
            Value::Bool(flag) => FieldValue::Bool(*flag),
            Value::Number(number) => match number.as_i64() {
                Some(int) => FieldValue::Integer(int),
                None => FieldValue::Number(number.as_f64().unwrap_or_default()),
            },
            Value::String(text) => FieldValue::Text(text.clone()),
            other => FieldValue::Text(other.to_string()),
        }
    }

    pub(super) fn to_wit(&self) -> WitValue {
        match self {
            FieldValue::Null => WitValue::Null,
            FieldValue::Bool(flag) => WitValue::Boolean(*flag),
            FieldValue::Integer(int) => WitValue::Integer(*int),
            FieldValue::Number(number) => WitValue::Number(*number),
            FieldValue::Text(text) => WitValue::Text(text.clone()),
        }
    }

    pub(super) fn from_wit(value: &WitValue) -> FieldValue {
        match value {
            WitValue::Null => FieldValue::Null,
            WitValue::Boolean(flag) => FieldValue::Bool(*flag),
            WitValue::Integer(int) => FieldValue::Integer(*int),
            WitValue::Number(number) => FieldValue::Number(*number),
            WitValue::Text(text) => FieldValue::Text(text.clone()),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Null => Value::Null,
            FieldValue::Bool(flag) => Value::Bool(*flag),
            FieldValue::Integer(int) => Value::from(*int),
            FieldValue::Number(number) => Value::from(*number),
            FieldValue::Text(text) => Value::String(text.clone()),
        }
    }

    pub(super) fn size(&self) -> usize {
        match self {
            FieldValue::Text(text) => text.len(),
            _ => 8,
        }
    }
}

/// The ticket a plugin runs for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginTicket {
    pub id: i64,
    pub sn: String,
    pub title: String,
    pub workflow_id: i64,
    pub workflow_name: String,
    pub state_id: i64,
    pub state_name: String,
    pub creator: String,
    pub parent_ticket_id: i64,
    pub fields: Vec<(String, FieldValue)>,
}

/// Everything one call receives.
#[derive(Debug, Clone, Default)]
pub struct CallInput {
    pub ticket: PluginTicket,
    pub parent_fields: Vec<(String, FieldValue)>,
    /// The configured arguments, as JSON text.
    pub args: String,
    pub directory: Arc<Directory>,
    /// `scheme://host[:port]` patterns a hook may call (a host may start with `*.`).
    pub allowed_hosts: Vec<String>,
}

fn fields_of(value: Option<&Value>) -> Vec<(String, FieldValue)> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(key, value)| (key.clone(), FieldValue::from_json(value)))
            .collect(),
        _ => Vec::new(),
    }
}

impl CallInput {
    /// Reads `{"ticket": {id, sn, title, workflow_id, workflow_name, state_id, state_name,
    /// creator, parent_ticket_id, fields: {…}}, "parent_fields": {…}, "args": …}`; missing keys
    /// are empty.
    pub fn from_json(input: &Map<String, Value>, directory: Arc<Directory>) -> CallInput {
        let ticket = input
            .get("ticket")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let text = |key: &str| ticket.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let number = |key: &str| ticket.get(key).and_then(Value::as_i64).unwrap_or_default();
        let args = match input.get("args") {
            None | Some(Value::Null) => "{}".to_string(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        };
        CallInput {
            ticket: PluginTicket {
                id: number("id"),
                sn: text("sn"),
                title: text("title"),
                workflow_id: number("workflow_id"),
                workflow_name: text("workflow_name"),
                state_id: number("state_id"),
                state_name: text("state_name"),
                creator: text("creator"),
                parent_ticket_id: number("parent_ticket_id"),
                fields: fields_of(ticket.get("fields")),
            },
            parent_fields: fields_of(input.get("parent_fields")),
            args,
            directory,
            allowed_hosts: Vec::new(),
        }
    }

    /// Bytes passed into the plugin, roughly: what the input limit counts.
    pub(super) fn size(&self) -> usize {
        let ticket = &self.ticket;
        let fields: usize = ticket
            .fields
            .iter()
            .chain(&self.parent_fields)
            .map(|(k, v)| k.len() + v.size())
            .sum();
        fields
            + self.args.len()
            + ticket.sn.len()
            + ticket.title.len()
            + ticket.workflow_name.len()
            + ticket.state_name.len()
            + ticket.creator.len()
            + 64
    }

    pub(super) fn wit_ticket(&self) -> Ticket {
        let ticket = &self.ticket;
        Ticket {
            id: ticket.id,
            sn: ticket.sn.clone(),
            title: ticket.title.clone(),
            workflow_id: ticket.workflow_id,
            workflow_name: ticket.workflow_name.clone(),
            state_id: ticket.state_id,
            state_name: ticket.state_name.clone(),
            creator: ticket.creator.clone(),
            parent_ticket_id: ticket.parent_ticket_id,
            fields: ticket
                .fields
                .iter()
                .map(|(key, value)| Field {
                    key: key.clone(),
                    value: value.to_wit(),
                })
                .collect(),
        }
    }
}
