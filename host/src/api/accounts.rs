//! `/api/v1.0/accounts…` (spec 10): users, roles and their members, departments and app
//! tokens for super admins (workflow admins may read the users), and Grebe's directory sync.
//! Bodies are closed; PATCH changes only the keys sent.

use axum::extract::State as Shared;
use serde_json::{Map, Value, json};

use super::body::{
    JsonObject, only_keys, put, take_flag, take_id, take_int, take_json_text, take_list_text, take_optional_text,
};
use super::envelope::{ApiResult, ok, ok_with_msg};
use super::params::{Id, Ids, Params};
use super::shapes::{self, datetime};
use super::{ApiError, AppState, Caller};
use crate::engine::{Actor, DirectoryDocument, Listing, Mentions, UserSaved, split_names};
use crate::store::{AppToken, AppTokenValues, DeptRecord, DeptValues, RoleRecord, RoleValues, UserRecord, UserValues};

const USER_KEYS: &[&str] = &[
    "username",
    "alias",
    "email",
    "password",
    "phone",
    "dept_id",
    "is_active",
    "is_admin",
    "is_workflow_admin",
    "external_id",
];
const ROLE_KEYS: &[&str] = &["name", "description", "label", "external_id"];
const DEPT_KEYS: &[&str] = &["name", "parent_dept_id", "leader", "approver", "label", "external_id"];
const APP_TOKEN_KEYS: &[&str] = &["app_name", "workflow_ids", "ticket_sn_prefix"];

/// `creator_info` of account dicts (spec 12.6-12.9).
fn creator_info(mentions: &Mentions, creator: &str) -> Value {
    let user = mentions.users.get(creator);
    json!({
        "creator_id": user.map_or(0, |user| user.id),
        "creator_alias": user.map_or("", |user| user.alias.as_str()),
        "creator_username": creator,
    })
}

/// The user dict (spec 12.6): no password, the department and creator described.
fn user_dict(row: UserRecord, mentions: &Mentions) -> Value {
    let user = &row.user;
    json!({
        "id": user.id,
        "last_login": null,
        "username": user.username,
        "alias": user.alias,
        "email": user.email,
        "phone": user.phone,
        "dept_info": {
            "dept_id": user.dept_id,
            "dept_name": mentions.dept_names.get(&user.dept_id).cloned().unwrap_or_default(),
        },
        "is_active": user.is_active,
        "is_admin": user.is_admin,
        "is_workflow_admin": user.is_workflow_admin,
        "creator_info": creator_info(mentions, &row.creator),
        "gmt_created": datetime(&row.gmt_created),
        "gmt_modified": datetime(&row.gmt_modified),
        "is_deleted": row.is_deleted,
        "external_id": row.external_id,
    })
}

/// The role dict (spec 12.7).
fn role_dict(row: RoleRecord, mentions: &Mentions) -> Value {
    json!({
        "id": row.role.id,
        "name": row.role.name,
        "description": row.description,
        "label": row.label,
        "creator": row.creator,
        "gmt_created": datetime(&row.gmt_created),
        "gmt_modified": datetime(&row.gmt_modified),
        "is_deleted": row.is_deleted,
        "creator_info": creator_info(mentions, &row.creator),
        "external_id": row.external_id,
    })
}

/// The department dict (spec 12.8).
fn dept_dict(row: DeptRecord, mentions: &Mentions) -> Value {
    let dept = &row.dept;
    let person = |name: &str| mentions.users.get(name);
    let parent_name = match dept.parent_dept_id {
        0 => String::new(),
        id => mentions.dept_names.get(&id).cloned().unwrap_or_else(|| "未知".into()),
    };
    let leader = dept.leader.as_str();
    let leader_info = json!({
        "leader_username": leader,
        "leader_alias": person(leader).map_or(leader, |user| user.alias.as_str()),
        "leader_id": person(leader).map_or(0, |user| user.id),
    });
    let approvers: Vec<Value> = split_names(&dept.approver)
        .iter()
        .map(|name| {
            json!({
                "approver_name": name,
                "approver_alias": person(name).map_or(name.as_str(), |user| user.alias.as_str()),
                "approver_id": person(name).map_or(0, |user| user.id),
            })
        })
        .collect();
    json!({
        "id": dept.id,
        "name": dept.name,
        "parent_dept_id": dept.parent_dept_id,
        "leader": dept.leader,
        "approver": dept.approver,
        "label": row.label,
        "creator": row.creator,
        "gmt_created": datetime(&row.gmt_created),
        "gmt_modified": datetime(&row.gmt_modified),
        "is_deleted": row.is_deleted,
        "creator_info": creator_info(mentions, &row.creator),
        "parent_dept_info": {"parent_dept_id": dept.parent_dept_id, "parent_dept_name": parent_name},
        "leader_info": leader_info,
        "approver_info": approvers,
        "external_id": row.external_id,
    })
}

