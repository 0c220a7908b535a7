//! The checks a workflow's configuration passes. Each part (the workflow, a state, a
//! transition, a field) is checked whenever it is saved; the checks of the whole workflow
//! (exactly one start state, at least one end state) run on import and on request, so that a
//! workflow can be built one part at a time. Every problem names the object and what is wrong.

use std::collections::HashMap;
use std::fmt::Display;

use serde_json::{Map, Value};

use super::super::conditions::{ConditionTest, parse_condition_text};
use super::super::constants::{SYSTEM_USER, participant_type, state_type};
use super::super::directory::split_names;
use super::super::fields::is_builtin_field;
use super::super::limits::{LIMIT_KEYS, parse_limits};
use super::super::plugin_calls::{PluginReference, participant_plugin};
use super::super::{EngineError, EngineResult};
use crate::plugins::Kind;
use crate::store::{Columns, Dept, FieldValues, Role, StateValues, Store, TransitionValues, WorkflowValues};

/// The ticket's own values a condition may read besides its fields: the ticket columns
/// (`snapshot::base_values`) and what handling adds.
const TICKET_KEYS: &[&str] = &[
    "id",
    "creator",
    "gmt_created",
    "gmt_modified",
    "is_deleted",
    "title",
    "workflow_id",
    "sn",
    "state_id",
    "parent_ticket_id",
    "parent_ticket_state_id",
    "participant_type_id",
    "participant",
    "relation",
    "in_add_node",
    "add_node_man",
    "script_run_last_result",
    "act_state_id",
    "multi_all_person",
    "username",
    "transition_id",
];

/// The longest timer: ten years, far below what date arithmetic can hold.
const MAX_TIMER_SECS: i64 = 10 * 366 * 24 * 3600;

/// How many names one directory look-up binds, below every backend's limit of bound values.
pub(super) const LOOKUP_BATCH: usize = 500;

/// Field types (spec 3.7).
const FIELD_TYPES: &[i64] = &[5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 70, 80];

/// Checks a participant of type 10: a JSON object with a `hook_url` (http or https), a string
/// `hook_token`, an optional boolean `wait` and any `extra_info`.
pub(crate) fn check_hook_config(text: &str) -> Result<(), String> {
    let Ok(Value::Object(config)) = serde_json::from_str::<Value>(text) else {
        return Err("a hook participant must be a JSON object with hook_url and hook_token".into());
    };
    if let Some(key) = config
        .keys()
        .find(|key| !matches!(key.as_str(), "hook_url" | "hook_token" | "wait" | "extra_info"))
    {
        return Err(format!(
            "the hook participant has the unknown key {key:?} (allowed: hook_url, hook_token, wait, extra_info)"
        ));
    }
    if !is_http_url(config.get("hook_url").and_then(Value::as_str).unwrap_or_default()) {
        return Err("the hook participant needs a hook_url starting with http:// or https://".into());
    }
    if !config.get("hook_token").is_some_and(Value::is_string) {
        return Err("the hook participant needs a string hook_token".into());
    }
    if config.get("wait").is_some_and(|wait| !wait.is_boolean()) {
        return Err("wait of the hook participant must be true or false".into());
    }
    Ok(())
}

/// Whether `url` is an http or https URL with something after the scheme.
pub(super) fn is_http_url(url: &str) -> bool {
    let has_rest = |scheme: &str| url.strip_prefix(scheme).is_some_and(|rest| !rest.trim().is_empty());
    has_rest("http://") || has_rest("https://")
}

/// Whether `key` can be a field key: what `{key}` placeholders of conditions accept.
fn is_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
}

