//! The directory through the admin API (spec 10 with B23): users, roles and their members,
//! departments. Super admins manage it; workflow admins may read the users.

use std::collections::HashMap;

use super::super::directory::split_names;
use super::super::lifecycle::with_retries;
use super::super::{Engine, EngineError, EngineResult, Paging};
use super::checks::LOOKUP_BATCH;
use super::{Actor, taken};
use crate::store::{
    Columns, Dept, DeptRecord, DeptValues, Membership, Page, RoleRecord, RoleValues, Table, User, UserRecord,
    UserValues,
};

const WHAT: &str = "users, roles and departments";

/// The users and departments a listing mentions (creators, leaders, a user's department),
/// so that it can show their names.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    pub users: HashMap<String, User>,
    pub dept_names: HashMap<i64, String>,
}

/// A page of rows and what they mention.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub page: Page<T>,
    pub mentions: Mentions,
}

/// A saved user, with the tickets still waiting for them when the save (or delete) made
/// them inactive.
#[derive(Debug, Clone)]
pub struct UserSaved {
    pub id: i64,
    pub username: String,
    pub waiting_tickets: Vec<i64>,
}

fn one<T>(item: T) -> Page<T> {
    Page {
        items: vec![item],
        total: 1,
    }
}

/// A username is joined into comma lists, so it holds no comma and no space.
fn username_problem(username: &str) -> Option<String> {
    if username.is_empty() {
        Some("username is needed".into())
    } else if username.contains(',') || username.chars().any(char::is_whitespace) {
        Some(format!("username {username:?} may not hold commas or spaces"))
    } else {
        None
    }
}

/// The problems of a user's settings among all user rows (deleted ones keep their username
/// and external id) and the departments.
pub(super) fn user_problems(
    values: &UserValues,
    own_id: Option<i64>,
    users: &[UserRecord],
    depts: &[Dept],
) -> Vec<String> {
    let mut problems: Vec<String> = username_problem(&values.username).into_iter().collect();
    let others = users.iter().filter(|row| Some(row.user.id) != own_id);
    for other in others {
        let deleted = if other.is_deleted { "deleted " } else { "" };
        if other.user.username == values.username {
            problems.push(format!(
                "username {:?} is taken by {deleted}user {}",
                values.username, other.user.id
            ));
        }
        if !values.external_id.is_empty() && other.external_id == values.external_id {
            problems.push(format!(
                "external_id {:?} is taken by {deleted}user {}",
                values.external_id, other.user.id
            ));
        }
    }
    if values.dept_id != 0 && !depts.iter().any(|dept| dept.id == values.dept_id) {
        problems.push(format!("dept_id {} is no department", values.dept_id));
    }
    problems.extend(values.overlong());
    problems
}

/// Whether making `parent` the parent of department `id` closes a loop.
pub(super) fn closes_loop(depts: &[Dept], id: i64, parent: i64) -> bool {
    let mut current = parent;
    let mut steps = 0;
    while current != 0 && steps <= depts.len() {
        if current == id {
            return true;
        }
        current = depts
            .iter()
            .find(|dept| dept.id == current)
            .map_or(0, |dept| dept.parent_dept_id);
        steps += 1;
    }
    false
}

/// The problems of a department's settings; `is_user` tells whether a username exists.
pub(super) fn dept_problems(
    values: &DeptValues,
    own_id: Option<i64>,
    depts: &[DeptRecord],
    is_user: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    if values.name.trim().is_empty() {
        problems.push("name is needed".to_string());
    }
    let live: Vec<Dept> = depts.iter().filter(|d| !d.is_deleted).map(|d| d.dept.clone()).collect();
    let parent = values.parent_dept_id;
    if parent != 0 && !live.iter().any(|dept| dept.id == parent) {
        problems.push(format!("parent_dept_id {parent} is no department"));
    } else if own_id.is_some_and(|id| closes_loop(&live, id, parent)) {
        problems.push(format!(
            "parent_dept_id {parent} is the department itself or one of its sub-departments"
        ));
    }
    let mut people = split_names(&values.approver);
    people.extend(split_names(&values.leader));
    let unknown: Vec<String> = people.into_iter().filter(|name| !is_user(name)).collect();
    if !unknown.is_empty() {
        problems.push(format!("leader and approver name no user {}", unknown.join(", ")));
    }
    if let Some(other) = depts
        .iter()
        .find(|d| !values.external_id.is_empty() && d.external_id == values.external_id && Some(d.dept.id) != own_id)
    {
        problems.push(format!(
            "external_id {:?} is taken by department {}",
            values.external_id, other.dept.id
        ));
    }
    problems.extend(values.overlong());
    problems
}

