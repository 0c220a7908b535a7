//! Directory sync: a company's departments, users and roles with their members, upserted by
//! the id each has in the company's own directory (`external_id`), in one transaction. Rows
//! are written only when something differs, so the same document twice changes nothing the
//! second time. Users are never deleted; with `deactivate_missing`, synced users the document
//! no longer lists become inactive. Deactivating a user who still handles tickets is allowed
//! and reported.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::super::lifecycle::with_retries;
use super::super::{Engine, EngineError, EngineResult};
use super::accounts::{dept_problems, role_problems, user_problems};
use super::{Actor, taken};
use crate::store::{DeptRecord, DeptValues, RoleRecord, RoleValues, Store, Table, Tx, UserRecord, UserValues};

/// The directory as the company's own system knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryDocument {
    #[serde(default)]
    pub depts: Vec<DeptEntry>,
    #[serde(default)]
    pub users: Vec<UserEntry>,
    #[serde(default)]
    pub roles: Vec<RoleEntry>,
    /// Deactivate the synced users (those with an external id) this document leaves out.
    #[serde(default)]
    pub deactivate_missing: bool,
}

/// A department; `parent_external_id` is '' for a root, `leader` and `approvers` are usernames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeptEntry {
    pub external_id: String,
    pub name: String,
    #[serde(default)]
    pub parent_external_id: String,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub approvers: Vec<String>,
    #[serde(default)]
    pub label: String,
}

/// A user; `dept_external_id` is '' for none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    pub external_id: String,
    pub username: String,
    #[serde(default)]
    pub alias: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub dept_external_id: String,
    #[serde(default = "active")]
    pub is_active: bool,
}

fn active() -> bool {
    true
}

/// A role and exactly its members, by username.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleEntry {
    pub external_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// Names of departments, users (usernames) and roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncChanges {
    pub depts: Vec<String>,
    pub users: Vec<String>,
    pub roles: Vec<String>,
}

/// A deactivated user and the tickets still waiting for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerReport {
    pub username: String,
    pub ticket_ids: Vec<i64>,
}

/// What a sync changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub created: SyncChanges,
    pub updated: SyncChanges,
    /// Users who were active before and are not now.
    pub deactivated: Vec<String>,
    pub current_handlers_deactivated: Vec<HandlerReport>,
}

/// The directory as stored, deleted rows included: they keep their usernames and external
/// ids, and a sync that lists them again brings them back.
struct Stored {
    users: Vec<UserRecord>,
    depts: Vec<DeptRecord>,
    roles: Vec<RoleRecord>,
    memberships: Vec<(i64, i64)>,
}

impl Stored {
    async fn load(store: &Store) -> EngineResult<Stored> {
        Ok(Stored {
            users: store.all_user_records().await?,
            depts: store.all_dept_records().await?,
            roles: store.all_role_records().await?,
            memberships: store.memberships().await?,
        })
    }

    fn dept(&self, external_id: &str) -> Option<&DeptRecord> {
        self.depts.iter().find(|row| row.external_id == external_id)
    }

    fn role(&self, external_id: &str) -> Option<&RoleRecord> {
        self.roles.iter().find(|row| row.external_id == external_id)
    }

    /// The row a user entry updates: the one with its external id, else an unsynced row with
    /// its username.
    fn user(&self, entry: &UserEntry) -> Option<&UserRecord> {
        self.users
            .iter()
            .find(|row| row.external_id == entry.external_id)
            .or_else(|| {
                self.users
                    .iter()
                    .find(|row| row.user.username == entry.username && row.external_id.is_empty())
            })
    }
}

/// The first value that occurs twice.
fn duplicate<'a>(values: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = HashSet::new();
    values.into_iter().find(|value| !seen.insert(*value))
}

/// The order to write departments in: parents listed in the document before their children.
fn dept_order(entries: &[DeptEntry]) -> Result<Vec<usize>, String> {
    let listed: HashSet<&str> = entries.iter().map(|entry| entry.external_id.as_str()).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut order = Vec::new();
    while order.len() < entries.len() {
        let before = order.len();
        for (index, entry) in entries.iter().enumerate() {
            let parent = entry.parent_external_id.as_str();
            let ready = parent.is_empty() || !listed.contains(parent) || placed.contains(parent);
            if ready && !order.contains(&index) {
                order.push(index);
                placed.insert(&entry.external_id);
            }
        }
        if order.len() == before {
            let stuck: Vec<&str> = entries
                .iter()
                .enumerate()
                .filter(|(index, _)| !order.contains(index))
                .map(|(_, entry)| entry.external_id.as_str())
                .collect();
            return Err(format!(
                "departments {} form a loop through parent_external_id",
                stuck.join(", ")
            ));
        }
    }
    Ok(order)
}

