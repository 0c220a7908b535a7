//! Loonflow's JSON forms of stored values: datetimes, JSON-in-text columns, row dicts.

use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use crate::engine::{CreatorInfo, FieldEntry, ParticipantInfo, mask_hook_token};
use crate::store::{Page, State};

/// `YYYY-MM-DD HH:MM:SS`, loonflow's datetime form.
pub fn datetime(value: &NaiveDateTime) -> Value {
    Value::String(value.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// A JSON-in-text column as JSON: empty text is `{}` (B29); text that is not JSON is shown as
/// the raw string, so a broken configuration stays visible instead of failing the request.
pub fn json_text(text: &str) -> Value {
    if text.trim().is_empty() {
        return json!({});
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// `{"value": [...], "per_page", "page", "total"}` with the page the caller asked for.
pub fn page<T>(page: Page<T>, requested_page: i64, per_page: i64, item: impl Fn(T) -> Value) -> Value {
    json!({
        "value": page.items.into_iter().map(item).collect::<Vec<_>>(),
        "per_page": per_page,
        "page": requested_page,
        "total": page.total,
    })
}

/// The state row dict (spec 12.3) with `label` parsed and the hook token masked; with
/// `state_field_str` parsed too when `with_fields`.
pub fn state_dict(state: &State, with_fields: bool) -> Map<String, Value> {
    let mut dict = Map::new();
    dict.insert("id".into(), json!(state.id));
    dict.insert("creator".into(), json!(state.creator));
    dict.insert("gmt_created".into(), datetime(&state.gmt_created));
    dict.insert("gmt_modified".into(), datetime(&state.gmt_modified));
    dict.insert("is_deleted".into(), json!(state.is_deleted));
    dict.insert("name".into(), json!(state.name));
    dict.insert("workflow_id".into(), json!(state.workflow_id));
    dict.insert("sub_workflow_id".into(), json!(state.sub_workflow_id));
    dict.insert("is_hidden".into(), json!(state.is_hidden));
    dict.insert("order_id".into(), json!(state.order_id));
    dict.insert("type_id".into(), json!(state.type_id));
    dict.insert("enable_retreat".into(), json!(state.enable_retreat));
    dict.insert("remember_last_man_enable".into(), json!(state.remember_last_man_enable));
    dict.insert("participant_type_id".into(), json!(state.participant_type_id));
    dict.insert(
        "participant".into(),
        json!(mask_hook_token(state.participant_type_id, &state.participant)),
    );
    dict.insert("distribute_type_id".into(), json!(state.distribute_type_id));
    if with_fields {
        dict.insert("state_field_str".into(), json_text(&state.state_field_str));
    }
    dict.insert("label".into(), json_text(&state.label));
    dict
}

pub fn participant_info(info: &ParticipantInfo) -> Value {
    json!({
        "participant": info.participant,
        "participant_name": info.participant_name,
        "participant_type_id": info.participant_type_id,
        "participant_type_name": info.participant_type_name,
        "participant_alias": info.participant_alias,
    })
}

/// A field entry as loonflow's detail and init_state show it (spec 8.3.1, 8.3.2).
pub fn field_entry(entry: &FieldEntry) -> Value {
    json!({
        "field_key": entry.key,
        "field_name": entry.name,
        "field_value": entry.value,
        "order_id": entry.order_id,
        "field_type_id": entry.type_id,
        "field_attribute": entry.attribute,
        "description": entry.description,
        "field_choice": json_text(&entry.choice),
        "boolean_field_display": json_text(&entry.boolean_display),
        "default_value": entry.default_value,
        "field_template": entry.template,
        "label": json_text(&entry.label),
    })
}

/// `creator_info` of tickets (spec 12.5).
pub fn creator_info(creator: &CreatorInfo) -> Value {
    match &creator.user {
        Some(user) => json!({
            "username": user.username,
            "alias": user.alias,
            "is_active": user.is_active,
            "email": user.email,
            "phone": user.phone,
            "dept_info": match &creator.dept {
                Some(dept) => json!({
                    "id": dept.id,
                    "name": dept.name,
                    "parent_dept_id": dept.parent_dept_id,
                    "leader": dept.leader,
                    "approver": dept.approver,
                }),
                None => json!({"id": user.dept_id, "name": ""}),
            },
        }),
        None => json!({
            "username": creator.username, "alias": "", "is_active": false, "email": "", "phone": "", "dept_info": {}
        }),
    }
}
