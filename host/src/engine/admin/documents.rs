//! Workflows as documents (format `grebe.workflow/1`), so that teams can keep them in git: one
//! JSON document with the workflow, its fields, states and transitions, naming everything by
//! name instead of database id (states, departments, roles, notices, sub-workflows), with no
//! timestamps and in a stable order (states and fields by `order_id`, transitions as created),
//! so exporting what was imported gives the same document.
//! Hook tokens are exported masked; importing `***` keeps the token a state of that name has.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::super::constants::participant_type;
use super::super::directory::split_names;
use super::super::lifecycle::with_retries;
use super::super::participants::mask_hook_token;
use super::super::{Engine, EngineError, EngineResult};
use super::Actor;
use super::checks::{Checker, Context};
use super::config::{Parts, TICKETS_NAMED, new_field, new_state, new_transition, new_workflow, unmask_hook_token};
use crate::store::{
    CustomField, Dept, FieldValues, Notice, Role, State, StateValues, Store, Table, Transition, TransitionValues,
    WorkflowValues,
};

/// The version of the document format.
pub const FORMAT: &str = "grebe.workflow/1";

/// The id a workflow an import creates has until it is written; its new parts have other
/// negative ids meanwhile.
const NEW_WORKFLOW: i64 = -1;

/// A workflow document. Parts and keys left out take the admin API's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowDocument {
    pub format: String,
    pub workflow: WorkflowPart,
    #[serde(default)]
    pub custom_fields: Vec<FieldPart>,
    #[serde(default)]
    pub states: Vec<StatePart>,
    #[serde(default)]
    pub transitions: Vec<TransitionPart>,
}

/// The workflow's own settings; `notices` and `workflow_admin` are lists of names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkflowPart {
    pub name: String,
    pub description: String,
    pub notices: Vec<String>,
    pub view_permission_check: bool,
    /// `allow_depts` and `allow_roles` are lists of names.
    pub limit_expression: Value,
    pub display_form_str: Value,
    pub title_template: String,
    pub content_template: String,
    pub workflow_admin: Vec<String>,
}

impl Default for WorkflowPart {
    fn default() -> WorkflowPart {
        export_workflow_part(&new_workflow(), Vec::new(), Vec::new())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldPart {
    pub field_key: String,
    pub field_name: String,
    pub field_type_id: i64,
    pub order_id: i64,
    pub default_value: String,
    pub description: String,
    pub field_template: String,
    pub boolean_field_display: Value,
    pub field_choice: Value,
    pub label: Value,
}

impl Default for FieldPart {
    fn default() -> FieldPart {
        export_field(&new_field(0))
    }
}

/// A state; `participant` names departments (type 3) and roles (type 4) by name, and is an
/// object for hooks (type 10). `sub_workflow` is a workflow name or "".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatePart {
    pub name: String,
    pub is_hidden: bool,
    pub order_id: i64,
    pub type_id: i64,
    pub enable_retreat: bool,
    pub remember_last_man_enable: bool,
    pub participant_type_id: i64,
    pub participant: Value,
    pub distribute_type_id: i64,
    pub state_field_str: Value,
    pub label: Value,
    pub sub_workflow: String,
}

impl Default for StatePart {
    fn default() -> StatePart {
        let values = new_state(0);
        StatePart {
            name: values.name,
            is_hidden: values.is_hidden,
            order_id: values.order_id,
            type_id: values.type_id,
            enable_retreat: values.enable_retreat,
            remember_last_man_enable: values.remember_last_man_enable,
            participant_type_id: values.participant_type_id,
            participant: Value::String(values.participant),
            distribute_type_id: values.distribute_type_id,
            state_field_str: json_value(&values.state_field_str, json!({})),
            label: json_value(&values.label, json!({})),
            sub_workflow: String::new(),
        }
    }
}

/// A transition between states named by name; `destination_state` is "" when only
/// conditions decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransitionPart {
    pub name: String,
    pub source_state: String,
    pub destination_state: String,
    pub transition_type_id: i64,
    pub timer: i64,
    pub condition_expression: Vec<ConditionPart>,
    pub attribute_type_id: i64,
    pub field_require_check: bool,
    pub alert_enable: bool,
    pub alert_text: String,
}

