use thiserror::Error;

/// Failures of the storage layer. None of these is the client's fault; the API logs them and
/// answers with a generic message.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database url {0:?}: expected sqlite://… or mysql://…")]
    UnsupportedUrl(String),
}
