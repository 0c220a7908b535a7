//! Notice hooks (spec 9.16): super admins manage them; workflows name them in `notices`.

use super::super::directory::split_names;
use super::super::{Engine, EngineError, EngineResult, Paging};
use super::Actor;
use super::checks::is_http_url;
use crate::store::{Columns, Notice, NoticeValues, Page, Table};

const WHAT: &str = "notices";

fn not_found(id: i64) -> EngineError {
    EngineError::NotFound(format!("the record is not exist or has been deleted (notice {id})"))
}

impl Engine {
    pub async fn list_notices(
        &self,
        actor: &Actor,
        search: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Page<Notice>> {
        actor.require_super_admin(WHAT)?;
        Ok(self.store().notices_page(search, |total| paging.window(total)).await?)
    }

    pub async fn notice_detail(&self, actor: &Actor, notice_id: i64) -> EngineResult<Notice> {
        actor.require_super_admin(WHAT)?;
        self.store()
            .notice(notice_id)
            .await?
            .ok_or_else(|| not_found(notice_id))
    }

    /// Creates (no `notice_id`) or changes a notice; `edit` sets its settings. A hook token
    /// sent back masked (`***`) keeps the stored one.
    pub async fn save_notice<E: From<EngineError>>(
        &self,
        actor: &Actor,
        notice_id: Option<i64>,
        edit: impl FnOnce(&mut NoticeValues) -> Result<(), E>,
    ) -> Result<i64, E> {
        let current = match notice_id {
            Some(id) => Some(self.notice_detail(actor, id).await?),
            None => {
                actor.require_super_admin(WHAT)?;
                None
            }
        };
        let mut values = current.as_ref().map(NoticeValues::from).unwrap_or_default();
        edit(&mut values)?;
        if let Some(current) = &current.filter(|_| values.hook_token == "***") {
            values.hook_token = current.hook_token.clone();
        }
        let saved: EngineResult<i64> = async {
            let others = self.store().all_notices().await?;
            let problem = if values.name.trim().is_empty() {
                Some("name is needed".to_string())
            } else if others.iter().any(|n| n.name == values.name && Some(n.id) != notice_id) {
                Some("another notice has this name; notice names are unique".into())
            } else if !is_http_url(&values.hook_url) {
                Some("hook_url is needed and must start with http:// or https://".into())
            } else if values.hook_token.is_empty() {
                Some("hook_token is needed".into())
            } else {
                values.overlong()
            };
            if let Some(problem) = problem {
                return Err(EngineError::Invalid(format!("notice {:?}: {problem}", values.name)));
            }
            self.save_row(notice_id, &values, &actor.user.username).await
        }
        .await;
        Ok(saved?)
    }

    /// Soft-deletes a notice no workflow names.
    pub async fn delete_notice(&self, actor: &Actor, notice_id: i64) -> EngineResult<()> {
        let notice = self.notice_detail(actor, notice_id).await?;
        let ids = self.store().all_workflow_ids().await?;
        let users: Vec<String> = self
            .store()
            .workflows_by_ids(&ids)
            .await?
            .into_iter()
            .filter(|workflow| split_names(&workflow.notices).contains(&notice_id.to_string()))
            .map(|workflow| format!("workflow {:?}", workflow.name))
            .collect();
        super::config::refuse_if_used(&format!("notice {:?}", notice.name), &users, &[])?;
        self.delete_row(Table::CustomNotices, notice_id).await
    }
}