impl Default for TransitionPart {
    fn default() -> TransitionPart {
        let values = new_transition(0);
        TransitionPart {
            name: values.name,
            source_state: String::new(),
            destination_state: String::new(),
            transition_type_id: values.transition_type_id,
            timer: values.timer,
            condition_expression: Vec::new(),
            attribute_type_id: values.attribute_type_id,
            field_require_check: values.field_require_check,
            alert_enable: values.alert_enable,
            alert_text: values.alert_text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionPart {
    pub expression: String,
    pub target_state: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    pub workflow_id: i64,
    pub created: bool,
}

/// A JSON-in-text column as a JSON value (`empty` for empty text); text that is not JSON stays
/// a string, which an import then refuses with the column's name.
fn json_value(text: &str, empty: Value) -> Value {
    if text.trim().is_empty() {
        return empty;
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// A JSON value of a document as the text a column stores; a string is taken as that text.
fn json_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Rows named both ways: by id for export, by name for import.
struct Named<'a> {
    what: &'static str,
    rows: Vec<(i64, &'a str)>,
}

impl<'a> Named<'a> {
    fn new(what: &'static str, rows: impl Iterator<Item = (i64, &'a str)>) -> Named<'a> {
        Named {
            what,
            rows: rows.collect(),
        }
    }

    fn name(&self, id: &str) -> Result<String, String> {
        id.trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| self.rows.iter().find(|(row, _)| *row == id))
            .map(|(_, name)| name.to_string())
            .ok_or_else(|| format!("{} {id} does not exist, so it has no name", self.what))
    }

    fn id(&self, name: &str) -> Result<i64, String> {
        let found: Vec<i64> = self
            .rows
            .iter()
            .filter(|(_, row)| *row == name)
            .map(|(id, _)| *id)
            .collect();
        match found.as_slice() {
            [id] => Ok(*id),
            [] => Err(format!("there is no {} named {name:?}", self.what)),
            ids => Err(format!(
                "the {} name {name:?} is ambiguous: {} of them have it",
                self.what,
                ids.len()
            )),
        }
    }

    /// Each item of a comma list, converted.
    fn each<T>(&self, items: &[String], convert: impl Fn(&Self, &str) -> Result<T, String>) -> Result<Vec<T>, String> {
        items.iter().map(|item| convert(self, item)).collect()
    }
}

/// The directory and configuration a document names.
struct Directory {
    depts: Vec<Dept>,
    roles: Vec<Role>,
    notices: Vec<Notice>,
    workflows: Vec<(i64, String)>,
}

impl Directory {
    async fn load(store: &Store) -> EngineResult<Directory> {
        let ids = store.all_workflow_ids().await?;
        Ok(Directory {
            depts: store.all_depts().await?,
            roles: store.all_roles().await?,
            notices: store.all_notices().await?,
            workflows: store
                .workflows_by_ids(&ids)
                .await?
                .into_iter()
                .map(|workflow| (workflow.id, workflow.name))
                .collect(),
        })
    }

    fn depts(&self) -> Named<'_> {
        Named::new("department", self.depts.iter().map(|d| (d.id, d.name.as_str())))
    }

    fn roles(&self) -> Named<'_> {
        Named::new("role", self.roles.iter().map(|r| (r.id, r.name.as_str())))
    }

    fn notices(&self) -> Named<'_> {
        Named::new("notice", self.notices.iter().map(|n| (n.id, n.name.as_str())))
    }

    /// The workflows, with the document's own (`own_id`, `own_name`) among them.
    fn workflows<'a>(&'a self, own_id: i64, own_name: &'a str) -> Named<'a> {
        let others = self
            .workflows
            .iter()
            .filter(|(id, _)| *id != own_id)
            .map(|(id, name)| (*id, name.as_str()));
        Named::new("workflow", others.chain([(own_id, own_name)]))
    }
}

