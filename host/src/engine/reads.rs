//! Reading tickets: the detail, what a user may do now, and the list (spec 8.1, 8.3, 8.5).

use chrono::{NaiveDateTime, TimeDelta};
use serde_json::Value;

use super::constants::act_state;
use super::fields::{FieldEntry, Shown, field_attributes, ticket_fields};
use super::values::stored_json;
use super::views::TicketView;
use super::{App, Engine, EngineError, EngineResult, HandleRight, Paging};
use crate::store::{Page, TicketFilter, Transition, UserScope};

/// A ticket's detail: the view, its fields as this user sees them, and whether the user may
/// handle it (otherwise they only view it).
pub struct TicketDetail {
    pub view: TicketView,
    pub fields: Vec<FieldEntry>,
    pub can_handle: bool,
}

/// What a user may do with a ticket now (spec 8.5).
pub enum Actions {
    Nothing,
    /// The ticket was added to this user: only "完成" (add node end).
    FinishAddNode,
    /// Several candidates must accept first: only "接单".
    Accept,
    Transitions(Vec<Transition>),
}

/// The list categories of loonflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    All,
    Owner,
    Duty,
    Relation,
    Worked,
}

/// A ticket list request as callers may filter it (the union of loonflow's versions).
#[derive(Debug, Clone)]
pub struct TicketQuery {
    pub category: Category,
    pub username: Option<String>,
    pub sn: Option<String>,
    pub title: Option<String>,
    pub create_start: Option<NaiveDateTime>,
    pub create_end: Option<NaiveDateTime>,
    pub workflow_ids: Option<Vec<i64>>,
    pub state_ids: Vec<i64>,
    pub ticket_ids: Vec<i64>,
    pub act_state_id: Option<i64>,
    pub is_end: Option<bool>,
    pub is_rejected: Option<bool>,
    pub parent_ticket_id: Option<i64>,
    pub parent_ticket_state_id: Option<i64>,
    pub from_admin: bool,
    pub creator: Option<String>,
    pub newest_first: bool,
    pub paging: Paging,
}