/// The app-token dict (spec 12.9); the token is shown only when created.
fn app_token_dict(row: AppToken, mentions: &Mentions) -> Value {
    json!({
        "id": row.id,
        "creator": row.creator,
        "gmt_created": datetime(&row.gmt_created),
        "gmt_modified": datetime(&row.gmt_modified),
        "is_deleted": false,
        "app_name": row.app_name,
        "token": "***",
        "workflow_ids": row.workflow_ids,
        "ticket_sn_prefix": row.ticket_sn_prefix,
        "creator_info": creator_info(mentions, &row.creator),
    })
}

/// A listing as loonflow's page, each row shown by `dict`.
fn listing_page<T>(listing: Listing<T>, params: &Params, dict: impl Fn(T, &Mentions) -> Value) -> ApiResult {
    let paging = params.paging()?;
    let mentions = listing.mentions;
    Ok(ok(shapes::page(listing.page, paging.page, paging.per_page, |row| {
        dict(row, &mentions)
    })))
}

/// The one row of a detail listing, shown by `dict`.
fn listing_item<T>(listing: Listing<T>, dict: impl Fn(T, &Mentions) -> Value) -> ApiResult {
    let mentions = listing.mentions;
    let item = listing.page.items.into_iter().next().map(|row| dict(row, &mentions));
    Ok(ok(item.unwrap_or_default()))
}

/// A user save's answer: a warning in `msg` when a deactivated user still handles tickets.
fn user_saved(saved: &UserSaved, data: Value) -> ApiResult {
    if saved.waiting_tickets.is_empty() {
        return Ok(ok(data));
    }
    let tickets: Vec<String> = saved.waiting_tickets.iter().map(i64::to_string).collect();
    Ok(ok_with_msg(
        data,
        format!(
            "user {} is no longer active but still handles tickets {}; deliver them to someone else",
            saved.username,
            tickets.join(", ")
        ),
    ))
}

fn apply_user(body: &mut Map<String, Value>, values: &mut UserValues) -> Result<(), ApiError> {
    only_keys(body, USER_KEYS)?;
    // Grebe has no logins, so there is no password to keep.
    take_optional_text(body, "password")?;
    put(&mut values.username, take_optional_text(body, "username")?);
    put(&mut values.alias, take_optional_text(body, "alias")?);
    put(&mut values.email, take_optional_text(body, "email")?);
    put(&mut values.phone, take_optional_text(body, "phone")?);
    put(&mut values.dept_id, take_int(body, "dept_id")?);
    put(&mut values.is_active, take_flag(body, "is_active")?);
    put(&mut values.is_admin, take_flag(body, "is_admin")?);
    put(&mut values.is_workflow_admin, take_flag(body, "is_workflow_admin")?);
    put(&mut values.external_id, take_optional_text(body, "external_id")?);
    Ok(())
}

/// GET /api/v1.0/accounts/users
pub async fn users(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_users(&actor, None, params.text("search_value"), params.paging()?)
        .await?;
    listing_page(listing, &params, user_dict)
}

/// POST /api/v1.0/accounts/users
pub async fn create_user(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let mut body = body.required("post参数为空: send at least the username")?;
    let actor = caller.actor(&state.engine).await?;
    let saved = state
        .engine
        .save_user(&actor, None, |values| apply_user(&mut body, values))
        .await?;
    Ok(ok(json!({"user_id": saved.id})))
}

