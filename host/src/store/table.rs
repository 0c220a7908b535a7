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

/// Rows that say "`member` belongs to `owner`", such as role memberships and workflow admins.
pub(super) struct Members {
    pub table: Table,
    pub owner_column: &'static str,
    pub owner: i64,
    pub member_column: &'static str,
}

impl Tx {
    /// Makes exactly `members` the non-deleted member rows of the owner: the others are
    /// soft-deleted, missing ones inserted in the order given.
    pub(super) async fn set_members(&mut self, set: &Members, members: &[SqlArg], creator: &str) -> StoreResult<()> {
        let (table, owner, member) = (set.table.name(), set.owner_column, set.member_column);
        let mut retire =
            format!("UPDATE {table} SET is_deleted = 1, gmt_modified = ? WHERE {owner} = ? AND is_deleted = 0");
        let now = super::now();
        let mut args = vec![SqlArg::DateTime(now), SqlArg::Int(set.owner)];
        if !members.is_empty() {
            retire.push_str(&format!(" AND {member} NOT IN ({})", placeholders(members.len())));
            args.extend(members.iter().cloned());
        }
        let from = self.dialect("", " FROM DUAL");
        let insert = format!(
            "INSERT INTO {table} ({owner}, {member}, creator, gmt_created, gmt_modified) SELECT ?, ?, ?, ?, ?{from} \
             WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {owner} = ? AND {member} = ? AND is_deleted = 0)"
        );
        on_tx!(self, |conn| {
            bind_args!(sqlx::query(&retire), &args).execute(&mut *conn).await?;
            for value in members {
                let row = [
                    SqlArg::Int(set.owner),
                    value.clone(),
                    SqlArg::Text(creator.to_string()),
                    SqlArg::DateTime(now),
                    SqlArg::DateTime(now),
                    SqlArg::Int(set.owner),
                    value.clone(),
                ];
                bind_args!(sqlx::query(&insert), &row).execute(&mut *conn).await?;
            }
        });
        Ok(())
    }
}
