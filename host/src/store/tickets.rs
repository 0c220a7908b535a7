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

/// A `WHERE` clause being built with its arguments.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    args: Vec<SqlArg>,
}

impl Conditions {
    fn push(&mut self, condition: &str, args: impl IntoIterator<Item = SqlArg>) {
        self.sql.push(condition.to_string());
        self.args.extend(args);
    }

    fn in_list(&mut self, column: &str, values: &[i64], negate: bool) {
        let not = if negate { "NOT " } else { "" };
        self.push(
            &format!("{column} {not}IN ({})", placeholders(values.len())),
            values.iter().map(|v| SqlArg::Int(*v)),
        );
    }

    fn text(&self) -> String {
        if self.sql.is_empty() {
            "1 = 1".into()
        } else {
            self.sql.join(" AND ")
        }
    }
}

impl TicketFilter {
    /// Conditions on the columns both tables carry, written against `table` (the ticket-user
    /// index mirrors them for user lists).
    fn shared_conditions(&self, conditions: &mut Conditions, table: &str, names: [&str; 4]) {
        let [workflow, created, act_state, deleted] = names;
        conditions.push(&format!("{table}.{deleted} = 0"), []);
        conditions.in_list(&format!("{table}.{workflow}"), &self.workflow_ids, false);
        if let Some(from) = self.created_from {
            conditions.push(&format!("{table}.{created} >= ?"), [SqlArg::DateTime(from)]);
        }
        if let Some(to) = self.created_to {
            conditions.push(&format!("{table}.{created} <= ?"), [SqlArg::DateTime(to)]);
        }
        if !self.act_state_in.is_empty() {
            conditions.in_list(&format!("{table}.{act_state}"), &self.act_state_in, false);
        }
        if !self.act_state_not_in.is_empty() {
            conditions.in_list(&format!("{table}.{act_state}"), &self.act_state_not_in, true);
        }
    }

    /// Conditions only the tickets table can answer.
    fn ticket_conditions(&self) -> Conditions {
        let mut conditions = Conditions::default();
        if let Some(prefix) = &self.sn_prefix {
            conditions.push(
                "t.sn LIKE ? ESCAPE '!'",
                [SqlArg::Text(format!("{}%", super::like_escape(prefix)))],
            );
        }
        if let Some(title) = &self.title_contains {
            conditions.push("t.title LIKE ? ESCAPE '!'", [SqlArg::Text(super::like_pattern(title))]);
        }
        if !self.state_ids.is_empty() {
            conditions.in_list("t.state_id", &self.state_ids, false);
        }
        if !self.ticket_ids.is_empty() {
            conditions.in_list("t.id", &self.ticket_ids, false);
        }
        if let Some(creator) = &self.creator {
            conditions.push("t.creator = ?", [SqlArg::Text(creator.clone())]);
        }
        if let Some(parent) = self.parent_ticket_id {
            conditions.push("t.parent_ticket_id = ?", [SqlArg::Int(parent)]);
        }
        if let Some(parent_state) = self.parent_ticket_state_id {
            conditions.push("t.parent_ticket_state_id = ?", [SqlArg::Int(parent_state)]);
        }
        conditions
    }

    /// `(count sql, list sql, args)`. A user list starts from the ticket-user index in its
    /// creation order and is counted there alone unless a ticket-only filter is given.
    fn queries(&self) -> (String, String, Vec<SqlArg>) {
        let ticket_only = self.ticket_conditions();
        let direction = if self.newest_first { "DESC" } else { "ASC" };
        let Some(scope) = &self.user else {
            let mut conditions = Conditions::default();
            self.shared_conditions(
                &mut conditions,
                "t",
                ["workflow_id", "gmt_created", "act_state_id", "is_deleted"],
            );
            conditions.sql.extend(ticket_only.sql);
            conditions.args.extend(ticket_only.args);
            let filter = conditions.text();
            return (
                format!("SELECT COUNT(*) FROM tickets t WHERE {filter}"),
                format!(
                    "SELECT {TICKET_COLUMNS} FROM tickets t WHERE {filter} \
                     ORDER BY t.gmt_created {direction}, t.id {direction} LIMIT ? OFFSET ?"
                ),
                conditions.args,
            );
        };
        let (username, flag) = match scope {
            UserScope::InProcess(username) => (username, Some("in_process")),
            UserScope::Related(username) => (username, None),
            UserScope::Worked(username) => (username, Some("worked")),
        };
        let mut conditions = Conditions::default();
        conditions.push("u.username = ?", [SqlArg::Text(username.clone())]);
        if let Some(flag) = flag {
            conditions.push(&format!("u.{flag} = 1"), []);
        }
        self.shared_conditions(
            &mut conditions,
            "u",
            ["workflow_id", "ticket_created", "act_state_id", "ticket_deleted"],
        );
        // CROSS JOIN keeps SQLite from reordering: the index drives, tickets are looked up.
        let join = "ticket_users u CROSS JOIN tickets t ON t.id = u.ticket_id";
        let count = if ticket_only.sql.is_empty() {
            format!("SELECT COUNT(*) FROM ticket_users u WHERE {}", conditions.text())
        } else {
            format!(
                "SELECT COUNT(*) FROM {join} WHERE {} AND {}",
                conditions.text(),
                ticket_only.text()
            )
        };
        let filter = if ticket_only.sql.is_empty() {
            conditions.text()
        } else {
            format!("{} AND {}", conditions.text(), ticket_only.text())
        };
        conditions.args.extend(ticket_only.args);
        (
            count,
            format!(
                "SELECT {TICKET_COLUMNS} FROM {join} WHERE {filter} \
                 ORDER BY u.ticket_created {direction}, u.ticket_id {direction} LIMIT ? OFFSET ?"
            ),
            conditions.args,
        )
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
        let (count, list, args) = filter.queries();
        Ok(fetch_page!(self, Ticket, count: count, list: list, args: &args, window_for: window_for))
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
        let day = match self.db {
            super::Db::Sqlite(..) => "substr(gmt_created, 1, 10)",
            super::Db::MySql(_) => "DATE_FORMAT(gmt_created, '%Y-%m-%d')",
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
