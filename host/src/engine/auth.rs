//! Loonflow's request signature: `signature = md5(timestamp + token)` as lowercase hex, with the
//! timestamp no more than 120 seconds away from now.

use md5::{Digest, Md5};
use thiserror::Error;

use super::{App, Engine};
use crate::store::StoreError;

pub const SIGNATURE_WINDOW_SECS: i64 = 120;

/// The authentication headers of a request, as sent (each may be missing).
#[derive(Debug, Default)]
pub struct SignedHeaders<'a> {
    pub appname: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Why a request was not authenticated. The messages of the first four are loonflow's own, so
/// callers that match on them keep working.
#[derive(Debug, Error)]
pub enum AuthError {
    #[error("appname is not provide in request header")]
    MissingAppname,
    #[error(
        "Appname:{0} in request header is unauthorized, please contact administrator to add authorization for appname:{0} in loonflow"
    )]
    UnknownApp(String),
    #[error("The signature you provide in request header is invalid")]
    BadSignature,
    #[error("The signature you provide in request header is expire, please ensure in 120s")]
    Expired,
    #[error("signature is not provide in request header")]
    MissingSignature,
    #[error("timestamp is not provide in request header")]
    MissingTimestamp,
    #[error("timestamp in request header must be unix time in whole seconds, got {0:?}")]
    BadTimestamp(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Lowercase hex md5 of `timestamp` followed by `token`.
pub fn sign(timestamp: &str, token: &str) -> String {
    let digest = Md5::new_with_prefix(timestamp.as_bytes())
        .chain_update(token.as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Engine {
    /// Checks a request's signature at `now` (unix seconds) and returns the calling app.
    pub async fn authenticate(&self, headers: &SignedHeaders<'_>, now: i64) -> Result<App, AuthError> {
        let appname = headers
            .appname
            .filter(|name| !name.is_empty())
            .ok_or(AuthError::MissingAppname)?;
        // Every signed request starts here: the one place to notice configuration changed
        // by another process.
        self.store().sync_config().await?;
        let token = self
            .store()
            .app_token_by_name(appname)
            .await?
            .ok_or_else(|| AuthError::UnknownApp(appname.to_string()))?;
        let signature = headers
            .signature
            .filter(|s| !s.is_empty())
            .ok_or(AuthError::MissingSignature)?;
        let timestamp = headers
            .timestamp
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::MissingTimestamp)?;
        if sign(timestamp, &token.token) != signature {
            return Err(AuthError::BadSignature);
        }
        let sent: i64 = timestamp
            .parse()
            .map_err(|_| AuthError::BadTimestamp(timestamp.to_string()))?;
        if (now - sent).abs() > SIGNATURE_WINDOW_SECS {
            return Err(AuthError::Expired);
        }
        Ok(App::from_token(&token))
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signature_is_md5_of_timestamp_then_token() {
        // md5("1700000000abc"), computed independently with Python's hashlib.
        assert_eq!(sign("1700000000", "abc"), "cd914fd8d6df064f1d57d60df13e34f3");
    }
}
