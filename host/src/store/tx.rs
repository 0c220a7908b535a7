//! Write transactions over either backend.
//!
//! SQLite runs in-process on a thread of sqlx's per connection, so every statement sent on its
//! own costs two thread hand-offs, and a writer holds the database's one write lock across all
//! of them. A SQLite transaction therefore keeps the statements whose results nobody reads
//! (its `BEGIN` included) and sends them as one batch with the next statement whose result is
//! read, or with its `COMMIT`: a ticket handle is two round trips, a creation three.

use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::{MySql, Sqlite, SqliteConnection, Transaction};

use super::cache::ConfigCache;
use super::{Db, SqlArg, Store, StoreError, StoreResult, bind_args};

/// Statements of a SQLite transaction not sent yet, in order.
#[derive(Default)]
pub struct Deferred {
    sql: String,
    args: Vec<SqlArg>,
    /// How many of the statements must change exactly one row; each is followed by a
    /// `SELECT changes()`, the only statements of a batch whose rows are not asked for.
    checked: usize,
}

impl Deferred {
    fn push(&mut self, sql: &str, args: Vec<SqlArg>) {
        self.sql.push_str(sql);
        self.sql.push_str(";\n");
        self.args.extend(args);
    }

    /// Sends the kept statements with `last` (if any) as one batch and returns the integers
    /// `last` answers (its rows' first column); `Stale` when a checked statement changed no row.
    async fn send(&mut self, conn: &mut SqliteConnection, last: Option<(&str, Vec<SqlArg>)>) -> StoreResult<Vec<i64>> {
        if let Some((sql, args)) = last {
            self.push(sql, args);
        }
        if self.sql.is_empty() {
            return Ok(Vec::new());
        }
        let sql = std::mem::take(&mut self.sql);
        let args = std::mem::take(&mut self.args);
        let checked = std::mem::take(&mut self.checked);
        let mut answers: Vec<i64> = bind_args!(sqlx::query_scalar(&sql), &args).fetch_all(conn).await?;
        let changes: Vec<i64> = answers.drain(..checked.min(answers.len())).collect();
        if changes.len() != checked || changes.iter().any(|&changed| changed != 1) {
            return Err(StoreError::Stale);
        }
        Ok(answers)
    }
}

/// A SQLite write transaction begun by hand (the `BEGIN` waits in `deferred`).
pub(crate) struct SqliteTx {
    conn: PoolConnection<Sqlite>,
    /// Whether a `BEGIN` may have run without its `COMMIT` or `ROLLBACK`.
    open: bool,
}

impl Drop for SqliteTx {
    /// A transaction dropped half-way (an error, a cancelled request) cannot be rolled back
    /// here, outside async code; closing its connection rolls it back instead.
    fn drop(&mut self) {
        if self.open {
            self.conn.close_on_drop();
        }
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
    Sqlite(SqliteTx),
    MySql(Transaction<'static, MySql>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever backend it is;
/// on SQLite the statements deferred so far run first, so `$body` sees their effects.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {{
        let tx: &mut $crate::store::Tx = $tx;
        match &mut tx.conn {
            $crate::store::TxConn::Sqlite(sqlite) => {
                let $conn = sqlite.flushed(&mut tx.deferred).await?;
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

impl SqliteTx {
    /// The connection, once every deferred statement has run on it.
    pub(super) async fn flushed(&mut self, deferred: &mut Deferred) -> StoreResult<&mut SqliteConnection> {
        deferred.send(&mut self.conn, None).await?;
        Ok(&mut self.conn)
    }
}

impl Store {
    /// Starts a write transaction that may change configuration: committing it empties the
    /// configuration cache.
    ///
    /// On SQLite every write transaction of the process runs on the one connection kept for
    /// writes: SQLite admits one writer anyway, and waiting for that connection wakes the next
    /// writer the moment the last commits, where SQLite's busy handler sleeps in steps of up to
    /// 100 ms (writers of other processes still meet it) and where a writer taking a connection
    /// of the shared pool would queue behind the readers. The transaction is a plain `BEGIN`
    /// sent with its first statements: the write lock is taken by the first write, and the
    /// rare failure to take it when another process wrote in between is a busy error like any
    /// other, retried by the engine.
    pub async fn begin_write(&self) -> StoreResult<Tx> {
        let mut tx = self.begin_ticket_write().await?;
        tx.changes_config = Some(self.cache.clone());
        Ok(tx)
    }

    /// Starts a write transaction that changes only tickets, their values, logs and jobs, so
    /// the configuration cache stays.
    pub async fn begin_ticket_write(&self) -> StoreResult<Tx> {
        let mut deferred = Deferred::default();
        let conn = match &self.db {
            Db::Sqlite(_, writer) => {
                deferred.push("BEGIN", Vec::new());
                TxConn::Sqlite(SqliteTx {
                    conn: writer.acquire().await?,
                    open: true,
                })
            }
            Db::MySql(pool) => TxConn::MySql(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            deferred,
            changes_config: None,
        })
    }
}

impl Tx {
    pub async fn commit(mut self) -> StoreResult<()> {
        if self.changes_config.is_some() {
            self.defer(super::CONFIG_GENERATION_BUMP, Vec::new()).await?;
        }
        let Tx {
            conn,
            mut deferred,
            changes_config,
        } = self;
        match conn {
            TxConn::Sqlite(mut sqlite) => {
                // Checks must pass before anything commits, so a batch with checks goes first.
                let mut ended = Ok(Vec::new());
                if deferred.checked > 0 {
                    ended = deferred.send(&mut sqlite.conn, None).await;
                }
                if ended.is_ok() {
                    ended = deferred.send(&mut sqlite.conn, Some(("COMMIT", Vec::new()))).await;
                }
                if let Err(error) = ended {
                    // Ends the transaction now rather than by closing the connection.
                    if sqlx::query("ROLLBACK").execute(&mut *sqlite.conn).await.is_ok() {
                        sqlite.open = false;
                    }
                    return Err(error);
                }
                sqlite.open = false;
            }
            TxConn::MySql(tx) => tx.commit().await?,
        }
        if let Some(cache) = changes_config {
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

    /// Runs a statement that answers one integer (`… RETURNING id`), with the deferred
    /// statements before it in the same batch on SQLite.
    pub(super) async fn fetch_integer(&mut self, sql: &str, args: Vec<SqlArg>) -> StoreResult<i64> {
        let answers = match &mut self.conn {
            TxConn::Sqlite(sqlite) => self.deferred.send(&mut sqlite.conn, Some((sql, args))).await?,
            TxConn::MySql(tx) => bind_args!(sqlx::query_scalar(sql), &args).fetch_all(&mut **tx).await?,
        };
        answers
            .first()
            .copied()
            .ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// Picks the statement text of this backend where the two dialects differ.
    pub(super) fn dialect<'a>(&self, sqlite: &'a str, mysql: &'a str) -> &'a str {
        match self.conn {
            TxConn::Sqlite(_) => sqlite,
            TxConn::MySql(_) => mysql,
        }
    }
}
