//! Bytes → text → the fast YAML reader and the general parser. Whatever the fast reader
//! accepts, the general parser must accept too and read into the same tree, spans and comments
//! included; otherwise taking the fast path would change findings.
#![no_main]

use cfn_policy_lint::yaml::{parse_fast, parse_general, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = ParseOptions::default();
    if let Some(fast) = parse_fast(&text, &opts) {
        match parse_general(&text, &opts) {
            Ok(general) => assert!(fast == general, "the readers disagree on {text:?}"),
            Err(e) => panic!("fast reader accepted text the general parser rejects: {}", e.message),
        }
    }
});