/// Collects what cannot be converted, naming the object.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn take<T: Default>(&mut self, subject: &str, result: Result<T, String>) -> T {
        result.unwrap_or_else(|problem| {
            self.0.push(format!("{subject}: {problem}"));
            T::default()
        })
    }

    fn finish(self, context: &str) -> EngineResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(EngineError::Invalid(format!("{context}: {}", self.0.join("; "))))
    }
}

/// `limit_expression` with `allow_depts` and `allow_roles` converted by `convert` (ids to
/// names on export, names to ids on import).
fn convert_limits(limits: Value, convert: impl Fn(&str, &[String]) -> Result<Value, String>) -> Result<Value, String> {
    let Value::Object(mut limits) = limits else {
        return Ok(limits);
    };
    for key in ["allow_depts", "allow_roles"] {
        if let Some(value) = limits.get(key) {
            let items = match value {
                Value::Array(items) => items.iter().map(json_text).collect(),
                other => split_names(&json_text(other)),
            };
            limits.insert(key.to_string(), convert(key, &items)?);
        }
    }
    Ok(Value::Object(limits))
}

fn export_workflow_part(values: &WorkflowValues, notices: Vec<String>, admins: Vec<String>) -> WorkflowPart {
    WorkflowPart {
        name: values.name.clone(),
        description: values.description.clone(),
        notices,
        view_permission_check: values.view_permission_check,
        limit_expression: json_value(&values.limit_expression, json!({})),
        display_form_str: json_value(&values.display_form_str, json!([])),
        title_template: values.title_template.clone(),
        content_template: values.content_template.clone(),
        workflow_admin: admins,
    }
}

fn export_field(values: &FieldValues) -> FieldPart {
    FieldPart {
        field_key: values.field_key.clone(),
        field_name: values.field_name.clone(),
        field_type_id: values.field_type_id,
        order_id: values.order_id,
        default_value: values.default_value.clone(),
        description: values.description.clone(),
        field_template: values.field_template.clone(),
        boolean_field_display: json_value(&values.boolean_field_display, json!({})),
        field_choice: json_value(&values.field_choice, json!({})),
        label: json_value(&values.label, json!({})),
    }
}

fn import_field(part: &FieldPart, workflow_id: i64) -> FieldValues {
    FieldValues {
        workflow_id,
        field_type_id: part.field_type_id,
        field_key: part.field_key.clone(),
        field_name: part.field_name.clone(),
        order_id: part.order_id,
        default_value: part.default_value.clone(),
        description: part.description.clone(),
        field_template: part.field_template.clone(),
        boolean_field_display: json_text(&part.boolean_field_display),
        field_choice: json_text(&part.field_choice),
        label: json_text(&part.label),
    }
}

fn export_participant(state: &State, directory: &Directory) -> Result<Value, String> {
    let text = state.participant.trim();
    Ok(match state.participant_type_id {
        participant_type::DEPT if !text.is_empty() => {
            Value::String(directory.depts().each(&split_names(text), Named::name)?.join(","))
        }
        participant_type::ROLE if !text.is_empty() => Value::String(directory.roles().name(text)?),
        participant_type::HOOK => json_value(&mask_hook_token(participant_type::HOOK, text), Value::Null),
        _ => Value::String(state.participant.clone()),
    })
}

fn import_participant(part: &StatePart, directory: &Directory) -> Result<String, String> {
    let text = match &part.participant {
        Value::String(text) => text.clone(),
        Value::Object(_) if part.participant_type_id == participant_type::HOOK => part.participant.to_string(),
        other => {
            return Err(format!(
                "participant must be a string (an object for hooks), got {other}"
            ));
        }
    };
    let ids = |named: Named<'_>| -> Result<String, String> {
        let ids = named.each(&split_names(&text), Named::id)?;
        Ok(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
    };
    match part.participant_type_id {
        participant_type::DEPT if !text.trim().is_empty() => ids(directory.depts()),
        participant_type::ROLE if !text.trim().is_empty() => ids(directory.roles()),
        _ => Ok(text),
    }
}

