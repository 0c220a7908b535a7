//! Writes of a ticket operation: the ticket row, the ticket-user index and flow logs.

use chrono::NaiveDateTime;

use super::workflows::placeholders;
use super::{
    FlowLog, NewFlowLog, NewTicket, SqlArg, Store, StoreResult, TicketChange, Tx, bind_args, fetch_binding_each,
    on_pool, on_tx,
};

/// A user's row in a ticket's user index, as `Tx::relate` writes it.
#[derive(Debug, Clone)]
pub struct TicketUser {
    pub username: String,
    /// The ticket waits for this user.
    pub waiting: bool,
    /// This user has handled the ticket.
    pub worked: bool,
}

impl TicketUser {
    pub fn related(username: &str) -> TicketUser {
        TicketUser {
            username: username.to_string(),
            waiting: false,
            worked: false,
        }
    }

    pub fn waiting(username: &str) -> TicketUser {
        TicketUser {
            waiting: true,
            ..TicketUser::related(username)
        }
    }

    pub fn worked(username: &str) -> TicketUser {
        TicketUser {
            worked: true,
            ..TicketUser::related(username)
        }
    }
}

const FLOW_LOG_COLUMNS: &str = "id, creator, gmt_created, ticket_id, transition_id, suggestion, participant_type_id, \
     participant, state_id, intervene_type_id, ticket_data";

