//! The directory: users, departments and roles.

use super::workflows::placeholders;
use super::{Dept, Role, Store, StoreResult, User, fetch_binding_each, on_pool};

const USER_COLUMNS: &str = "id, username, alias, email, phone, dept_id, is_active, is_admin, is_workflow_admin";

impl Store {
    /// The non-deleted user with this username.
    pub async fn user(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ? AND is_deleted = 0");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .bind(username)
            .fetch_optional(pool)
            .await?))
    }

    /// The non-deleted users among these usernames, by id.
    pub async fn users_by_names(&self, usernames: &[&str]) -> StoreResult<Vec<User>> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE is_deleted = 0 AND username IN ({}) ORDER BY id",
            placeholders(usernames.len())
        );
        Ok(fetch_binding_each!(self, User, &sql, usernames))
    }

    /// The non-deleted departments among these ids, by id.
    pub async fn depts_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Dept>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, name, parent_dept_id, leader, approver FROM depts WHERE is_deleted = 0 AND id IN ({}) ORDER BY id",
            placeholders(ids.len())
        );
        Ok(fetch_binding_each!(self, Dept, &sql, ids))
    }

    /// The non-deleted roles among these ids, by id.
    pub async fn roles_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Role>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, name FROM roles WHERE is_deleted = 0 AND id IN ({}) ORDER BY id",
            placeholders(ids.len())
        );
        Ok(fetch_binding_each!(self, Role, &sql, ids))
    }
}