/// A transition as stored, with its states (and those of its conditions) given by `state_ids`.
fn import_transition(
    part: &TransitionPart,
    workflow_id: i64,
    state_ids: &HashMap<String, i64>,
) -> Result<TransitionValues, String> {
    let id_of = |name: &str| {
        state_ids
            .get(name)
            .copied()
            .ok_or_else(|| format!("there is no state named {name:?} in the document"))
    };
    let conditions = part
        .condition_expression
        .iter()
        .map(|entry| Ok(json!({"expression": entry.expression, "target_state_id": id_of(&entry.target_state)?})))
        .collect::<Result<Vec<Value>, String>>()?;
    Ok(TransitionValues {
        name: part.name.clone(),
        workflow_id,
        transition_type_id: part.transition_type_id,
        timer: part.timer,
        source_state_id: id_of(&part.source_state)?,
        destination_state_id: match part.destination_state.as_str() {
            "" => 0,
            name => id_of(name)?,
        },
        condition_expression: Value::Array(conditions).to_string(),
        attribute_type_id: part.attribute_type_id,
        field_require_check: part.field_require_check,
        alert_enable: part.alert_enable,
        alert_text: part.alert_text.clone(),
    })
}

fn transition_subject(part: &TransitionPart) -> String {
    format!("transition {:?} of state {:?}", part.name, part.source_state)
}

/// A document checked and converted, ready to be written.
struct Plan {
    workflow: WorkflowValues,
    admins: Vec<String>,
    fields: Vec<FieldValues>,
    /// Each state with the id of the stored state of that name, if any.
    states: Vec<(Option<i64>, StateValues)>,
}

