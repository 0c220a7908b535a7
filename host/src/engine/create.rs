//! Creating a ticket (spec 7.1, 8.2, with Grebe's fixes B1, B8, B10, B17).

use serde_json::{Map, Value};

use super::conditions::typed_request;
use super::constants::participant_type;
use super::hooks::hook_job;
use super::lifecycle::{self, act_state_after, check_required, stored_suggestion, with_retries, writes_for};
use super::notices::notice_jobs;
use super::resolve::Subject;
use super::subtickets::parent_job;
use super::{App, Engine, EngineError, EngineResult};
use crate::store::{NewFlowLog, NewTicket, Ticket, TicketUser};

/// A creation request. `fields` holds every other body key: field values and `title`.
#[derive(Debug, Clone)]
pub struct NewTicketRequest {
    pub workflow_id: i64,
    pub transition_id: i64,
    pub username: String,
    pub suggestion: String,
    pub parent_ticket_id: i64,
    pub parent_ticket_state_id: i64,
    pub fields: Map<String, Value>,
}

/// The serial-number prefix of an app: its own, else loonflow's default.
fn sn_prefix(app: &App) -> &str {
    let prefix = app.ticket_sn_prefix.trim();
    if prefix.is_empty() { "loonflow" } else { prefix }
}

impl Engine {
    /// Checks parent references: both or neither, the parent visible to the app, the state one
    /// of the parent's workflow.
    async fn check_parent(&self, app: &App, request: &NewTicketRequest) -> EngineResult<()> {
        match (request.parent_ticket_id, request.parent_ticket_state_id) {
            (0, 0) => Ok(()),
            (0, _) => Err(EngineError::Invalid(
                "parent_ticket_state_id needs parent_ticket_id".into(),
            )),
            (_, 0) => Err(EngineError::Invalid(
                "parent_ticket_id needs parent_ticket_state_id".into(),
            )),
            (parent_id, state_id) => {
                let parent = self
                    .store()
                    .ticket(parent_id)
                    .await?
                    .filter(|parent| app.may_use_workflow(parent.workflow_id))
                    .ok_or_else(|| {
                        EngineError::Invalid(format!("parent ticket {parent_id} is not existed or has been deleted"))
                    })?;
                let state = self.store().state(state_id).await?;
                if state.is_none_or(|state| state.workflow_id != parent.workflow_id) {
                    return Err(EngineError::Invalid(format!(
                        "parent_ticket_state_id {state_id} is not a state of the parent ticket's workflow"
                    )));
                }
                self.check_child(&parent, state_id, request.workflow_id).await
            }
        }
    }

