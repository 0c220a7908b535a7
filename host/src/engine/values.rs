//! Custom field values: checking and converting what callers send into the stored type
//! (spec 3.7, 6.10.1, B17), and the JSON form of stored values.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::{EngineError, EngineResult};
use crate::store::{CustomField, StoredValue, TypedValue};

/// Longest text the database columns take, per field type (characters).
fn max_chars(type_id: i64) -> usize {
    match type_id {
        35 | 45 => 255,
        40 | 50 => 1000,
        60 => 100,
        55 => 1_000_000,
        _ => 2000,
    }
}

fn expected(type_id: i64) -> &'static str {
    match type_id {
        10 => "an integer",
        15 => "a number",
        20 => "a boolean (true or false)",
        25 => "a date as YYYY-MM-DD",
        30 => "a datetime as YYYY-MM-DD HH:MM:SS",
        40 | 50 => "a comma-separated string or a list of strings",
        70 => "a comma-separated string or a list of usernames",
        _ => "a string",
    }
}

fn invalid(field: &CustomField, value: &Value) -> EngineError {
    let shown = value.to_string();
    let shown = if shown.chars().count() > 60 {
        format!("{}…", shown.chars().take(60).collect::<String>())
    } else {
        shown
    };
    EngineError::Invalid(format!(
        "field {} ({}) expects {}, got {shown}",
        field.field_key,
        field.field_name,
        expected(field.field_type_id)
    ))
}

/// Parses loonflow's datetime inputs: `YYYY-MM-DD HH:MM[:SS[.f]]` with a space or `T`, or a
/// bare date meaning midnight.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(datetime) = NaiveDateTime::parse_from_str(text, format) {
            return Some(datetime);
        }
    }
    parse_date(text).and_then(|date| date.and_hms_opt(0, 0, 0))
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Text for text-like types: strings as sent, numbers as their digits; lists (for the
/// multi-value types) joined by commas.
fn text_of(field: &CustomField, value: &Value) -> EngineResult<String> {
    let multi = matches!(field.field_type_id, 40 | 50 | 70);
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Array(items) if multi => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                Value::Number(number) => Ok(number.to_string()),
                _ => Err(invalid(field, value)),
            })
            .collect::<EngineResult<Vec<_>>>()?
            .join(","),
        _ => return Err(invalid(field, value)),
    };
    if text.chars().count() > max_chars(field.field_type_id) {
        return Err(EngineError::Invalid(format!(
            "field {} ({}) is longer than {} characters",
            field.field_key,
            field.field_name,
            max_chars(field.field_type_id)
        )));
    }
    Ok(text)
}

