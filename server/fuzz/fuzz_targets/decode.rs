//! Frames and bodies from the fuzzer into every protocol decoder: the
//! header, then each opcode's request and reply decoders and the error
//! decoder, with a re-encode check on whatever decodes
//! (`dynacore_server::protocol::fuzz_decode`, shared with the corpus replay
//! in `server/tests/corpus.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dynacore_server::protocol::fuzz_decode(data);
});
