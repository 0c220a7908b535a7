//! Custom field values: one row per ticket and field, the value in the column of its type
//! (spec 3.7). A field without a non-deleted row has no value.

use super::Store;
use super::workflows::placeholders;
use super::{FieldWrite, SqlArg, StoreResult, StoredValue, Tx, TypedValue, fetch_binding_each};

const VALUE_COLUMNS: &str = "ticket_id, field_key, field_type_id, char_value, int_value, float_value, bool_value, \
     date_value, datetime_value, radio_value, checkbox_value, select_value, multi_select_value, text_value, \
     username_value, multi_username_value";

/// The column that holds values of a field type; unknown types are kept as text.
fn column_of(type_id: i64) -> &'static str {
    match type_id {
        10 => "int_value",
        15 => "float_value",
        20 => "bool_value",
        25 => "date_value",
        30 => "datetime_value",
        35 => "radio_value",
        40 => "checkbox_value",
        45 => "select_value",
        50 => "multi_select_value",
        55 => "text_value",
        60 => "username_value",
        70 => "multi_username_value",
        _ => "char_value",
    }
}

/// The argument a typed value binds.
fn typed_arg(value: &TypedValue) -> SqlArg {
    match value {
        TypedValue::Text(text) => SqlArg::Text(text.clone()),
        TypedValue::Int(number) => SqlArg::Int(*number),
        TypedValue::Float(number) => SqlArg::Float(*number),
        TypedValue::Bool(flag) => SqlArg::Bool(*flag),
        TypedValue::Date(date) => SqlArg::Date(*date),
        TypedValue::DateTime(datetime) => SqlArg::DateTime(*datetime),
        TypedValue::Clear => SqlArg::Null,
    }
}

impl Store {
    /// The non-deleted values of these tickets, by ticket then row id.
    pub async fn field_values(&self, ticket_ids: &[i64]) -> StoreResult<Vec<StoredValue>> {
        if ticket_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {VALUE_COLUMNS} FROM ticket_field_values WHERE is_deleted = 0 AND ticket_id IN ({}) ORDER BY ticket_id, id",
            placeholders(ticket_ids.len())
        );
        Ok(fetch_binding_each!(self, StoredValue, &sql, ticket_ids))
    }
}

impl Tx {
    /// Writes field values: `Clear` removes a value, anything else replaces or adds it. No
    /// result is read, so on SQLite the statements go with the transaction's next batch.
    pub async fn write_values(&mut self, ticket_id: i64, writes: &[FieldWrite]) -> StoreResult<()> {
        let now = super::now();
        for write in writes {
            let key = || SqlArg::Text(write.key.clone());
            if write.value == TypedValue::Clear {
                let sql = "UPDATE ticket_field_values SET is_deleted = 1, gmt_modified = ? \
                           WHERE ticket_id = ? AND field_key = ? AND is_deleted = 0";
                self.defer(sql, vec![SqlArg::DateTime(now), SqlArg::Int(ticket_id), key()])
                    .await?;
                continue;
            }
            let update = format!(
                "UPDATE ticket_field_values SET {} = ?, gmt_modified = ? WHERE ticket_id = ? AND field_key = ? AND is_deleted = 0",
                column_of(write.type_id)
            );
            let args = vec![
                typed_arg(&write.value),
                SqlArg::DateTime(now),
                SqlArg::Int(ticket_id),
                key(),
            ];
            self.defer(&update, args).await?;
            let (insert, mut args) = insert_value(ticket_id, write);
            let insert = format!(
                "{insert} {} WHERE NOT EXISTS (SELECT 1 FROM ticket_field_values \
                 WHERE ticket_id = ? AND field_key = ? AND is_deleted = 0)",
                self.dialect("", "FROM DUAL")
            );
            args.extend([SqlArg::Int(ticket_id), key()]);
            self.defer(&insert, args).await?;
        }
        Ok(())
    }

    /// Writes the values of a ticket created in this transaction, which has none yet.
    pub async fn insert_values(&mut self, ticket_id: i64, writes: &[FieldWrite]) -> StoreResult<()> {
        for write in writes.iter().filter(|write| write.value != TypedValue::Clear) {
            let (insert, args) = insert_value(ticket_id, write);
            self.defer(&insert, args).await?;
        }
        Ok(())
    }
}

/// `INSERT … SELECT ?, …` of one value (a condition may follow) and its arguments.
fn insert_value(ticket_id: i64, write: &FieldWrite) -> (String, Vec<SqlArg>) {
    let now = super::now();
    let column = column_of(write.type_id);
    // text_value has no SQL default on MySQL, so it is always named.
    let (columns, values) = if column == "text_value" {
        ("text_value".to_string(), "?".to_string())
    } else {
        (format!("text_value, {column}"), "'', ?".to_string())
    };
    let sql = format!(
        "INSERT INTO ticket_field_values (name, field_key, ticket_id, field_type_id, {columns}, gmt_created, gmt_modified) \
         SELECT ?, ?, ?, ?, {values}, ?, ?"
    );
    let args = vec![
        SqlArg::Text(write.name.clone()),
        SqlArg::Text(write.key.clone()),
        SqlArg::Int(ticket_id),
        SqlArg::Int(write.type_id),
        typed_arg(&write.value),
        SqlArg::DateTime(now),
        SqlArg::DateTime(now),
    ];
    (sql, args)
}