impl DeptEntry {
    fn values(&self, parent_dept_id: i64) -> DeptValues {
        DeptValues {
            name: self.name.clone(),
            parent_dept_id,
            leader: self.leader.clone(),
            approver: self.approvers.join(","),
            label: self.label.clone(),
            external_id: self.external_id.clone(),
        }
    }
}

impl UserEntry {
    /// The entry's columns over the stored row's (its admin flags stay).
    fn values(&self, row: Option<&UserRecord>, dept_id: i64) -> UserValues {
        UserValues {
            username: self.username.clone(),
            alias: self.alias.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            dept_id,
            is_active: self.is_active,
            is_admin: row.is_some_and(|row| row.user.is_admin),
            is_workflow_admin: row.is_some_and(|row| row.user.is_workflow_admin),
            external_id: self.external_id.clone(),
        }
    }
}

impl RoleEntry {
    fn values(&self, row: Option<&RoleRecord>) -> RoleValues {
        RoleValues {
            name: self.name.clone(),
            description: self.description.clone(),
            label: row.map_or_else(|| "{}".to_string(), |row| row.label.clone()),
            external_id: self.external_id.clone(),
        }
    }
}

/// Checks the document against itself and the stored directory, naming each entry.
fn problems(document: &DirectoryDocument, stored: &Stored) -> Vec<String> {
    let mut problems = Vec::new();
    let kinds: [(&str, Vec<&str>); 3] = [
        (
            "department",
            document.depts.iter().map(|d| d.external_id.as_str()).collect(),
        ),
        ("user", document.users.iter().map(|u| u.external_id.as_str()).collect()),
        ("role", document.roles.iter().map(|r| r.external_id.as_str()).collect()),
    ];
    for (kind, ids) in &kinds {
        if ids.iter().any(|id| id.trim().is_empty()) {
            problems.push(format!("every {kind} needs an external_id"));
        }
        if let Some(id) = duplicate(ids.iter().copied()) {
            problems.push(format!("{kind} external_id {id:?} is listed twice"));
        }
    }
    if let Some(name) = duplicate(document.users.iter().map(|u| u.username.as_str())) {
        problems.push(format!("username {name:?} is listed twice"));
    }
    let listed_users: HashSet<&str> = document.users.iter().map(|u| u.username.as_str()).collect();
    let is_user = |name: &str| {
        listed_users.contains(name)
            || stored
                .users
                .iter()
                .any(|row| !row.is_deleted && row.user.username == name)
    };
    let is_dept = |external_id: &str| {
        document.depts.iter().any(|d| d.external_id == external_id)
            || stored
                .depts
                .iter()
                .any(|row| !row.is_deleted && row.external_id == external_id)
    };
    if let Err(problem) = dept_order(&document.depts) {
        problems.push(problem);
    }
    for entry in &document.depts {
        let subject = format!("department {:?}", entry.external_id);
        let row = stored.dept(&entry.external_id);
        for problem in dept_problems(&entry.values(0), row.map(|row| row.dept.id), &stored.depts, is_user) {
            problems.push(format!("{subject}: {problem}"));
        }
        if !entry.parent_external_id.is_empty() && !is_dept(&entry.parent_external_id) {
            problems.push(format!(
                "{subject}: parent_external_id {:?} is no department",
                entry.parent_external_id
            ));
        }
    }
    for entry in &document.users {
        let subject = format!("user {:?}", entry.external_id);
        let row = stored.user(entry);
        let values = entry.values(row, 0);
        for problem in user_problems(&values, row.map(|row| row.user.id), &stored.users, &[]) {
            problems.push(format!("{subject}: {problem}"));
        }
        if !entry.dept_external_id.is_empty() && !is_dept(&entry.dept_external_id) {
            problems.push(format!(
                "{subject}: dept_external_id {:?} is no department",
                entry.dept_external_id
            ));
        }
    }
    for entry in &document.roles {
        let subject = format!("role {:?}", entry.external_id);
        let row = stored.role(&entry.external_id);
        for problem in role_problems(&entry.values(row), row.map(|row| row.role.id), &stored.roles) {
            problems.push(format!("{subject}: {problem}"));
        }
        let unknown: Vec<&str> = entry
            .members
            .iter()
            .map(String::as_str)
            .filter(|name| !is_user(name))
            .collect();
        if !unknown.is_empty() {
            problems.push(format!("{subject}: members names no user {}", unknown.join(", ")));
        }
    }
    problems
}

