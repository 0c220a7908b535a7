//! The directory and the app tokens as the admin API and the directory sync write them: whole
//! rows with their audit columns, their writable columns, searches and memberships.

use chrono::NaiveDateTime;
use sqlx::FromRow;

use super::directory::USER_COLUMNS;
use super::table::{Column, Columns, Members, Table};
use super::workflows::{APP_TOKEN_COLUMNS, placeholders};
use super::{
    AppToken, Dept, Page, Role, SqlArg, Store, StoreResult, Tx, User, Window, fetch_binding_each, fetch_page,
    like_pattern, on_pool, on_tx,
};

/// A user row with its external id and audit columns.
#[derive(Debug, Clone, FromRow)]
pub struct UserRecord {
    #[sqlx(flatten)]
    pub user: User,
    pub external_id: String,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
}

/// A department row with its label, external id and audit columns.
#[derive(Debug, Clone, FromRow)]
pub struct DeptRecord {
    #[sqlx(flatten)]
    pub dept: Dept,
    pub label: String,
    pub external_id: String,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
}

/// A role row with its description, label, external id and audit columns.
#[derive(Debug, Clone, FromRow)]
pub struct RoleRecord {
    #[sqlx(flatten)]
    pub role: Role,
    pub description: String,
    pub label: String,
    pub external_id: String,
    pub creator: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
    pub is_deleted: bool,
}

/// The writable columns of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserValues {
    pub username: String,
    pub alias: String,
    pub email: String,
    pub phone: String,
    pub dept_id: i64,
    pub is_active: bool,
    pub is_admin: bool,
    pub is_workflow_admin: bool,
    pub external_id: String,
}

impl From<&UserRecord> for UserValues {
    fn from(row: &UserRecord) -> UserValues {
        let user = &row.user;
        UserValues {
            username: user.username.clone(),
            alias: user.alias.clone(),
            email: user.email.clone(),
            phone: user.phone.clone(),
            dept_id: user.dept_id,
            is_active: user.is_active,
            is_admin: user.is_admin,
            is_workflow_admin: user.is_workflow_admin,
            external_id: row.external_id.clone(),
        }
    }
}

impl Columns for UserValues {
    const TABLE: Table = Table::Users;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("username", &self.username, 100),
            Column::text("alias", &self.alias, 100),
            Column::text("email", &self.email, 255),
            Column::text("phone", &self.phone, 32),
            Column::int("dept_id", self.dept_id),
            Column::flag("is_active", self.is_active),
            Column::flag("is_admin", self.is_admin),
            Column::flag("is_workflow_admin", self.is_workflow_admin),
            Column::text("external_id", &self.external_id, 100),
        ]
    }
}

/// The writable columns of a department; `leader` and `approver` hold usernames.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeptValues {
    pub name: String,
    pub parent_dept_id: i64,
    pub leader: String,
    pub approver: String,
    pub label: String,
    pub external_id: String,
}

impl From<&DeptRecord> for DeptValues {
    fn from(row: &DeptRecord) -> DeptValues {
        DeptValues {
            name: row.dept.name.clone(),
            parent_dept_id: row.dept.parent_dept_id,
            leader: row.dept.leader.clone(),
            approver: row.dept.approver.clone(),
            label: row.label.clone(),
            external_id: row.external_id.clone(),
        }
    }
}

impl Columns for DeptValues {
    const TABLE: Table = Table::Depts;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("name", &self.name, 100),
            Column::int("parent_dept_id", self.parent_dept_id),
            Column::text("leader", &self.leader, 100),
            Column::text("approver", &self.approver, 1000),
            Column::text("label", &self.label, 255),
            Column::text("external_id", &self.external_id, 100),
        ]
    }
}

/// The writable columns of a role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleValues {
    pub name: String,
    pub description: String,
    pub label: String,
    pub external_id: String,
}

impl From<&RoleRecord> for RoleValues {
    fn from(row: &RoleRecord) -> RoleValues {
        RoleValues {
            name: row.role.name.clone(),
            description: row.description.clone(),
            label: row.label.clone(),
            external_id: row.external_id.clone(),
        }
    }
}

impl Columns for RoleValues {
    const TABLE: Table = Table::Roles;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("name", &self.name, 100),
            Column::text("description", &self.description, 255),
            Column::text("label", &self.label, 1000),
            Column::text("external_id", &self.external_id, 100),
        ]
    }
}

/// A user's membership of a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub user_id: i64,
    pub role_id: i64,
}

