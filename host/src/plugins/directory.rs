//! The directory as plugins see it: a read-only snapshot, so look-ups are memory reads and a
//! plugin calling them in a loop cannot load the database.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct DirectoryUser {
    pub username: String,
    #[serde(default)]
    pub alias: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub dept_id: i64,
    #[serde(default = "active")]
    pub is_active: bool,
    #[serde(default)]
    pub roles: Vec<i64>,
}

fn active() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirectoryDept {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent_id: i64,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub approvers: Vec<String>,
}

/// Users (with their roles) and departments. The JSON form is what `grebe plugin run
/// --directory` reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Directory {
    #[serde(default)]
    users: Vec<DirectoryUser>,
    #[serde(default)]
    depts: Vec<DirectoryDept>,
    #[serde(skip)]
    by_name: HashMap<String, usize>,
    #[serde(skip)]
    by_dept: HashMap<i64, usize>,
}

impl Directory {
    pub fn new(users: Vec<DirectoryUser>, depts: Vec<DirectoryDept>) -> Directory {
        Directory {
            users,
            depts,
            by_name: HashMap::new(),
            by_dept: HashMap::new(),
        }
        .indexed()
    }

    /// Builds the look-up indexes (after deserialising).
    pub fn indexed(mut self) -> Directory {
        self.by_name = self
            .users
            .iter()
            .enumerate()
            .map(|(i, user)| (user.username.clone(), i))
            .collect();
        self.by_dept = self.depts.iter().enumerate().map(|(i, dept)| (dept.id, i)).collect();
        self
    }

    pub fn user(&self, username: &str) -> Option<&DirectoryUser> {
        self.by_name.get(username).map(|i| &self.users[*i])
    }

    pub fn dept(&self, id: i64) -> Option<&DirectoryDept> {
        self.by_dept.get(&id).map(|i| &self.depts[*i])
    }

    pub fn dept_members(&self, id: i64) -> Vec<String> {
        self.users
            .iter()
            .filter(|u| u.dept_id == id && u.is_active)
            .map(|u| u.username.clone())
            .collect()
    }

    pub fn role_members(&self, role_id: i64) -> Vec<String> {
        self.users
            .iter()
            .filter(|u| u.is_active && u.roles.contains(&role_id))
            .map(|u| u.username.clone())
            .collect()
    }
}