/// GET /api/v1.0/accounts/users/{id}
pub async fn user(Shared(state): Shared<AppState>, caller: Caller, Id(user_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    listing_item(state.engine.user_detail(&actor, user_id).await?, user_dict)
}

/// PATCH /api/v1.0/accounts/users/{id}
pub async fn update_user(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(user_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the columns to change")?;
    let actor = caller.actor(&state.engine).await?;
    let saved = state
        .engine
        .save_user(&actor, Some(user_id), |values| apply_user(&mut body, values))
        .await?;
    user_saved(&saved, json!({}))
}

/// DELETE /api/v1.0/accounts/users/{id}
pub async fn delete_user(Shared(state): Shared<AppState>, caller: Caller, Id(user_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let saved = state.engine.delete_user(&actor, user_id).await?;
    user_saved(&saved, json!({}))
}

/// GET /api/v1.0/accounts/users/{id}/roles
pub async fn user_roles(Shared(state): Shared<AppState>, caller: Caller, Id(user_id): Id, params: Params) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_roles(&actor, Some(user_id), params.text("search_value"), params.paging()?)
        .await?;
    listing_page(listing, &params, |row, _| {
        json!({
            "id": row.role.id,
            "name": row.role.name,
            "description": row.description,
            "label": row.label,
            "creator": row.creator,
            "gmt_created": datetime(&row.gmt_created),
        })
    })
}

fn apply_role(body: &mut Map<String, Value>, values: &mut RoleValues) -> Result<(), ApiError> {
    only_keys(body, ROLE_KEYS)?;
    put(&mut values.name, take_optional_text(body, "name")?);
    put(&mut values.description, take_optional_text(body, "description")?);
    put(&mut values.label, take_json_text(body, "label")?);
    put(&mut values.external_id, take_optional_text(body, "external_id")?);
    Ok(())
}

/// GET /api/v1.0/accounts/roles
pub async fn roles(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_roles(&actor, None, params.text("search_value"), params.paging()?)
        .await?;
    listing_page(listing, &params, role_dict)
}

/// POST /api/v1.0/accounts/roles — loonflow answers with the id in `msg`.
pub async fn create_role(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let mut body = body.required("post参数为空: send at least the role's name")?;
    let actor = caller.actor(&state.engine).await?;
    let id = state
        .engine
        .save_role(&actor, None, |values| apply_role(&mut body, values))
        .await?;
    Ok(ok_with_msg(json!({}), json!({"role_id": id})))
}

/// GET /api/v1.0/accounts/roles/{id}
pub async fn role(Shared(state): Shared<AppState>, caller: Caller, Id(role_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    listing_item(state.engine.role_detail(&actor, role_id).await?, role_dict)
}

/// PATCH /api/v1.0/accounts/roles/{id}
pub async fn update_role(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(role_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the columns to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_role(&actor, Some(role_id), |values| apply_role(&mut body, values))
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/accounts/roles/{id}
pub async fn delete_role(Shared(state): Shared<AppState>, caller: Caller, Id(role_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_role(&actor, role_id).await?;
    Ok(ok(json!({})))
}

/// GET /api/v1.0/accounts/roles/{id}/users
pub async fn role_users(Shared(state): Shared<AppState>, caller: Caller, Id(role_id): Id, params: Params) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_users(&actor, Some(role_id), params.text("search_value"), params.paging()?)
        .await?;
    listing_page(listing, &params, user_dict)
}

/// POST /api/v1.0/accounts/roles/{id}/users
pub async fn add_role_user(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(role_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("post参数为空: send user_id")?;
    only_keys(&body, &["user_id"])?;
    let user_id = take_id(&mut body, "user_id", "user_id is needed and should be a user's id")?;
    let actor = caller.actor(&state.engine).await?;
    state.engine.add_role_member(&actor, role_id, user_id).await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/accounts/roles/{role_id}/users/{user_id} — only this membership (B23).
pub async fn remove_role_user(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Ids(role_id, user_id): Ids,
) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.remove_role_member(&actor, role_id, user_id).await?;
    Ok(ok(json!({})))
}

/// User ids as loonflow's department form sends them: a comma list of ids.
fn user_ids(key: &str, text: &str) -> Result<Vec<i64>, ApiError> {
    split_names(text)
        .iter()
        .map(|id| {
            id.parse::<i64>()
                .map_err(|_| ApiError::Client(format!("{key} must hold user ids separated by commas, got {text:?}")))
        })
        .collect()
}

/// The usernames of the user ids in `text`, joined by commas, if sent.
async fn usernames(
    state: &AppState,
    actor: &Actor,
    key: &str,
    text: Option<String>,
) -> Result<Option<String>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    let ids = user_ids(key, &text)?;
    Ok(Some(state.engine.usernames_of(actor, &ids).await?.join(",")))
}

/// Applies a department body; `leader` and `approver` are user ids (as loonflow's form sends
/// them), turned into usernames.
async fn department(
    state: &AppState,
    caller: &Caller,
    dept_id: Option<i64>,
    mut body: Map<String, Value>,
) -> Result<i64, ApiError> {
    only_keys(&body, DEPT_KEYS)?;
    let actor = caller.actor(&state.engine).await?;
    let leader = usernames(state, &actor, "leader", take_list_text(&mut body, "leader")?).await?;
    let approver = usernames(state, &actor, "approver", take_list_text(&mut body, "approver")?).await?;
    state
        .engine
        .save_dept(&actor, dept_id, |values: &mut DeptValues| {
            put(&mut values.name, take_optional_text(&mut body, "name")?);
            put(&mut values.parent_dept_id, take_int(&mut body, "parent_dept_id")?);
            put(&mut values.label, take_optional_text(&mut body, "label")?);
            put(&mut values.external_id, take_optional_text(&mut body, "external_id")?);
            put(&mut values.leader, leader);
            put(&mut values.approver, approver);
            Ok::<(), ApiError>(())
        })
        .await
}

/// GET /api/v1.0/accounts/depts
pub async fn depts(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_depts(&actor, params.text("search_value"), params.paging()?)
        .await?;
    listing_page(listing, &params, dept_dict)
}

/// POST /api/v1.0/accounts/depts — loonflow answers with the id in `msg`.
pub async fn create_dept(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let body = body.required("post参数为空: send at least the department's name")?;
    let id = department(&state, &caller, None, body).await?;
    Ok(ok_with_msg(json!({}), json!({"dept_id": id})))
}

/// GET /api/v1.0/accounts/depts/{id}
pub async fn dept(Shared(state): Shared<AppState>, caller: Caller, Id(dept_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    listing_item(state.engine.dept_detail(&actor, dept_id).await?, dept_dict)
}

/// PATCH /api/v1.0/accounts/depts/{id}
pub async fn update_dept(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(dept_id): Id,
    body: JsonObject,
) -> ApiResult {
    let body = body.required("patch参数为空: send the columns to change")?;
    department(&state, &caller, Some(dept_id), body).await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/accounts/depts/{id}
pub async fn delete_dept(Shared(state): Shared<AppState>, caller: Caller, Id(dept_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_dept(&actor, dept_id).await?;
    Ok(ok(json!({})))
}

fn apply_app_token(body: &mut Map<String, Value>, values: &mut AppTokenValues) -> Result<(), ApiError> {
    only_keys(body, APP_TOKEN_KEYS)?;
    put(&mut values.app_name, take_optional_text(body, "app_name")?);
    put(&mut values.workflow_ids, take_list_text(body, "workflow_ids")?);
    put(
        &mut values.ticket_sn_prefix,
        take_optional_text(body, "ticket_sn_prefix")?,
    );
    Ok(())
}

/// GET /api/v1.0/accounts/app_token
pub async fn app_tokens(Shared(state): Shared<AppState>, caller: Caller, params: Params) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    let listing = state
        .engine
        .list_app_tokens(&actor, params.text("search_value"), params.paging()?)
        .await?;
    listing_page(listing, &params, app_token_dict)
}

/// POST /api/v1.0/accounts/app_token — the only answer that shows the new token.
pub async fn create_app_token(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let mut body = body.required("post参数为空: send app_name and workflow_ids")?;
    let actor = caller.actor(&state.engine).await?;
    let created = state
        .engine
        .save_app_token(&actor, None, |values| apply_app_token(&mut body, values))
        .await?;
    Ok(ok_with_msg(
        json!({"id": created.id, "token": created.token}),
        json!({"app_token_id": created.id}),
    ))
}

/// GET /api/v1.0/accounts/app_token/{id}
pub async fn app_token(Shared(state): Shared<AppState>, caller: Caller, Id(token_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    listing_item(state.engine.app_token_detail(&actor, token_id).await?, app_token_dict)
}

/// PATCH /api/v1.0/accounts/app_token/{id} — the token stays.
pub async fn update_app_token(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Id(token_id): Id,
    body: JsonObject,
) -> ApiResult {
    let mut body = body.required("patch参数为空: send the columns to change")?;
    let actor = caller.actor(&state.engine).await?;
    state
        .engine
        .save_app_token(&actor, Some(token_id), |values| apply_app_token(&mut body, values))
        .await?;
    Ok(ok(json!({})))
}

/// DELETE /api/v1.0/accounts/app_token/{id}
pub async fn delete_app_token(Shared(state): Shared<AppState>, caller: Caller, Id(token_id): Id) -> ApiResult {
    let actor = caller.actor(&state.engine).await?;
    state.engine.delete_app_token(&actor, token_id).await?;
    Ok(ok(json!({})))
}

/// POST /api/v1.0/accounts/sync — a directory document, upserted by external id.
pub async fn sync(Shared(state): Shared<AppState>, caller: Caller, body: JsonObject) -> ApiResult {
    let body = body.required("post参数为空: send the directory document")?;
    let document: DirectoryDocument = serde_json::from_value(Value::Object(body))
        .map_err(|error| ApiError::Client(format!("请求参数不合法:invalid directory document: {error}")))?;
    let actor = caller.actor(&state.engine).await?;
    let report = state.engine.sync_directory(&actor, &document).await?;
    let value = serde_json::to_value(report).map_err(|error| ApiError::Internal(error.to_string()))?;
    Ok(ok(value))
}
