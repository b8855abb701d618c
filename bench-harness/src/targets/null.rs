//! The `null` target: does no work, so a run against it measures the
//! harness's own ceiling (throughput) and floor (latency): key choice,
//! value generation, timing and histogram recording.

use super::{Field, Target};

/// A target whose operations return at once.
#[derive(Debug)]
pub struct Null;

impl Target for Null {
    fn name(&self) -> &'static str {
        "null"
    }

    fn settings(&self) -> String {
        "no storage: every operation returns at once (the harness's own cost)".into()
    }

    fn insert(&self, _key: &str, fields: &[Field]) -> anyhow::Result<()> {
        std::hint::black_box(fields);
        Ok(())
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        std::hint::black_box(key);
        Ok(0)
    }

    fn update(&self, _key: &str, _field: &str, value: &[u8]) -> anyhow::Result<()> {
        std::hint::black_box(value);
        Ok(())
    }

    fn scan(&self, _start_key: &str, count: usize) -> anyhow::Result<usize> {
        std::hint::black_box(count);
        Ok(0)
    }

    fn disk_bytes(&self) -> u64 {
        0
    }
}