/// Converts a submitted value to the field's stored type; `null` clears the value.
pub fn convert(field: &CustomField, value: &Value) -> EngineResult<TypedValue> {
    if value.is_null() {
        return Ok(TypedValue::Clear);
    }
    let bad = || invalid(field, value);
    Ok(match field.field_type_id {
        10 => TypedValue::Int(match value {
            Value::Number(number) => number.as_i64().ok_or_else(bad)?,
            Value::String(text) => text.trim().parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        }),
        15 => TypedValue::Float(match value {
            Value::Number(number) => number.as_f64().ok_or_else(bad)?,
            Value::String(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(bad)?,
            _ => return Err(bad()),
        }),
        20 => TypedValue::Bool(match value {
            Value::Bool(flag) => *flag,
            Value::Number(number) => match number.as_i64() {
                Some(0) => false,
                Some(1) => true,
                _ => return Err(bad()),
            },
            Value::String(text) => match text.trim() {
                "1" | "true" | "True" | "t" => true,
                "0" | "false" | "False" | "f" => false,
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        }),
        25 => TypedValue::Date(value.as_str().and_then(parse_date).ok_or_else(bad)?),
        30 => TypedValue::DateTime(value.as_str().and_then(parse_datetime).ok_or_else(bad)?),
        _ => TypedValue::Text(text_of(field, value)?),
    })
}

/// The JSON form of a stored value (spec 3.7).
pub fn stored_json(value: &StoredValue) -> Value {
    let text = |text: &str| Value::String(text.to_string());
    match value.field_type_id {
        10 => Value::from(value.int_value),
        15 => Value::from(value.float_value),
        20 => Value::Bool(value.bool_value),
        25 => value
            .date_value
            .map_or(Value::Null, |date| text(&date.format("%Y-%m-%d").to_string())),
        30 => value
            .datetime_value
            .map_or(Value::Null, |dt| text(&dt.format("%Y-%m-%d %H:%M:%S").to_string())),
        35 => text(&value.radio_value),
        40 => text(&value.checkbox_value),
        45 => text(&value.select_value),
        50 => text(&value.multi_select_value),
        55 => text(&value.text_value),
        60 => text(&value.username_value),
        70 => text(&value.multi_username_value),
        _ => text(&value.char_value),
    }
}

/// The JSON form of a value about to be written, as it will read back.
pub fn typed_json(value: &TypedValue) -> Value {
    match value {
        TypedValue::Text(text) => Value::String(text.clone()),
        TypedValue::Int(number) => Value::from(*number),
        TypedValue::Float(number) => Value::from(*number),
        TypedValue::Bool(flag) => Value::Bool(*flag),
        TypedValue::Date(date) => Value::String(date.format("%Y-%m-%d").to_string()),
        TypedValue::DateTime(datetime) => Value::String(datetime.format("%Y-%m-%d %H:%M:%S").to_string()),
        TypedValue::Clear => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(type_id: i64) -> CustomField {
        let now = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        CustomField {
            id: 1,
            creator: String::new(),
            gmt_created: now,
            gmt_modified: now,
            is_deleted: false,
            workflow_id: 1,
            field_type_id: type_id,
            field_key: "k".into(),
            field_name: "K".into(),
            order_id: 0,
            default_value: None,
            description: String::new(),
            field_template: String::new(),
            boolean_field_display: String::new(),
            field_choice: String::new(),
            label: String::new(),
        }
    }

    #[test]
    fn each_type_accepts_its_forms_and_refuses_others() {
        let ok = |type_id, value: Value| convert(&field(type_id), &value).unwrap();
        let err = |type_id, value: Value| convert(&field(type_id), &value).unwrap_err().to_string();
        assert_eq!(ok(5, json!("a")), TypedValue::Text("a".into()));
        assert_eq!(ok(5, json!(5)), TypedValue::Text("5".into()));
        assert!(err(5, json!(true)).contains("expects a string"));
        assert_eq!(ok(10, json!(7)), TypedValue::Int(7));
        assert_eq!(ok(10, json!("7")), TypedValue::Int(7));
        assert!(err(10, json!(7.5)).contains("expects an integer"));
        assert!(err(10, json!("x")).contains("field k (K) expects an integer, got \"x\""));
        assert_eq!(ok(15, json!("2.5")), TypedValue::Float(2.5));
        assert!(err(15, json!("NaN")).contains("a number"));
        assert_eq!(ok(20, json!("True")), TypedValue::Bool(true));
        assert_eq!(ok(20, json!(0)), TypedValue::Bool(false));
        assert!(err(20, json!(2)).contains("boolean"));
        assert_eq!(
            ok(25, json!("2024-02-29")),
            TypedValue::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert!(err(25, json!("2023-02-29")).contains("YYYY-MM-DD"));
        assert_eq!(
            ok(30, json!("2024-01-02T03:04")),
            TypedValue::DateTime(parse_datetime("2024-01-02 03:04:00").unwrap())
        );
        assert_eq!(
            ok(30, json!("2024-01-02")),
            TypedValue::DateTime(parse_datetime("2024-01-02 00:00:00").unwrap())
        );
        assert!(err(30, json!("tomorrow")).contains("datetime"));
        assert_eq!(ok(40, json!(["1", "2"])), TypedValue::Text("1,2".into()));
        assert!(err(45, json!(["1"])).contains("a string"));
        assert_eq!(ok(55, Value::Null), TypedValue::Clear);
        assert!(err(60, json!("x".repeat(101))).contains("longer than 100"));
    }
}
