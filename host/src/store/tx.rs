//! Write transactions over either backend.

use sqlx::{MySql, Sqlite, Transaction};

use super::{Store, StoreResult};

/// An open write transaction. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    MySql(Transaction<'static, MySql>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever backend it is.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::Tx::MySql(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so concurrent writers queue on the busy timeout instead of failing when a
    /// read lock would have to be upgraded.
    pub async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Store::MySql(pool) => Tx::MySql(pool.begin().await?),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::MySql(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Picks the statement text of this backend where the two dialects differ.
    pub(super) fn dialect<'a>(&self, sqlite: &'a str, mysql: &'a str) -> &'a str {
        match self {
            Tx::Sqlite(_) => sqlite,
            Tx::MySql(_) => mysql,
        }
    }
}
