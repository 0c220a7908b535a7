//! Grebe's default notice formatter, built into the `grebe` binary: loonflow's templates, where
//! `{key}` is replaced by the text of the ticket's field `key` as Python's `str.format` writes
//! it (null as `None`, booleans as `True`/`False`), `{{` and `}}` are literal braces, and an
//! unknown key fails the notice.

use grebe_plugin_sdk::{Notice, NoticeFormatter, Ticket, Value};

struct Template;

/// A value as Python's `str()` writes it.
fn python_text(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Integer(number) => number.to_string(),
        Value::Number(number) if number.is_finite() && number.fract() == 0.0 => format!("{number:.1}"),
        Value::Number(number) => number.to_string(),
        Value::Boolean(true) => "True".into(),
        Value::Boolean(false) => "False".into(),
        Value::Null => "None".into(),
    }
}

/// Renders one template over the ticket's fields.
fn render(template: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut key = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => return Err(format!("unclosed placeholder {{{key} in the template")),
                        Some(c) => key.push(c),
                    }
                }
                let key = key.trim();
                out.push_str(&lookup(key).ok_or_else(|| format!("the template names an unknown field {key:?}"))?);
            }
            '}' => return Err("single '}' in the template (write '}}' for a brace)".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

impl NoticeFormatter for Template {
    fn format(ticket: Ticket, title_template: &str, content_template: &str, _args: &str) -> Result<Notice, String> {
        let lookup = |key: &str| ticket.field(key).map(python_text);
        Ok(Notice {
            title: render(title_template, lookup)?,
            content: render(content_template, lookup)?,
        })
    }
}

grebe_plugin_sdk::export_notice_formatter!(Template);
