//! Write transactions over either backend.

use std::sync::Arc;

use sqlx::{MySql, Sqlite, SqliteConnection, Transaction};

use super::cache::ConfigCache;
use super::{Db, SqlArg, Store, StoreError, StoreResult, bind_args};

/// Statements of a SQLite transaction whose results nobody reads, kept to be sent as one batch.
/// SQLite runs in-process on sqlx's connection thread, so each statement sent on its own costs
/// two thread hand-offs, and a writer holds the one write lock for all of them.
#[derive(Default)]
pub struct Deferred {
    sql: String,
    args: Vec<SqlArg>,
    /// How many of the statements must change exactly one row.
    checked: usize,
}

impl Deferred {
    fn push(&mut self, sql: &str, args: Vec<SqlArg>) {
        self.sql.push_str(sql);
        self.sql.push_str(";\n");
        self.args.extend(args);
    }

    /// Runs the kept statements, in the order they were deferred, in one round trip; `Stale`
    /// when a checked statement changed no row (the transaction is then to be dropped).
    pub(super) async fn run(&mut self, conn: &mut SqliteConnection) -> StoreResult<()> {
        if self.sql.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.sql);
        let args = std::mem::take(&mut self.args);
        let checked = std::mem::take(&mut self.checked);
        if checked == 0 {
            bind_args!(sqlx::query(&sql), &args).execute(conn).await?;
            return Ok(());
        }
        // Each checked statement is followed by `SELECT changes()`, the only statements of the
        // batch that return rows.
        let changes: Vec<i64> = bind_args!(sqlx::query_scalar(&sql), &args).fetch_all(conn).await?;
        if changes.len() != checked || changes.iter().any(|&changed| changed != 1) {
            return Err(StoreError::Stale);
        }
        Ok(())
    }
}

/// An open write transaction. Dropped without `commit`, it rolls back.
pub struct Tx {
    pub(super) conn: TxConn,
    pub(super) deferred: Deferred,
    /// The cache to empty at commit, unless the transaction only changes tickets.
    changes_config: Option<Arc<ConfigCache>>,
}

pub(crate) enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    MySql(Transaction<'static, MySql>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever backend it is;
/// on SQLite the statements deferred so far run first, so `$body` sees their effects.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {{
        let tx: &mut $crate::store::Tx = $tx;
        match &mut tx.conn {
            $crate::store::TxConn::Sqlite(conn) => {
                tx.deferred.run(&mut **conn).await?;
                let $conn = &mut **conn;
                $body
            }
            $crate::store::TxConn::MySql(conn) => {
                let $conn = &mut **conn;
                $body
            }
        }
    }};
}
pub(crate) use on_tx;

impl Store {
    /// Starts a write transaction that may change configuration: committing it empties the
    /// configuration cache.
    ///
    /// On SQLite every write transaction of the process runs on the one connection kept for
    /// writes: SQLite admits one writer anyway, and waiting for that connection wakes the next
    /// writer the moment the last commits, where SQLite's busy handler sleeps in steps of up to
    /// 100 ms (writers of other processes still meet it) and where a writer taking a connection
    /// of the shared pool would queue behind the readers. A plain `BEGIN` costs one round trip
    /// to the connection's thread where `BEGIN IMMEDIATE` costs two in sqlx; the write lock is
    /// then taken by the first write, and the rare failure to upgrade when another process
    /// wrote in between is a busy error like any other, retried by the engine.
    pub async fn begin_write(&self) -> StoreResult<Tx> {
        let mut tx = self.begin_ticket_write().await?;
        tx.changes_config = Some(self.cache.clone());
        Ok(tx)
    }

    /// Starts a write transaction that changes only tickets, their values, logs and jobs, so
    /// the configuration cache stays.
    pub async fn begin_ticket_write(&self) -> StoreResult<Tx> {
        let conn = match &self.db {
            Db::Sqlite(_, writer) => TxConn::Sqlite(writer.begin().await?),
            Db::MySql(pool) => TxConn::MySql(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            deferred: Deferred::default(),
            changes_config: None,
        })
    }
}

impl Tx {
    pub async fn commit(mut self) -> StoreResult<()> {
        match self.conn {
            TxConn::Sqlite(mut tx) => {
                self.deferred.run(&mut tx).await?;
                tx.commit().await?
            }
            TxConn::MySql(tx) => tx.commit().await?,
        }
        if let Some(cache) = self.changes_config {
            cache.invalidate();
        }
        Ok(())
    }

    /// Runs a statement whose result is not needed: on SQLite it waits for the next statement
    /// whose result is read, or the commit, and goes with it in one batch; on MySQL it runs now.
    /// Either way its effects are visible to every later statement of the transaction.
    pub(super) async fn defer(&mut self, sql: &str, args: Vec<SqlArg>) -> StoreResult<()> {
        match &mut self.conn {
            TxConn::Sqlite(_) => self.deferred.push(sql, args),
            TxConn::MySql(tx) => {
                bind_args!(sqlx::query(sql), &args).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// `defer` for a statement that must change exactly one row: when it does not, the
    /// statement that runs it (on SQLite the next batch, on MySQL this one) fails with `Stale`.
    pub(super) async fn defer_checked(&mut self, sql: &str, args: Vec<SqlArg>) -> StoreResult<()> {
        match &mut self.conn {
            TxConn::Sqlite(_) => {
                self.deferred.push(sql, args);
                self.deferred.push("SELECT changes()", Vec::new());
                self.deferred.checked += 1;
            }
            TxConn::MySql(tx) => {
                let changed = bind_args!(sqlx::query(sql), &args)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if changed != 1 {
                    return Err(StoreError::Stale);
                }
            }
        }
        Ok(())
    }

    /// Picks the statement text of this backend where the two dialects differ.
    pub(super) fn dialect<'a>(&self, sqlite: &'a str, mysql: &'a str) -> &'a str {
        match self.conn {
            TxConn::Sqlite(_) => sqlite,
            TxConn::MySql(_) => mysql,
        }
    }
}
