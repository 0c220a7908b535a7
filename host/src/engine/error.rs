use thiserror::Error;

use crate::store::StoreError;

/// Why an engine operation did not happen. Every variant but `Store` is the caller's to fix
/// and carries a message naming the problem; `Store` is ours and is logged, not shown.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The request is malformed or names something impossible.
    #[error("{0}")]
    Invalid(String),
    /// A referenced object does not exist (or is deleted).
    #[error("{0}")]
    NotFound(String),
    /// The app or the user may not do this.
    #[error("{0}")]
    Denied(String),
    /// Something outside (a hook or notice receiver) failed for a passing reason: try later.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type EngineResult<T> = Result<T, EngineError>;
