//! Reading workflow configuration: the workflow list, what a creator needs at the start state,
//! and states (spec 9.1, 9.4, 9.8, 9.11).

use std::collections::HashMap;

use super::fields::{self, FieldEntry};
use super::{App, Engine, EngineError, EngineResult, Paging, ParticipantInfo};
use crate::store::{Page, State, Transition, Workflow};

#[derive(Debug, Clone, Default)]
pub struct WorkflowListQuery {
    /// Substring of the workflow name.
    pub name: Option<String>,
    /// Only the workflows the user manages as well.
    pub from_admin: bool,
    pub username: Option<String>,
    pub paging: Paging,
}

/// A workflow with the usernames of its listed admins.
#[derive(Debug, Clone)]
pub struct WorkflowSummary {
    pub workflow: Workflow,
    pub admins: Vec<String>,
}

/// What a creator needs: the start state, its transitions and the fields it asks for.
#[derive(Debug, Clone)]
pub struct InitState {
    pub state: State,
    pub transitions: Vec<Transition>,
    pub fields: Vec<FieldEntry>,
}

/// A state with its configured participants described.
#[derive(Debug, Clone)]
pub struct StateListing {
    pub state: State,
    pub participant_info: ParticipantInfo,
}

pub(super) fn workflow_not_found(id: i64) -> EngineError {
    EngineError::NotFound(format!("workflow {id} is not existed or has been deleted"))
}

impl Engine {
    /// The app's workflows (further limited to those the user manages with `from_admin`).
    pub async fn list_workflows(&self, app: &App, query: &WorkflowListQuery) -> EngineResult<Page<WorkflowSummary>> {
        let mut ids = app.workflow_ids.clone();
        if query.from_admin {
            let username = query
                .username
                .as_deref()
                .ok_or_else(|| EngineError::Invalid("username header is needed when from_admin is set".into()))?;
            let managed = self.managed_workflow_ids(username).await?;
            ids.retain(|id| managed.contains(id));
        }
        let page = self
            .store()
            .workflows_page(&ids, query.name.as_deref(), |total| query.paging.window(total))
            .await?;
        let page_ids: Vec<i64> = page.items.iter().map(|workflow| workflow.id).collect();
        let mut admins: HashMap<i64, Vec<String>> = HashMap::new();
        for (workflow_id, username) in self.store().workflow_admins(&page_ids).await? {
            admins.entry(workflow_id).or_default().push(username);
        }
        Ok(Page {
            total: page.total,
            items: page
                .items
                .into_iter()
                .map(|workflow| WorkflowSummary {
                    admins: admins.remove(&workflow.id).unwrap_or_default(),
                    workflow,
                })
                .collect(),
        })
    }

    /// A workflow the app may use.
    async fn permitted_workflow(&self, app: &App, workflow_id: i64) -> EngineResult<Workflow> {
        let workflow = self
            .store()
            .workflow(workflow_id)
            .await?
            .ok_or_else(|| workflow_not_found(workflow_id))?;
        app.require_workflow(workflow_id)?;
        Ok(workflow)
    }

    pub async fn init_state(&self, app: &App, workflow_id: i64) -> EngineResult<InitState> {
        self.permitted_workflow(app, workflow_id).await?;
        let state = self
            .store()
            .start_state(workflow_id)
            .await?
            .ok_or_else(|| EngineError::NotFound("该工作流尚未配置初始状态".into()))?;
        let transitions = self.store().transitions_from(state.id).await?;
        let custom_fields = self.store().custom_fields(workflow_id).await?;
        let fields = fields::creation_fields(&state, &custom_fields);
        Ok(InitState {
            state,
            transitions,
            fields,
        })
    }

    /// A state of a workflow the app may use.
    pub async fn state_detail(&self, app: &App, state_id: i64) -> EngineResult<State> {
        let state = self
            .store()
            .state(state_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("工单状态不存在或已被删除 (state {state_id})")))?;
        self.permitted_workflow(app, state.workflow_id).await?;
        Ok(state)
    }

    /// The states of a workflow the app may use, by order_id.
    pub async fn list_states(
        &self,
        app: &App,
        workflow_id: i64,
        name: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Page<StateListing>> {
        self.permitted_workflow(app, workflow_id).await?;
        let page = self
            .store()
            .states_page(workflow_id, name, |total| paging.window(total))
            .await?;
        let infos = self.describe_state_participants(&page.items).await?;
        Ok(Page {
            total: page.total,
            items: page
                .items
                .into_iter()
                .zip(infos)
                .map(|(state, participant_info)| StateListing {
                    state,
                    participant_info,
                })
                .collect(),
        })
    }
}