/// Writes the document in `tx`, recording what changed in `report`.
async fn write(
    tx: &mut Tx,
    document: &DirectoryDocument,
    stored: &Stored,
    creator: &str,
    report: &mut SyncReport,
) -> EngineResult<()> {
    let dept_ids = write_depts(tx, document, stored, creator, report).await?;
    let user_ids = write_users(tx, document, stored, &dept_ids, creator, report).await?;
    write_roles(tx, document, stored, &user_ids, creator, report).await
}

/// Upserts the departments, parents first; returns the id of every synced department.
async fn write_depts(
    tx: &mut Tx,
    document: &DirectoryDocument,
    stored: &Stored,
    creator: &str,
    report: &mut SyncReport,
) -> EngineResult<HashMap<String, i64>> {
    let mut dept_ids: HashMap<String, i64> = stored
        .depts
        .iter()
        .filter(|row| !row.external_id.is_empty())
        .map(|row| (row.external_id.clone(), row.dept.id))
        .collect();
    for index in dept_order(&document.depts).map_err(EngineError::Invalid)? {
        let entry = &document.depts[index];
        let parent = dept_ids.get(&entry.parent_external_id).copied().unwrap_or(0);
        let values = entry.values(parent);
        let row = stored.dept(&entry.external_id);
        let current = row.map(|row| (row.dept.id, DeptValues::from(row), row.is_deleted));
        let id = upsert(tx, current, &values, Table::Depts, creator).await?;
        record(&mut report.created.depts, &mut report.updated.depts, id, &entry.name);
        dept_ids.insert(entry.external_id.clone(), id.id());
    }
    Ok(dept_ids)
}

/// Upserts the listed users and, if asked, deactivates the synced users left out; returns
/// the id of every user by username.
async fn write_users(
    tx: &mut Tx,
    document: &DirectoryDocument,
    stored: &Stored,
    dept_ids: &HashMap<String, i64>,
    creator: &str,
    report: &mut SyncReport,
) -> EngineResult<HashMap<String, i64>> {
    let mut user_ids: HashMap<String, i64> = stored
        .users
        .iter()
        .filter(|row| !row.is_deleted)
        .map(|row| (row.user.username.clone(), row.user.id))
        .collect();
    let mut listed = HashSet::new();
    for entry in &document.users {
        let row = stored.user(entry);
        listed.extend(row.map(|row| row.user.id));
        let dept_id = dept_ids.get(&entry.dept_external_id).copied().unwrap_or(0);
        let values = entry.values(row, dept_id);
        let current = row.map(|row| (row.user.id, UserValues::from(row), row.is_deleted));
        let id = upsert(tx, current.clone(), &values, Table::Users, creator).await?;
        match current {
            Some((_, old, false)) if old.is_active && !values.is_active => {
                // Deactivation is reported on its own; an update only if more changed.
                report.deactivated.push(values.username.clone());
                if (UserValues {
                    is_active: false,
                    ..old
                }) != values
                {
                    report.updated.users.push(values.username.clone());
                }
            }
            _ => record(
                &mut report.created.users,
                &mut report.updated.users,
                id,
                &entry.username,
            ),
        }
        user_ids.insert(entry.username.clone(), id.id());
    }
    if document.deactivate_missing {
        let missing = stored.users.iter().filter(|row| {
            !row.external_id.is_empty() && !row.is_deleted && row.user.is_active && !listed.contains(&row.user.id)
        });
        for row in missing {
            let values = UserValues {
                is_active: false,
                ..UserValues::from(row)
            };
            tx.update(row.user.id, &values).await?;
            report.deactivated.push(row.user.username.clone());
        }
    }
    Ok(user_ids)
}

