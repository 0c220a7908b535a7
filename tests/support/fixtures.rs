//! Workflows made for a test, written straight into the server's database (the admin API
//! to build them over HTTP comes later). Ids are explicit so tests can name them.

use super::server::Database;

const STAMP: &str = "'2026-01-01 00:00:00', '2026-01-01 00:00:00'";

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A workflow under construction: rows to insert, then `install`.
pub struct Flow {
    id: i64,
    statements: Vec<String>,
}

/// A state's handlers: participant type, participant and distribute type.
pub struct Handlers<'a>(pub i64, pub &'a str, pub i64);

impl Flow {
    pub fn new(id: i64, name: &str) -> Flow {
        let statement = format!(
            "INSERT INTO workflows (id, name, description, notices, view_permission_check, limit_expression, \
             display_form_str, title_template, content_template, creator, gmt_created, gmt_modified) VALUES \
             ({id}, {}, '', '', 0, '{{}}', '[\"title\",\"sn\",\"state.state_name\"]', '', '', 'admin', {STAMP})",
            quoted(name)
        );
        Flow {
            id,
            statements: vec![statement],
        }
    }

    /// A state; `fields` is its `state_field_str`.
    pub fn state(mut self, id: i64, name: &str, type_id: i64, handlers: Handlers<'_>, fields: &str) -> Flow {
        let Handlers(participant_type, participant, distribute) = handlers;
        self.statements.push(format!(
            "INSERT INTO states (id, name, workflow_id, is_hidden, order_id, type_id, enable_retreat, \
             remember_last_man_enable, participant_type_id, participant, distribute_type_id, state_field_str, label, \
             creator, gmt_created, gmt_modified) VALUES ({id}, {}, {}, 0, {id}, {type_id}, 0, 0, {participant_type}, {}, \
             {distribute}, {}, '{{}}', 'admin', {STAMP})",
            quoted(name),
            self.id,
            quoted(participant),
            quoted(fields)
        ));
        self
    }

    /// A normal transition without required-field check or conditions.
    pub fn transition(mut self, id: i64, name: &str, source: i64, destination: i64, attribute: i64) -> Flow {
        self.statements.push(format!(
            "INSERT INTO transitions (id, name, workflow_id, transition_type_id, timer, source_state_id, \
             destination_state_id, condition_expression, attribute_type_id, field_require_check, alert_enable, \
             alert_text, creator, gmt_created, gmt_modified) VALUES ({id}, {}, {}, 1, 0, {source}, {destination}, '[]', \
             {attribute}, 0, 0, '', 'admin', {STAMP})",
            quoted(name),
            self.id
        ));
        self
    }

    pub fn field(mut self, id: i64, key: &str, type_id: i64, order_id: i64) -> Flow {
        self.statements.push(format!(
            "INSERT INTO custom_fields (id, workflow_id, field_type_id, field_key, field_name, order_id, default_value, \
             description, field_template, boolean_field_display, field_choice, label, creator, gmt_created, gmt_modified) \
             VALUES ({id}, {}, {type_id}, {}, {}, {order_id}, '', '', '', '{{}}', '{{}}', '{{}}', 'admin', {STAMP})",
            self.id,
            quoted(key),
            quoted(&format!("{key} name"))
        ));
        self
    }

    /// Any further statement (e.g. an UPDATE setting a flag).
    pub fn sql(mut self, statement: &str) -> Flow {
        self.statements.push(statement.to_string());
        self
    }

    /// Inserts the rows and lets the demo app use the workflow.
    pub async fn install(self, db: &Database) {
        for statement in &self.statements {
            db.execute(statement).await;
        }
        let permit = match db.is_mysql() {
            true => format!(
                "UPDATE app_tokens SET workflow_ids = CONCAT(workflow_ids, ',{}') WHERE id = 1",
                self.id
            ),
            false => format!(
                "UPDATE app_tokens SET workflow_ids = workflow_ids || ',{}' WHERE id = 1",
                self.id
            ),
        };
        db.execute(&permit).await;
    }
}
