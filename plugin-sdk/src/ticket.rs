//! Conveniences over the ticket and its values.

use crate::{Ticket, Value};

impl Ticket {
    /// The value of a field (a ticket column or a custom field), if the ticket has it.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|field| field.key == key)
            .map(|field| &field.value)
    }
}

impl Value {
    /// Text values as text; numbers and booleans as written.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Text(text) => Some(text.clone()),
            Value::Integer(number) => Some(number.to_string()),
            Value::Number(number) => Some(number.to_string()),
            Value::Boolean(flag) => Some(flag.to_string()),
            Value::Null => None,
        }
    }

    /// Numbers, and text that reads as one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Integer(number) => Some(*number as f64),
            Value::Number(number) => Some(*number),
            Value::Text(text) => text.trim().parse().ok(),
            Value::Boolean(_) | Value::Null => None,
        }
    }
}
