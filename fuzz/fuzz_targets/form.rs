//! A matter's form schema and the values posted against it, both from the fuzzer: checking the
//! schema and validating the values never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zhengwu::catalog::form::FormSchema;

fuzz_target!(|data: &[u8]| {
    // The first part is the schema, the rest the posted values.
    let (schema, values) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"{}"[..]),
    };
    let schema: FormSchema = match serde_json::from_slice(schema) {
        Ok(s) => s,
        Err(_) => zhengwu::demo::catalog::all()[1].form.clone(),
    };
    let _ = schema.check(&["m_special".to_string()]);
    if let Ok(serde_json::Value::Object(input)) = serde_json::from_slice(values) {
        let _ = schema.validate(&input, &|code| code.len() == 9);
    }
});
