//! The host side of a plugin call: its store data, and the host interfaces it may import
//! (logging, directory and field look-ups, and HTTP for hooks). A hook's HTTP reaches only
//! the hosts its registration allows, within the call's remaining time, and reads at most the
//! plugin's output limit (at most 1 MiB) of an answer; a longer answer is an error the plugin
//! sees.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::Value as WitValue;
use super::bindings::hook::grebe::plugin::{directory, http, log, ticket_fields, types};
use super::capture::Capture;
use super::directory::Directory;
use super::input::FieldValue;

/// Too many host calls in one plugin call: the trap that stops it.
#[derive(Debug)]
pub struct HostCallLimit(pub u64);

impl std::fmt::Display for HostCallLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "more than {} host calls", self.0)
    }
}

impl std::error::Error for HostCallLimit {}

/// Tracks linear memory against the plugin's limit, and the peak it reached.
pub struct MemoryLimiter {
    pub limit: usize,
    pub peak: usize,
    /// A growth was refused: a trap that follows is the memory limit's doing.
    pub refused: bool,
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// The data of one call's store.
pub struct HostState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: MemoryLimiter,
    pub directory: Arc<Directory>,
    pub fields: HashMap<String, FieldValue>,
    pub parent_fields: HashMap<String, FieldValue>,
    /// `name@version`, for the log.
    pub label: String,
    pub log: Capture,
    pub host_calls: u64,
    pub max_host_calls: u64,
    pub outbound: Outbound,
}

/// What a hook's outbound HTTP may do in one call.
pub struct Outbound {
    pub client: reqwest::Client,
    pub allowed_hosts: Vec<String>,
    /// The end of the call's time budget: no request outlives it.
    pub deadline: Instant,
    pub max_answer_bytes: usize,
}

/// Whether `url` is on one of the `scheme://host[:port]` patterns; the port defaults to the
/// scheme's, and a host `*.example.com` matches any subdomain of example.com.
fn host_allowed(url: &reqwest::Url, patterns: &[String]) -> bool {
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    let port = url.port_or_known_default();
    patterns.iter().any(|pattern| {
        let Some((scheme, authority)) = pattern.trim().split_once("://") else {
            return false;
        };
        let (pattern_host, pattern_port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => (host, port.parse().ok()),
            _ => (authority, None),
        };
        let pattern_port = pattern_port.or(match scheme {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        });
        let pattern_host = pattern_host.to_ascii_lowercase();
        let host_matches = match pattern_host.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == pattern_host,
        };
        scheme.eq_ignore_ascii_case(url.scheme()) && host_matches && pattern_port == port
    })
}

impl Outbound {
    /// Sends one request within what is left of the call's time, from the call's blocking
    /// thread.
    fn send(&self, request: http::Request) -> Result<http::Response, String> {
        let url =
            reqwest::Url::parse(&request.url).map_err(|error| format!("{} is not a URL: {error}", request.url))?;
        if !host_allowed(&url, &self.allowed_hosts) {
            let host = url.host_str().unwrap_or("");
            return Err(format!("host {host} is not on this plugin's list of allowed hosts"));
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        let timeout = Duration::from_millis(u64::from(request.timeout_ms)).min(left);
        if timeout.is_zero() {
            return Err("the plugin's time budget is used up".into());
        }
        let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("{} is not an HTTP method", request.method))?;
        let mut builder = self.client.request(method, url).timeout(timeout).body(request.body);
        for header in request.headers {
            builder = builder.header(header.name, header.value);
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| "outbound HTTP is not available in this call".to_string())?;
        let cap = self.max_answer_bytes;
        runtime.block_on(async move {
            let response = builder.send().await.map_err(|error| error.to_string())?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| http::Header {
                    name: name.to_string(),
                    value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
                })
                .collect();
            let body = crate::outbound::read_capped(response, cap).await?;
            Ok(http::Response { status, headers, body })
        })
    }
}

