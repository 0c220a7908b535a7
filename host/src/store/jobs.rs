//! The job queue table: enqueueing inside a ticket's transaction, claiming with a lease,
//! recording outcomes.

use chrono::{NaiveDateTime, TimeDelta};
use sqlx::FromRow;

use super::{SqlArg, Store, StoreResult, Tx, on_pool};

/// A job to enqueue. With a `dedup_key`, it replaces the job of the same key.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub dedup_key: Option<String>,
    pub payload: String,
    pub due_at: NaiveDateTime,
    pub max_attempts: i64,
}

/// A job claimed by this process until `lease_until`.
#[derive(Debug, Clone, FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: String,
}

/// How a job run ended.
#[derive(Debug, Clone)]
pub enum JobEnd {
    Done(String),
    /// Try again at this time.
    Retry {
        error: String,
        at: NaiveDateTime,
    },
    Failed(String),
}

impl Tx {
    /// Enqueues a job (or, for a known key, replaces it: due again, attempts and lease reset).
    pub async fn enqueue(&mut self, job: &NewJob) -> StoreResult<()> {
        let now = super::now();
        let insert = "INSERT INTO jobs (kind, dedup_key, payload, status, due_at, attempts, max_attempts, lease_owner, \
                      lease_until, last_error, outcome, gmt_created, gmt_modified) \
                      VALUES (?, ?, ?, 'pending', ?, 0, ?, '', NULL, '', '', ?, ?)";
        let sql = match self.conn {
            super::TxConn::Sqlite(_) => format!(
                "{insert} ON CONFLICT (dedup_key) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, \
                 status = 'pending', due_at = excluded.due_at, attempts = 0, max_attempts = excluded.max_attempts, \
                 lease_owner = '', lease_until = NULL, last_error = '', outcome = '', gmt_modified = excluded.gmt_modified"
            ),
            super::TxConn::MySql(_) => format!(
                "{insert} ON DUPLICATE KEY UPDATE kind = VALUES(kind), payload = VALUES(payload), status = 'pending', \
                 due_at = VALUES(due_at), attempts = 0, max_attempts = VALUES(max_attempts), lease_owner = '', \
                 lease_until = NULL, last_error = '', outcome = '', gmt_modified = VALUES(gmt_modified)"
            ),
        };
        let args = vec![
            SqlArg::Text(job.kind.clone()),
            job.dedup_key.clone().map_or(SqlArg::Null, SqlArg::Text),
            SqlArg::Text(job.payload.clone()),
            SqlArg::DateTime(job.due_at),
            SqlArg::Int(job.max_attempts),
            SqlArg::DateTime(now),
            SqlArg::DateTime(now),
        ];
        self.defer(&sql, args).await
    }
}

impl Store {
    /// Claims up to `limit` due jobs for `owner` until `lease`. Each claim is a compare-and-set
    /// on the row, so two processes never hold the same job.
    pub async fn claim_jobs(&self, owner: &str, lease: TimeDelta, limit: i64) -> StoreResult<Vec<Job>> {
        let now = super::precise_now();
        let candidates_sql = "SELECT id FROM jobs WHERE status = 'pending' AND due_at <= ? \
                              AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at, id LIMIT ?";
        let claim_sql = "UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, gmt_modified = ? \
                         WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)";
        let read_sql = "SELECT id, kind, payload, attempts, max_attempts, lease_owner FROM jobs WHERE id = ?";
        let mut claimed = Vec::new();
        on_pool!(self, |pool| {
            let candidates: Vec<i64> = sqlx::query_scalar(candidates_sql)
                .bind(now)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            for id in candidates {
                let won = sqlx::query(claim_sql)
                    .bind(owner)
                    .bind(now + lease)
                    .bind(now)
                    .bind(id)
                    .bind(now)
                    .execute(pool)
                    .await?
                    .rows_affected()
                    == 1;
                if won {
                    claimed.push(sqlx::query_as::<_, Job>(read_sql).bind(id).fetch_one(pool).await?);
                }
            }
        });
        Ok(claimed)
    }

    /// Records how a claimed job ended, unless it was re-enqueued (and so re-leased) meanwhile.
    pub async fn finish_job(&self, job: &Job, end: &JobEnd) -> StoreResult<()> {
        let now = super::now();
        let (status, due_at, error, outcome) = match end {
            JobEnd::Done(outcome) => ("done", None, String::new(), outcome.clone()),
            JobEnd::Retry { error, at } => ("pending", Some(*at), error.clone(), String::new()),
            JobEnd::Failed(error) => ("failed", None, error.clone(), String::new()),
        };
        let sql = "UPDATE jobs SET status = ?, due_at = COALESCE(?, due_at), lease_owner = '', lease_until = NULL, \
                   last_error = ?, outcome = ?, gmt_modified = ? WHERE id = ? AND lease_owner = ?";
        on_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(status)
                .bind(due_at)
                .bind(error)
                .bind(outcome)
                .bind(now)
                .bind(job.id)
                .bind(&job.lease_owner)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The earliest due time of a pending job, to know how long the worker may sleep.
    pub async fn next_job_due(&self) -> StoreResult<Option<NaiveDateTime>> {
        let sql = "SELECT MIN(due_at) FROM jobs WHERE status = 'pending'";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, Option<NaiveDateTime>>(
            sql
        )
        .fetch_one(pool)
        .await?))
    }
}
