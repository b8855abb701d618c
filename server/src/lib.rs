//! dynacore's server side: the binary protocol (`protocol`), the per-core
//! server that speaks it (`server`), the Rust client (`client`) and the
//! human CLI (`cli`). `docs/protocol.md` specifies the wire format byte by
//! byte; `docs/server.md` describes how the server runs.

pub mod cli;
pub mod client;
pub mod dynamodb;
pub mod exec;
pub mod http;
pub mod json;
pub mod metrics;
pub mod protocol;
pub mod server;
