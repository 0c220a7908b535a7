//! HTTP: axum routes, loonflow's signed-header authentication, the envelope, and the JSON
//! shapes of loonflow's API. No SQL and no rules here; handlers call the engine.

mod accounts;
mod admin_workflows;
mod auth;
mod body;
mod documents;
mod envelope;
mod hooks;
mod interventions;
mod notices;
mod params;
mod plugins;
mod shapes;
mod tickets;
mod workflows;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put};
use tracing::Instrument;

pub use auth::Caller;
pub use envelope::ApiError;

use crate::engine::Engine;

/// The largest `.wasm` a registration may upload.
const PLUGIN_UPLOAD_BYTES: usize = 32 << 20;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/workflows", get(workflows::list).post(admin_workflows::create))
        .route("/workflows/user_admin", get(admin_workflows::user_admin))
        .route("/workflows/import", post(documents::import))
        .route("/workflows/custom_notices", get(notices::list).post(notices::create))
        .route(
            "/workflows/custom_notices/{id}",
            get(notices::detail).patch(notices::update).delete(notices::delete),
        )
        .route("/workflows/states/{id}", get(workflows::state_detail))
        .route(
            "/workflows/{id}",
            get(admin_workflows::detail)
                .patch(admin_workflows::update)
                .delete(admin_workflows::delete),
        )
        .route("/workflows/{id}/init_state", get(workflows::init_state))
        .route(
            "/workflows/{id}/states",
            get(workflows::states).post(admin_workflows::create_state),
        )
        .route(
            "/workflows/{id}/states/{state_id}",
            get(admin_workflows::state_of_workflow)
                .patch(admin_workflows::update_state)
                .delete(admin_workflows::delete_state),
        )
        .route(
            "/workflows/{id}/transitions",
            get(admin_workflows::transitions).post(admin_workflows::create_transition),
        )
        .route(
            "/workflows/{id}/transitions/{transition_id}",
            get(admin_workflows::transition)
                .patch(admin_workflows::update_transition)
                .delete(admin_workflows::delete_transition),
        )
        .route(
            "/workflows/{id}/custom_fields",
            get(admin_workflows::fields).post(admin_workflows::create_field),
        )
        .route(
            "/workflows/{id}/custom_fields/{field_id}",
            get(admin_workflows::field)
                .patch(admin_workflows::update_field)
                .delete(admin_workflows::delete_field),
        )
        .route("/workflows/{id}/validate", get(admin_workflows::validate))
        .route("/workflows/{id}/graph", get(admin_workflows::graph))
        .route("/workflows/{id}/export", get(documents::export))
        .route("/accounts/users", get(accounts::users).post(accounts::create_user))
        .route(
            "/accounts/users/{id}",
            get(accounts::user)
                .patch(accounts::update_user)
                .delete(accounts::delete_user),
        )
        .route("/accounts/users/{id}/roles", get(accounts::user_roles))
        .route("/accounts/roles", get(accounts::roles).post(accounts::create_role))
        .route(
            "/accounts/roles/{id}",
            get(accounts::role)
                .patch(accounts::update_role)
                .delete(accounts::delete_role),
        )
        .route(
            "/accounts/roles/{id}/users",
            get(accounts::role_users).post(accounts::add_role_user),
        )
        .route(
            "/accounts/roles/{id}/users/{user_id}",
            delete(accounts::remove_role_user),
        )
        .route("/accounts/depts", get(accounts::depts).post(accounts::create_dept))
        .route(
            "/accounts/depts/{id}",
            get(accounts::dept)
                .patch(accounts::update_dept)
                .delete(accounts::delete_dept),
        )
        .route(
            "/accounts/app_token",
            get(accounts::app_tokens).post(accounts::create_app_token),
        )
        .route(
            "/accounts/app_token/{id}",
            get(accounts::app_token)
                .patch(accounts::update_app_token)
                .delete(accounts::delete_app_token),
        )
        .route("/accounts/sync", post(accounts::sync))
        .route("/tickets", get(tickets::list).post(tickets::create))
        .route("/tickets/states", get(tickets::states))
        .route("/tickets/num_statistics", get(tickets::num_statistics))
        .route(
            "/tickets/{id}",
            get(tickets::detail)
                .patch(tickets::handle)
                .delete(interventions::delete),
        )
        .route("/tickets/{id}/accept", post(interventions::accept))
        .route("/tickets/{id}/deliver", post(interventions::deliver))
        .route("/tickets/{id}/add_node", post(interventions::add_node))
        .route("/tickets/{id}/add_node_end", post(interventions::add_node_end))
        .route("/tickets/{id}/state", put(interventions::change_state))
        .route("/tickets/{id}/close", post(interventions::close))
        .route("/tickets/{id}/retreat", post(interventions::retreat))
        .route("/tickets/{id}/retry_script", post(hooks::retry_script))
        .route("/tickets/{id}/hook_call_back", post(hooks::hook_call_back))
        .route("/tickets/{id}/transitions", get(tickets::transitions))
        .route("/tickets/{id}/flowlogs", get(tickets::flow_logs))
        .route("/tickets/{id}/flowsteps", get(tickets::flow_steps))
        .route("/tickets/{id}/fields", patch(tickets::update_fields))
        .route("/tickets/{id}/comments", post(tickets::comment))
        .route("/tickets/{id}/participant_info", get(tickets::participant_info))
        .route(
            "/plugins",
            get(plugins::list)
                .post(plugins::register)
                .layer(DefaultBodyLimit::max(PLUGIN_UPLOAD_BYTES)),
        )
        .route(
            "/plugins/{id}",
            get(plugins::detail).patch(plugins::change).delete(plugins::delete),
        )
        .route("/plugins/{id}/dry_run", post(plugins::dry_run))
        .route("/plugins/{id}/runs", get(plugins::runs));
    Router::new()
        .nest("/api/v1.0", api)
        .fallback(|| async { ApiError::NotFound("no such path".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn(request_span))
        .with_state(state)
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// One span per request carrying its id, app and user, echoed as `x-request-id`.
async fn request_span(request: Request, next: Next) -> Response {
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let header = |request: &Request, name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| std::str::from_utf8(value.as_bytes()).ok())
            .unwrap_or("")
            .to_string()
    };
    let (appname, username) = (header(&request, "appname"), header(&request, "username"));
    let span = tracing::info_span!(
        "request",
        id,
        method = %request.method().as_str(),
        path = %request.uri().path().to_string(),
        %appname,
        %username,
    );
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "answered"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