/// The text as a JSON object; empty text is `{}` (B29).
fn json_object(text: &str) -> Option<Map<String, Value>> {
    if text.trim().is_empty() {
        return Some(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// The rest of the workflow a part is checked against. Ids are negative for parts an import
/// has not written yet.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    pub workflow_id: i64,
    /// `(id, field_key)` of its custom fields.
    pub fields: Vec<(i64, String)>,
    /// `(id, name)` of its states.
    pub states: Vec<(i64, String)>,
    /// `(id, source_state_id, name)` of its transitions.
    pub transitions: Vec<(i64, i64, String)>,
}

impl Context {
    fn state_name(&self, id: i64) -> Option<&str> {
        self.states
            .iter()
            .find(|(state_id, _)| *state_id == id)
            .map(|(_, name)| name.as_str())
    }

    fn has_field(&self, key: &str) -> bool {
        self.fields.iter().any(|(_, field_key)| field_key == key)
    }
}

/// Collects the problems of the parts it is shown.
pub(super) struct Checker<'a> {
    store: &'a Store,
    context: Context,
    depts: Vec<Dept>,
    roles: Vec<Role>,
    known_users: HashMap<String, bool>,
    problems: Vec<String>,
}

impl<'a> Checker<'a> {
    pub async fn new(store: &'a Store, context: Context) -> EngineResult<Checker<'a>> {
        Ok(Checker {
            depts: store.all_depts().await?,
            roles: store.all_roles().await?,
            store,
            context,
            known_users: HashMap::new(),
            problems: Vec::new(),
        })
    }

    fn problem(&mut self, subject: &str, problem: impl Display) {
        self.problems.push(format!("{subject}: {problem}"));
    }

    /// Refuses with every problem found, or passes.
    pub fn finish(self) -> EngineResult<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(EngineError::Invalid(self.problems.join("; ")))
        }
    }

    pub fn into_problems(self) -> Vec<String> {
        self.problems
    }

    fn overlong(&mut self, subject: &str, row: &impl Columns) {
        if let Some(problem) = row.overlong() {
            self.problem(subject, problem);
        }
    }

    /// The names among `names` that are no user (the system user counts as one).
    async fn unknown_users(&mut self, names: &[String]) -> EngineResult<Vec<String>> {
        let unchecked: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|name| *name != SYSTEM_USER && !self.known_users.contains_key(*name))
            .collect();
        for batch in unchecked.chunks(LOOKUP_BATCH) {
            let found = self.store.users_by_names(batch).await?;
            for name in batch {
                let known = found.iter().any(|user| user.username == *name);
                self.known_users.insert(name.to_string(), known);
            }
        }
        Ok(names
            .iter()
            .filter(|name| self.known_users.get(name.as_str()) == Some(&false))
            .cloned()
            .collect())
    }

    async fn users_exist(&mut self, subject: &str, what: &str, names: &[String]) -> EngineResult<()> {
        let unknown = self.unknown_users(names).await?;
        if !unknown.is_empty() {
            self.problem(subject, format!("{what} names no user {}", unknown.join(", ")));
        }
        Ok(())
    }

    /// The items of a comma list that are not ids of rows in `known`.
    fn unknown_ids(items: &[String], known: impl Fn(i64) -> bool) -> Vec<String> {
        items
            .iter()
            .filter(|item| item.parse::<i64>().map_or(true, |id| !known(id)))
            .cloned()
            .collect()
    }

    fn depts_exist(&mut self, subject: &str, what: &str, items: &[String]) {
        let unknown = Self::unknown_ids(items, |id| self.depts.iter().any(|dept| dept.id == id));
        if !unknown.is_empty() {
            self.problem(subject, format!("{what} names no department {}", unknown.join(", ")));
        }
    }

    fn roles_exist(&mut self, subject: &str, what: &str, items: &[String]) {
        let unknown = Self::unknown_ids(items, |id| self.roles.iter().any(|role| role.id == id));
        if !unknown.is_empty() {
            self.problem(subject, format!("{what} names no role {}", unknown.join(", ")));
        }
    }

    fn json_object(&mut self, subject: &str, column: &str, text: &str) -> Option<Map<String, Value>> {
        let object = json_object(text);
        if object.is_none() {
            self.problem(subject, format!("{column} must be a JSON object, got {text:?}"));
        }
        object
    }

    fn one_of(&mut self, subject: &str, column: &str, value: i64, allowed: &[i64], meaning: &str) {
        if !allowed.contains(&value) {
            self.problem(subject, format!("{column} must be {meaning}, got {value}"));
        }
    }

    /// The settings of the workflow itself; `own_id` is its id once it exists.
    pub async fn workflow(
        &mut self,
        values: &WorkflowValues,
        admins: &[String],
        own_id: Option<i64>,
    ) -> EngineResult<()> {
        let subject = format!("workflow {:?}", values.name);
        if values.name.trim().is_empty() {
            self.problem(&subject, "name is needed");
        }
        self.overlong(&subject, values);
        if let Some(other) = self
            .store
            .workflows_named(&values.name)
            .await?
            .into_iter()
            .find(|workflow| Some(workflow.id) != own_id)
        {
            self.problem(
                &subject,
                format!("workflow {} has this name already; workflow names are unique", other.id),
            );
        }
        let notices = self.store.all_notices().await?;
        let unknown = Self::unknown_ids(&split_names(&values.notices), |id| {
            notices.iter().any(|notice| notice.id == id)
        });
        if !unknown.is_empty() {
            self.problem(&subject, format!("notices names no notice {}", unknown.join(", ")));
        }
        self.users_exist(&subject, "workflow_admin", admins).await?;
        self.limit_expression(&subject, &values.limit_expression).await?;
        let display = values.display_form_str.trim();
        let listed: Option<Vec<Value>> = match display {
            "" => Some(Vec::new()),
            text => serde_json::from_str(text).ok(),
        };
        if !listed.is_some_and(|keys| keys.iter().all(Value::is_string)) {
            self.problem(
                &subject,
                format!("display_form_str must be a JSON list of field keys, got {display:?}"),
            );
        }
        Ok(())
    }

    async fn limit_expression(&mut self, subject: &str, text: &str) -> EngineResult<()> {
        let limits = match parse_limits(text) {
            Ok(limits) => limits,
            Err(problem) => {
                self.problem(subject, format!("limit_expression: {problem}"));
                return Ok(());
            }
        };
        let keys = json_object(text).unwrap_or_default();
        if let Some(key) = keys.keys().find(|key| !LIMIT_KEYS.contains(&key.as_str())) {
            self.problem(
                subject,
                format!(
                    "limit_expression has the unknown key {key:?} (allowed: {})",
                    LIMIT_KEYS.join(", ")
                ),
            );
        }
        self.users_exist(subject, "limit_expression allow_persons", &limits.persons)
            .await?;
        self.depts_exist(subject, "limit_expression allow_depts", &limits.depts);
        self.roles_exist(subject, "limit_expression allow_roles", &limits.roles);
        Ok(())
    }

    /// A state; `own_id` is its id once it exists.
    pub async fn state(&mut self, values: &StateValues, own_id: Option<i64>) -> EngineResult<()> {
        let subject = format!("state {:?}", values.name);
        if values.name.trim().is_empty() {
            self.problem(&subject, "name is needed");
        }
        if self
            .context
            .states
            .iter()
            .any(|(id, name)| *name == values.name && Some(*id) != own_id)
        {
            self.problem(&subject, "another state of the workflow has this name");
        }
        self.overlong(&subject, values);
        self.one_of(
            &subject,
            "type_id",
            values.type_id,
            &[0, 1, 2],
            "0 (normal), 1 (start) or 2 (end)",
        );
        self.one_of(
            &subject,
            "distribute_type_id",
            values.distribute_type_id,
            &[1, 2, 3, 4],
            "1 (accept first), 2 (direct), 3 (random) or 4 (all)",
        );
        self.participant(&subject, values).await?;
        if let Some(attributes) = self.json_object(&subject, "state_field_str", &values.state_field_str) {
            self.field_attributes(&subject, &attributes);
        }
        self.json_object(&subject, "label", &values.label);
        let sub = values.sub_workflow_id;
        if sub != 0 && sub != self.context.workflow_id && self.store.workflow(sub).await?.is_none() {
            self.problem(&subject, format!("sub_workflow_id {sub} is no workflow"));
        }
        Ok(())
    }

    fn field_attributes(&mut self, subject: &str, attributes: &Map<String, Value>) {
        for (key, attribute) in attributes {
            if !is_builtin_field(key) && !self.context.has_field(key) {
                self.problem(
                    subject,
                    format!("state_field_str names {key}, which is no field of the workflow"),
                );
            }
            if !attribute.as_i64().is_some_and(|value| (1..=3).contains(&value)) {
                self.problem(
                    subject,
                    format!(
                        "state_field_str gives {key} the attribute {attribute}; it must be 1 (read-only), 2 (required) \
                         or 3 (optional)"
                    ),
                );
            }
        }
    }

    async fn participant(&mut self, subject: &str, values: &StateValues) -> EngineResult<()> {
        use participant_type::*;
        let kind = values.participant_type_id;
        let text = values.participant.trim();
        if !matches!(kind, 0..=8 | HOOK) {
            self.problem(subject, format!("participant_type_id must be 0 to 8 or 10, got {kind}"));
            return Ok(());
        }
        if text.is_empty() {
            // Start and end states ignore their participants; a normal one needs them.
            if values.type_id == state_type::NORMAL && kind != NONE {
                self.problem(
                    subject,
                    format!("participant is empty, but participant_type_id {kind} needs one"),
                );
            }
            return Ok(());
        }
        let items = split_names(text);
        match kind {
            PERSON | PEOPLE => self.users_exist(subject, "participant", &items).await?,
            DEPT => self.depts_exist(subject, "participant", &items),
            ROLE if items.len() != 1 => self.problem(subject, "participant of type 4 (role) must be one role id"),
            ROLE => self.roles_exist(subject, "participant", &items),
            VARIABLE => {
                if let Some(unknown) = items
                    .iter()
                    .find(|item| !matches!(item.as_str(), "creator" | "creator_tl"))
                {
                    self.problem(
                        subject,
                        format!("participant {unknown:?} is no variable; use creator or creator_tl"),
                    );
                }
            }
            PLUGIN => match participant_plugin(text) {
                Some((reference, _)) => self.plugin_exists(subject, &reference, Kind::ParticipantResolver).await?,
                None => self.problem(
                    subject,
                    format!(
                        "participant {text:?} names no plugin: use name, name@version or {{\"plugin\": \"name\", \"args\": {{…}}}}"
                    ),
                ),
            },
            TICKET_FIELD => {
                if let Some(unknown) = items.iter().find(|item| !self.context.has_field(item)) {
                    let problem = format!("participant names {unknown}, which is no field of the workflow");
                    self.problem(subject, problem);
                }
            }
            PARENT_TICKET_FIELD => {
                if let Some(bad) = items.iter().find(|item| !is_key(item)) {
                    self.problem(subject, format!("participant {bad:?} is no field key"));
                }
            }
            HOOK => {
                if let Err(problem) = check_hook_config(text) {
                    self.problem(subject, problem);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A transition; `own_id` is its id once it exists.
    pub async fn transition(&mut self, values: &TransitionValues, own_id: Option<i64>) -> EngineResult<()> {
        let context = &self.context;
        let source = context.state_name(values.source_state_id);
        let subject = format!("transition {:?} of state {:?}", values.name, source.unwrap_or_default());
        let duplicate = context.transitions.iter().any(|(id, source_id, name)| {
            *source_id == values.source_state_id && *name == values.name && Some(*id) != own_id
        });
        let destination_known = context.state_name(values.destination_state_id).is_some();
        let source_known = source.is_some();
        if values.name.trim().is_empty() {
            self.problem(&subject, "name is needed");
        }
        if duplicate {
            self.problem(&subject, "another transition of this state has this name");
        }
        self.overlong(&subject, values);
        self.one_of(
            &subject,
            "transition_type_id",
            values.transition_type_id,
            &[1, 2],
            "1 (normal) or 2 (timer)",
        );
        self.one_of(
            &subject,
            "attribute_type_id",
            values.attribute_type_id,
            &[1, 2, 3],
            "1 (agree), 2 (reject) or 3 (other)",
        );
        if !(0..=MAX_TIMER_SECS).contains(&values.timer) || (values.transition_type_id == 2 && values.timer == 0) {
            self.problem(
                &subject,
                format!(
                    "timer must be a positive number of seconds for a timer transition (0 otherwise), at most \
                     {MAX_TIMER_SECS}, got {}",
                    values.timer
                ),
            );
        }
        if !source_known {
            self.problem(
                &subject,
                format!(
                    "source_state_id {} is no state of this workflow",
                    values.source_state_id
                ),
            );
        }
        if values.destination_state_id != 0 && !destination_known {
            self.problem(
                &subject,
                format!(
                    "destination_state_id {} is no state of this workflow",
                    values.destination_state_id
                ),
            );
        }
        self.conditions(&subject, values).await
    }

    async fn conditions(&mut self, subject: &str, values: &TransitionValues) -> EngineResult<()> {
        let entries = match parse_condition_text(&values.condition_expression) {
            Ok(entries) => entries,
            Err(problem) => {
                self.problem(subject, format!("condition_expression: {problem}"));
                return Ok(());
            }
        };
        if entries.is_empty() && values.destination_state_id == 0 {
            self.problem(subject, "it needs a destination_state_id or a condition_expression");
        }
        for entry in &entries {
            let label = entry.label();
            if self.context.state_name(entry.target_state_id).is_none() {
                self.problem(
                    subject,
                    format!(
                        "condition `{label}` leads to state {}, which is no state of this workflow",
                        entry.target_state_id
                    ),
                );
            }
            let unknown: Vec<String> = entry
                .placeholders()
                .into_iter()
                .filter(|key| !self.context.has_field(key) && !TICKET_KEYS.iter().any(|known| known == key))
                .collect();
            if !unknown.is_empty() {
                self.problem(
                    subject,
                    format!("condition `{label}` reads no field {}", unknown.join(", ")),
                );
            }
            if let ConditionTest::Plugin { reference, .. } = &entry.test {
                self.plugin_exists(subject, reference, Kind::ConditionEvaluator).await?;
            }
        }
        Ok(())
    }

    /// A plugin reference must name an enabled, registered plugin of the right kind.
    async fn plugin_exists(&mut self, subject: &str, reference: &PluginReference, kind: Kind) -> EngineResult<()> {
        let shown = match &reference.version {
            Some(version) => format!("{}@{version}", reference.name),
            None => reference.name.clone(),
        };
        match self
            .store
            .enabled_plugin(&reference.name, reference.version.as_deref())
            .await?
        {
            None => self.problem(subject, format!("plugin {shown} is not registered or not enabled")),
            Some(row) if row.kind != kind.as_str() => {
                self.problem(subject, format!("plugin {shown} is a {}, not a {kind}", row.kind))
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// A custom field; `own_id` is its id once it exists.
    pub fn field(&mut self, values: &FieldValues, own_id: Option<i64>) {
        let key = values.field_key.as_str();
        let subject = format!("field {key:?}");
        if !is_key(key) {
            self.problem(
                &subject,
                "field_key is needed and holds only letters, digits, '_' and '.'",
            );
        }
        if is_builtin_field(key) || TICKET_KEYS.contains(&key) {
            self.problem(&subject, "field_key is the name of a built-in ticket field");
        }
        if self
            .context
            .fields
            .iter()
            .any(|(id, other)| other == key && Some(*id) != own_id)
        {
            self.problem(&subject, "another field of the workflow has this field_key");
        }
        if values.field_name.trim().is_empty() {
            self.problem(&subject, "field_name is needed");
        }
        self.overlong(&subject, values);
        if !FIELD_TYPES.contains(&values.field_type_id) {
            let types: Vec<String> = FIELD_TYPES.iter().map(i64::to_string).collect();
            self.problem(
                &subject,
                format!(
                    "field_type_id must be one of {}, got {}",
                    types.join(", "),
                    values.field_type_id
                ),
            );
        }
        for (column, text) in [
            ("boolean_field_display", &values.boolean_field_display),
            ("field_choice", &values.field_choice),
            ("label", &values.label),
        ] {
            self.json_object(&subject, column, text);
        }
    }

    /// The checks of the whole workflow: exactly one start state and at least one end state.
    pub fn structure(&mut self, workflow_name: &str, states: &[StateValues]) {
        let subject = format!("workflow {workflow_name:?}");
        let of_type = |type_id: i64| -> Vec<&str> {
            states
                .iter()
                .filter(|state| state.type_id == type_id)
                .map(|state| state.name.as_str())
                .collect()
        };
        let starts = of_type(state_type::START);
        match starts.len() {
            0 => self.problem(&subject, "it has no start state (type_id 1)"),
            1 => {}
            n => self.problem(
                &subject,
                format!("it has {n} start states ({}); it needs exactly one", starts.join(", ")),
            ),
        }
        if of_type(state_type::END).is_empty() {
            self.problem(&subject, "it has no end state (type_id 2)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_hook_config;

    #[test]
    fn hook_configs_need_an_http_url_and_a_token() {
        assert!(
            check_hook_config(r#"{"hook_url":"https://h/x","hook_token":"t","wait":true,"extra_info":[1]}"#).is_ok()
        );
        assert!(check_hook_config(r#"{"hook_url":"ftp://h","hook_token":"t"}"#).is_err());
        assert!(check_hook_config(r#"{"hook_url":"http://h"}"#).is_err());
        assert!(check_hook_config(r#"{"hook_url":"http://h","hook_token":"t","wait":"no"}"#).is_err());
        assert!(check_hook_config(r#"{"hook_url":"http://h","hook_token":"t","other":1}"#).is_err());
        assert!(check_hook_config("[]").is_err());
    }
}
