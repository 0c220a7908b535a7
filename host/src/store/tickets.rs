//! Tickets: reading them and the list query.

use chrono::NaiveDateTime;

use super::workflows::placeholders;
use super::{Page, SqlArg, Store, StoreResult, Ticket, Window, bind_args, fetch_binding_each, fetch_page, on_pool};

pub(super) const TICKET_COLUMNS: &str = "t.id, t.creator, t.gmt_created, t.gmt_modified, t.is_deleted, t.title, \
     t.workflow_id, t.sn, t.state_id, t.parent_ticket_id, t.parent_ticket_state_id, t.participant_type_id, \
     t.participant, t.relation, t.in_add_node, t.add_node_man, t.script_run_last_result, t.act_state_id, \
     t.multi_all_person, t.version";

/// Whose tickets a list is about, through the ticket-user index.
#[derive(Debug, Clone)]
pub enum UserScope {
    /// Waiting for this user now.
    InProcess(String),
    /// Ever related to this user.
    Related(String),
    /// Handled by this user at least once.
    Worked(String),
}

/// The conditions of a ticket list. Empty lists and `None` mean "no condition", except
/// `workflow_ids`, which must be non-empty to match anything.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub workflow_ids: Vec<i64>,
    pub sn_prefix: Option<String>,
    pub title_contains: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    pub created_to: Option<NaiveDateTime>,
    pub state_ids: Vec<i64>,
    pub ticket_ids: Vec<i64>,
    pub act_state_in: Vec<i64>,
    pub act_state_not_in: Vec<i64>,
    pub creator: Option<String>,
    pub parent_ticket_id: Option<i64>,
    pub parent_ticket_state_id: Option<i64>,
    pub user: Option<UserScope>,
    pub newest_first: bool,
}

fn in_list(column: &str, values: &[i64], negate: bool, sql: &mut String, args: &mut Vec<SqlArg>) {
    sql.push_str(&format!(
        " AND {column} {}IN ({})",
        if negate { "NOT " } else { "" },
        placeholders(values.len())
    ));
    args.extend(values.iter().map(|value| SqlArg::Int(*value)));
}

impl TicketFilter {
    /// `FROM … WHERE …` and its arguments.
    fn sql_and_args(&self) -> (String, Vec<SqlArg>) {
        let mut args = Vec::new();
        let mut sql = String::from("tickets t");
        if let Some(scope) = &self.user {
            let (username, condition) = match scope {
                UserScope::InProcess(username) => (username, " AND u.in_process = 1"),
                UserScope::Related(username) => (username, ""),
                UserScope::Worked(username) => (username, " AND u.worked = 1"),
            };
            sql.push_str(&format!(
                " JOIN ticket_users u ON u.ticket_id = t.id AND u.username = ?{condition}"
            ));
            args.push(SqlArg::Text(username.clone()));
        }
        sql.push_str(" WHERE t.is_deleted = 0");
        in_list("t.workflow_id", &self.workflow_ids, false, &mut sql, &mut args);
        if let Some(prefix) = &self.sn_prefix {
            sql.push_str(" AND t.sn LIKE ? ESCAPE '!'");
            args.push(SqlArg::Text(format!("{}%", super::like_escape(prefix))));
        }
        if let Some(title) = &self.title_contains {
            sql.push_str(" AND t.title LIKE ? ESCAPE '!'");
            args.push(SqlArg::Text(super::like_pattern(title)));
        }
        if let Some(from) = self.created_from {
            sql.push_str(" AND t.gmt_created >= ?");
            args.push(SqlArg::DateTime(from));
        }
        if let Some(to) = self.created_to {
            sql.push_str(" AND t.gmt_created <= ?");
            args.push(SqlArg::DateTime(to));
        }
        if !self.state_ids.is_empty() {
            in_list("t.state_id", &self.state_ids, false, &mut sql, &mut args);
        }
        if !self.ticket_ids.is_empty() {
            in_list("t.id", &self.ticket_ids, false, &mut sql, &mut args);
        }
        if !self.act_state_in.is_empty() {
            in_list("t.act_state_id", &self.act_state_in, false, &mut sql, &mut args);
        }
        if !self.act_state_not_in.is_empty() {
            in_list("t.act_state_id", &self.act_state_not_in, true, &mut sql, &mut args);
        }
        if let Some(creator) = &self.creator {
            sql.push_str(" AND t.creator = ?");
            args.push(SqlArg::Text(creator.clone()));
        }
        if let Some(parent) = self.parent_ticket_id {
            sql.push_str(" AND t.parent_ticket_id = ?");
            args.push(SqlArg::Int(parent));
        }
        if let Some(parent_state) = self.parent_ticket_state_id {
            sql.push_str(" AND t.parent_ticket_state_id = ?");
            args.push(SqlArg::Int(parent_state));
        }
        (sql, args)
    }
}