impl Engine {
    pub async fn ticket_detail(&self, app: &App, ticket_id: i64, username: &str) -> EngineResult<TicketDetail> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let state = self.store().state(ticket.state_id).await?;
        let check = self.check_handle(&ticket, state.as_ref(), username, false).await?;
        let can_handle = matches!(check.right, HandleRight::Granted { .. });
        let mut views = self.ticket_views(vec![ticket]).await?;
        let view = views
            .pop()
            .ok_or_else(|| EngineError::NotFound(format!("ticket {ticket_id} is not existed")))?;
        let workflow = view.workflow.clone().ok_or_else(|| {
            EngineError::NotFound(format!(
                "workflow {} of ticket {ticket_id} has been deleted",
                view.ticket.workflow_id
            ))
        })?;
        let shown = match (&view.state, can_handle) {
            (Some(state), true) => Shown::ForHandler(field_attributes(state)),
            _ => {
                self.check_view(&view.ticket, &workflow, username).await?;
                let keys: Vec<String> = serde_json::from_str(&workflow.display_form_str).unwrap_or_default();
                Shown::ForViewer(keys)
            }
        };
        let custom_fields = self.store().custom_fields(workflow.id).await?;
        let stored = self.store().field_values(&[ticket_id]).await?;
        let ticket = &view.ticket;
        let builtin = |key: &str| -> Value {
            match key {
                "sn" => ticket.sn.clone().into(),
                "title" => ticket.title.clone().into(),
                "state_id" => ticket.state_id.into(),
                "participant_info.participant_name" => view.participant_info.participant_name.clone().into(),
                "participant_info.participant_alias" => view.participant_info.participant_alias.clone().into(),
                "workflow.workflow_name" => workflow.name.clone().into(),
                "creator" => ticket.creator.clone().into(),
                "gmt_created" => ticket.gmt_created.format("%Y-%m-%d %H:%M:%S").to_string().into(),
                "gmt_modified" => ticket.gmt_modified.format("%Y-%m-%d %H:%M:%S").to_string().into(),
                "state.state_name" => view
                    .state
                    .as_ref()
                    .map_or(Value::Null, |state| state.name.clone().into()),
                _ => Value::Null,
            }
        };
        let custom_value = |key: &str| {
            stored
                .iter()
                .find(|value| value.field_key == key)
                .map_or(Value::Null, stored_json)
        };
        let fields = ticket_fields(builtin, &custom_fields, custom_value, &shown);
        Ok(TicketDetail {
            view,
            fields,
            can_handle,
        })
    }

    pub async fn available_actions(&self, app: &App, ticket_id: i64, username: &str) -> EngineResult<Actions> {
        let ticket = self.visible_ticket(app, ticket_id).await?;
        let state = self.store().state(ticket.state_id).await?;
        let check = self.check_handle(&ticket, state.as_ref(), username, false).await?;
        Ok(match check.right {
            HandleRight::Denied(_) => Actions::Nothing,
            HandleRight::Granted { in_add_node: true, .. } => Actions::FinishAddNode,
            HandleRight::Granted { need_accept: true, .. } => Actions::Accept,
            HandleRight::Granted { .. } => Actions::Transitions(check.transitions),
        })
    }

    pub async fn list_tickets(&self, app: &App, query: &TicketQuery) -> EngineResult<Page<TicketView>> {
        let mut workflow_ids = app.workflow_ids.clone();
        if query.from_admin {
            let username = query.username.as_deref().unwrap_or("");
            let managed = self.managed_workflow_ids(username).await?;
            workflow_ids.retain(|id| managed.contains(id));
        }
        if let Some(wanted) = &query.workflow_ids {
            workflow_ids.retain(|id| wanted.contains(id));
        }
        let (created_from, created_to) = match (query.create_start, query.create_end) {
            // B20: the last 365 days, and an hour ahead for clock skew.
            (None, None) => {
                let now = crate::store::now();
                (Some(now - TimeDelta::days(365)), Some(now + TimeDelta::hours(1)))
            }
            bounds => bounds,
        };
        let mut filter = TicketFilter {
            workflow_ids,
            sn_prefix: query.sn.clone(),
            title_contains: query.title.clone(),
            created_from,
            created_to,
            state_ids: query.state_ids.clone(),
            ticket_ids: query.ticket_ids.clone(),
            act_state_in: Vec::new(),
            act_state_not_in: Vec::new(),
            creator: if query.from_admin { query.creator.clone() } else { None },
            parent_ticket_id: query.parent_ticket_id.filter(|id| *id != 0),
            parent_ticket_state_id: query.parent_ticket_state_id.filter(|id| *id != 0),
            user: None,
            newest_first: query.newest_first,
        };
        let ended = [act_state::FINISHED, act_state::CLOSED];
        // The act_state conditions combine with AND; `only` is the allowed set so far.
        let mut only: Option<Vec<i64>> = query.act_state_id.map(|id| vec![id]);
        let mut restrict = |allowed: &[i64]| {
            let current = only.take().unwrap_or_else(|| allowed.to_vec());
            only = Some(current.into_iter().filter(|id| allowed.contains(id)).collect());
        };
        match query.is_end {
            Some(true) => restrict(&ended),
            Some(false) => filter.act_state_not_in.extend(ended),
            None => {}
        }
        match query.is_rejected {
            Some(true) => restrict(&[act_state::REJECTED]),
            Some(false) => filter.act_state_not_in.push(act_state::REJECTED),
            None => {}
        }
        if let Some(only) = only {
            // An empty intersection matches no ticket: no act_state is negative.
            filter.act_state_in = if only.is_empty() { vec![-1] } else { only };
        }
        if query.category != Category::All {
            // The user-specific categories match nothing without a username.
            let Some(username) = query.username.clone() else {
                return Ok(Page {
                    items: Vec::new(),
                    total: 0,
                });
            };
            match query.category {
                Category::Owner => filter.creator = Some(username),
                Category::Duty => {
                    filter.act_state_not_in.extend(ended);
                    filter.user = Some(UserScope::InProcess(username));
                }
                Category::Relation => filter.user = Some(UserScope::Related(username)),
                Category::Worked => filter.user = Some(UserScope::Worked(username)),
                Category::All => {}
            }
        }
        let page = self
            .store()
            .tickets_page(&filter, |total| query.paging.window(total))
            .await?;
        Ok(Page {
            total: page.total,
            items: self.ticket_views(page.items).await?,
        })
    }
}
