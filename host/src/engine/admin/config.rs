//! Workflows and their states, transitions and custom fields through the admin API (spec
//! 9.2-9.14 with S10, B13, B18, B29): reads, saves checked part by part, and deletes refused
//! while something still uses the part.

use std::collections::HashMap;

use serde_json::Value;

use super::super::conditions::parse_condition_text;
use super::super::constants::participant_type;
use super::super::directory::split_names;
use super::super::fields::field_attributes;
use super::super::lifecycle::with_retries;
use super::super::{Engine, EngineError, EngineResult, Paging, WorkflowSummary};
use super::Actor;
use super::checks::{Checker, Context};
use crate::store::{
    Columns, CustomField, FieldValues, Page, State, StateValues, Table, Transition, TransitionValues, Workflow,
    WorkflowValues,
};

/// How many tickets an error lists when they block a change.
pub(super) const TICKETS_NAMED: i64 = 10;

/// Transitions with the names of their workflow's states.
#[derive(Debug, Clone)]
pub struct TransitionListing {
    pub page: Page<Transition>,
    pub state_names: HashMap<i64, String>,
}

/// A new workflow's settings before the caller's (spec 9.2 with B29).
pub(super) fn new_workflow() -> WorkflowValues {
    WorkflowValues {
        name: String::new(),
        description: String::new(),
        notices: String::new(),
        view_permission_check: true,
        limit_expression: "{}".into(),
        display_form_str: "[]".into(),
        title_template: String::new(),
        content_template: String::new(),
    }
}

/// A new state's settings before the caller's (spec 9.9 with B18, B29).
pub(super) fn new_state(workflow_id: i64) -> StateValues {
    StateValues {
        name: String::new(),
        workflow_id,
        sub_workflow_id: 0,
        is_hidden: false,
        order_id: 0,
        type_id: 0,
        enable_retreat: false,
        remember_last_man_enable: false,
        participant_type_id: participant_type::PERSON,
        participant: String::new(),
        distribute_type_id: 1,
        state_field_str: "{}".into(),
        label: "{}".into(),
    }
}

/// A new transition's settings before the caller's (spec 9.12: the admin API does not check
/// required fields unless asked).
pub(super) fn new_transition(workflow_id: i64) -> TransitionValues {
    TransitionValues {
        name: String::new(),
        workflow_id,
        transition_type_id: 1,
        timer: 0,
        source_state_id: 0,
        destination_state_id: 0,
        condition_expression: "[]".into(),
        attribute_type_id: 1,
        field_require_check: false,
        alert_enable: false,
        alert_text: String::new(),
    }
}

/// A new field's settings before the caller's (spec 9.14 with B29); the type must be given.
pub(super) fn new_field(workflow_id: i64) -> FieldValues {
    FieldValues {
        workflow_id,
        field_type_id: 0,
        field_key: String::new(),
        field_name: String::new(),
        order_id: 0,
        default_value: String::new(),
        description: String::new(),
        field_template: String::new(),
        boolean_field_display: "{}".into(),
        field_choice: "{}".into(),
        label: "{}".into(),
    }
}

/// A hook configuration sent back with its token masked (`***`, as reads show it) keeps the
/// token it had.
pub(super) fn unmask_hook_token(participant: &str, previous: &str) -> String {
    let token = |text: &str| match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(config)) => Some((config.get("hook_token").cloned(), config)),
        _ => None,
    };
    match (token(participant), token(previous)) {
        (Some((Some(Value::String(masked)), mut config)), Some((Some(Value::String(kept)), _))) if masked == "***" => {
            config.insert("hook_token".into(), Value::String(kept));
            Value::Object(config).to_string()
        }
        _ => participant.to_string(),
    }
}

/// The field keys a condition text reads and the states it leads to; nothing if it does not
/// parse.
fn condition_references(text: &str) -> (Vec<String>, Vec<i64>) {
    let entries = parse_condition_text(text).unwrap_or_default();
    (
        entries.iter().flat_map(|entry| entry.placeholders()).collect(),
        entries.iter().map(|entry| entry.target_state_id).collect(),
    )
}

