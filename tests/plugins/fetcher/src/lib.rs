//! A hook that GETs the URL in its arguments (`{"url": "…"}`) and moves on by "done" when the
//! answer is 200, or fails with the reason.

use grebe_plugin_sdk::{Hook, Next, Outcome, Ticket, http};

struct Fetcher;

impl Hook for Fetcher {
    fn run(_ticket: Ticket, args: &str) -> Result<Outcome, String> {
        let url = args.split('"').nth(3).ok_or("no url in the arguments")?;
        let request = http::Request { method: "GET".into(), url: url.into(), headers: Vec::new(), body: Vec::new(), timeout_ms: 5_000 };
        let next = match http::send(&request) {
            Ok(response) if response.status == 200 => Next::Transition("done".into()),
            Ok(response) => Next::Fail(format!("status {}", response.status)),
            Err(reason) => Next::Fail(reason),
        };
        Ok(Outcome { updates: Vec::new(), suggestion: format!("fetched {url}"), next })
    }
}

grebe_plugin_sdk::export_hook!(Fetcher);
