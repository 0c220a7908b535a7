//! Field entries as a state shows them: built-in ticket fields and custom fields, filtered and
//! attributed by the state's `state_field_str` (spec 6.6, 8.3.1, 8.3.2, 9.4).

use serde_json::Value;

use crate::store::{CustomField, State};

/// Field attribute 1: shown, never written from requests.
pub const READ_ONLY: i64 = 1;

/// A built-in ticket field that states may list (spec 8.3.1).
struct BuiltinField {
    key: &'static str,
    name: &'static str,
    order_id: i64,
    description: &'static str,
}

/// The built-in fields in loonflow's build order. Creation offers only `title`; the ticket
/// detail shows the others.
const BUILTIN_FIELDS: &[BuiltinField] = &[
    BuiltinField {
        key: "sn",
        name: "流水号",
        order_id: 10,
        description: "工单的流水号",
    },
    BuiltinField {
        key: "title",
        name: "标题",
        order_id: 20,
        description: "工单的标题",
    },
    BuiltinField {
        key: "state_id",
        name: "状态id",
        order_id: 40,
        description: "工单当前状态的id",
    },
    BuiltinField {
        key: "participant_info.participant_name",
        name: "当前处理人",
        order_id: 50,
        description: "工单的当前处理人",
    },
    BuiltinField {
        key: "participant_info.participant_alias",
        name: "当前处理人",
        order_id: 55,
        description: "工单当前处理人(alias)",
    },
    BuiltinField {
        key: "workflow.workflow_name",
        name: "工作流名称",
        order_id: 60,
        description: "工单所属工作流的名称",
    },
    BuiltinField {
        key: "creator",
        name: "创建人",
        order_id: 80,
        description: "工单的创建人",
    },
    BuiltinField {
        key: "gmt_created",
        name: "创建时间",
        order_id: 100,
        description: "工单的创建时间",
    },
    BuiltinField {
        key: "gmt_modified",
        name: "更新时间",
        order_id: 120,
        description: "工单的更新时间",
    },
    BuiltinField {
        key: "state.state_name",
        name: "状态名",
        order_id: 41,
        description: "工单当前状态的名称",
    },
];

/// Whether `key` names a built-in ticket field a state may list.
pub fn is_builtin_field(key: &str) -> bool {
    BUILTIN_FIELDS.iter().any(|field| field.key == key)
}

/// Built-in fields carry loonflow's string type.
const BUILTIN_FIELD_TYPE: i64 = 5;

/// One field as shown to a user: its definition, its value and its attribute in this state.
/// The JSON-in-text definition columns are passed through raw; `api` parses them.
#[derive(Debug, Clone)]
pub struct FieldEntry {
    pub key: String,
    pub name: String,
    pub value: Value,
    pub order_id: i64,
    pub type_id: i64,
    pub attribute: i64,
    pub description: String,
    pub default_value: Option<String>,
    pub template: String,
    pub boolean_display: String,
    pub choice: String,
    pub label: String,
}

impl FieldEntry {
    fn builtin(field: &BuiltinField, value: Value) -> FieldEntry {
        FieldEntry {
            key: field.key.to_string(),
            name: field.name.to_string(),
            value,
            order_id: field.order_id,
            type_id: BUILTIN_FIELD_TYPE,
            attribute: READ_ONLY,
            description: field.description.to_string(),
            default_value: None,
            template: String::new(),
            boolean_display: String::new(),
            choice: String::new(),
            label: String::new(),
        }
    }

    fn custom(field: &CustomField, value: Value) -> FieldEntry {
        FieldEntry {
            key: field.field_key.clone(),
            name: field.field_name.clone(),
            value,
            order_id: field.order_id,
            type_id: field.field_type_id,
            attribute: READ_ONLY,
            description: field.description.clone(),
            default_value: field.default_value.clone(),
            template: field.field_template.clone(),
            boolean_display: field.boolean_field_display.clone(),
            choice: field.field_choice.clone(),
            label: field.label.clone(),
        }
    }
}

/// The `field_key -> attribute` pairs of a state, in the order written. Only JSON integers
/// count (loonflow ignores `"2"` as a string); malformed configuration lists nothing.
pub fn field_attributes(state: &State) -> Vec<(String, i64)> {
    match serde_json::from_str::<Value>(&state.state_field_str) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(key, value)| value.as_i64().map(|attribute| (key, attribute)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The fields a creator fills in at the start state: `title` and the custom fields, those the
/// state lists, with their attributes, by order_id (stable).
pub fn creation_fields(start: &State, custom_fields: &[CustomField]) -> Vec<FieldEntry> {
    let candidates = BUILTIN_FIELDS
        .iter()
        .filter(|field| field.key == "title")
        .map(|field| FieldEntry::builtin(field, Value::Null))
        .chain(custom_fields.iter().map(|field| FieldEntry::custom(field, Value::Null)));
    attributed(candidates, &field_attributes(start))
}

fn attributed(candidates: impl Iterator<Item = FieldEntry>, attributes: &[(String, i64)]) -> Vec<FieldEntry> {
    let mut entries: Vec<FieldEntry> = candidates
        .filter_map(|mut entry| {
            let (_, attribute) = attributes.iter().find(|(key, _)| *key == entry.key)?;
            entry.attribute = *attribute;
            Some(entry)
        })
        .collect();
    entries.sort_by_key(|entry| entry.order_id);
    entries
}

/// Which fields a ticket shows: those its current state lists, with their attributes (users
/// who may handle it), or those the workflow lists for viewers, read-only.
pub enum Shown {
    ForHandler(Vec<(String, i64)>),
    ForViewer(Vec<String>),
}

/// The fields of a ticket's detail (spec 8.3): built-in fields with `builtin` giving their
/// values, then custom fields with theirs; kept as `shown` says, by order_id (stable).
pub fn ticket_fields(
    builtin: impl Fn(&str) -> Value,
    custom_fields: &[CustomField],
    custom_value: impl Fn(&str) -> Value,
    shown: &Shown,
) -> Vec<FieldEntry> {
    let candidates = BUILTIN_FIELDS
        .iter()
        .map(|field| FieldEntry::builtin(field, builtin(field.key)))
        .chain(
            custom_fields
                .iter()
                .map(|field| FieldEntry::custom(field, custom_value(&field.field_key))),
        );
    match shown {
        Shown::ForHandler(attributes) => attributed(candidates, attributes),
        Shown::ForViewer(keys) => {
            let mut entries: Vec<FieldEntry> = candidates.filter(|entry| keys.contains(&entry.key)).collect();
            entries.sort_by_key(|entry| entry.order_id);
            entries
        }
    }
}
