//! Host bindings of the `grebe:plugin@1.0.0` worlds. The hook world imports every host
//! interface, so its generated traits are the ones the host implements; the other worlds
//! reuse them.

pub mod hook {
    wasmtime::component::bindgen!({
        path: "../plugin-sdk/wit",
        world: "hook",
        imports: { default: trappable },
    });
}

pub mod resolver {
    wasmtime::component::bindgen!({
        path: "../plugin-sdk/wit",
        world: "participant-resolver",
        imports: { default: trappable },
        with: {
            "grebe:plugin/types": super::hook::grebe::plugin::types,
            "grebe:plugin/log": super::hook::grebe::plugin::log,
            "grebe:plugin/directory": super::hook::grebe::plugin::directory,
            "grebe:plugin/ticket-fields": super::hook::grebe::plugin::ticket_fields,
        },
    });
}

pub mod condition {
    wasmtime::component::bindgen!({
        path: "../plugin-sdk/wit",
        world: "condition-evaluator",
        imports: { default: trappable },
        with: {
            "grebe:plugin/types": super::hook::grebe::plugin::types,
            "grebe:plugin/log": super::hook::grebe::plugin::log,
            "grebe:plugin/directory": super::hook::grebe::plugin::directory,
            "grebe:plugin/ticket-fields": super::hook::grebe::plugin::ticket_fields,
        },
    });
}

pub mod formatter {
    wasmtime::component::bindgen!({
        path: "../plugin-sdk/wit",
        world: "notice-formatter",
        imports: { default: trappable },
        with: {
            "grebe:plugin/types": super::hook::grebe::plugin::types,
            "grebe:plugin/log": super::hook::grebe::plugin::log,
            "grebe:plugin/ticket-fields": super::hook::grebe::plugin::ticket_fields,
        },
    });
}

pub use hook::grebe::plugin::types::{Field, Ticket, Value};