impl HostState {
    fn count_call(&mut self) -> wasmtime::Result<()> {
        self.host_calls += 1;
        if self.host_calls > self.max_host_calls {
            return Err(wasmtime::Error::new(HostCallLimit(self.max_host_calls)));
        }
        Ok(())
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for HostState {}

impl log::Host for HostState {
    fn log(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        self.count_call()?;
        let shown: String = message.chars().take(2000).collect();
        let plugin = &self.label;
        match level {
            log::Level::Debug => tracing::debug!(%plugin, "{shown}"),
            log::Level::Info => tracing::info!(%plugin, "{shown}"),
            log::Level::Warn => tracing::warn!(%plugin, "{shown}"),
            log::Level::Error => tracing::error!(%plugin, "{shown}"),
        }
        self.log.append_line(&format!("{level:?}: {shown}"));
        Ok(())
    }
}

impl directory::Host for HostState {
    fn find_user(&mut self, username: String) -> wasmtime::Result<Option<directory::User>> {
        self.count_call()?;
        Ok(self.directory.user(&username).map(|user| directory::User {
            username: user.username.clone(),
            alias: user.alias.clone(),
            email: user.email.clone(),
            phone: user.phone.clone(),
            dept_id: user.dept_id,
            is_active: user.is_active,
        }))
    }

    fn find_dept(&mut self, id: i64) -> wasmtime::Result<Option<directory::Dept>> {
        self.count_call()?;
        Ok(self.directory.dept(id).map(|dept| directory::Dept {
            id: dept.id,
            name: dept.name.clone(),
            parent_id: dept.parent_id,
            leader: dept.leader.clone(),
            approvers: dept.approvers.clone(),
        }))
    }

    fn dept_members(&mut self, id: i64) -> wasmtime::Result<Vec<String>> {
        self.count_call()?;
        Ok(self.directory.dept_members(id))
    }

    fn role_members(&mut self, role_id: i64) -> wasmtime::Result<Vec<String>> {
        self.count_call()?;
        Ok(self.directory.role_members(role_id))
    }

    fn user_roles(&mut self, username: String) -> wasmtime::Result<Vec<i64>> {
        self.count_call()?;
        Ok(self
            .directory
            .user(&username)
            .map(|user| user.roles.clone())
            .unwrap_or_default())
    }
}

impl ticket_fields::Host for HostState {
    fn field(&mut self, key: String) -> wasmtime::Result<Option<WitValue>> {
        self.count_call()?;
        Ok(self.fields.get(&key).map(FieldValue::to_wit))
    }

    fn parent_field(&mut self, key: String) -> wasmtime::Result<Option<WitValue>> {
        self.count_call()?;
        Ok(self.parent_fields.get(&key).map(FieldValue::to_wit))
    }
}

impl http::Host for HostState {
    fn send(&mut self, request: http::Request) -> wasmtime::Result<Result<http::Response, String>> {
        self.count_call()?;
        Ok(self.outbound.send(request))
    }
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    fn allowed(url: &str, patterns: &[&str]) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        host_allowed(&reqwest::Url::parse(url).unwrap(), &patterns)
    }

    #[test]
    fn scheme_host_and_port_must_match_a_pattern() {
        assert!(allowed("http://127.0.0.1:8080/x", &["http://127.0.0.1:8080"]));
        assert!(!allowed("http://127.0.0.1:8081/x", &["http://127.0.0.1:8080"]));
        assert!(!allowed("https://127.0.0.1:8080/x", &["http://127.0.0.1:8080"]));
        assert!(allowed("https://api.example.com/x", &["https://api.example.com"]));
        assert!(allowed(
            "https://api.example.com:443/x",
            &["https://API.example.com:443"]
        ));
        assert!(!allowed("https://api.example.com:8443/x", &["https://api.example.com"]));
        assert!(allowed("https://a.b.example.com/x", &["https://*.example.com"]));
        assert!(!allowed("https://example.com/x", &["https://*.example.com"]));
        assert!(!allowed("https://evil-example.com/x", &["https://*.example.com"]));
        assert!(!allowed("http://example.com.evil.io/x", &["http://example.com"]));
        assert!(!allowed("http://127.0.0.1/x", &[]));
    }
}
