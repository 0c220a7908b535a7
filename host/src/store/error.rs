use thiserror::Error;

/// Failures of the storage layer. None of these is the client's fault; the API logs them and
/// answers with a generic message.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row a transaction changes on a condition (a ticket at the version it was read at) no
    /// longer met it: another transaction changed it first.
    #[error("the row was changed by another transaction")]
    Stale,
    #[error("unsupported database url {0:?}: expected sqlite://… or mysql://…")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// A write refused by a unique key: the database compared the text (on MySQL, ignoring
    /// case) and found it taken.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(error)) if error.is_unique_violation())
    }

    /// A failure that retrying the whole transaction may cure: a deadlock or lock timeout on
    /// MySQL, a busy or locked database on SQLite.
    pub fn is_transient(&self) -> bool {
        let StoreError::Database(sqlx::Error::Database(error)) = self else {
            return false;
        };
        let code = error.code();
        matches!(
            code.as_deref(),
            Some("1213") | Some("1205") | Some("40001") | Some("5") | Some("6") | Some("517")
        )
    }
}