/// The problems of a role's settings among all role rows.
pub(super) fn role_problems(values: &RoleValues, own_id: Option<i64>, roles: &[RoleRecord]) -> Vec<String> {
    let mut problems = Vec::new();
    if values.name.trim().is_empty() {
        problems.push("name is needed".to_string());
    }
    if let Some(other) = roles
        .iter()
        .find(|r| !values.external_id.is_empty() && r.external_id == values.external_id && Some(r.role.id) != own_id)
    {
        problems.push(format!(
            "external_id {:?} is taken by role {}",
            values.external_id, other.role.id
        ));
    }
    problems.extend(values.overlong());
    problems
}

fn refuse(subject: String, problems: Vec<String>) -> EngineResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!("{subject}: {}", problems.join("; "))))
    }
}

impl Engine {
    /// The users (by username) and department names (by id) that rows mention.
    pub(super) async fn mentions(&self, usernames: &[&str], dept_ids: &[i64]) -> EngineResult<Mentions> {
        let users = self.store().users_by_names(usernames).await?;
        let depts = self.store().depts_by_ids(dept_ids).await?;
        Ok(Mentions {
            users: users.into_iter().map(|user| (user.username.clone(), user)).collect(),
            dept_names: depts.into_iter().map(|dept| (dept.id, dept.name)).collect(),
        })
    }

    async fn user_listing(&self, page: Page<UserRecord>) -> EngineResult<Listing<UserRecord>> {
        let creators: Vec<&str> = page.items.iter().map(|row| row.creator.as_str()).collect();
        let depts: Vec<i64> = page.items.iter().map(|row| row.user.dept_id).collect();
        let mentions = self.mentions(&creators, &depts).await?;
        Ok(Listing { page, mentions })
    }

    /// Users whose username or alias contains `search`; only the members of `role_id` if
    /// given (super admins only), else any workflow admin may read them.
    pub async fn list_users(
        &self,
        actor: &Actor,
        role_id: Option<i64>,
        search: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Listing<UserRecord>> {
        match role_id {
            Some(role_id) => {
                self.role_detail(actor, role_id).await?;
            }
            None => actor.require_workflow_admin("reading the users")?,
        }
        let page = self
            .store()
            .users_page(role_id, search, |total| paging.window(total))
            .await?;
        self.user_listing(page).await
    }

    async fn user_row(&self, user_id: i64) -> EngineResult<UserRecord> {
        self.store()
            .user_record(user_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("user {user_id} is not existed or has been deleted")))
    }

    pub async fn user_detail(&self, actor: &Actor, user_id: i64) -> EngineResult<Listing<UserRecord>> {
        actor.require_workflow_admin("reading the users")?;
        let row = self.user_row(user_id).await?;
        self.user_listing(one(row)).await
    }

    /// The usernames of these user ids, in their order; an unknown id is an error.
    pub async fn usernames_of(&self, actor: &Actor, ids: &[i64]) -> EngineResult<Vec<String>> {
        actor.require_super_admin(WHAT)?;
        let mut users = Vec::new();
        for batch in ids.chunks(LOOKUP_BATCH) {
            users.extend(self.store().users_by_ids(batch).await?);
        }
        ids.iter()
            .map(|id| {
                users
                    .iter()
                    .find(|user| user.id == *id)
                    .map(|user| user.username.clone())
                    .ok_or_else(|| EngineError::Invalid(format!("user id {id} is not existed or has been deleted")))
            })
            .collect()
    }

    /// Creates (no `user_id`) or changes a user; `edit` sets the columns.
    pub async fn save_user<E: From<EngineError>>(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
        edit: impl FnOnce(&mut UserValues) -> Result<(), E>,
    ) -> Result<UserSaved, E> {
        actor.require_super_admin(WHAT)?;
        let current = match user_id {
            Some(id) => Some(self.user_row(id).await?),
            None => None,
        };
        let mut values = current.as_ref().map_or_else(
            || UserValues {
                username: String::new(),
                alias: String::new(),
                email: String::new(),
                phone: String::new(),
                dept_id: 0,
                is_active: true,
                is_admin: false,
                is_workflow_admin: false,
                external_id: String::new(),
            },
            UserValues::from,
        );
        edit(&mut values)?;
        let saved: EngineResult<UserSaved> = async {
            let users = self.store().all_user_records().await?;
            let depts = self.store().all_depts().await?;
            refuse(
                format!("user {:?}", values.username),
                user_problems(&values, user_id, &users, &depts),
            )?;
            let saved = self.save_row(user_id, &values, &actor.user.username).await;
            let id =
                saved.map_err(|error| taken(error, &format!("username {:?} or its external_id", values.username)))?;
            let deactivated = current.is_some_and(|row| row.user.is_active && !values.is_active);
            let waiting_tickets = match deactivated {
                true => self.store().tickets_waiting_for(&values.username).await?,
                false => Vec::new(),
            };
            Ok(UserSaved {
                id,
                username: values.username,
                waiting_tickets,
            })
        }
        .await;
        Ok(saved?)
    }

