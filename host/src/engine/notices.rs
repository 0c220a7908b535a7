//! Custom notices (spec 11.1, 2.2): every state change of a ticket whose workflow selects
//! notices enqueues one notice job per notice. The job renders the workflow's title and
//! content templates with the notice's formatter plugin (the built-in `notice-template`
//! unless the notice names another) and POSTs loonflow's payload, signed with the notice's
//! token. Any failure to deliver is retried with backoff up to the job's attempts.

use serde_json::{Map, Value, json};

use super::directory::split_names;
use super::hooks::signed_headers;
use super::timers::payload_numbers;
use super::{Engine, EngineError, EngineResult};
use crate::outbound::{self, DeliveryError};
use crate::plugins::{Kind, RenderedNotice};
use crate::store::{CustomNotice, NewJob, State, Ticket, Workflow};

/// The job kind of notices.
pub const NOTICE_JOB: &str = "notice";
/// A notice is tried this often before it is given up.
const NOTICE_ATTEMPTS: i64 = 8;
/// The default formatter, built from `plugins/notice-template` by the build script.
static DEFAULT_FORMATTER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/notice_template.wasm"));

/// One notice job per notice a workflow selects (`notices` is a comma list of ids).
pub(super) fn notice_jobs(ticket_id: i64, workflow: &Workflow) -> Vec<NewJob> {
    split_names(&workflow.notices)
        .iter()
        .filter_map(|id| id.parse::<i64>().ok())
        .map(|notice_id| NewJob {
            kind: NOTICE_JOB.into(),
            dedup_key: None,
            payload: json!({"ticket_id": ticket_id, "notice_id": notice_id}).to_string(),
            due_at: crate::store::precise_now(),
            max_attempts: NOTICE_ATTEMPTS,
        })
        .collect()
}

impl Engine {
    /// The notice jobs of a change of an existing ticket.
    pub(super) async fn notice_jobs_of(&self, ticket: &Ticket) -> EngineResult<Vec<NewJob>> {
        Ok(self
            .store()
            .workflow(ticket.workflow_id)
            .await?
            .map(|workflow| notice_jobs(ticket.id, &workflow))
            .unwrap_or_default())
    }

    /// Renders a notice's title and content over the ticket's values.
    async fn render_notice(
        &self,
        notice: &CustomNotice,
        workflow: &Workflow,
        state: &State,
        values: &Map<String, Value>,
    ) -> EngineResult<RenderedNotice> {
        let templates = (workflow.title_template.clone(), workflow.content_template.clone());
        let formatter = notice.formatter.trim();
        if formatter.is_empty() {
            let input = self.plugin_input(values, state, "{}".into()).await?;
            return self
                .format_with_default(DEFAULT_FORMATTER, input, templates)
                .await?
                .map_err(EngineError::Invalid);
        }
        let (reference, args) = super::plugin_calls::participant_plugin(formatter)
            .ok_or_else(|| EngineError::Invalid(format!("notice {} names no formatter: {formatter:?}", notice.id)))?;
        let row = self.referenced_plugin(&reference, Kind::NoticeFormatter).await?;
        let input = self.plugin_input(values, state, args).await?;
        let run = self
            .run_plugin(&row, input, &format!("notice {}", notice.id), templates)
            .await?;
        let answer = run.answer.map_err(EngineError::Invalid)?;
        let text = |key: &str| answer[key].as_str().unwrap_or("").to_string();
        Ok(RenderedNotice {
            title: text("title"),
            content: text("content"),
        })
    }

    /// Sends a notice job (`job_id` makes its idempotency key).
    pub async fn send_notice(&self, job_id: i64, payload: &str) -> EngineResult<String> {
        let [ticket_id, notice_id] = payload_numbers("notice", payload, ["ticket_id", "notice_id"])?;
        let Some(ticket) = self.store().ticket(ticket_id).await? else {
            return Ok(format!("skipped: ticket {ticket_id} is deleted"));
        };
        let Some(notice) = self.store().custom_notice(notice_id).await? else {
            return Ok(format!("skipped: notice {notice_id} is deleted"));
        };
        let (Some(workflow), Some(state)) = (
            self.store().workflow(ticket.workflow_id).await?,
            self.store().state(ticket.state_id).await?,
        ) else {
            return Ok(format!(
                "skipped: the workflow or state of ticket {ticket_id} is deleted"
            ));
        };
        let values = self.ticket_values(&ticket).await?;
        let rendered = self.render_notice(&notice, &workflow, &state, &values).await?;
        let last_flow_log = self
            .newest_log(ticket.id)
            .await?
            .map_or(json!({}), |view| view.to_json());
        let (_, users) = self.handlers_of(&ticket).await?;
        let participant_info_list: Vec<Value> = users
            .iter()
            .map(|user| json!({"username": user.username, "alias": user.alias, "phone": user.phone, "email": user.email}))
            .collect();
        let body = json!({
            "title_result": rendered.title,
            "content_result": rendered.content,
            "participant": ticket.participant,
            "participant_type_id": ticket.participant_type_id,
            "multi_all_person": ticket.multi_all_person,
            "ticket_value_info": values,
            "last_flow_log": last_flow_log,
            "participant_info_list": participant_info_list,
        });
        let key = format!("notice-{job_id}");
        let answer = outbound::post_json(
            &self.http,
            &notice.hook_url,
            &signed_headers(&notice.hook_token, &key),
            &body,
        )
        .await
        .map_err(|error| match error {
            DeliveryError::Passing(reason) | DeliveryError::Answered(reason) => EngineError::Unavailable(reason),
        })?;
        if answer["code"].as_i64() != Some(0) {
            return Err(EngineError::Unavailable(format!(
                "notice {notice_id} receiver answered {answer}"
            )));
        }
        Ok(format!("notice {notice_id} of ticket {ticket_id} delivered"))
    }
}
