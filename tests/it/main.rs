//! dynacore's integration tests, one binary with a module per concern.
//!
//! Replay a failing seed with `DYNACORE_SEED=<n> cargo test -p dynacore-tests --test it <name>`;
//! run more seeds with `DYNACORE_SEEDS=<count>`.

mod api;
mod batches;
mod cache;
mod concurrent;
mod conditional;
mod conformance;
mod crash;
mod durability;
mod faults;
mod model;
mod query_props;
mod tables;