    /// Creates a ticket and returns its id.
    pub async fn create_ticket(&self, app: &App, request: &NewTicketRequest) -> EngineResult<i64> {
        let username = request.username.as_str();
        let workflow = self
            .store()
            .workflow(request.workflow_id)
            .await?
            .filter(|workflow| app.may_use_workflow(workflow.id))
            .ok_or_else(|| {
                EngineError::Denied(format!(
                    "APP:{} have no permission to create this workflow ticket",
                    app.name
                ))
            })?;
        let rate_limit = self.check_creation_limits(&workflow, username).await?;
        let start =
            self.store().start_state(workflow.id).await?.ok_or_else(|| {
                EngineError::Invalid("This workflow have no init state, please check the config".into())
            })?;
        let transition = self
            .store()
            .transition(request.transition_id)
            .await?
            .filter(|transition| transition.source_state_id == start.id)
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "transition_id is invalid: transition {} does not leave the start state {}",
                    request.transition_id, start.id
                ))
            })?;
        check_required(&start, &transition, &request.fields)?;
        self.check_parent(app, request).await?;
        let fields = self.store().custom_fields(workflow.id).await?;
        let (writes, _) = writes_for(&start, &fields, &request.fields)?;
        // Loonflow always takes the title at creation, whatever its attribute.
        let title = match request.fields.get("title") {
            Some(value) if !value.is_null() => lifecycle::check_title(value)?,
            _ => String::new(),
        };
        // Conditions of a new ticket see what the request sends (spec 6.7).
        let mut values = typed_request(&request.fields, &fields);
        values.insert("username".into(), username.into());
        values.insert("creator".into(), username.into());
        values.insert("workflow_id".into(), workflow.id.into());
        values.insert("transition_id".into(), transition.id.into());
        for field in &fields {
            values.entry(field.field_key.clone()).or_insert(Value::Null);
        }
        let destination = lifecycle::destination(self, &transition, &start, &values, &fields).await?;
        let subject = Subject {
            creator: username,
            values: &values,
            parent_ticket_id: request.parent_ticket_id,
        };
        let resolution = self.resolve(&destination, &subject).await?;
        let humans = resolution.humans();
        let ticket = NewTicket {
            sn: String::new(),
            title,
            workflow_id: workflow.id,
            state_id: destination.id,
            parent_ticket_id: request.parent_ticket_id,
            parent_ticket_state_id: request.parent_ticket_state_id,
            participant_type_id: resolution.type_id,
            participant: resolution.participant.clone(),
            relation: lifecycle::with_relations(username, &humans),
            act_state_id: match act_state_after(&destination, &transition) {
                // A reject attribute is not applied at creation (spec 7.1 step 10).
                super::constants::act_state::REJECTED => super::constants::act_state::ONGOING,
                other => other,
            },
            multi_all_person: if resolution.all_process.is_empty() {
                "{}".into()
            } else {
                resolution.all_process_json()
            },
            creator: username.to_string(),
        };
        let timers = self.timer_jobs(0, &destination, 0).await?;
        let prefix = sn_prefix(app);
        let suggestion = stored_suggestion(&request.suggestion);
        with_retries(|| async {
            let mut tx = self.store().begin_ticket_write().await?;
            if let Some(limit) = &rate_limit {
                limit.enforce(&mut tx).await?;
            }
            let now = crate::store::now();
            // The ticket goes in under a provisional serial number and takes its real one
            // last: the day's counter row is one row every creation locks, so on MySQL it is
            // held only for the last statements of the transaction.
            let provisional = NewTicket {
                sn: format!("~{:032x}", rand::random::<u128>()),
                ..ticket.clone()
            };
            let id = tx.insert_ticket(&provisional).await?;
            let users: Vec<TicketUser> = std::iter::once(TicketUser::related(username))
                .chain(humans.iter().map(|name| TicketUser::waiting(name)))
                .collect();
            tx.relate(id, &users).await?;
            tx.insert_values(id, &writes).await?;
            let mut created = Ticket {
                id,
                creator: ticket.creator.clone(),
                gmt_created: now,
                gmt_modified: now,
                is_deleted: false,
                title: ticket.title.clone(),
                workflow_id: ticket.workflow_id,
                sn: provisional.sn.clone(),
                state_id: ticket.state_id,
                parent_ticket_id: ticket.parent_ticket_id,
                parent_ticket_state_id: ticket.parent_ticket_state_id,
                participant_type_id: ticket.participant_type_id,
                participant: ticket.participant.clone(),
                relation: ticket.relation.clone(),
                in_add_node: false,
                add_node_man: String::new(),
                script_run_last_result: true,
                act_state_id: ticket.act_state_id,
                multi_all_person: ticket.multi_all_person.clone(),
                version: 0,
            };
            let jobs = parent_job(&created, &destination)
                .into_iter()
                .chain(hook_job(id, &destination, 0))
                .chain(notice_jobs(id, &workflow));
            for job in jobs {
                tx.enqueue(&job).await?;
            }
            for job in &timers {
                // Armed for the new ticket: its id is known only now.
                let job = crate::store::NewJob {
                    dedup_key: job
                        .dedup_key
                        .as_ref()
                        .map(|key| key.replacen("timer:0:", &format!("timer:{id}:"), 1)),
                    payload: job
                        .payload
                        .replacen("\"ticket_id\":0", &format!("\"ticket_id\":{id}"), 1),
                    ..job.clone()
                };
                tx.enqueue(&job).await?;
            }
            let day = now.format("%Y%m%d").to_string();
            let serial = tx.next_serial(prefix, &day).await?;
            created.sn = format!("{prefix}_{day}{serial:04}");
            tx.set_sn(id, &created.sn).await?;
            let ticket_data = lifecycle::snapshot(&created, &fields, &[], &writes);
            tx.insert_flow_log(&NewFlowLog {
                ticket_id: id,
                transition_id: transition.id,
                suggestion: suggestion.clone(),
                participant_type_id: participant_type::PERSON,
                participant: username.to_string(),
                state_id: start.id,
                intervene_type_id: 0,
                ticket_data,
                creator: username.to_string(),
            })
            .await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }
}
