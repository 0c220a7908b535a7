//! How a plugin call or registration fails.

use thiserror::Error;

/// A plugin failure. Messages say what happened; the caller adds which plugin it was.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PluginError {
    /// The component was refused: not a component, an import it may not use, or it does not
    /// export its kind's world.
    #[error("{0}")]
    Invalid(String),
    /// A limit stopped the call.
    #[error("exceeded its {limit} limit ({detail})")]
    Limit { limit: &'static str, detail: String },
    /// The plugin crashed (a panic, an unreachable, a bad memory access).
    #[error("trapped: {0}")]
    Trapped(String),
    /// The plugin answered with an error of its own.
    #[error("answered with an error: {0}")]
    Refused(String),
    /// The runtime could not run it (e.g. too many calls at once).
    #[error("could not run: {0}")]
    Unavailable(String),
}

impl PluginError {
    /// A short name for run records: ok, fuel, memory, time, …
    pub fn code(&self) -> &'static str {
        match self {
            PluginError::Invalid(_) => "invalid",
            PluginError::Limit { limit, .. } => limit,
            PluginError::Trapped(_) => "trap",
            PluginError::Refused(_) => "refused",
            PluginError::Unavailable(_) => "unavailable",
        }
    }
}
