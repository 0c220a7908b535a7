//! Conditional transitions (spec 6.7 with S1): `condition_expression` is a list of
//! `{"expression": "...", "target_state_id": N}`; the first entry that holds picks the
//! destination. Expressions are parsed by the safe language in `expr`, with `{key}` bound to
//! typed field values, never spliced into the text.

use serde_json::{Map, Value};

use super::expr::{self, Expression};
use super::plugin_calls::PluginReference;
use super::values::{convert, parse_date, parse_datetime, typed_json};
use super::{Engine, EngineError, EngineResult};
use crate::store::{CustomField, State, Transition};

/// What decides whether a condition entry holds.
pub enum ConditionTest {
    Expression(Expression),
    /// A `condition-evaluator` plugin, with its arguments as JSON text.
    Plugin {
        reference: PluginReference,
        args: String,
    },
}

/// One entry of a transition's conditions.
pub struct ConditionEntry {
    pub test: ConditionTest,
    pub target_state_id: i64,
}

impl ConditionEntry {
    /// How the entry reads in messages and graphs: its expression, or its plugin.
    pub fn label(&self) -> String {
        match &self.test {
            ConditionTest::Expression(expression) => expression.source().to_string(),
            ConditionTest::Plugin { reference, .. } => format!("plugin {}", reference.name),
        }
    }

    /// The field keys the entry reads (a plugin's are unknown until it runs).
    pub fn placeholders(&self) -> Vec<String> {
        match &self.test {
            ConditionTest::Expression(expression) => expression.placeholders(),
            ConditionTest::Plugin { .. } => Vec::new(),
        }
    }
}

fn invalid(transition: &Transition, problem: String) -> EngineError {
    EngineError::Invalid(format!(
        "condition expression of transition {}: {problem}",
        transition.id
    ))
}

/// Parses a transition's conditions; an empty text or `[]` has none.
pub fn parse_conditions(transition: &Transition) -> EngineResult<Vec<ConditionEntry>> {
    parse_condition_text(&transition.condition_expression).map_err(|problem| invalid(transition, problem))
}

/// Parses a `condition_expression` text; the error says what is wrong with it.
pub(crate) fn parse_condition_text(text: &str) -> Result<Vec<ConditionEntry>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(text) else {
        return Err("it must be a JSON list of {\"expression\", \"target_state_id\"}".into());
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let target_state_id = entry
                .get("target_state_id")
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("entry {index} has no integer \"target_state_id\""))?;
            if let Some(plugin) = entry.get("plugin") {
                let reference = plugin
                    .as_str()
                    .and_then(PluginReference::parse)
                    .ok_or_else(|| format!("entry {index} names no plugin as \"name\" or \"name@version\""))?;
                let args = entry
                    .get("args")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Map::new()))
                    .to_string();
                return Ok(ConditionEntry {
                    test: ConditionTest::Plugin { reference, args },
                    target_state_id,
                });
            }
            let source = entry
                .get("expression")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("entry {index} has neither an \"expression\" string nor a \"plugin\""))?;
            let expression =
                Expression::parse(source).map_err(|error| format!("entry {index} `{source}` is invalid {error}"))?;
            Ok(ConditionEntry {
                test: ConditionTest::Expression(expression),
                target_state_id,
            })
        })
        .collect()
}

/// A field value as the expression language sees it: dates and datetimes of date and
/// datetime fields (and the ticket's own times) become typed values.
fn typed(key: &str, value: &Value, fields: &[CustomField]) -> expr::Value {
    match value {
        Value::Null => expr::Value::Null,
        Value::Bool(flag) => expr::Value::Bool(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(int) => expr::Value::Int(int),
            None => expr::Value::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(text) => {
            let type_id = fields
                .iter()
                .find(|field| field.field_key == key)
                .map(|field| field.field_type_id);
            let is_time = matches!(key, "gmt_created" | "gmt_modified");
            match type_id {
                Some(25) => parse_date(text).map_or_else(|| expr::Value::Str(text.clone()), expr::Value::Date),
                Some(30) => parse_datetime(text).map_or_else(|| expr::Value::Str(text.clone()), expr::Value::DateTime),
                None if is_time => {
                    parse_datetime(text).map_or_else(|| expr::Value::Str(text.clone()), expr::Value::DateTime)
                }
                _ => expr::Value::Str(text.clone()),
            }
        }
        Value::Array(items) => expr::Value::List(items.iter().map(|item| typed(key, item, fields)).collect()),
        Value::Object(_) => expr::Value::Str(value.to_string()),
    }
}

/// The request's values as the fields they name will store them (`"10"` for a number field
/// is 10), so conditions compare typed values; a value the field refuses stays as sent.
pub fn typed_request(request: &Map<String, Value>, fields: &[CustomField]) -> Map<String, Value> {
    request
        .iter()
        .map(|(key, value)| {
            let typed = fields
                .iter()
                .find(|field| field.field_key == *key)
                .and_then(|field| convert(field, value).ok())
                .map_or_else(|| value.clone(), |converted| typed_json(&converted));
            (key.clone(), typed)
        })
        .collect()
}

/// Evaluates one expression over the ticket's values.
fn expression_holds(
    transition: &Transition,
    expression: &Expression,
    values: &Map<String, Value>,
    fields: &[CustomField],
) -> EngineResult<bool> {
    // A key that is no field of the ticket is a configuration mistake, even where
    // short-circuiting would never read it (B27).
    if let Some(unknown) = expression
        .placeholders()
        .into_iter()
        .find(|key| !values.contains_key(key))
    {
        return Err(invalid(
            transition,
            format!("`{}` references unknown field {unknown}", expression.source()),
        ));
    }
    let lookup = |key: &str| values.get(key).map(|value| typed(key, value, fields));
    expression.holds(&lookup, crate::store::now()).map_err(|error| {
        invalid(
            transition,
            format!("`{}` could not be evaluated: {error}", expression.source()),
        )
    })
}

impl Engine {
    /// The destination of `transition` out of `source` for these values: the target of the
    /// first condition that holds (expressions and plugins, in order), else the transition's
    /// own destination. A conditional transition without one, where nothing holds, is an
    /// error rather than a silent stay.
    pub(super) async fn choose_destination(
        &self,
        transition: &Transition,
        source: &State,
        values: &Map<String, Value>,
        fields: &[CustomField],
    ) -> EngineResult<i64> {
        let entries = parse_conditions(transition)?;
        for entry in &entries {
            let holds = match &entry.test {
                ConditionTest::Expression(expression) => expression_holds(transition, expression, values, fields)?,
                ConditionTest::Plugin { reference, args } => {
                    self.condition_by_plugin(reference, args.clone(), source, values)
                        .await?
                }
            };
            if holds {
                return Ok(entry.target_state_id);
            }
        }
        if transition.destination_state_id == 0 && !entries.is_empty() {
            return Err(EngineError::Invalid(format!(
                "no condition of transition {} holds for this ticket, and it has no default destination",
                transition.id
            )));
        }
        Ok(transition.destination_state_id)
    }
}
