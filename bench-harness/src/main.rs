//! `dynacore-bench`: placeholder until the YCSB harness issue.
fn main() {}
