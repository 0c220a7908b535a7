//! The fields a state requires, and plausible values for them by loonflow field type.

use serde_json::{Map, Value, json};

/// A field a state marks as required (field_attribute 2).
#[derive(Debug, Clone)]
pub struct Field {
    key: String,
    type_id: i64,
    first_choice: Option<String>,
}

const REQUIRED: i64 = 2;

/// The required entries of a `field_list` (from init_state or a ticket detail).
pub fn required(field_list: &Value) -> Vec<Field> {
    field_list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["field_attribute"].as_i64() == Some(REQUIRED))
        .filter_map(|entry| {
            Some(Field {
                key: entry["field_key"].as_str()?.to_string(),
                type_id: entry["field_type_id"].as_i64().unwrap_or(5),
                first_choice: entry["field_choice"]
                    .as_object()
                    .and_then(|choices| choices.keys().next().cloned()),
            })
        })
        .collect()
}

/// Adds a value for each field to `body`. `username` fills user fields; `serial` makes texts
/// distinct. Date fields get successive days so that an end follows its start.
pub fn fill(body: &mut Map<String, Value>, fields: &[Field], username: &str, serial: u64) {
    let mut day = 0;
    for field in fields {
        let text = json!(format!("bench {serial}"));
        let value = match field.type_id {
            10 => json!(1),
            15 => json!(1.5),
            20 => json!(true),
            25 | 30 => {
                day += 1;
                let date = format!("2026-12-{:02}", day.min(28));
                match field.type_id {
                    25 => json!(date),
                    _ => json!(format!("{date} 09:00:00")),
                }
            }
            35 | 40 | 45 | 50 => field.first_choice.clone().map(Value::String).unwrap_or(text),
            60 | 70 => json!(username),
            _ => text,
        };
        body.insert(field.key.clone(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_get_values_of_their_type() {
        let list = json!([
            {"field_key": "title", "field_type_id": 5, "field_attribute": 2},
            {"field_key": "sn", "field_type_id": 5, "field_attribute": 1},
            {"field_key": "days", "field_type_id": 15, "field_attribute": 2},
            {"field_key": "start", "field_type_id": 30, "field_attribute": 2},
            {"field_key": "end", "field_type_id": 30, "field_attribute": 2},
            {"field_key": "kind", "field_type_id": 40, "field_attribute": 2, "field_choice": {"2": "b", "1": "a"}},
            {"field_key": "proxy", "field_type_id": 60, "field_attribute": 2},
            {"field_key": "note", "field_type_id": 55, "field_attribute": 3}
        ]);
        let mut body = Map::new();
        fill(&mut body, &required(&list), "webb", 7);
        assert_eq!(
            Value::Object(body),
            json!({
                "title": "bench 7", "days": 1.5, "start": "2026-12-01 09:00:00",
                "end": "2026-12-02 09:00:00", "kind": "2", "proxy": "webb"
            })
        );
    }
}
