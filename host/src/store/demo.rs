//! Loading the demo data set into an empty database.

use super::{Store, StoreResult, on_pool};

const DEMO_SQL: &str = include_str!("demo.sql");
/// The demo app may use all three demo workflows.
const DEMO_WORKFLOW_IDS: &str = "1,2,3";

impl Store {
    /// True when no workflow and no app token exist yet: a fresh database.
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let sql = "SELECT (SELECT COUNT(*) FROM workflows) + (SELECT COUNT(*) FROM app_tokens)";
        let rows: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await?);
        Ok(rows == 0)
    }

    /// Loads the demo directory and workflows, and the demo app token named `app_name`, in one
    /// transaction.
    pub async fn load_demo(&self, app_name: &str, token: &str) -> StoreResult<()> {
        let now = super::now().format("'%Y-%m-%d %H:%M:%S'").to_string();
        let script = DEMO_SQL.replace(":now", &now);
        let statements = split_statements(&script);
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for statement in &statements {
                sqlx::query(statement).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO app_tokens (id, app_name, token, workflow_ids, ticket_sn_prefix, creator, gmt_created, gmt_modified) \
                 VALUES (1, ?, ?, ?, ?, 'admin', ?, ?)",
            )
            .bind(app_name)
            .bind(token)
            .bind(DEMO_WORKFLOW_IDS)
            .bind(app_name)
            .bind(super::now())
            .bind(super::now())
            .execute(&mut *tx)
            .await?;
            sqlx::query(super::CONFIG_GENERATION_BUMP).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        self.cache.invalidate();
        Ok(())
    }

    /// Sets the token of the first non-deleted app row named `app_name`; false if there is none.
    pub async fn set_app_token(&self, app_name: &str, token: &str) -> StoreResult<bool> {
        let sql = "UPDATE app_tokens SET token = ?, gmt_modified = ? WHERE id = \
                   (SELECT id FROM (SELECT MIN(id) AS id FROM app_tokens WHERE app_name = ? AND is_deleted = 0) AS first_row)";
        let result = on_pool!(self, |pool| sqlx::query(sql)
            .bind(token)
            .bind(super::now())
            .bind(app_name)
            .execute(pool)
            .await?
            .rows_affected());
        on_pool!(self, |pool| {
            sqlx::query(super::CONFIG_GENERATION_BUMP).execute(pool).await?;
        });
        self.cache.invalidate();
        Ok(result > 0)
    }
}

/// The statements of a script: split at `;` line ends, comment lines dropped.
fn split_statements(script: &str) -> Vec<String> {
    script
        .split(";\n")
        .map(|chunk| {
            chunk
                .lines()
                .filter(|line| !line.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|statement| !statement.trim().is_empty())
        .collect()
}
