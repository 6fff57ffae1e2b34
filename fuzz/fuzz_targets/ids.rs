//! Resident ID and credit-code parsing, masking and the form-value sealing walk: never a panic,
//! and what parses masks without the birth date.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zhengwu::ids::{CreditCode, ResidentId, mask_any};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = ResidentId::parse(s) {
        // The birth date is never shown.
        assert_eq!(&id.masked()[6..14], "********");
    }
    let _ = CreditCode::parse(s);
    let _ = mask_any(s);
    // A form value sealed and opened again is the value (an ID number normalised).
    let t = s.trim();
    let id_like = ResidentId::parse(t).is_ok() || CreditCode::parse(t).is_ok();
    let mut v = serde_json::json!({"a": s, "b": [s]});
    zhengwu::vault::seal_form_ids(&mut v);
    zhengwu::vault::open_form_ids(&mut v);
    let expect = if id_like {
        t.to_ascii_uppercase()
    } else {
        s.to_string()
    };
    assert_eq!(v["a"].as_str(), Some(expect.as_str()));
});