impl Columns for Membership {
    const TABLE: Table = Table::UserRoles;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::int("user_id", self.user_id),
            Column::int("role_id", self.role_id),
        ]
    }
}

/// The writable columns of an app token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppTokenValues {
    pub app_name: String,
    pub token: String,
    pub workflow_ids: String,
    pub ticket_sn_prefix: String,
}

impl From<&AppToken> for AppTokenValues {
    fn from(row: &AppToken) -> AppTokenValues {
        AppTokenValues {
            app_name: row.app_name.clone(),
            token: row.token.clone(),
            workflow_ids: row.workflow_ids.clone(),
            ticket_sn_prefix: row.ticket_sn_prefix.clone(),
        }
    }
}

impl Columns for AppTokenValues {
    const TABLE: Table = Table::AppTokens;

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("app_name", &self.app_name, 100),
            Column::text("token", &self.token, 100),
            Column::text("workflow_ids", &self.workflow_ids, 2000),
            Column::text("ticket_sn_prefix", &self.ticket_sn_prefix, 40),
        ]
    }
}

fn user_record_columns() -> String {
    format!("{USER_COLUMNS}, external_id, creator, gmt_created, gmt_modified, is_deleted")
}

const DEPT_RECORD_COLUMNS: &str =
    "id, name, parent_dept_id, leader, approver, label, external_id, creator, gmt_created, gmt_modified, is_deleted";
const ROLE_RECORD_COLUMNS: &str =
    "id, name, description, label, external_id, creator, gmt_created, gmt_modified, is_deleted";

/// `filter` narrowed to rows where any of `columns` contains `search`, if given.
fn searching(mut filter: String, columns: &[&str], search: Option<&str>, args: &mut Vec<SqlArg>) -> String {
    if let Some(search) = search {
        let tests: Vec<String> = columns
            .iter()
            .map(|column| format!("{column} LIKE ? ESCAPE '!'"))
            .collect();
        filter.push_str(&format!(" AND ({})", tests.join(" OR ")));
        args.extend(std::iter::repeat_n(SqlArg::Text(like_pattern(search)), columns.len()));
    }
    filter
}

impl Store {
    /// Non-deleted users whose username or alias contains `search`, by id; only the members
    /// of `role_id` if given.
    pub async fn users_page(
        &self,
        role_id: Option<i64>,
        search: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<UserRecord>> {
        let mut args = Vec::new();
        let mut filter = String::from("users WHERE is_deleted = 0");
        if let Some(role_id) = role_id {
            filter.push_str(" AND id IN (SELECT user_id FROM user_roles WHERE role_id = ? AND is_deleted = 0)");
            args.push(SqlArg::Int(role_id));
        }
        let filter = searching(filter, &["username", "alias"], search, &mut args);
        Ok(fetch_page!(
            self,
            UserRecord,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", user_record_columns(), filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// Every user row, deleted ones included (usernames and external ids stay taken), by id.
    pub async fn all_user_records(&self) -> StoreResult<Vec<UserRecord>> {
        self.all_rows(Table::Users, &user_record_columns(), false).await
    }

    /// A non-deleted user by id.
    pub async fn user_record(&self, id: i64) -> StoreResult<Option<UserRecord>> {
        self.live_row(Table::Users, &user_record_columns(), id).await
    }

    /// The non-deleted users among these ids, by id.
    pub async fn users_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE is_deleted = 0 AND id IN ({}) ORDER BY id",
            placeholders(ids.len())
        );
        Ok(fetch_binding_each!(self, User, &sql, ids))
    }

    /// The non-deleted super admins, by id.
    pub async fn super_admins(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE is_deleted = 0 AND is_admin = 1 ORDER BY id");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .fetch_all(pool)
            .await?))
    }