impl Store {
    /// A non-deleted ticket.
    pub async fn ticket(&self, id: i64) -> StoreResult<Option<Ticket>> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.id = ? AND t.is_deleted = 0");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Ticket>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Tickets among these ids, deleted ones included, by id.
    pub async fn tickets_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Ticket>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t WHERE t.id IN ({}) ORDER BY t.id",
            placeholders(ids.len())
        );
        Ok(fetch_binding_each!(self, Ticket, &sql, ids))
    }

    /// One page of the tickets matching `filter`, by creation time.
    pub async fn tickets_page(
        &self,
        filter: &TicketFilter,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<Ticket>> {
        if filter.workflow_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let (from_where, args) = filter.sql_and_args();
        let order = if filter.newest_first {
            "t.gmt_created DESC, t.id DESC"
        } else {
            "t.gmt_created, t.id"
        };
        Ok(
            fetch_page!(self, Ticket, columns: TICKET_COLUMNS, from_where: from_where, order: order, args: &args, window_for: window_for),
        )
    }

    /// Whether every non-deleted child of a parent's state is in an end state.
    pub async fn children_all_ended(&self, parent_ticket_id: i64, parent_state_id: i64) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM tickets t JOIN states s ON s.id = t.state_id \
                   WHERE t.parent_ticket_id = ? AND t.parent_ticket_state_id = ? AND t.is_deleted = 0 AND s.type_id <> 2";
        let running: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(parent_ticket_id)
            .bind(parent_state_id)
            .fetch_one(pool)
            .await?);
        Ok(running == 0)
    }

    /// `(day, workflow_id, count)` of non-deleted tickets of these workflows created in
    /// `[from, to)`, by day then workflow.
    pub async fn tickets_per_day(
        &self,
        workflow_ids: &[i64],
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> StoreResult<Vec<(String, i64, i64)>> {
        if workflow_ids.is_empty() {
            return Ok(Vec::new());
        }
        let day = match self {
            Store::Sqlite(_) => "substr(gmt_created, 1, 10)",
            Store::MySql(_) => "DATE_FORMAT(gmt_created, '%Y-%m-%d')",
        };
        let sql = format!(
            "SELECT {day} AS day, workflow_id, COUNT(*) FROM tickets WHERE is_deleted = 0 AND workflow_id IN ({}) \
             AND gmt_created >= ? AND gmt_created < ? GROUP BY {day}, workflow_id ORDER BY day, workflow_id",
            placeholders(workflow_ids.len())
        );
        let mut args: Vec<SqlArg> = workflow_ids.iter().map(|id| SqlArg::Int(*id)).collect();
        args.push(SqlArg::DateTime(from));
        args.push(SqlArg::DateTime(to));
        Ok(on_pool!(self, |pool| bind_args!(
            sqlx::query_as::<_, (String, i64, i64)>(&sql),
            &args
        )
        .fetch_all(pool)
        .await?))
    }
}