/// A workflow's states (by order_id), transitions and fields (by id) as stored.
pub(super) struct Parts {
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
    pub fields: Vec<CustomField>,
}

impl Parts {
    /// What a part of the workflow is checked against.
    pub fn context(&self, workflow_id: i64) -> Context {
        Context {
            workflow_id,
            fields: self.fields.iter().map(|f| (f.id, f.field_key.clone())).collect(),
            states: self.states.iter().map(|s| (s.id, s.name.clone())).collect(),
            transitions: self
                .transitions
                .iter()
                .map(|t| (t.id, t.source_state_id, t.name.clone()))
                .collect(),
        }
    }

    fn state(&self, id: i64) -> EngineResult<&State> {
        self.states.iter().find(|state| state.id == id).ok_or_else(|| {
            EngineError::NotFound(format!(
                "state {id} is not existed or has been deleted in this workflow"
            ))
        })
    }

    fn transition(&self, id: i64) -> EngineResult<&Transition> {
        self.transitions.iter().find(|t| t.id == id).ok_or_else(|| {
            EngineError::NotFound(format!(
                "transition {id} is not existed or has been deleted in this workflow"
            ))
        })
    }

    fn field(&self, id: i64) -> EngineResult<&CustomField> {
        self.fields.iter().find(|f| f.id == id).ok_or_else(|| {
            EngineError::NotFound(format!(
                "custom field {id} is not existed or has been deleted in this workflow"
            ))
        })
    }

    fn state_names(&self) -> HashMap<i64, String> {
        self.states.iter().map(|s| (s.id, s.name.clone())).collect()
    }

    /// What uses field `key`: states listing it or taking participants from it, and
    /// transitions whose conditions read it.
    fn field_users(&self, key: &str) -> Vec<String> {
        let states = self.states.iter().filter(|state| {
            field_attributes(state).iter().any(|(listed, _)| listed == key)
                || (state.participant_type_id == participant_type::TICKET_FIELD
                    && split_names(&state.participant).iter().any(|listed| listed == key))
        });
        let transitions = self.transitions.iter().filter(|t| {
            condition_references(&t.condition_expression)
                .0
                .iter()
                .any(|read| read == key)
        });
        states
            .map(|state| format!("state {:?}", state.name))
            .chain(transitions.map(|t| format!("transition {:?}", t.name)))
            .collect()
    }

    /// The transitions that leave, enter or may lead to state `id`.
    fn state_users(&self, id: i64) -> Vec<String> {
        self.transitions
            .iter()
            .filter(|t| {
                t.source_state_id == id
                    || t.destination_state_id == id
                    || condition_references(&t.condition_expression).1.contains(&id)
            })
            .map(|t| format!("transition {:?}", t.name))
            .collect()
    }
}

impl Engine {
    pub(super) async fn workflow_parts(&self, workflow_id: i64) -> EngineResult<Parts> {
        Ok(Parts {
            states: self.store().states_of_workflow(workflow_id).await?,
            transitions: self.store().transitions_of_workflow(workflow_id).await?,
            fields: self.store().custom_fields(workflow_id).await?,
        })
    }

