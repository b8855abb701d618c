//! YCSB's CoreWorkload: what the benchmark's client threads do.
//!
//! A faithful re-implementation of brianfrankcooper/YCSB's
//! `site.ycsb.workloads.CoreWorkload` and its generators, so that dynacore's
//! figures compare with published YCSB figures: the same keys
//! (`"user" + fnvhash64(keynum)`), the same operation mix, the same key
//! popularity (scrambled zipfian, latest, hotspot …). The facts it must
//! match are in `/work/shared/YCSB.md`; every deviation from YCSB's Java is
//! named where it is made.
//!
//! Layout, from the bottom up:
//! - [`keys`]: `fnvhash64` and key names (pure).
//! - [`rng`]: the seeded PRNG each thread owns.
//! - [`generators`]: zipfian, scrambled zipfian, latest, uniform, hotspot,
//!   sequential, exponential; the popularity tests.
//! - [`counter`]: the acknowledged insert counter, the one structure shared
//!   and written by all threads.
//! - [`spec`]: [`WorkloadSpec`], the properties with YCSB's defaults,
//!   presets A–F and validation.
//! - [`properties`]: the properties-file parser, `set`, and the tables of
//!   known and ignored property names.
//! - [`chooser`]: [`WorkloadRunner`], one per client thread, turning a spec
//!   into [`Operation`]s; [`SharedState`] joins the threads of a run.
//!
//! Threads: the driver builds one `Arc<SharedState>` per run and one
//! `WorkloadRunner` per client thread (distinct seeds), calls
//! `next_operation` in the thread's loop, and calls
//! `SharedState::acknowledge` after each insert.

pub mod chooser;
pub mod counter;
pub mod generators;
pub mod keys;
pub mod properties;
pub mod rng;
pub mod spec;

// What the rest of the harness uses; the generators, the counter and the
// key functions are reached through their modules.
pub use chooser::{Operation, SharedState, WorkloadRunner};
pub use spec::WorkloadSpec;
