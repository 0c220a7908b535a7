//! App tokens (spec 10 with S3): super admins manage them; Grebe generates the token and shows
//! it once. The name `loonflow` is reserved, so no app can pass for loonflow's own admin UI.
//! Also the first super admin and app of an empty database.

use rand::Rng;

use super::super::directory::split_names;
use super::super::lifecycle::with_retries;
use super::super::{Engine, EngineError, EngineResult, Paging};
use super::accounts::{Listing, user_problems};
use super::{Actor, taken};
use crate::store::{AppToken, AppTokenValues, Columns, Page, Table, UserValues};

const WHAT: &str = "app tokens";

/// The app name loonflow gives its own admin UI (S3).
const RESERVED_APP: &str = "loonflow";

/// A token in the form loonflow's admin generates (a UUID-shaped hex string).
pub fn random_token() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A created app token: the only time its token is shown.
#[derive(Debug, Clone)]
pub struct NewAppToken {
    pub id: i64,
    pub app_name: String,
    pub token: String,
}

fn not_found(id: i64) -> EngineError {
    EngineError::NotFound(format!("record is not exist or has been deleted (app token {id})"))
}

impl Engine {
    /// The problems of an app token's settings.
    async fn app_token_problems(&self, values: &AppTokenValues, own_id: Option<i64>) -> EngineResult<Vec<String>> {
        let mut problems = Vec::new();
        let name = values.app_name.as_str();
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            problems.push("app_name is needed and may not hold spaces".to_string());
        }
        if name.eq_ignore_ascii_case(RESERVED_APP) {
            problems.push(format!("the app name {RESERVED_APP} is reserved"));
        }
        if let Some(other) = self
            .store()
            .app_token_by_name(name)
            .await?
            .filter(|other| Some(other.id) != own_id)
        {
            problems.push(format!("app token {} has this app_name already", other.id));
        }
        let known = self.store().all_workflow_ids().await?;
        let unknown: Vec<String> = split_names(&values.workflow_ids)
            .into_iter()
            .filter(|id| id.parse::<i64>().map_or(true, |id| !known.contains(&id)))
            .collect();
        if !unknown.is_empty() {
            problems.push(format!(
                "workflow_ids must be ids of workflows separated by commas; {} is none",
                unknown.join(", ")
            ));
        }
        let prefix = &values.ticket_sn_prefix;
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        {
            problems.push(format!(
                "ticket_sn_prefix {prefix:?} may hold only letters, digits, '_' and '-'"
            ));
        }
        problems.extend(values.overlong());
        Ok(problems)
    }

    async fn refuse_app_token(&self, values: &AppTokenValues, own_id: Option<i64>) -> EngineResult<()> {
        let problems = self.app_token_problems(values, own_id).await?;
        if problems.is_empty() {
            return Ok(());
        }
        Err(EngineError::Invalid(format!(
            "app token {:?}: {}",
            values.app_name,
            problems.join("; ")
        )))
    }

    async fn token_listing(&self, page: Page<AppToken>) -> EngineResult<Listing<AppToken>> {
        let creators: Vec<&str> = page.items.iter().map(|row| row.creator.as_str()).collect();
        let mentions = self.mentions(&creators, &[]).await?;
        Ok(Listing { page, mentions })
    }

    pub async fn list_app_tokens(
        &self,
        actor: &Actor,
        search: Option<&str>,
        paging: Paging,
    ) -> EngineResult<Listing<AppToken>> {
        actor.require_super_admin(WHAT)?;
        let page = self
            .store()
            .app_tokens_page(search, |total| paging.window(total))
            .await?;
        self.token_listing(page).await
    }

    async fn token_row(&self, token_id: i64) -> EngineResult<AppToken> {
        self.store()
            .app_token(token_id)
            .await?
            .ok_or_else(|| not_found(token_id))
    }

    pub async fn app_token_detail(&self, actor: &Actor, token_id: i64) -> EngineResult<Listing<AppToken>> {
        actor.require_super_admin(WHAT)?;
        let row = self.token_row(token_id).await?;
        self.token_listing(Page {
            items: vec![row],
            total: 1,
        })
        .await
    }

    /// Creates (no `token_id`, with a new token) or changes an app token (the token stays);
    /// `edit` sets the name, workflows and serial-number prefix.
    pub async fn save_app_token<E: From<EngineError>>(
        &self,
        actor: &Actor,
        token_id: Option<i64>,
        edit: impl FnOnce(&mut AppTokenValues) -> Result<(), E>,
    ) -> Result<NewAppToken, E> {
        actor.require_super_admin(WHAT)?;
        let mut values = match token_id {
            Some(id) => AppTokenValues::from(&self.token_row(id).await?),
            None => AppTokenValues {
                token: random_token(),
                ..AppTokenValues::default()
            },
        };
        let token = values.token.clone();
        edit(&mut values)?;
        values.token = token;
        self.refuse_app_token(&values, token_id).await?;
        let id = self.save_row(token_id, &values, &actor.user.username).await?;
        Ok(NewAppToken {
            id,
            app_name: values.app_name,
            token: values.token,
        })
    }

    pub async fn delete_app_token(&self, actor: &Actor, token_id: i64) -> EngineResult<()> {
        actor.require_super_admin(WHAT)?;
        self.token_row(token_id).await?;
        self.delete_row(Table::AppTokens, token_id).await
    }

    /// Makes `username` the first super admin (creating the user if needed) and creates the
    /// app `app_name` with `token` (random if not given), on a database without a super admin:
    /// how a new installation starts without demo data.
    pub async fn bootstrap(&self, username: &str, app_name: &str, token: Option<String>) -> EngineResult<NewAppToken> {
        if let Some(admin) = self.store().super_admins().await?.first() {
            return Err(EngineError::Invalid(format!(
                "the database has a super admin already ({}); manage users and app tokens through the API as them",
                admin.username
            )));
        }
        let users = self.store().all_user_records().await?;
        let existing = users.iter().find(|row| row.user.username == username);
        let mut user = existing.map_or_else(
            || UserValues {
                username: username.to_string(),
                alias: username.to_string(),
                email: String::new(),
                phone: String::new(),
                dept_id: 0,
                is_active: true,
                is_admin: true,
                is_workflow_admin: false,
                external_id: String::new(),
            },
            UserValues::from,
        );
        user.is_admin = true;
        user.is_active = true;
        let depts = self.store().all_depts().await?;
        let problems = user_problems(&user, existing.map(|row| row.user.id), &users, &depts);
        if !problems.is_empty() {
            return Err(EngineError::Invalid(format!(
                "user {username:?}: {}",
                problems.join("; ")
            )));
        }
        let app = AppTokenValues {
            app_name: app_name.to_string(),
            token: token.unwrap_or_else(random_token),
            workflow_ids: String::new(),
            ticket_sn_prefix: app_name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                .collect(),
        };
        self.refuse_app_token(&app, None).await?;
        let existing_id = existing.map(|row| row.user.id);
        let id = with_retries(|| async {
            let mut tx = self.store().begin_write().await?;
            match existing_id {
                Some(id) => {
                    tx.update(id, &user).await?;
                    tx.set_deleted(Table::Users, id, false).await?;
                }
                None => {
                    tx.insert(&user, username).await?;
                }
            }
            let id = tx.insert(&app, username).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
        .map_err(|error| taken(error, &format!("username {username:?}")))?;
        Ok(NewAppToken {
            id,
            app_name: app.app_name,
            token: app.token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::random_token;

    #[test]
    fn tokens_are_uuid_shaped_and_differ() {
        let token = random_token();
        let groups: Vec<usize> = token.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(token.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_ne!(token, random_token());
    }
}