    /// Soft-deletes a user; the tickets still waiting for them are reported.
    pub async fn delete_user(&self, actor: &Actor, user_id: i64) -> EngineResult<UserSaved> {
        actor.require_super_admin(WHAT)?;
        let row = self.user_row(user_id).await?;
        self.delete_row(Table::Users, user_id).await?;
        Ok(UserSaved {
            id: user_id,
            waiting_tickets: self.store().tickets_waiting_for(&row.user.username).await?,
            username: row.user.username,
        })
    }

    async fn role_listing(&self, page: Page<RoleRecord>) -> EngineResult<Listing<RoleRecord>> {
        let creators: Vec<&str> = page.items.iter().map(|row| row.creator.as_str()).collect();
        let mentions = self.mentions(&creators, &[]).await?;
        Ok(Listing { page, mentions })
    }

    /// Roles whose name or description contains `search`; only the roles of `user_id` if
    /// given.
    pub async fn list_roles(
        &self,
        actor: &Actor,
        user_id: Option<i64>,
        search: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Listing<RoleRecord>> {
        actor.require_super_admin(WHAT)?;
        if let Some(user_id) = user_id {
            self.user_row(user_id).await?;
        }
        let page = self
            .store()
            .roles_page(user_id, search, |total| paging.window(total))
            .await?;
        self.role_listing(page).await
    }

    async fn role_row(&self, role_id: i64) -> EngineResult<RoleRecord> {
        self.store()
            .role_record(role_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("role record is not existed (role {role_id})")))
    }

    pub async fn role_detail(&self, actor: &Actor, role_id: i64) -> EngineResult<Listing<RoleRecord>> {
        actor.require_super_admin(WHAT)?;
        let row = self.role_row(role_id).await?;
        self.role_listing(one(row)).await
    }

    /// Creates (no `role_id`) or changes a role; `edit` sets the columns.
    pub async fn save_role<E: From<EngineError>>(
        &self,
        actor: &Actor,
        role_id: Option<i64>,
        edit: impl FnOnce(&mut RoleValues) -> Result<(), E>,
    ) -> Result<i64, E> {
        actor.require_super_admin(WHAT)?;
        let mut values = match role_id {
            Some(id) => RoleValues::from(&self.role_row(id).await?),
            None => RoleValues {
                label: "{}".into(),
                ..RoleValues::default()
            },
        };
        edit(&mut values)?;
        let saved: EngineResult<i64> = async {
            let roles = self.store().all_role_records().await?;
            refuse(
                format!("role {:?}", values.name),
                role_problems(&values, role_id, &roles),
            )?;
            let saved = self.save_row(role_id, &values, &actor.user.username).await;
            saved.map_err(|error| taken(error, &format!("external_id {:?}", values.external_id)))
        }
        .await;
        Ok(saved?)
    }

    pub async fn delete_role(&self, actor: &Actor, role_id: i64) -> EngineResult<()> {
        actor.require_super_admin(WHAT)?;
        self.role_row(role_id).await?;
        self.delete_row(Table::Roles, role_id).await
    }

    /// Adds a user to a role.
    pub async fn add_role_member(&self, actor: &Actor, role_id: i64, user_id: i64) -> EngineResult<()> {
        actor.require_super_admin(WHAT)?;
        self.role_row(role_id).await?;
        self.user_row(user_id).await?;
        if self.store().role_ids_of_user(user_id).await?.contains(&role_id) {
            return Err(EngineError::Invalid("user has been existed in this role".into()));
        }
        let membership = Membership { user_id, role_id };
        self.save_row(None, &membership, &actor.user.username).await?;
        Ok(())
    }

