//! Loonflow's enumerations (spec section 3).

/// The pseudo-user of timers, hooks, plugins and automatic moves.
pub const SYSTEM_USER: &str = "loonrobot";

pub mod state_type {
    pub const NORMAL: i64 = 0;
    pub const START: i64 = 1;
    pub const END: i64 = 2;
}

pub mod participant_type {
    pub const NONE: i64 = 0;
    pub const PERSON: i64 = 1;
    pub const PEOPLE: i64 = 2;
    pub const DEPT: i64 = 3;
    pub const ROLE: i64 = 4;
    pub const VARIABLE: i64 = 5;
    pub const PLUGIN: i64 = 6;
    pub const TICKET_FIELD: i64 = 7;
    pub const PARENT_TICKET_FIELD: i64 = 8;
    pub const HOOK: i64 = 10;
}

pub mod distribute_type {
    pub const ACCEPT_FIRST: i64 = 1;
    pub const DIRECT: i64 = 2;
    pub const RANDOM: i64 = 3;
    pub const ALL: i64 = 4;
}

pub mod attribute_type {
    pub const AGREE: i64 = 1;
    pub const REJECT: i64 = 2;
    pub const OTHER: i64 = 3;
}

pub mod act_state {
    pub const DRAFT: i64 = 0;
    pub const ONGOING: i64 = 1;
    pub const REJECTED: i64 = 2;
    pub const WITHDRAWN: i64 = 3;
    pub const FINISHED: i64 = 4;
    pub const CLOSED: i64 = 5;
}

pub mod intervene_type {
    pub const NONE: i64 = 0;
    pub const DELIVER: i64 = 1;
    pub const ADD_NODE: i64 = 2;
    pub const ADD_NODE_END: i64 = 3;
    pub const ACCEPT: i64 = 4;
    pub const COMMENT: i64 = 5;
    pub const DELETE: i64 = 6;
    pub const CLOSE: i64 = 7;
    pub const ALTER_STATE: i64 = 8;
    pub const HOOK: i64 = 9;
    pub const RETREAT: i64 = 10;

    /// The name a flow log without a transition shows (spec 3.8).
    pub fn display_name(intervene_type_id: i64) -> &'static str {
        match intervene_type_id {
            DELIVER => "转交操作",
            ADD_NODE => "加签操作",
            ADD_NODE_END => "加签完成操作",
            ACCEPT => "接单操作",
            COMMENT => "新增评论",
            CLOSE => "强制关闭",
            ALTER_STATE => "强制修改状态",
            HOOK => "hook操作",
            RETREAT => "撤回操作",
            _ => "未知操作",
        }
    }
}
