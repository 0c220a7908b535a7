//! The directory: users, departments and roles.

use super::workflows::placeholders;
use super::{Dept, Role, Store, StoreResult, User, fetch_binding_each, on_pool};

pub(super) const USER_COLUMNS: &str =
    "id, username, alias, email, phone, dept_id, is_active, is_admin, is_workflow_admin";

impl Store {
    /// The non-deleted user with this username.
    pub async fn user(&self, username: &str) -> StoreResult<Option<User>> {
        self.cached("user", username.to_string(), || async move {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ? AND is_deleted = 0");
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
                .bind(username)
                .fetch_optional(pool)
                .await?))
        })
        .await
    }

    /// The non-deleted users among these usernames, by id.
    pub async fn users_by_names(&self, usernames: &[&str]) -> StoreResult<Vec<User>> {
        self.cached("users_by_names", format!("{usernames:?}"), || async move {
            if usernames.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM users WHERE is_deleted = 0 AND username IN ({}) ORDER BY id",
                placeholders(usernames.len())
            );
            Ok(fetch_binding_each!(self, User, &sql, usernames))
        })
        .await
    }

    /// The non-deleted departments among these ids, by id.
    pub async fn depts_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Dept>> {
        self.cached("depts_by_ids", format!("{ids:?}"), || async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT id, name, parent_dept_id, leader, approver FROM depts WHERE is_deleted = 0 AND id IN ({}) ORDER BY id",
                placeholders(ids.len())
            );
            Ok(fetch_binding_each!(self, Dept, &sql, ids))
        })
        .await
    }

    /// The non-deleted roles among these ids, by id.
    pub async fn roles_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<Role>> {
        self.cached("roles_by_ids", format!("{ids:?}"), || async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT id, name FROM roles WHERE is_deleted = 0 AND id IN ({}) ORDER BY id",
                placeholders(ids.len())
            );
            Ok(fetch_binding_each!(self, Role, &sql, ids))
        })
        .await
    }

    /// Every non-deleted department (the table is small; trees are walked in memory).
    pub async fn all_depts(&self) -> StoreResult<Vec<Dept>> {
        self.cached("all_depts", String::new(), || async move {
            let sql = "SELECT id, name, parent_dept_id, leader, approver FROM depts WHERE is_deleted = 0 ORDER BY id";
            Ok(on_pool!(self, |pool| sqlx::query_as::<_, Dept>(sql)
                .fetch_all(pool)
                .await?))
        })
        .await
    }

    /// Usernames of the active, non-deleted users in these departments, by user id.
    pub async fn usernames_in_depts(&self, dept_ids: &[i64]) -> StoreResult<Vec<String>> {
        self.cached("usernames_in_depts", format!("{dept_ids:?}"), || async move {
            if dept_ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT username FROM users WHERE is_deleted = 0 AND is_active = 1 AND dept_id IN ({}) ORDER BY id",
                placeholders(dept_ids.len())
            );
            Ok(on_pool!(self, |pool| {
                let mut query = sqlx::query_scalar::<_, String>(&sql);
                for id in dept_ids {
                    query = query.bind(id);
                }
                query.fetch_all(pool).await?
            }))
        })
        .await
    }

    /// Usernames of the active, non-deleted members of a role, by user id.
    pub async fn role_member_usernames(&self, role_id: i64) -> StoreResult<Vec<String>> {
        self.cached("role_member_usernames", role_id.to_string(), || async move {
            let sql = "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id \
                       WHERE r.role_id = ? AND r.is_deleted = 0 AND u.is_deleted = 0 AND u.is_active = 1 ORDER BY u.id";
            Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, String>(sql)
                .bind(role_id)
                .fetch_all(pool)
                .await?))
        })
        .await
    }

    /// Ids of the roles a user belongs to.
    pub async fn role_ids_of_user(&self, user_id: i64) -> StoreResult<Vec<i64>> {
        self.cached("role_ids_of_user", user_id.to_string(), || async move {
            let sql = "SELECT role_id FROM user_roles WHERE user_id = ? AND is_deleted = 0 ORDER BY role_id";
            Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
                .bind(user_id)
                .fetch_all(pool)
                .await?))
        })
        .await
    }
}
