//! Configuring Grebe: workflows and their parts, notices, the directory and app tokens, through
//! the admin API and the CLI. Every change names its actor, a user whose rights decide (spec
//! 6.3 with S10): super admins may do everything; a workflow's creator and its listed admins
//! may change that workflow; creating one needs `is_admin` or `is_workflow_admin`.

mod accounts;
mod app_tokens;
mod checks;
mod config;
mod documents;
mod graph;
mod notices;
mod sync;

pub use accounts::{Listing, Mentions, UserSaved};
pub use app_tokens::{NewAppToken, random_token};
pub use config::TransitionListing;
pub use documents::{
    ConditionPart, FieldPart, ImportOutcome, StatePart, TransitionPart, WorkflowDocument, WorkflowPart,
};
pub use graph::GraphFormat;
pub use sync::{DeptEntry, DirectoryDocument, HandlerReport, RoleEntry, SyncChanges, SyncReport, UserEntry};

use super::{App, Engine, EngineError, EngineResult};
use crate::store::{User, Workflow};

/// Who asks for a configuration change: an existing user, acting through an app (the API) or
/// directly on the database (the CLI, which has no app).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub app: Option<App>,
}

impl Actor {
    fn name(&self) -> &str {
        &self.user.username
    }

    /// Refuses anyone but a super admin, naming what they tried to manage.
    fn require_super_admin(&self, what: &str) -> EngineResult<()> {
        if self.user.is_admin {
            return Ok(());
        }
        Err(EngineError::Denied(format!(
            "has no permission: {} is not a super admin (is_admin), which managing {what} needs",
            self.name()
        )))
    }

    /// Refuses anyone who is neither a super admin nor a workflow admin.
    fn require_workflow_admin(&self, what: &str) -> EngineResult<()> {
        if self.user.is_admin || self.user.is_workflow_admin {
            return Ok(());
        }
        Err(EngineError::Denied(format!(
            "has no permission: {} is neither a super admin (is_admin) nor a workflow admin (is_workflow_admin), \
             which {what} needs",
            self.name()
        )))
    }

    /// Refuses a workflow the actor's app does not list.
    fn require_app_workflow(&self, workflow_id: i64) -> EngineResult<()> {
        match &self.app {
            Some(app) if !app.may_use_workflow(workflow_id) => Err(EngineError::Denied(format!(
                "APP:{} have no permission to manage workflow {workflow_id}: its app token does not list it",
                app.name
            ))),
            _ => Ok(()),
        }
    }
}

/// A write a unique key refused is the caller's mistake: a username or external id the
/// database holds already, compared as it compares (on MySQL, ignoring case).
fn taken(error: EngineError, what: &str) -> EngineError {
    match error {
        EngineError::Store(store) if store.is_unique_violation() => EngineError::Invalid(format!(
            "{what} is taken already (the database compares it ignoring case)"
        )),
        other => other,
    }
}

impl Engine {
    /// The actor named by `username`, which must be an existing user.
    pub async fn actor(&self, username: &str, app: Option<App>) -> EngineResult<Actor> {
        let user =
            self.store().user(username).await?.ok_or_else(|| {
                EngineError::Denied(format!("username: {username} is not existed or has been deleted"))
            })?;
        Ok(Actor { user, app })
    }

    /// A workflow the actor may manage: a super admin, its creator or a listed admin (S10),
    /// through an app that lists it.
    async fn managed_workflow(&self, actor: &Actor, workflow_id: i64) -> EngineResult<Workflow> {
        let workflow = self
            .store()
            .workflow(workflow_id)
            .await?
            .ok_or_else(|| super::workflows::workflow_not_found(workflow_id))?;
        actor.require_app_workflow(workflow_id)?;
        if actor.user.is_admin
            || self
                .store()
                .workflow_ids_created_or_administered_by(actor.name())
                .await?
                .contains(&workflow_id)
        {
            return Ok(workflow);
        }
        Err(EngineError::Denied(format!(
            "has no permission: {} may not manage workflow {workflow_id}; that needs a super admin (is_admin), \
             its creator or one of its workflow_admin",
            actor.name()
        )))
    }
}
