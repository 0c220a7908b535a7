//! Generic statements over one table of configuration or directory rows: read by id, read
//! all, insert, update by id, soft delete. Each row type lists its writable columns with their
//! widths.

use sqlx::FromRow;
use sqlx::mysql::MySqlRow;
use sqlx::sqlite::SqliteRow;

use super::relations::InsertedId;
use super::workflows::placeholders;
use super::{SqlArg, Store, StoreResult, Tx, bind_args, on_pool, on_tx};

/// The tables the admin API writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Workflows,
    States,
    Transitions,
    CustomFields,
    CustomNotices,
    Users,
    Depts,
    Roles,
    UserRoles,
    AppTokens,
    WorkflowAdmins,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Workflows => "workflows",
            Table::States => "states",
            Table::Transitions => "transitions",
            Table::CustomFields => "custom_fields",
            Table::CustomNotices => "custom_notices",
            Table::Users => "users",
            Table::Depts => "depts",
            Table::Roles => "roles",
            Table::UserRoles => "user_roles",
            Table::AppTokens => "app_tokens",
            Table::WorkflowAdmins => "workflow_admins",
        }
    }
}

/// A row type both backends can read.
pub(super) trait Readable:
    Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, MySqlRow>
{
}

impl<T> Readable for T where T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, MySqlRow> {}

impl Store {
    /// The non-deleted row `id` of `table`, read from `columns`.
    pub(super) async fn live_row<T: Readable>(&self, table: Table, columns: &str, id: i64) -> StoreResult<Option<T>> {
        let sql = format!("SELECT {columns} FROM {} WHERE id = ? AND is_deleted = 0", table.name());
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, T>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// The rows of `table` (deleted ones too unless `live_only`), read from `columns`, by id.
    pub(super) async fn all_rows<T: Readable>(
        &self,
        table: Table,
        columns: &str,
        live_only: bool,
    ) -> StoreResult<Vec<T>> {
        let filter = if live_only { " WHERE is_deleted = 0" } else { "" };
        let sql = format!("SELECT {columns} FROM {}{filter} ORDER BY id", table.name());
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, T>(&sql)
            .fetch_all(pool)
            .await?))
    }
}

/// Characters a `TEXT` column takes on MySQL whatever the text (64 KiB of 4-byte characters).
pub(super) const TEXT: usize = 16_000;

/// One writable column: its name, its value and, for text, the most characters it holds on
/// the narrower backend (MySQL), so callers can refuse long text before writing.
pub(crate) struct Column {
    name: &'static str,
    value: SqlArg,
    max_chars: Option<usize>,
}

impl Column {
    pub(super) fn text(name: &'static str, value: &str, max_chars: usize) -> Column {
        Column {
            name,
            value: SqlArg::Text(value.to_string()),
            max_chars: Some(max_chars),
        }
    }

    pub(super) fn int(name: &'static str, value: i64) -> Column {
        Column {
            name,
            value: SqlArg::Int(value),
            max_chars: None,
        }
    }

    pub(super) fn flag(name: &'static str, value: bool) -> Column {
        Column::int(name, i64::from(value))
    }
}

/// A row's writable columns.
pub(crate) trait Columns {
    const TABLE: Table;

    fn columns(&self) -> Vec<Column>;

    /// The first text column longer than its database column takes, as "`name` is longer
    /// than N characters".
    fn overlong(&self) -> Option<String> {
        self.columns()
            .into_iter()
            .find_map(|column| match (&column.value, column.max_chars) {
                (SqlArg::Text(text), Some(max)) if text.chars().count() > max => {
                    Some(format!("{} is longer than {max} characters", column.name))
                }
                _ => None,
            })
    }
}

fn split(columns: Vec<Column>) -> (Vec<&'static str>, Vec<SqlArg>) {
    columns.into_iter().map(|column| (column.name, column.value)).unzip()
}