    /// Non-deleted roles whose name or description contains `search`, by id; only the roles
    /// of `user_id` if given.
    pub async fn roles_page(
        &self,
        user_id: Option<i64>,
        search: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<RoleRecord>> {
        let mut args = Vec::new();
        let mut filter = String::from("roles WHERE is_deleted = 0");
        if let Some(user_id) = user_id {
            filter.push_str(" AND id IN (SELECT role_id FROM user_roles WHERE user_id = ? AND is_deleted = 0)");
            args.push(SqlArg::Int(user_id));
        }
        let filter = searching(filter, &["name", "description"], search, &mut args);
        Ok(fetch_page!(
            self,
            RoleRecord,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", ROLE_RECORD_COLUMNS, filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// A non-deleted role by id.
    pub async fn role_record(&self, id: i64) -> StoreResult<Option<RoleRecord>> {
        self.live_row(Table::Roles, ROLE_RECORD_COLUMNS, id).await
    }

    /// Every role row, deleted ones included, by id.
    pub async fn all_role_records(&self) -> StoreResult<Vec<RoleRecord>> {
        self.all_rows(Table::Roles, ROLE_RECORD_COLUMNS, false).await
    }

    /// Non-deleted departments whose name or label contains `search`, by id.
    pub async fn depts_page(
        &self,
        search: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<DeptRecord>> {
        let mut args = Vec::new();
        let filter = searching(
            String::from("depts WHERE is_deleted = 0"),
            &["name", "label"],
            search,
            &mut args,
        );
        Ok(fetch_page!(
            self,
            DeptRecord,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", DEPT_RECORD_COLUMNS, filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// A non-deleted department by id.
    pub async fn dept_record(&self, id: i64) -> StoreResult<Option<DeptRecord>> {
        self.live_row(Table::Depts, DEPT_RECORD_COLUMNS, id).await
    }

    /// Every department row, deleted ones included, by id.
    pub async fn all_dept_records(&self) -> StoreResult<Vec<DeptRecord>> {
        self.all_rows(Table::Depts, DEPT_RECORD_COLUMNS, false).await
    }

    /// Every non-deleted role, by id.
    pub async fn all_roles(&self) -> StoreResult<Vec<Role>> {
        self.all_rows(Table::Roles, "id, name", true).await
    }

    /// `(role_id, user_id)` of every non-deleted membership, by row id.
    pub async fn memberships(&self) -> StoreResult<Vec<(i64, i64)>> {
        let sql = "SELECT role_id, user_id FROM user_roles WHERE is_deleted = 0 ORDER BY id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, (i64, i64)>(sql)
            .fetch_all(pool)
            .await?))
    }

    /// Ids of the non-deleted tickets waiting for `username` now, by id.
    pub async fn tickets_waiting_for(&self, username: &str) -> StoreResult<Vec<i64>> {
        let sql = "SELECT t.id FROM ticket_users u JOIN tickets t ON t.id = u.ticket_id \
                   WHERE u.username = ? AND u.in_process = 1 AND t.is_deleted = 0 ORDER BY t.id";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(username)
            .fetch_all(pool)
            .await?))
    }

    /// Non-deleted app tokens whose app name contains `search`, by id.
    pub async fn app_tokens_page(
        &self,
        search: Option<&str>,
        window_for: impl FnOnce(i64) -> Window,
    ) -> StoreResult<Page<AppToken>> {
        let mut args = Vec::new();
        let filter = searching(
            String::from("app_tokens WHERE is_deleted = 0"),
            &["app_name"],
            search,
            &mut args,
        );
        Ok(fetch_page!(
            self,
            AppToken,
            count: format!("SELECT COUNT(*) FROM {}", filter),
            list: format!("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", APP_TOKEN_COLUMNS, filter, "id"),
            args: &args,
            window_for: window_for
        ))
    }

    /// A non-deleted app token by id.
    pub async fn app_token(&self, id: i64) -> StoreResult<Option<AppToken>> {
        self.live_row(Table::AppTokens, APP_TOKEN_COLUMNS, id).await
    }
}

impl Tx {
    /// Soft-deletes the non-deleted memberships of a user in a role; how many there were.
    pub async fn leave_role(&mut self, user_id: i64, role_id: i64) -> StoreResult<u64> {
        let sql = "UPDATE user_roles SET is_deleted = 1, gmt_modified = ? WHERE user_id = ? AND role_id = ? AND is_deleted = 0";
        Ok(on_tx!(self, |conn| sqlx::query(sql)
            .bind(super::now())
            .bind(user_id)
            .bind(role_id)
            .execute(conn)
            .await?
            .rows_affected()))
    }

    /// Makes exactly `user_ids` the members of a role.
    pub async fn set_role_members(&mut self, role_id: i64, user_ids: &[i64], creator: &str) -> StoreResult<()> {
        let memberships = Members {
            table: Table::UserRoles,
            owner_column: "role_id",
            owner: role_id,
            member_column: "user_id",
        };
        let members: Vec<SqlArg> = user_ids.iter().map(|id| SqlArg::Int(*id)).collect();
        self.set_members(&memberships, &members, creator).await
    }
}
