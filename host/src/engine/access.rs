//! Which workflows an app and a user may see (spec 4.6 and 6.3).

use super::{Engine, EngineError, EngineResult};
use crate::store::AppToken;

/// An authenticated calling application and the workflows its token permits.
#[derive(Debug, Clone)]
pub struct App {
    /// The id of the token row the app authenticated with.
    pub token_id: i64,
    pub name: String,
    pub ticket_sn_prefix: String,
    pub workflow_ids: Vec<i64>,
}

impl App {
    /// Unlike loonflow, an app named `loonflow` gets no special rights (S3): only the ids its
    /// token lists. Unparsable list entries are skipped.
    pub fn from_token(token: &AppToken) -> App {
        let mut workflow_ids: Vec<i64> = token
            .workflow_ids
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        workflow_ids.sort_unstable();
        workflow_ids.dedup();
        App {
            token_id: token.id,
            name: token.app_name.clone(),
            ticket_sn_prefix: token.ticket_sn_prefix.clone(),
            workflow_ids,
        }
    }

    pub fn may_use_workflow(&self, workflow_id: i64) -> bool {
        self.workflow_ids.binary_search(&workflow_id).is_ok()
    }

    pub(super) fn require_workflow(&self, workflow_id: i64) -> EngineResult<()> {
        if self.may_use_workflow(workflow_id) {
            Ok(())
        } else {
            Err(EngineError::Denied(format!(
                "APP:{} have no permission to get this workflow info",
                self.name
            )))
        }
    }
}

impl Engine {
    /// The workflows `username` manages: all of them for a super admin, otherwise those the
    /// user created or is listed as an admin of. Unknown users manage nothing.
    pub async fn managed_workflow_ids(&self, username: &str) -> EngineResult<Vec<i64>> {
        match self.store().user(username).await? {
            None => Ok(Vec::new()),
            Some(user) if user.is_admin => Ok(self.store().all_workflow_ids().await?),
            Some(_) => Ok(self.store().workflow_ids_created_or_administered_by(username).await?),
        }
    }
}
