//! The plugin registry and its run records.

use chrono::NaiveDateTime;
use sqlx::FromRow;

use super::{Page, Store, StoreResult, Window, on_pool};

/// A registered plugin version, without its bytes.
#[derive(Debug, Clone, FromRow)]
pub struct PluginRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub version: String,
    pub content_hash: String,
    pub size_bytes: i64,
    pub fuel: i64,
    pub memory_bytes: i64,
    pub time_ms: i64,
    pub input_bytes: i64,
    pub output_bytes: i64,
    pub host_calls: i64,
    pub allowed_hosts: String,
    pub enabled: bool,
    pub registered_by: String,
    pub gmt_created: NaiveDateTime,
    pub gmt_modified: NaiveDateTime,
}

/// A plugin version to register.
#[derive(Debug, Clone)]
pub struct NewPlugin {
    pub name: String,
    pub kind: String,
    pub version: String,
    pub content_hash: String,
    pub wasm: Vec<u8>,
    pub limits: PluginLimits,
    pub allowed_hosts: String,
    pub registered_by: String,
}

/// The limit columns of a plugin.
#[derive(Debug, Clone, Copy)]
pub struct PluginLimits {
    pub fuel: i64,
    pub memory_bytes: i64,
    pub time_ms: i64,
    pub input_bytes: i64,
    pub output_bytes: i64,
    pub host_calls: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct PluginRun {
    pub id: i64,
    pub plugin_id: i64,
    pub plugin_name: String,
    pub plugin_version: String,
    pub ticket_id: i64,
    pub purpose: String,
    pub outcome: String,
    pub error: String,
    pub fuel_used: i64,
    pub peak_memory: i64,
    pub wall_micros: i64,
    pub gmt_created: NaiveDateTime,
}

const PLUGIN_COLUMNS: &str = "id, name, kind, version, content_hash, size_bytes, fuel, memory_bytes, time_ms, \
     input_bytes, output_bytes, host_calls, allowed_hosts, enabled, registered_by, gmt_created, gmt_modified";

impl Store {
    /// Inserts a plugin version; `None` when that name and version exist already.
    pub async fn insert_plugin(&self, plugin: &NewPlugin) -> StoreResult<Option<i64>> {
        let now = super::now();
        let exists = "SELECT COUNT(*) FROM plugins WHERE name = ? AND version = ?";
        let sql = "INSERT INTO plugins (name, kind, version, content_hash, wasm, size_bytes, fuel, memory_bytes, time_ms, \
                   input_bytes, output_bytes, host_calls, allowed_hosts, enabled, registered_by, gmt_created, gmt_modified) \
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";
        let limits = plugin.limits;
        on_pool!(self, |pool| {
            let count: i64 = sqlx::query_scalar(exists)
                .bind(&plugin.name)
                .bind(&plugin.version)
                .fetch_one(pool)
                .await?;
            if count > 0 {
                return Ok(None);
            }
            let result = sqlx::query(sql)
                .bind(&plugin.name)
                .bind(&plugin.kind)
                .bind(&plugin.version)
                .bind(&plugin.content_hash)
                .bind(&plugin.wasm)
                .bind(plugin.wasm.len() as i64)
                .bind(limits.fuel)
                .bind(limits.memory_bytes)
                .bind(limits.time_ms)
                .bind(limits.input_bytes)
                .bind(limits.output_bytes)
                .bind(limits.host_calls)
                .bind(&plugin.allowed_hosts)
                .bind(&plugin.registered_by)
                .bind(now)
                .bind(now)
                .execute(pool)
                .await;
            match result {
                Ok(done) => Ok(Some(super::relations::inserted_id(&done))),
                // A concurrent registration of the same version won the unique index.
                Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(None),
                Err(error) => Err(error.into()),
            }
        })
    }

