//! The Rust client (placeholder until it lands).
