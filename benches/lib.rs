//! Shared helpers for benches.