    pub async fn plugin(&self, id: i64) -> StoreResult<Option<PluginRow>> {
        let sql = format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE id = ?");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, PluginRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// The enabled version `version` of `name`, or its newest enabled version.
    pub async fn enabled_plugin(&self, name: &str, version: Option<&str>) -> StoreResult<Option<PluginRow>> {
        let sql = match version {
            Some(_) => format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE name = ? AND enabled = 1 AND version = ?"),
            None => {
                format!("SELECT {PLUGIN_COLUMNS} FROM plugins WHERE name = ? AND enabled = 1 ORDER BY id DESC LIMIT 1")
            }
        };
        Ok(on_pool!(self, |pool| {
            let query = sqlx::query_as::<_, PluginRow>(&sql).bind(name);
            match version {
                Some(version) => query.bind(version).fetch_optional(pool).await?,
                None => query.fetch_optional(pool).await?,
            }
        }))
    }

    pub async fn plugin_wasm(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        let sql = "SELECT wasm FROM plugins WHERE id = ?";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, Vec<u8>>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    pub async fn plugins_page(&self, window_for: impl FnOnce(i64) -> Window) -> StoreResult<Page<PluginRow>> {
        let count = "SELECT COUNT(*) FROM plugins";
        let list = format!("SELECT {PLUGIN_COLUMNS} FROM plugins ORDER BY name, id LIMIT ? OFFSET ?");
        on_pool!(self, |pool| {
            let total: i64 = sqlx::query_scalar(count).fetch_one(pool).await?;
            let window = window_for(total);
            let items = sqlx::query_as::<_, PluginRow>(&list)
                .bind(window.limit)
                .bind(window.offset)
                .fetch_all(pool)
                .await?;
            Ok(Page { items, total })
        })
    }

    /// Changes a plugin's state, limits and allowed hosts.
    pub async fn update_plugin(
        &self,
        id: i64,
        enabled: bool,
        limits: PluginLimits,
        allowed_hosts: &str,
    ) -> StoreResult<()> {
        let sql = "UPDATE plugins SET enabled = ?, fuel = ?, memory_bytes = ?, time_ms = ?, input_bytes = ?, output_bytes = ?, \
                   host_calls = ?, allowed_hosts = ?, gmt_modified = ? WHERE id = ?";
        on_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(enabled)
                .bind(limits.fuel)
                .bind(limits.memory_bytes)
                .bind(limits.time_ms)
                .bind(limits.input_bytes)
                .bind(limits.output_bytes)
                .bind(limits.host_calls)
                .bind(allowed_hosts)
                .bind(super::now())
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes a plugin version; its run records stay.
    pub async fn delete_plugin(&self, id: i64) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM plugins WHERE id = ?")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Non-deleted states whose participant text mentions `name` (type 6), and non-deleted
    /// transitions whose conditions do: candidates for a reference check.
    pub async fn plugin_mentions(&self, name: &str) -> StoreResult<(Vec<super::State>, Vec<super::Transition>)> {
        let pattern = format!("%{}%", super::like_escape(name));
        let states = format!(
            "SELECT {} FROM states WHERE is_deleted = 0 AND participant_type_id = 6 AND participant LIKE ? ESCAPE '!'",
            super::workflows::STATE_COLUMNS
        );
        let transitions = format!(
            "SELECT {} FROM transitions WHERE is_deleted = 0 AND condition_expression LIKE ? ESCAPE '!'",
            super::workflows::TRANSITION_COLUMNS
        );
        Ok(on_pool!(self, |pool| (
            sqlx::query_as::<_, super::State>(&states)
                .bind(&pattern)
                .fetch_all(pool)
                .await?,
            sqlx::query_as::<_, super::Transition>(&transitions)
                .bind(&pattern)
                .fetch_all(pool)
                .await?,
        )))
    }

    pub async fn insert_plugin_run(&self, run: &PluginRun) -> StoreResult<()> {
        let sql = "INSERT INTO plugin_runs (plugin_id, plugin_name, plugin_version, ticket_id, purpose, outcome, error, \
                   fuel_used, peak_memory, wall_micros, gmt_created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        on_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(run.plugin_id)
                .bind(&run.plugin_name)
                .bind(&run.plugin_version)
                .bind(run.ticket_id)
                .bind(&run.purpose)
                .bind(&run.outcome)
                .bind(&run.error)
                .bind(run.fuel_used)
                .bind(run.peak_memory)
                .bind(run.wall_micros)
                .bind(run.gmt_created)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The newest runs of a plugin version.
    pub async fn plugin_runs(&self, plugin_id: i64, limit: i64) -> StoreResult<Vec<PluginRun>> {
        let sql = "SELECT id, plugin_id, plugin_name, plugin_version, ticket_id, purpose, outcome, error, fuel_used, \
                   peak_memory, wall_micros, gmt_created FROM plugin_runs WHERE plugin_id = ? ORDER BY id DESC LIMIT ?";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, PluginRun>(sql)
            .bind(plugin_id)
            .bind(limit)
            .fetch_all(pool)
            .await?))
    }

    /// Everything plugins may look up in the directory: active and inactive non-deleted users
    /// with their role ids, and non-deleted departments.
    pub async fn directory_snapshot(&self) -> StoreResult<(Vec<(super::User, Vec<i64>)>, Vec<super::Dept>)> {
        let users_sql = "SELECT id, username, alias, email, phone, dept_id, is_active, is_admin, is_workflow_admin \
                         FROM users WHERE is_deleted = 0 ORDER BY id";
        let roles_sql = "SELECT user_id, role_id FROM user_roles WHERE is_deleted = 0 ORDER BY id";
        let (users, memberships) = on_pool!(self, |pool| (
            sqlx::query_as::<_, super::User>(users_sql).fetch_all(pool).await?,
            sqlx::query_as::<_, (i64, i64)>(roles_sql).fetch_all(pool).await?,
        ));
        let users = users
            .into_iter()
            .map(|user| {
                let roles = memberships
                    .iter()
                    .filter(|(user_id, _)| *user_id == user.id)
                    .map(|(_, role)| *role)
                    .collect();
                (user, roles)
            })
            .collect();
        Ok((users, self.all_depts().await?))
    }
}
