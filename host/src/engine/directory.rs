//! Directory look-ups the rules need: department members with sub-departments, a user's
//! department approvers and department chain (spec 6.2, B9).

use std::collections::{HashMap, HashSet};

use super::constants::participant_type::{DEPT, PEOPLE, PERSON, ROLE};
use super::{Engine, EngineError, EngineResult};
use crate::store::{Dept, User};

impl Engine {
    /// Active users of these departments and all their sub-departments, first-seen order.
    /// Unknown ids contribute nothing; the others still count (B9).
    pub(super) async fn dept_members(&self, dept_ids: &[i64]) -> EngineResult<Vec<String>> {
        let depts = self.store().all_depts().await?;
        let mut wanted: Vec<i64> = dept_ids
            .iter()
            .copied()
            .filter(|id| depts.iter().any(|d| d.id == *id))
            .collect();
        let mut seen: HashSet<i64> = wanted.iter().copied().collect();
        let mut next = 0;
        while next < wanted.len() {
            let parent = wanted[next];
            next += 1;
            for child in depts.iter().filter(|dept| dept.parent_dept_id == parent) {
                if seen.insert(child.id) {
                    wanted.push(child.id);
                }
            }
        }
        Ok(self.store().usernames_in_depts(&wanted).await?)
    }

    /// The approvers of the user's department, or its leader when it lists none: loonflow's
    /// `creator_tl`.
    pub(super) async fn dept_approvers(&self, username: &str) -> EngineResult<Vec<String>> {
        let user = self.store().user(username).await?.ok_or_else(|| {
            EngineError::Invalid(format!(
                "user {username} is not existed or has been deleted, so creator_tl is unknown"
            ))
        })?;
        let dept = self
            .store()
            .depts_by_ids(&[user.dept_id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                EngineError::Invalid(format!("user {username} has no department, so creator_tl is unknown"))
            })?;
        let source = if dept.approver.trim().is_empty() {
            &dept.leader
        } else {
            &dept.approver
        };
        Ok(split_names(source))
    }

    /// The user's department and its ancestors (stopping at a missing one).
    pub(super) async fn dept_chain(&self, user: &User) -> EngineResult<Vec<i64>> {
        let depts = self.store().all_depts().await?;
        let mut chain = Vec::new();
        let mut current = user.dept_id;
        while let Some(dept) = depts.iter().find(|dept| dept.id == current) {
            if chain.contains(&dept.id) {
                break;
            }
            chain.push(dept.id);
            current = dept.parent_dept_id;
        }
        Ok(chain)
    }
}

/// The non-empty, trimmed elements of a comma list, duplicates removed in first-seen order.
pub fn split_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|name| !name.is_empty()) {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// The users, departments and roles some participant texts name, gathered so that each kind
/// is looked up once per page.
#[derive(Default)]
pub struct Named {
    usernames: Vec<String>,
    dept_ids: Vec<i64>,
    role_ids: Vec<i64>,
}

impl Named {
    pub fn add_user(&mut self, username: &str) {
        self.usernames.push(username.to_string());
    }

    /// What a participant of `type_id` names.
    pub fn add_participant(&mut self, type_id: i64, participant: &str) {
        match type_id {
            PERSON | PEOPLE => self.usernames.extend(split_names(participant)),
            DEPT => self
                .dept_ids
                .extend(split_names(participant).iter().filter_map(|id| id.parse::<i64>().ok())),
            ROLE => self.role_ids.extend(participant.trim().parse::<i64>().ok()),
            _ => {}
        }
    }
}

/// The directory entries a `Named` asked for (unknown ones are absent).
pub struct NameBook {
    pub users: HashMap<String, User>,
    pub depts: HashMap<i64, Dept>,
    pub roles: HashMap<i64, String>,
}

impl NameBook {
    /// A user's alias, or the username itself when unknown.
    pub fn alias(&self, username: &str) -> String {
        self.users
            .get(username)
            .map_or_else(|| username.to_string(), |user| user.alias.clone())
    }
}

impl Engine {
    /// Looks up what `named` names; with `user_depts`, the departments of the users too.
    pub(super) async fn look_up(&self, mut named: Named, user_depts: bool) -> EngineResult<NameBook> {
        named.usernames.sort_unstable();
        named.usernames.dedup();
        let names: Vec<&str> = named.usernames.iter().map(String::as_str).collect();
        let users: HashMap<String, User> = self
            .store()
            .users_by_names(&names)
            .await?
            .into_iter()
            .map(|user| (user.username.clone(), user))
            .collect();
        if user_depts {
            named.dept_ids.extend(users.values().map(|user| user.dept_id));
        }
        named.dept_ids.sort_unstable();
        named.dept_ids.dedup();
        let depts = self
            .store()
            .depts_by_ids(&named.dept_ids)
            .await?
            .into_iter()
            .map(|dept| (dept.id, dept))
            .collect();
        let roles = self
            .store()
            .roles_by_ids(&named.role_ids)
            .await?
            .into_iter()
            .map(|role| (role.id, role.name))
            .collect();
        Ok(NameBook { users, depts, roles })
    }
}
