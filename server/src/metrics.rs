//! Per-core counters and latency histograms (placeholder until it lands).
