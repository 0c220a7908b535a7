//! A workflow as a flowchart, in Mermaid or Graphviz: states are nodes (start and end shaped
//! apart, hidden ones dashed), transitions are edges labelled with their name, timers with
//! `⏱ Ns`, and each condition as an edge of its own labelled with its expression.

use super::super::conditions::parse_condition_text;
use super::super::constants::state_type;
use super::super::{Engine, EngineResult};
use super::Actor;
use crate::store::{State, Transition};

/// Timer transitions are type 2 (spec 3.4).
const TIMER: i64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

impl GraphFormat {
    pub fn name(self) -> &'static str {
        match self {
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Dot => "dot",
        }
    }
}

/// An edge: from, to, label and whether it is a timer.
struct Edge {
    from: i64,
    to: i64,
    label: String,
    timer: bool,
}

fn edges(transitions: &[Transition], known: impl Fn(i64) -> bool) -> Vec<Edge> {
    let mut edges = Vec::new();
    for transition in transitions {
        let timer = transition.transition_type_id == TIMER;
        let name = if timer {
            format!("{} ⏱ {}s", transition.name, transition.timer)
        } else {
            transition.name.clone()
        };
        let conditions = parse_condition_text(&transition.condition_expression).unwrap_or_default();
        for entry in &conditions {
            edges.push(Edge {
                from: transition.source_state_id,
                to: entry.target_state_id,
                label: format!("{name} [{}]", entry.label()),
                timer,
            });
        }
        if transition.destination_state_id != 0 {
            let otherwise = if conditions.is_empty() { "" } else { " [otherwise]" };
            edges.push(Edge {
                from: transition.source_state_id,
                to: transition.destination_state_id,
                label: format!("{name}{otherwise}"),
                timer,
            });
        }
    }
    edges.retain(|edge| known(edge.from) && known(edge.to));
    edges
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn mermaid_text(text: &str) -> String {
    one_line(text)
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn dot_text(text: &str) -> String {
    one_line(text).replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid(states: &[State], edges: &[Edge]) -> String {
    let mut lines = vec!["flowchart TD".to_string()];
    for state in states {
        let label = mermaid_text(&state.name);
        lines.push(match state.type_id {
            state_type::START => format!("    s{}([\"{label}\"])", state.id),
            state_type::END => format!("    s{}(((\"{label}\")))", state.id),
            _ => format!("    s{}[\"{label}\"]", state.id),
        });
    }
    for edge in edges {
        let arrow = if edge.timer { "-.->" } else { "-->" };
        lines.push(format!(
            "    s{} {arrow}|\"{}\"| s{}",
            edge.from,
            mermaid_text(&edge.label),
            edge.to
        ));
    }
    let hidden: Vec<String> = states
        .iter()
        .filter(|state| state.is_hidden)
        .map(|state| format!("s{}", state.id))
        .collect();
    if !hidden.is_empty() {
        lines.push("    classDef hidden stroke-dasharray: 5 5".into());
        lines.push(format!("    class {} hidden", hidden.join(",")));
    }
    lines.join("\n") + "\n"
}

fn dot(states: &[State], edges: &[Edge]) -> String {
    let mut lines = vec![
        "digraph workflow {".to_string(),
        "    rankdir=TB;".into(),
        "    node [shape=box];".into(),
    ];
    for state in states {
        let mut attributes = vec![format!("label=\"{}\"", dot_text(&state.name))];
        match state.type_id {
            state_type::START => attributes.push("shape=oval".into()),
            state_type::END => attributes.push("shape=doublecircle".into()),
            _ => {}
        }
        if state.is_hidden {
            attributes.push("style=dashed".into());
        }
        lines.push(format!("    s{} [{}];", state.id, attributes.join(", ")));
    }
    for edge in edges {
        let style = if edge.timer { ", style=dashed" } else { "" };
        lines.push(format!(
            "    s{} -> s{} [label=\"{}\"{style}];",
            edge.from,
            edge.to,
            dot_text(&edge.label)
        ));
    }
    lines.push("}".into());
    lines.join("\n") + "\n"
}

/// The flowchart of these states and transitions; edges to unknown states are left out.
fn render(states: &[State], transitions: &[Transition], format: GraphFormat) -> String {
    let edges = edges(transitions, |id| states.iter().any(|state| state.id == id));
    match format {
        GraphFormat::Mermaid => mermaid(states, &edges),
        GraphFormat::Dot => dot(states, &edges),
    }
}

impl Engine {
    /// The flowchart of a workflow the actor manages.
    pub async fn workflow_graph(&self, actor: &Actor, workflow_id: i64, format: GraphFormat) -> EngineResult<String> {
        self.managed_workflow(actor, workflow_id).await?;
        let states = self.store().states_of_workflow(workflow_id).await?;
        let transitions = self.store().transitions_of_workflow(workflow_id).await?;
        Ok(render(&states, &transitions, format))
    }
}
