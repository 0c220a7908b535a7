//! The signed caller of a request, extracted from loonflow's headers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{ApiError, AppState};
use crate::engine::{Actor, App, Engine, SignedHeaders};

/// An authenticated app and the user it acts for (`username` header, trusted as in loonflow).
#[derive(Debug, Clone)]
pub struct Caller {
    pub app: App,
    pub username: Option<String>,
}

impl Caller {
    /// The acting username, or an error naming the header.
    pub fn require_username(&self) -> Result<&str, ApiError> {
        self.username
            .as_deref()
            .ok_or_else(|| ApiError::Client("请提供username (the username header is missing)".into()))
    }
}

impl Caller {
    /// The user the app acts for, as the actor of a configuration change.
    pub async fn actor(&self, engine: &Engine) -> Result<Actor, ApiError> {
        let username = self.require_username()?;
        Ok(engine.actor(username, Some(self.app.clone())).await?)
    }
}

/// A header's text; `Err` names a header whose bytes are not UTF-8.
pub fn header_text<'a>(parts: &'a Parts, name: &str) -> Result<Option<&'a str>, ApiError> {
    match parts.headers.get(name) {
        None => Ok(None),
        Some(value) => std::str::from_utf8(value.as_bytes())
            .map(|text| Some(text.trim()))
            .map_err(|_| ApiError::Client(format!("the {name} header is not valid UTF-8"))),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let headers = SignedHeaders {
            appname: header_text(parts, "appname")?,
            timestamp: header_text(parts, "timestamp")?,
            signature: header_text(parts, "signature")?,
        };
        let now = chrono::Utc::now().timestamp();
        let app = state.engine.authenticate(&headers, now).await?;
        let username = header_text(parts, "username")?
            .filter(|name| !name.is_empty())
            .map(str::to_string);
        Ok(Caller { app, username })
    }
}