impl Tx {
    /// Inserts a row with its audit columns and returns its id.
    pub(crate) async fn insert<C: Columns>(&mut self, row: &C, creator: &str) -> StoreResult<i64> {
        let now = super::now();
        let mut columns = row.columns();
        columns.push(Column::text("creator", creator, 100));
        let (names, mut args) = split(columns);
        args.push(SqlArg::DateTime(now));
        args.push(SqlArg::DateTime(now));
        let sql = format!(
            "INSERT INTO {} ({}, gmt_created, gmt_modified) VALUES ({})",
            C::TABLE.name(),
            names.join(", "),
            placeholders(args.len())
        );
        Ok(on_tx!(self, |conn| bind_args!(sqlx::query(&sql), &args)
            .execute(conn)
            .await?
            .last_insert_rowid_or_id()))
    }

    /// Sets the writable columns of row `id`.
    pub(crate) async fn update<C: Columns>(&mut self, id: i64, row: &C) -> StoreResult<()> {
        let (names, mut args) = split(row.columns());
        let assignments: Vec<String> = names.iter().map(|name| format!("{name} = ?")).collect();
        args.push(SqlArg::DateTime(super::now()));
        args.push(SqlArg::Int(id));
        let sql = format!(
            "UPDATE {} SET {}, gmt_modified = ? WHERE id = ?",
            C::TABLE.name(),
            assignments.join(", ")
        );
        on_tx!(self, |conn| {
            bind_args!(sqlx::query(&sql), &args).execute(conn).await?;
        });
        Ok(())
    }

    /// Soft-deletes (or, with `deleted` false, restores) row `id`; false if nothing changed.
    pub async fn set_deleted(&mut self, table: Table, id: i64, deleted: bool) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE {} SET is_deleted = ?, gmt_modified = ? WHERE id = ? AND is_deleted = ?",
            table.name()
        );
        let changed = on_tx!(self, |conn| sqlx::query(&sql)
            .bind(deleted)
            .bind(super::now())
            .bind(id)
            .bind(!deleted)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(changed > 0)
    }
}

/// A member value as the text `CAST(… AS TEXT)` reads back.
fn member_text(value: &SqlArg) -> String {
    match value {
        SqlArg::Int(number) => number.to_string(),
        SqlArg::Float(number) => number.to_string(),
        SqlArg::Bool(flag) => i64::from(*flag).to_string(),
        SqlArg::Text(text) => text.clone(),
        SqlArg::Date(date) => date.to_string(),
        SqlArg::DateTime(datetime) => datetime.to_string(),
        SqlArg::Null => String::new(),
    }
}

/// Rows that say "`member` belongs to `owner`", such as role memberships and workflow admins.
pub(super) struct Members {
    pub table: Table,
    pub owner_column: &'static str,
    pub owner: i64,
    pub member_column: &'static str,
}

impl Tx {
    /// Makes exactly `members` the non-deleted member rows of the owner: the others are
    /// soft-deleted, missing ones inserted in the order given. Row by row, so that no list
    /// of members is bound at once.
    pub(super) async fn set_members(&mut self, set: &Members, members: &[SqlArg], creator: &str) -> StoreResult<()> {
        let (table, owner, member) = (set.table.name(), set.owner_column, set.member_column);
        let text = self.dialect("TEXT", "CHAR");
        let present = format!(
            "SELECT id, CAST({member} AS {text}) FROM {table} WHERE {owner} = ? AND is_deleted = 0 ORDER BY id"
        );
        let rows: Vec<(i64, String)> = on_tx!(self, |conn| sqlx::query_as(&present)
            .bind(set.owner)
            .fetch_all(conn)
            .await?);
        let wanted: Vec<String> = members.iter().map(member_text).collect();
        for (id, _) in rows.iter().filter(|(_, value)| !wanted.contains(value)) {
            self.set_deleted(set.table, *id, true).await?;
        }
        let now = super::now();
        let insert = format!(
            "INSERT INTO {table} ({owner}, {member}, creator, gmt_created, gmt_modified) VALUES (?, ?, ?, ?, ?)"
        );
        let mut kept: Vec<String> = rows.into_iter().map(|(_, value)| value).collect();
        for (value, text) in members.iter().zip(wanted) {
            if kept.contains(&text) {
                continue;
            }
            let row = [
                SqlArg::Int(set.owner),
                value.clone(),
                SqlArg::Text(creator.to_string()),
                SqlArg::DateTime(now),
                SqlArg::DateTime(now),
            ];
            on_tx!(self, |conn| {
                bind_args!(sqlx::query(&insert), &row).execute(conn).await?;
            });
            kept.push(text);
        }
        Ok(())
    }
}