/// Upserts the roles and makes their members exactly those listed.
async fn write_roles(
    tx: &mut Tx,
    document: &DirectoryDocument,
    stored: &Stored,
    user_ids: &HashMap<String, i64>,
    creator: &str,
    report: &mut SyncReport,
) -> EngineResult<()> {
    for entry in &document.roles {
        let row = stored.role(&entry.external_id);
        let values = entry.values(row);
        let current = row.map(|row| (row.role.id, RoleValues::from(row), row.is_deleted));
        let mut id = upsert(tx, current, &values, Table::Roles, creator).await?;
        let members: Vec<i64> = entry
            .members
            .iter()
            .filter_map(|name| user_ids.get(name).copied())
            .collect();
        let as_set = |ids: Vec<i64>| -> Vec<i64> {
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let before: Vec<i64> = stored
            .memberships
            .iter()
            .filter(|(role, _)| *role == id.id())
            .map(|(_, user)| *user)
            .collect();
        if as_set(members.clone()) != as_set(before) {
            tx.set_role_members(id.id(), &members, creator).await?;
            id = id.changed();
        }
        record(&mut report.created.roles, &mut report.updated.roles, id, &entry.name);
    }
    Ok(())
}

/// What an upsert did to a row.
#[derive(Debug, Clone, Copy)]
enum Upserted {
    Created(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Upserted {
    fn id(self) -> i64 {
        match self {
            Upserted::Created(id) | Upserted::Updated(id) | Upserted::Unchanged(id) => id,
        }
    }

    fn changed(self) -> Upserted {
        match self {
            Upserted::Unchanged(id) => Upserted::Updated(id),
            other => other,
        }
    }
}

fn record(created: &mut Vec<String>, updated: &mut Vec<String>, outcome: Upserted, name: &str) {
    match outcome {
        Upserted::Created(_) => created.push(name.to_string()),
        Upserted::Updated(_) => updated.push(name.to_string()),
        Upserted::Unchanged(_) => {}
    }
}

/// Inserts `values`, or updates (and restores) the stored row `(id, values, deleted)` when
/// anything differs.
async fn upsert<C: crate::store::Columns + PartialEq + Sync>(
    tx: &mut Tx,
    current: Option<(i64, C, bool)>,
    values: &C,
    table: Table,
    creator: &str,
) -> EngineResult<Upserted> {
    Ok(match current {
        None => Upserted::Created(tx.insert(values, creator).await?),
        Some((id, old, deleted)) if old == *values && !deleted => Upserted::Unchanged(id),
        Some((id, _, deleted)) => {
            tx.update(id, values).await?;
            if deleted {
                tx.set_deleted(table, id, false).await?;
            }
            Upserted::Updated(id)
        }
    })
}

impl Engine {
    /// Upserts a directory document in one transaction and reports what changed.
    pub async fn sync_directory(&self, actor: &Actor, document: &DirectoryDocument) -> EngineResult<SyncReport> {
        actor.require_super_admin("the directory")?;
        let stored = Stored::load(self.store()).await?;
        let problems = problems(document, &stored);
        if !problems.is_empty() {
            return Err(EngineError::Invalid(format!(
                "the directory document is not synced: {}",
                problems.join("; ")
            )));
        }
        let mut report = with_retries(|| async {
            let mut report = SyncReport::default();
            let mut tx = self.store().begin_write().await?;
            write(&mut tx, document, &stored, actor.name(), &mut report).await?;
            tx.commit().await?;
            Ok(report)
        })
        .await
        .map_err(|error| taken(error, "a username or external_id of the document"))?;
        for username in &report.deactivated {
            let ticket_ids = self.store().tickets_waiting_for(username).await?;
            if !ticket_ids.is_empty() {
                report.current_handlers_deactivated.push(HandlerReport {
                    username: username.clone(),
                    ticket_ids,
                });
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::{DeptEntry, dept_order, duplicate};

    fn dept(id: &str, parent: &str) -> DeptEntry {
        DeptEntry {
            external_id: id.into(),
            name: id.into(),
            parent_external_id: parent.into(),
            leader: String::new(),
            approvers: Vec::new(),
            label: String::new(),
        }
    }

    #[test]
    fn parents_come_before_children_and_loops_are_refused() {
        let depts = [dept("c", "b"), dept("b", "a"), dept("a", ""), dept("x", "elsewhere")];
        assert_eq!(dept_order(&depts).unwrap(), [2, 3, 1, 0]);
        let looped = [dept("a", "b"), dept("b", "a"), dept("c", "")];
        assert!(dept_order(&looped).unwrap_err().contains("a, b"));
    }

    #[test]
    fn duplicates_are_found() {
        assert_eq!(duplicate(["a", "b", "a"].into_iter()), Some("a"));
        assert_eq!(duplicate(["a", "b"].into_iter()), None);
    }
}
