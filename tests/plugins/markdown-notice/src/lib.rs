//! A notice formatter in the style of a DingTalk or Slack markdown message: the title in bold,
//! then the ticket's serial number and state, then its arguments' `footer`. Templates are
//! ignored.

use grebe_plugin_sdk::{Notice, NoticeFormatter, Ticket};

struct Markdown;

impl NoticeFormatter for Markdown {
    fn format(ticket: Ticket, _title: &str, _content: &str, args: &str) -> Result<Notice, String> {
        let footer = args.split('"').nth(3).unwrap_or("");
        Ok(Notice {
            title: format!("[{}] {}", ticket.sn, ticket.title),
            content: format!("**{}**\n> state: {}\n\n{footer}", ticket.title, ticket.state_name),
        })
    }
}

grebe_plugin_sdk::export_notice_formatter!(Markdown);
