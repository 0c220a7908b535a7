//! Query-string and path parameters, parsed with errors that name the parameter (B13).

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;

use super::ApiError;
use chrono::{NaiveDate, NaiveDateTime};

use crate::engine::{MAX_PER_PAGE, Paging, parse_date, parse_datetime};

/// The query string as text parameters. Empty values count as absent.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params, ApiError> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::Client(format!("invalid query string: {}", rejection.body_text())))?;
        Ok(Params(map))
    }
}

impl Params {
    /// Every parameter as sent.
    pub fn all(&self) -> &HashMap<String, String> {
        &self.0
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    pub fn int(&self, name: &str, default: i64) -> Result<i64, ApiError> {
        match self.text(name) {
            None => Ok(default),
            Some(value) => value
                .parse()
                .map_err(|_| ApiError::Client(format!("{name} must be an integer, got {value:?}"))),
        }
    }

    /// `1`/`true` or `0`/`false`; absent is false.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.text(name) {
            None | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(other) => Err(ApiError::Client(format!(
                "{name} must be 0, 1, true or false, got {other:?}"
            ))),
        }
    }

    /// A comma list of integers, e.g. `1,2,3`.
    pub fn ids(&self, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
        let Some(text) = self.text(name) else { return Ok(None) };
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| item.parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            // A list with no items (`ids=,`) is no filter, like an absent one.
            .map(|ids| (!ids.is_empty()).then_some(ids))
            .map_err(|_| ApiError::Client(format!("{name} must be integers separated by commas, got {text:?}")))
    }

    /// A datetime (`YYYY-MM-DD HH:MM:SS`) or a date meaning its midnight.
    pub fn datetime(&self, name: &str) -> Result<Option<NaiveDateTime>, ApiError> {
        self.text(name)
            .map(|text| {
                parse_datetime(text).ok_or_else(|| {
                    ApiError::Client(format!(
                        "{name} must be a date YYYY-MM-DD or a datetime YYYY-MM-DD HH:MM:SS, got {text:?}"
                    ))
                })
            })
            .transpose()
    }

    /// A date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.text(name)
            .map(|text| {
                parse_date(text)
                    .ok_or_else(|| ApiError::Client(format!("{name} must be a date YYYY-MM-DD, got {text:?}")))
            })
            .transpose()
    }

    /// `1`/`true` or `0`/`false`; absent is `None`.
    pub fn optional_flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.text(name) {
            None => Ok(None),
            Some(_) => self.flag(name).map(Some),
        }
    }

    /// An optional integer.
    pub fn optional_int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.text(name) {
            None => Ok(None),
            Some(_) => self.int(name, 0).map(Some),
        }
    }

    /// `page` (default 1) and `per_page` (default 10, at most 1000).
    pub fn paging(&self) -> Result<Paging, ApiError> {
        let defaults = Paging::default();
        let page = self.int("page", defaults.page)?;
        let per_page = self.int("per_page", defaults.per_page)?;
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::Client(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}"
            )));
        }
        Ok(Paging { page, per_page })
    }
}

/// A numeric id from the path. Anything but a non-negative integer is a 404, as in loonflow,
/// but with the envelope and a message saying why.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| ApiError::NotFound(format!("invalid id {raw:?} in path: expected a non-negative integer")))
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Id, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::NotFound(rejection.body_text()))?;
        path_id(&raw).map(Id)
    }
}

/// Two numeric ids from the path, such as a workflow's and one of its states'.
#[derive(Debug, Clone, Copy)]
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Ids, ApiError> {
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::NotFound(rejection.body_text()))?;
        Ok(Ids(path_id(&first)?, path_id(&second)?))
    }
}