impl Engine {
    /// A workflow the actor manages as a document.
    pub async fn export_workflow(&self, actor: &Actor, workflow_id: i64) -> EngineResult<WorkflowDocument> {
        let detail = self.workflow_detail(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let directory = Directory::load(self.store()).await?;
        let workflow = WorkflowValues::from(&detail.workflow);
        let mut problems = Problems::default();
        let subject = format!("workflow {:?}", workflow.name);
        let notices = directory.notices().each(&split_names(&workflow.notices), Named::name);
        let notices = problems.take(&subject, notices);
        let mut part = export_workflow_part(&workflow, notices, detail.admins);
        let limits = convert_limits(part.limit_expression, |key, ids| {
            let named = if key == "allow_depts" {
                directory.depts()
            } else {
                directory.roles()
            };
            Ok(json!(named.each(ids, Named::name)?))
        });
        part.limit_expression = problems
            .take(&format!("{subject} limit_expression"), limits.map(Some))
            .unwrap_or_default();
        let state_name = |id: i64| parts.states.iter().find(|s| s.id == id).map(|s| s.name.clone());
        let workflows = directory.workflows(workflow_id, &workflow.name);
        let states = parts
            .states
            .iter()
            .map(|state| {
                let subject = format!("state {:?}", state.name);
                let participant = problems.take(&subject, export_participant(state, &directory).map(Some));
                let sub_workflow = match state.sub_workflow_id {
                    0 => String::new(),
                    id => problems.take(&subject, workflows.name(&id.to_string())),
                };
                StatePart {
                    name: state.name.clone(),
                    is_hidden: state.is_hidden,
                    order_id: state.order_id,
                    type_id: state.type_id,
                    enable_retreat: state.enable_retreat,
                    remember_last_man_enable: state.remember_last_man_enable,
                    participant_type_id: state.participant_type_id,
                    participant: participant.unwrap_or_default(),
                    distribute_type_id: state.distribute_type_id,
                    state_field_str: json_value(&state.state_field_str, json!({})),
                    label: json_value(&state.label, json!({})),
                    sub_workflow,
                }
            })
            .collect();
        let transitions = parts
            .transitions
            .iter()
            .map(|transition| {
                let part = export_transition(transition, &state_name);
                problems.take(&format!("transition {:?}", transition.name), part)
            })
            .collect();
        problems.finish(&format!("workflow {workflow_id} cannot be exported"))?;
        let mut fields: Vec<&CustomField> = parts.fields.iter().collect();
        fields.sort_by_key(|field| (field.order_id, field.id));
        Ok(WorkflowDocument {
            format: FORMAT.to_string(),
            workflow: part,
            custom_fields: fields.iter().map(|f| export_field(&FieldValues::from(*f))).collect(),
            states,
            transitions,
        })
    }

    /// Creates the document's workflow, or updates the workflow of that name in place
    /// (states and transitions matched by name, fields by key; what the document leaves out
    /// is deleted), in one transaction, after checking all of it.
    pub async fn import_workflow(&self, actor: &Actor, document: &WorkflowDocument) -> EngineResult<ImportOutcome> {
        if document.format != FORMAT {
            return Err(EngineError::Invalid(format!(
                "format must be {FORMAT:?}, got {:?}",
                document.format
            )));
        }
        let name = &document.workflow.name;
        let existing = self.store().workflows_named(name).await?.first().map(|w| w.id);
        let parts = match existing {
            Some(id) => {
                self.managed_workflow(actor, id).await?;
                self.workflow_parts(id).await?
            }
            None => {
                actor.require_workflow_admin("creating a workflow")?;
                Parts {
                    states: Vec::new(),
                    transitions: Vec::new(),
                    fields: Vec::new(),
                }
            }
        };
        let own_id = existing.unwrap_or(NEW_WORKFLOW);
        let plan = self.plan_import(document, own_id, existing, &parts).await?;
        let grant = actor
            .app
            .as_ref()
            .filter(|_| existing.is_none())
            .map(|app| app.token_id);
        let workflow_id = with_retries(|| self.write_import(actor, document, &plan, existing, &parts, grant)).await?;
        Ok(ImportOutcome {
            workflow_id,
            created: existing.is_none(),
        })
    }

    /// Converts and checks a document: each part, the whole workflow, and that nothing it
    /// leaves out is still in use.
    async fn plan_import(
        &self,
        document: &WorkflowDocument,
        own_id: i64,
        existing: Option<i64>,
        parts: &Parts,
    ) -> EngineResult<Plan> {
        let directory = Directory::load(self.store()).await?;
        let mut problems = Problems::default();
        let provisional = |index: usize| -(index as i64) - 2;
        let mut context = Context {
            workflow_id: own_id,
            ..Context::default()
        };
        let part = &document.workflow;
        let subject = format!("workflow {:?}", part.name);
        let notices = directory.notices().each(&part.notices, Named::id);
        let notices = problems.take(&subject, notices);
        let limits = convert_limits(part.limit_expression.clone(), |key, names| {
            let named = if key == "allow_depts" {
                directory.depts()
            } else {
                directory.roles()
            };
            let ids = named.each(names, Named::id)?;
            Ok(Value::String(
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
            ))
        });
        let limits = problems.take(&format!("{subject} limit_expression"), limits.map(Some));
        let workflow = WorkflowValues {
            name: part.name.clone(),
            description: part.description.clone(),
            notices: notices.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
            view_permission_check: part.view_permission_check,
            limit_expression: limits.as_ref().map_or_else(String::new, json_text),
            display_form_str: json_text(&part.display_form_str),
            title_template: part.title_template.clone(),
            content_template: part.content_template.clone(),
        };
        let fields: Vec<FieldValues> = document.custom_fields.iter().map(|f| import_field(f, own_id)).collect();
        context.fields = fields
            .iter()
            .enumerate()
            .map(|(index, field)| (provisional(index), field.field_key.clone()))
            .collect();
        let mut state_ids: HashMap<String, i64> = HashMap::new();
        for (index, state) in document.states.iter().enumerate() {
            let id = parts
                .states
                .iter()
                .find(|s| s.name == state.name)
                .map_or(provisional(index), |s| s.id);
            if state_ids.insert(state.name.clone(), id).is_some() {
                problems.0.push(format!(
                    "state {:?}: another state of the document has this name",
                    state.name
                ));
            }
            context.states.push((id, state.name.clone()));
        }
        let workflows = directory.workflows(own_id, &part.name);
        let mut states = Vec::new();
        // States whose names did not convert are left to that problem alone.
        let mut checked = Vec::new();
        for state in &document.states {
            let subject = format!("state {:?}", state.name);
            let current = parts.states.iter().find(|s| s.name == state.name);
            let before = problems.0.len();
            let participant = problems.take(&subject, import_participant(state, &directory));
            let sub_workflow_id = match state.sub_workflow.as_str() {
                "" => 0,
                name => problems.take(&subject, workflows.id(name)),
            };
            let converted = problems.0.len() == before;
            let values = StateValues {
                name: state.name.clone(),
                workflow_id: own_id,
                sub_workflow_id,
                is_hidden: state.is_hidden,
                order_id: state.order_id,
                type_id: state.type_id,
                enable_retreat: state.enable_retreat,
                remember_last_man_enable: state.remember_last_man_enable,
                participant_type_id: state.participant_type_id,
                participant: current.map_or_else(
                    || participant.clone(),
                    |current| unmask_hook_token(&participant, &current.participant),
                ),
                distribute_type_id: state.distribute_type_id,
                state_field_str: json_text(&state.state_field_str),
                label: json_text(&state.label),
            };
            if converted {
                checked.push((values.clone(), state_ids.get(&state.name).copied().unwrap_or_default()));
            }
            states.push((current.map(|s| s.id), values));
        }
        let mut transitions = Vec::new();
        for (index, transition) in document.transitions.iter().enumerate() {
            let values = import_transition(transition, own_id, &state_ids).map(Some);
            if let Some(values) = problems.take(&transition_subject(transition), values) {
                context
                    .transitions
                    .push((provisional(index), values.source_state_id, values.name.clone()));
                transitions.push((provisional(index), values));
            }
        }
        let mut checker = Checker::new(self.store(), context).await?;
        checker.workflow(&workflow, &part.workflow_admin, existing).await?;
        for (index, field) in fields.iter().enumerate() {
            checker.field(field, Some(provisional(index)));
        }
        for (values, id) in &checked {
            checker.state(values, Some(*id)).await?;
        }
        for (id, values) in &transitions {
            checker.transition(values, Some(*id)).await?;
        }
        let state_values: Vec<StateValues> = states.iter().map(|(_, values)| values.clone()).collect();
        checker.structure(&part.name, &state_values);
        problems.0.extend(checker.into_problems());
        self.check_left_out(document, parts, &mut problems).await?;
        problems.finish(&format!("workflow document {:?} is not imported", part.name))?;
        Ok(Plan {
            workflow,
            admins: split_names(&part.workflow_admin.join(",")),
            fields,
            states,
        })
    }

    /// Refuses to leave out a state that tickets are in, or to leave out or retype a field that
    /// tickets hold values of.
    async fn check_left_out(
        &self,
        document: &WorkflowDocument,
        parts: &Parts,
        problems: &mut Problems,
    ) -> EngineResult<()> {
        for state in parts
            .states
            .iter()
            .filter(|s| !document.states.iter().any(|d| d.name == s.name))
        {
            let tickets = self.store().tickets_in_state(state.id, TICKETS_NAMED).await?;
            if !tickets.is_empty() {
                problems.0.push(format!(
                    "state {:?}: the document leaves it out, but tickets {} are in it",
                    state.name,
                    ids_text(&tickets)
                ));
            }
        }
        for field in &parts.fields {
            let kept = document.custom_fields.iter().find(|d| d.field_key == field.field_key);
            let change = match kept {
                None => "leaves it out".to_string(),
                Some(kept) if kept.field_type_id != field.field_type_id => format!(
                    "changes its field_type_id from {} to {}",
                    field.field_type_id, kept.field_type_id
                ),
                Some(_) => continue,
            };
            let tickets = self
                .store()
                .tickets_with_value(field.workflow_id, &field.field_key, TICKETS_NAMED)
                .await?;
            if !tickets.is_empty() {
                problems.0.push(format!(
                    "field {:?}: the document {change}, but tickets {} hold values of it",
                    field.field_key,
                    ids_text(&tickets)
                ));
            }
        }
        Ok(())
    }

    /// Writes a checked document in one transaction; returns the workflow's id.
    async fn write_import(
        &self,
        actor: &Actor,
        document: &WorkflowDocument,
        plan: &Plan,
        existing: Option<i64>,
        parts: &Parts,
        grant: Option<i64>,
    ) -> EngineResult<i64> {
        let creator = actor.name();
        let mut tx = self.store().begin_write().await?;
        let workflow_id = match existing {
            Some(id) => {
                tx.update(id, &plan.workflow).await?;
                id
            }
            None => tx.insert(&plan.workflow, creator).await?,
        };
        tx.set_workflow_admins(workflow_id, &plan.admins, creator).await?;
        if let Some(token_id) = grant {
            tx.grant_workflow(token_id, workflow_id).await?;
        }
        for field in &plan.fields {
            let values = FieldValues {
                workflow_id,
                ..field.clone()
            };
            match parts.fields.iter().find(|f| f.field_key == field.field_key) {
                Some(current) => tx.update(current.id, &values).await?,
                None => {
                    tx.insert(&values, creator).await?;
                }
            }
        }
        for field in parts
            .fields
            .iter()
            .filter(|f| !plan.fields.iter().any(|p| p.field_key == f.field_key))
        {
            tx.set_deleted(Table::CustomFields, field.id, true).await?;
        }
        let mut state_ids = HashMap::new();
        for (current, state) in &plan.states {
            let values = StateValues {
                workflow_id,
                sub_workflow_id: if state.sub_workflow_id == NEW_WORKFLOW {
                    workflow_id
                } else {
                    state.sub_workflow_id
                },
                ..state.clone()
            };
            let id = match current {
                Some(id) => {
                    tx.update(*id, &values).await?;
                    *id
                }
                None => tx.insert(&values, creator).await?,
            };
            state_ids.insert(state.name.clone(), id);
        }
        for state in parts.states.iter().filter(|s| !state_ids.contains_key(&s.name)) {
            tx.set_deleted(Table::States, state.id, true).await?;
        }
        let state_name = |id: i64| parts.states.iter().find(|s| s.id == id).map(|s| s.name.as_str());
        let mut kept = Vec::new();
        for part in &document.transitions {
            let values = import_transition(part, workflow_id, &state_ids).map_err(EngineError::Invalid)?;
            let current = parts
                .transitions
                .iter()
                .find(|t| t.name == part.name && state_name(t.source_state_id) == Some(part.source_state.as_str()));
            match current {
                Some(current) => {
                    tx.update(current.id, &values).await?;
                    kept.push(current.id);
                }
                None => {
                    tx.insert(&values, creator).await?;
                }
            }
        }
        for transition in parts.transitions.iter().filter(|t| !kept.contains(&t.id)) {
            tx.set_deleted(Table::Transitions, transition.id, true).await?;
        }
        tx.commit().await?;
        Ok(workflow_id)
    }
}

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

fn export_transition(
    transition: &Transition,
    state_name: &impl Fn(i64) -> Option<String>,
) -> Result<TransitionPart, String> {
    let name_of = |id: i64| state_name(id).ok_or_else(|| format!("state {id} is no state of the workflow"));
    let entries: Vec<Map<String, Value>> = match transition.condition_expression.trim() {
        "" => Vec::new(),
        text => {
            serde_json::from_str(text).map_err(|_| "condition_expression is not a JSON list of objects".to_string())?
        }
    };
    let condition_expression = entries
        .iter()
        .map(|entry| {
            let expression = entry.get("expression").and_then(Value::as_str);
            let target = entry.get("target_state_id").and_then(Value::as_i64);
            match (expression, target) {
                (Some(expression), Some(target)) => Ok(ConditionPart {
                    expression: expression.to_string(),
                    target_state: name_of(target)?,
                }),
                _ => Err("condition_expression entries need expression and target_state_id".to_string()),
            }
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(TransitionPart {
        name: transition.name.clone(),
        source_state: name_of(transition.source_state_id)?,
        destination_state: match transition.destination_state_id {
            0 => String::new(),
            id => name_of(id)?,
        },
        transition_type_id: transition.transition_type_id,
        timer: transition.timer,
        condition_expression,
        attribute_type_id: transition.attribute_type_id,
        field_require_check: transition.field_require_check,
        alert_enable: transition.alert_enable,
        alert_text: transition.alert_text.clone(),
    })
}