    /// Inserts `row` (without `id`) or updates row `id`, in a transaction of its own.
    pub(super) async fn save_row<C: Columns + Sync>(
        &self,
        id: Option<i64>,
        row: &C,
        creator: &str,
    ) -> EngineResult<i64> {
        with_retries(|| async {
            let mut tx = self.store().begin_write().await?;
            let id = match id {
                Some(id) => {
                    tx.update(id, row).await?;
                    id
                }
                None => tx.insert(row, creator).await?,
            };
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    /// Soft-deletes a row in a transaction of its own.
    pub(super) async fn delete_row(&self, table: Table, id: i64) -> EngineResult<()> {
        with_retries(|| async {
            let mut tx = self.store().begin_write().await?;
            tx.set_deleted(table, id, true).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// The workflows the actor manages that its app lists (spec 9.3).
    pub async fn administered_workflows(&self, actor: &Actor) -> EngineResult<Vec<Workflow>> {
        let mut ids = self.managed_workflow_ids(actor.name()).await?;
        ids.retain(|id| actor.require_app_workflow(*id).is_ok());
        Ok(self.store().workflows_by_ids(&ids).await?)
    }

    pub async fn workflow_detail(&self, actor: &Actor, workflow_id: i64) -> EngineResult<WorkflowSummary> {
        let workflow = self.managed_workflow(actor, workflow_id).await?;
        let admins = self.workflow_admin_names(workflow_id).await?;
        Ok(WorkflowSummary { workflow, admins })
    }

    pub(super) async fn workflow_admin_names(&self, workflow_id: i64) -> EngineResult<Vec<String>> {
        let rows = self.store().workflow_admins(&[workflow_id]).await?;
        Ok(rows.into_iter().map(|(_, username)| username).collect())
    }

    /// Creates (no `workflow_id`) or changes a workflow: `edit` sets its settings and admins.
    /// A workflow created through an app becomes usable by that app in the same transaction.
    pub async fn save_workflow<E: From<EngineError>>(
        &self,
        actor: &Actor,
        workflow_id: Option<i64>,
        edit: impl FnOnce(&mut WorkflowValues, &mut Vec<String>) -> Result<(), E>,
    ) -> Result<i64, E> {
        let (mut values, mut admins) = match workflow_id {
            None => {
                actor.require_workflow_admin("creating a workflow")?;
                (new_workflow(), Vec::new())
            }
            Some(id) => {
                let detail = self.workflow_detail(actor, id).await?;
                (WorkflowValues::from(&detail.workflow), detail.admins)
            }
        };
        edit(&mut values, &mut admins)?;
        admins = split_names(&admins.join(","));
        let context = Context {
            workflow_id: workflow_id.unwrap_or_default(),
            ..Context::default()
        };
        let mut checker = Checker::new(self.store(), context).await?;
        checker.workflow(&values, &admins, workflow_id).await?;
        checker.finish()?;
        let grant = actor.app.as_ref().map(|app| app.token_id);
        Ok(with_retries(|| async {
            let mut tx = self.store().begin_write().await?;
            let id = match workflow_id {
                Some(id) => {
                    tx.update(id, &values).await?;
                    id
                }
                None => tx.insert(&values, actor.name()).await?,
            };
            tx.set_workflow_admins(id, &admins, actor.name()).await?;
            if let (None, Some(token_id)) = (workflow_id, grant) {
                tx.grant_workflow(token_id, id).await?;
            }
            tx.commit().await?;
            Ok(id)
        })
        .await?)
    }

    /// Soft-deletes a workflow; its parts and tickets stay as they are (spec 9.7).
    pub async fn delete_workflow(&self, actor: &Actor, workflow_id: i64) -> EngineResult<()> {
        self.managed_workflow(actor, workflow_id).await?;
        self.delete_row(Table::Workflows, workflow_id).await
    }

    /// Every problem of a workflow: each part's and the whole workflow's.
    pub async fn validate_workflow(&self, actor: &Actor, workflow_id: i64) -> EngineResult<Vec<String>> {
        let detail = self.workflow_detail(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let mut checker = Checker::new(self.store(), parts.context(workflow_id)).await?;
        checker
            .workflow(
                &WorkflowValues::from(&detail.workflow),
                &detail.admins,
                Some(workflow_id),
            )
            .await?;
        for field in &parts.fields {
            checker.field(&FieldValues::from(field), Some(field.id));
        }
        let states: Vec<StateValues> = parts.states.iter().map(StateValues::from).collect();
        for (state, values) in parts.states.iter().zip(&states) {
            checker.state(values, Some(state.id)).await?;
        }
        for transition in &parts.transitions {
            checker
                .transition(&TransitionValues::from(transition), Some(transition.id))
                .await?;
        }
        checker.structure(&detail.workflow.name, &states);
        Ok(checker.into_problems())
    }

    /// A state of a workflow the actor manages.
    pub async fn workflow_state(&self, actor: &Actor, workflow_id: i64, state_id: i64) -> EngineResult<State> {
        self.managed_workflow(actor, workflow_id).await?;
        Ok(self.workflow_parts(workflow_id).await?.state(state_id)?.clone())
    }

    /// Creates (no `state_id`) or changes a state of a workflow; `edit` sets its settings.
    pub async fn save_state<E: From<EngineError>>(
        &self,
        actor: &Actor,
        workflow_id: i64,
        state_id: Option<i64>,
        edit: impl FnOnce(&mut StateValues) -> Result<(), E>,
    ) -> Result<i64, E> {
        self.managed_workflow(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let current = state_id.map(|id| parts.state(id)).transpose()?;
        let mut values = current.map_or_else(|| new_state(workflow_id), StateValues::from);
        edit(&mut values)?;
        values.workflow_id = workflow_id;
        if let Some(current) = current {
            values.participant = unmask_hook_token(&values.participant, &current.participant);
        }
        let mut checker = Checker::new(self.store(), parts.context(workflow_id)).await?;
        checker.state(&values, state_id).await?;
        checker.finish()?;
        Ok(self.save_row(state_id, &values, actor.name()).await?)
    }

    /// Soft-deletes a state no transition and no ticket uses.
    pub async fn delete_state(&self, actor: &Actor, workflow_id: i64, state_id: i64) -> EngineResult<()> {
        self.managed_workflow(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let state = parts.state(state_id)?;
        let users = parts.state_users(state_id);
        let tickets = self.store().tickets_in_state(state_id, TICKETS_NAMED).await?;
        refuse_if_used(&format!("state {:?}", state.name), &users, &tickets)?;
        self.delete_row(Table::States, state_id).await
    }

    /// A workflow's transitions whose name contains `name`, by id.
    pub async fn list_transitions(
        &self,
        actor: &Actor,
        workflow_id: i64,
        name: Option<&str>,
        paging: Paging,
    ) -> EngineResult<TransitionListing> {
        self.managed_workflow(actor, workflow_id).await?;
        let page = self
            .store()
            .transitions_page(workflow_id, name, |total| paging.window(total))
            .await?;
        let state_names = self.workflow_parts(workflow_id).await?.state_names();
        Ok(TransitionListing { page, state_names })
    }

    /// A transition of a workflow the actor manages, as a listing of one.
    pub async fn workflow_transition(
        &self,
        actor: &Actor,
        workflow_id: i64,
        transition_id: i64,
    ) -> EngineResult<TransitionListing> {
        self.managed_workflow(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let transition = parts.transition(transition_id)?.clone();
        Ok(TransitionListing {
            page: Page {
                items: vec![transition],
                total: 1,
            },
            state_names: parts.state_names(),
        })
    }

    /// Creates (no `transition_id`) or changes a transition; `edit` sets its settings.
    pub async fn save_transition<E: From<EngineError>>(
        &self,
        actor: &Actor,
        workflow_id: i64,
        transition_id: Option<i64>,
        edit: impl FnOnce(&mut TransitionValues) -> Result<(), E>,
    ) -> Result<i64, E> {
        self.managed_workflow(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let current = transition_id.map(|id| parts.transition(id)).transpose()?;
        let mut values = current.map_or_else(|| new_transition(workflow_id), TransitionValues::from);
        edit(&mut values)?;
        values.workflow_id = workflow_id;
        let mut checker = Checker::new(self.store(), parts.context(workflow_id)).await?;
        checker.transition(&values, transition_id).await?;
        checker.finish()?;
        Ok(self.save_row(transition_id, &values, actor.name()).await?)
    }

    /// Soft-deletes a transition; flow logs keep naming it (B11).
    pub async fn delete_transition(&self, actor: &Actor, workflow_id: i64, transition_id: i64) -> EngineResult<()> {
        self.managed_workflow(actor, workflow_id).await?;
        self.workflow_parts(workflow_id).await?.transition(transition_id)?;
        self.delete_row(Table::Transitions, transition_id).await
    }

    /// A workflow's custom fields whose key, name or description contains `search`, by id.
    pub async fn list_fields(
        &self,
        actor: &Actor,
        workflow_id: i64,
        search: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Page<CustomField>> {
        self.managed_workflow(actor, workflow_id).await?;
        Ok(self
            .store()
            .custom_fields_page(workflow_id, search, |total| paging.window(total))
            .await?)
    }

    /// A custom field of a workflow the actor manages.
    pub async fn workflow_field(&self, actor: &Actor, workflow_id: i64, field_id: i64) -> EngineResult<CustomField> {
        self.managed_workflow(actor, workflow_id).await?;
        Ok(self.workflow_parts(workflow_id).await?.field(field_id)?.clone())
    }

    /// Creates (no `field_id`) or changes a custom field; `edit` sets its settings. A key or
    /// type still in use cannot change.
    pub async fn save_field<E: From<EngineError>>(
        &self,
        actor: &Actor,
        workflow_id: i64,
        field_id: Option<i64>,
        edit: impl FnOnce(&mut FieldValues) -> Result<(), E>,
    ) -> Result<i64, E> {
        self.managed_workflow(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let current = field_id.map(|id| parts.field(id)).transpose()?;
        let mut values = current.map_or_else(|| new_field(workflow_id), FieldValues::from);
        edit(&mut values)?;
        values.workflow_id = workflow_id;
        if let Some(current) = current {
            let subject = format!("field {:?}", current.field_key);
            if current.field_key != values.field_key {
                let tickets = self.tickets_with_value(current).await?;
                refuse_if_used(&subject, &parts.field_users(&current.field_key), &tickets)?;
            }
            if current.field_type_id != values.field_type_id {
                refuse_if_used(&subject, &[], &self.tickets_with_value(current).await?)?;
            }
        }
        let mut checker = Checker::new(self.store(), parts.context(workflow_id)).await?;
        checker.field(&values, field_id);
        checker.finish()?;
        Ok(self.save_row(field_id, &values, actor.name()).await?)
    }

    async fn tickets_with_value(&self, field: &CustomField) -> EngineResult<Vec<i64>> {
        Ok(self
            .store()
            .tickets_with_value(field.workflow_id, &field.field_key, TICKETS_NAMED)
            .await?)
    }

    /// Soft-deletes a custom field no state, transition or ticket uses.
    pub async fn delete_field(&self, actor: &Actor, workflow_id: i64, field_id: i64) -> EngineResult<()> {
        self.managed_workflow(actor, workflow_id).await?;
        let parts = self.workflow_parts(workflow_id).await?;
        let field = parts.field(field_id)?;
        let tickets = self.tickets_with_value(field).await?;
        refuse_if_used(
            &format!("field {:?}", field.field_key),
            &parts.field_users(&field.field_key),
            &tickets,
        )?;
        self.delete_row(Table::CustomFields, field_id).await
    }
}

/// Refuses to remove or change `subject` while parts of the workflow or tickets use it.
pub(super) fn refuse_if_used(subject: &str, parts: &[String], tickets: &[i64]) -> EngineResult<()> {
    if parts.is_empty() && tickets.is_empty() {
        return Ok(());
    }
    let mut uses = Vec::new();
    if !parts.is_empty() {
        uses.push(parts.join(", "));
    }
    if !tickets.is_empty() {
        let ids: Vec<String> = tickets.iter().map(i64::to_string).collect();
        uses.push(format!("tickets {}", ids.join(", ")));
    }
    Err(EngineError::Invalid(format!(
        "{subject} is still used by {}; change or delete those first",
        uses.join(" and ")
    )))
}

#[cfg(test)]
mod tests {
    use super::unmask_hook_token;

    #[test]
    fn a_masked_hook_token_keeps_the_stored_one() {
        let stored = r#"{"hook_url":"http://h/a","hook_token":"secret","wait":false}"#;
        let sent = r#"{"hook_url":"http://h/b","hook_token":"***","wait":true}"#;
        assert_eq!(
            unmask_hook_token(sent, stored),
            r#"{"hook_url":"http://h/b","hook_token":"secret","wait":true}"#
        );
        let new_token = r#"{"hook_url":"http://h/b","hook_token":"new"}"#;
        assert_eq!(unmask_hook_token(new_token, stored), new_token);
        assert_eq!(unmask_hook_token("ops", stored), "ops");
    }
}