impl Tx {
    /// Serialises creations of a workflow until the transaction ends (SQLite's writers are
    /// serialised already).
    pub async fn lock_workflow(&mut self, workflow_id: i64) -> StoreResult<()> {
        if let super::TxConn::MySql(tx) = &mut self.conn {
            sqlx::query("SELECT id FROM workflows WHERE id = ? FOR UPDATE")
                .bind(workflow_id)
                .fetch_optional(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Non-deleted tickets of a workflow created since `since`, by `creator` if given.
    pub async fn count_tickets_since(
        &mut self,
        workflow_id: i64,
        creator: Option<&str>,
        since: NaiveDateTime,
    ) -> StoreResult<i64> {
        let mut sql =
            String::from("SELECT COUNT(*) FROM tickets WHERE workflow_id = ? AND is_deleted = 0 AND gmt_created >= ?");
        let mut args = vec![SqlArg::Int(workflow_id), SqlArg::DateTime(since)];
        if let Some(creator) = creator {
            sql.push_str(" AND creator = ?");
            args.push(SqlArg::Text(creator.to_string()));
        }
        Ok(on_tx!(self, |conn| bind_args!(
            sqlx::query_scalar::<_, i64>(&sql),
            &args
        )
        .fetch_one(conn)
        .await?))
    }

    /// Increments and returns the serial-number counter of `prefix` on `day` (`YYYYMMDD`).
    /// The counter row stays locked until the transaction ends, so numbers are unique.
    pub async fn next_serial(&mut self, prefix: &str, day: &str) -> StoreResult<i64> {
        let insert = "INSERT INTO sn_counters (prefix, day, counter) VALUES (?, ?, 1)";
        let key = || vec![SqlArg::Text(prefix.into()), SqlArg::Text(day.into())];
        if let super::TxConn::Sqlite(_) = self.conn {
            let sql =
                format!("{insert} ON CONFLICT (prefix, day) DO UPDATE SET counter = counter + 1 RETURNING counter");
            return self.fetch_integer(&sql, key()).await;
        }
        let upsert = format!("{insert} ON DUPLICATE KEY UPDATE counter = counter + 1");
        self.defer(&upsert, key()).await?;
        self.fetch_integer("SELECT counter FROM sn_counters WHERE prefix = ? AND day = ?", key())
            .await
    }

    pub async fn insert_ticket(&mut self, ticket: &NewTicket) -> StoreResult<i64> {
        let now = super::now();
        let sql = "INSERT INTO tickets (title, workflow_id, sn, state_id, parent_ticket_id, parent_ticket_state_id, \
                   participant_type_id, participant, relation, in_add_node, add_node_man, script_run_last_result, \
                   act_state_id, multi_all_person, version, creator, gmt_created, gmt_modified) \
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', 1, ?, ?, 0, ?, ?, ?)";
        let args = vec![
            SqlArg::Text(ticket.title.clone()),
            SqlArg::Int(ticket.workflow_id),
            SqlArg::Text(ticket.sn.clone()),
            SqlArg::Int(ticket.state_id),
            SqlArg::Int(ticket.parent_ticket_id),
            SqlArg::Int(ticket.parent_ticket_state_id),
            SqlArg::Int(ticket.participant_type_id),
            SqlArg::Text(ticket.participant.clone()),
            SqlArg::Text(ticket.relation.clone()),
            SqlArg::Int(ticket.act_state_id),
            SqlArg::Text(ticket.multi_all_person.clone()),
            SqlArg::Text(ticket.creator.clone()),
            SqlArg::DateTime(now),
            SqlArg::DateTime(now),
        ];
        if let super::TxConn::Sqlite(_) = self.conn {
            return self.fetch_integer(&format!("{sql} RETURNING id"), args).await;
        }
        Ok(on_tx!(self, |conn| inserted_id(
            &bind_args!(sqlx::query(sql), &args).execute(conn).await?
        )))
    }

    /// Gives a ticket inserted under a provisional serial number its real one.
    pub async fn set_sn(&mut self, id: i64, sn: &str) -> StoreResult<()> {
        let sql = "UPDATE tickets SET sn = ? WHERE id = ?";
        self.defer(sql, vec![SqlArg::Text(sn.into()), SqlArg::Int(id)]).await
    }

    /// Applies `change` provided the ticket is still at `version` (and not deleted), bumping
    /// the version; when another operation changed it first, the transaction fails with
    /// `Stale` (at the latest when it commits) and must be dropped.
    pub async fn change_ticket(&mut self, id: i64, version: i64, change: &TicketChange) -> StoreResult<()> {
        let sql = "UPDATE tickets SET is_deleted = ?, title = ?, state_id = ?, participant_type_id = ?, participant = ?, relation = ?, \
                   in_add_node = ?, add_node_man = ?, act_state_id = ?, multi_all_person = ?, script_run_last_result = ?, \
                   version = version + 1, \
                   gmt_modified = ? WHERE id = ? AND version = ? AND is_deleted = 0";
        let args = vec![
            SqlArg::Bool(change.is_deleted),
            SqlArg::Text(change.title.clone()),
            SqlArg::Int(change.state_id),
            SqlArg::Int(change.participant_type_id),
            SqlArg::Text(change.participant.clone()),
            SqlArg::Text(change.relation.clone()),
            SqlArg::Bool(change.in_add_node),
            SqlArg::Text(change.add_node_man.clone()),
            SqlArg::Int(change.act_state_id),
            SqlArg::Text(change.multi_all_person.clone()),
            SqlArg::Bool(change.script_run_last_result),
            SqlArg::DateTime(super::now()),
            SqlArg::Int(id),
            SqlArg::Int(version),
        ];
        self.defer_checked(sql, args).await?;
        let mirror = "UPDATE ticket_users SET act_state_id = ?, ticket_deleted = ? WHERE ticket_id = ?";
        let args = vec![
            SqlArg::Int(change.act_state_id),
            SqlArg::Bool(change.is_deleted),
            SqlArg::Int(id),
        ];
        self.defer(mirror, args).await
    }

    /// Clears who the ticket waits for (`in_process`); `relate` names them again.
    pub async fn clear_waiting(&mut self, ticket_id: i64) -> StoreResult<()> {
        let clear = "UPDATE ticket_users SET in_process = 0, gmt_modified = ? WHERE ticket_id = ? AND in_process = 1";
        self.defer(clear, vec![SqlArg::DateTime(super::now()), SqlArg::Int(ticket_id)])
            .await
    }

    /// Adds or updates the ticket-user index rows of `users` in one statement: each becomes
    /// related to the ticket, and `waiting` and `worked` set those flags (never clear them).
    pub async fn relate(&mut self, ticket_id: i64, users: &[TicketUser]) -> StoreResult<()> {
        let mut merged: Vec<TicketUser> = Vec::new();
        for user in users {
            match merged.iter_mut().find(|seen| seen.username == user.username) {
                Some(seen) => {
                    seen.waiting |= user.waiting;
                    seen.worked |= user.worked;
                }
                None => merged.push(user.clone()),
            }
        }
        if merged.is_empty() {
            return Ok(());
        }
        let now = super::now();
        let rows = vec!["SELECT ? AS user_name, ? AS user_waiting, ? AS user_worked"; merged.len()].join(" UNION ALL ");
        // The rows copy the ticket's list columns (see migration 0007).
        let insert = format!(
            "INSERT INTO ticket_users (ticket_id, username, gmt_created, gmt_modified, in_process, worked, workflow_id, \
             ticket_created, act_state_id, ticket_deleted) SELECT t.id, u.user_name, ?, ?, u.user_waiting, u.user_worked, \
             t.workflow_id, t.gmt_created, t.act_state_id, t.is_deleted FROM tickets t, ({rows}) u WHERE t.id = ?"
        );
        let sql = match self.conn {
            super::TxConn::Sqlite(_) => format!(
                "{insert} ON CONFLICT (ticket_id, username) DO UPDATE SET in_process = MAX(in_process, excluded.in_process), \
                 worked = MAX(worked, excluded.worked), is_deleted = 0, gmt_modified = excluded.gmt_modified"
            ),
            super::TxConn::MySql(_) => format!(
                "{insert} ON DUPLICATE KEY UPDATE in_process = GREATEST(in_process, VALUES(in_process)), \
                 worked = GREATEST(worked, VALUES(worked)), is_deleted = 0, gmt_modified = VALUES(gmt_modified)"
            ),
        };
        let mut args = vec![SqlArg::DateTime(now), SqlArg::DateTime(now)];
        for user in &merged {
            args.push(SqlArg::Text(user.username.clone()));
            args.push(SqlArg::Bool(user.waiting));
            args.push(SqlArg::Bool(user.worked));
        }
        args.push(SqlArg::Int(ticket_id));
        self.defer(&sql, args).await
    }

    pub async fn insert_flow_log(&mut self, log: &NewFlowLog) -> StoreResult<()> {
        let now = super::now();
        let sql = "INSERT INTO ticket_flow_logs (ticket_id, transition_id, suggestion, participant_type_id, participant, \
                   state_id, intervene_type_id, ticket_data, creator, gmt_created, gmt_modified) \
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        let args = vec![
            SqlArg::Int(log.ticket_id),
            SqlArg::Int(log.transition_id),
            SqlArg::Text(log.suggestion.clone()),
            SqlArg::Int(log.participant_type_id),
            SqlArg::Text(log.participant.clone()),
            SqlArg::Int(log.state_id),
            SqlArg::Int(log.intervene_type_id),
            SqlArg::Text(log.ticket_data.clone()),
            SqlArg::Text(log.creator.clone()),
            SqlArg::DateTime(now),
            SqlArg::DateTime(now),
        ];
        self.defer(sql, args).await
    }
}

impl Store {
    /// The non-deleted flow logs of a ticket, newest first.
    pub async fn flow_logs(&self, ticket_id: i64) -> StoreResult<Vec<FlowLog>> {
        let sql = format!(
            "SELECT {FLOW_LOG_COLUMNS} FROM ticket_flow_logs WHERE ticket_id = ? AND is_deleted = 0 ORDER BY id DESC"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, FlowLog>(&sql)
            .bind(ticket_id)
            .fetch_all(pool)
            .await?))
    }

    /// The newest non-deleted flow log of a ticket in a state written by a person (not the
    /// system user) handling it or accepting it.
    pub async fn last_personal_log_in_state(
        &self,
        ticket_id: i64,
        state_id: i64,
        system_user: &str,
    ) -> StoreResult<Option<FlowLog>> {
        let sql = format!(
            "SELECT {FLOW_LOG_COLUMNS} FROM ticket_flow_logs WHERE ticket_id = ? AND state_id = ? AND is_deleted = 0 \
             AND participant_type_id = 1 AND participant <> ? \
             AND ((intervene_type_id = 0 AND transition_id <> 0) OR intervene_type_id = 4) ORDER BY id DESC LIMIT 1"
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, FlowLog>(&sql)
            .bind(ticket_id)
            .bind(state_id)
            .bind(system_user)
            .fetch_optional(pool)
            .await?))
    }

    /// The usernames the ticket is waiting for, from the index.
    pub async fn waiting_for(&self, ticket_ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        if ticket_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT ticket_id, username FROM ticket_users WHERE in_process = 1 AND ticket_id IN ({}) ORDER BY id",
            placeholders(ticket_ids.len())
        );
        Ok(fetch_binding_each!(self, (i64, String), &sql, ticket_ids))
    }
}

/// The id a backend reports for an inserted row.
pub(super) fn inserted_id(result: &impl InsertedId) -> i64 {
    result.last_insert_rowid_or_id()
}

/// The id a backend reports for an inserted row.
pub(super) trait InsertedId {
    fn last_insert_rowid_or_id(&self) -> i64;
}

impl InsertedId for sqlx::sqlite::SqliteQueryResult {
    fn last_insert_rowid_or_id(&self) -> i64 {
        self.last_insert_rowid()
    }
}

impl InsertedId for sqlx::mysql::MySqlQueryResult {
    fn last_insert_rowid_or_id(&self) -> i64 {
        self.last_insert_id() as i64
    }
}