    /// Removes a user from one role only (B23).
    pub async fn remove_role_member(&self, actor: &Actor, role_id: i64, user_id: i64) -> EngineResult<()> {
        actor.require_super_admin(WHAT)?;
        let removed = with_retries(|| async {
            let mut tx = self.store().begin_write().await?;
            let removed = tx.leave_role(user_id, role_id).await?;
            tx.commit().await?;
            Ok(removed)
        })
        .await?;
        if removed == 0 {
            return Err(EngineError::NotFound(format!(
                "record is not existed or has been deleted (user {user_id} in role {role_id})"
            )));
        }
        Ok(())
    }

    async fn dept_listing(&self, page: Page<DeptRecord>) -> EngineResult<Listing<DeptRecord>> {
        let mut names: Vec<String> = Vec::new();
        for row in &page.items {
            names.push(row.creator.clone());
            names.extend(split_names(&row.dept.leader));
            names.extend(split_names(&row.dept.approver));
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let parents: Vec<i64> = page.items.iter().map(|row| row.dept.parent_dept_id).collect();
        let mentions = self.mentions(&names, &parents).await?;
        Ok(Listing { page, mentions })
    }

    /// Departments whose name or label contains `search`.
    pub async fn list_depts(
        &self,
        actor: &Actor,
        search: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Listing<DeptRecord>> {
        actor.require_super_admin(WHAT)?;
        let page = self.store().depts_page(search, |total| paging.window(total)).await?;
        self.dept_listing(page).await
    }

    async fn dept_row(&self, dept_id: i64) -> EngineResult<DeptRecord> {
        self.store()
            .dept_record(dept_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("dept is not existed or has been deleted (dept {dept_id})")))
    }

    pub async fn dept_detail(&self, actor: &Actor, dept_id: i64) -> EngineResult<Listing<DeptRecord>> {
        actor.require_super_admin(WHAT)?;
        let row = self.dept_row(dept_id).await?;
        self.dept_listing(one(row)).await
    }

    /// Creates (no `dept_id`) or changes a department; `edit` sets the columns.
    pub async fn save_dept<E: From<EngineError>>(
        &self,
        actor: &Actor,
        dept_id: Option<i64>,
        edit: impl FnOnce(&mut DeptValues) -> Result<(), E>,
    ) -> Result<i64, E> {
        actor.require_super_admin(WHAT)?;
        let mut values = match dept_id {
            Some(id) => DeptValues::from(&self.dept_row(id).await?),
            None => DeptValues::default(),
        };
        edit(&mut values)?;
        let saved: EngineResult<i64> = async {
            let depts = self.store().all_dept_records().await?;
            let mut people = split_names(&values.leader);
            people.extend(split_names(&values.approver));
            let people: Vec<&str> = people.iter().map(String::as_str).collect();
            let known = self.store().users_by_names(&people).await?;
            let is_user = |name: &str| known.iter().any(|user| user.username == name);
            refuse(
                format!("department {:?}", values.name),
                dept_problems(&values, dept_id, &depts, is_user),
            )?;
            let saved = self.save_row(dept_id, &values, &actor.user.username).await;
            saved.map_err(|error| taken(error, &format!("external_id {:?}", values.external_id)))
        }
        .await;
        Ok(saved?)
    }

    pub async fn delete_dept(&self, actor: &Actor, dept_id: i64) -> EngineResult<()> {
        actor.require_super_admin(WHAT)?;
        self.dept_row(dept_id).await?;
        self.delete_row(Table::Depts, dept_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::{closes_loop, username_problem};
    use crate::store::Dept;

    fn dept(id: i64, parent: i64) -> Dept {
        Dept {
            id,
            name: format!("d{id}"),
            parent_dept_id: parent,
            leader: String::new(),
            approver: String::new(),
        }
    }

    #[test]
    fn a_parent_below_the_department_closes_a_loop() {
        let depts = [dept(1, 0), dept(2, 1), dept(3, 2)];
        assert!(closes_loop(&depts, 1, 3));
        assert!(closes_loop(&depts, 2, 2));
        assert!(!closes_loop(&depts, 3, 1));
        assert!(!closes_loop(&depts, 2, 0));
        let cyclic = [dept(1, 2), dept(2, 1)];
        assert!(!closes_loop(&cyclic, 3, 1), "a loop elsewhere ends the walk");
    }

    #[test]
    fn usernames_hold_no_separators() {
        assert!(username_problem("ops").is_none());
        assert!(username_problem("").is_some());
        assert!(username_problem("a,b").is_some());
        assert!(username_problem("a b").is_some());
    }
}
