//! The files compiled into the binary, listed by `build.rs` from their folders: `TEMPLATES`
//! (`templates/*.html`, by file name) and `MESSAGES` (`messages/*.toml`).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
