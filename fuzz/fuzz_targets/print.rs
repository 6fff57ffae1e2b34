//! Print templates as an admin writes them, rendered in the sandbox and laid out as markup and
//! HTML: errors are fine, panics and escapes are not.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sample = zhengwu::print::data::sample(zhengwu::print::Kind::Licence);
    let rendered = zhengwu::print::render(text, &sample).unwrap_or_else(|_| text.to_string());
    let blocks = zhengwu::print::markup::parse(&rendered);
    let html = zhengwu::print::markup::html(&blocks, Some("/qr.svg"));
    // Whatever the template says, the markup never lets a tag of its own through.
    assert!(!html.contains("<script"));
});
