//! The OpenAPI document at `/api/v1/openapi.json`, generated from the routers (`utoipa-axum`: a
//! route and its documentation are one `routes!` line in its area), the handlers' annotations and
//! the request/response types, so it cannot drift from the code — then completed once ([`complete`])
//! with what is the same for every operation and would otherwise be written 126 times: each path
//! parameter declared with its type (by name: ids are integers, codes are text), and the error
//! answers every operation can give, each with the one error body (`Error`) the API writes.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(info(
    title = "zhengwu API",
    description = "Internet+ government services platform"
))]
pub struct ApiDoc;

/// The completed document, built once from the routers: each area's `router()` lists its
/// handlers with `routes!`, which carries each one's `#[utoipa::path]` into the document.
pub fn json() -> &'static serde_json::Value {
    static DOC: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        let (_, paths) = super::api_router().split_for_parts();
        let mut doc = serde_json::to_value(paths).expect("the document serialises");
        complete(&mut doc);
        doc
    });
    &DOC
}

pub async fn document() -> Json<serde_json::Value> {
    Json(json().clone())
}

/// Path parameters by name: these are integers, every other one text.
const INTEGER_PARAMS: [&str; 6] = ["id", "gid", "file", "unit_id", "year", "n"];

/// What an error answer means, by status.
const ERRORS: [(&str, &str); 10] = [
    (
        "400",
        "Malformed: a path, query or body that does not parse",
    ),
    ("401", "Not signed in"),
    ("403", "Signed in, but not allowed (or a bad CSRF token)"),
    ("404", "No such thing, or not visible to the caller"),
    ("409", "In conflict with the current state"),
    ("413", "Too large"),
    ("415", "Not JSON where JSON is expected"),
    ("422", "Invalid: each field's problem in `fields`"),
    (
        "429",
        "Too many requests from this address or too many failed sign-ins (see Retry-After)",
    ),
    ("500", "Internal error (logged, never shown)"),
];

/// Declares every path parameter and gives every error answer the error body.
fn complete(doc: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let error_ref = json!({"$ref": "#/components/schemas/Error"});
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert(
            "Error".into(),
            json!({
                "type": "object",
                "required": ["error"],
                "properties": {"error": {
                    "type": "object",
                    "required": ["code", "message", "fields"],
                    "properties": {
                        "code": {"type": "string", "description": "Stable, e.g. `not_found`, `validation`, `rate_limited`"},
                        "message": {"type": "string", "description": "In the request's language (zh-CN unless `Accept-Language` or the `lang` cookie says English)"},
                        "fields": {"type": "array", "items": {
                            "type": "object", "required": ["field", "message"],
                            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}
                        }}
                    }
                }}
            }),
        );
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let names: Vec<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(String::from)
            .collect();
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch") {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let params = op
                .entry("parameters")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("parameters is a list");
            for name in &names {
                let declared = params
                    .iter()
                    .any(|p| p["in"] == "path" && p["name"] == name.as_str());
                if !declared {
                    let ty = if INTEGER_PARAMS.contains(&name.as_str()) {
                        json!({"type": "integer", "format": "int64"})
                    } else {
                        json!({"type": "string"})
                    };
                    params
                        .push(json!({"name": name, "in": "path", "required": true, "schema": ty}));
                }
            }
            let writes = matches!(method.as_str(), "put" | "post" | "patch" | "delete");
            let responses = op
                .entry("responses")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("responses is a map");
            for (code, what) in ERRORS {
                // A conflict with the current state, a body too large or not JSON: for writes.
                let applies = match code {
                    "409" | "413" | "415" => writes,
                    _ => true,
                };
                if !applies {
                    continue;
                }
                let r = responses
                    .entry(code)
                    .or_insert_with(|| json!({"description": what}));
                match r.pointer_mut("/content/application~1json/schema") {
                    None => {
                        r["content"] = json!({"application/json": {"schema": error_ref.clone()}});
                    }
                    // A report of its own (an import's rows) — or, when the request itself could
                    // not be read, the error body.
                    Some(schema) if *schema != error_ref => {
                        *schema = json!({"oneOf": [schema.clone(), error_ref.clone()]});
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Two documented types of one name would share one schema in the document (the last one
    /// wins and the other operations are documented with the wrong type): every `ToSchema`
    /// type's name, or its `#[schema(as = …)]`, is unique.
    #[test]
    fn schema_names_are_unique() {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    let lines: Vec<&str> = text.lines().collect();
                    for (i, l) in lines.iter().enumerate() {
                        if !(l.contains("derive(") && l.contains("ToSchema")) {
                            continue;
                        }
                        let mut alias = None;
                        for next in &lines[i + 1..(i + 8).min(lines.len())] {
                            if let Some(a) = next.split("schema(as = ").nth(1) {
                                alias = Some(a.trim_end_matches(")]").trim().to_string());
                            }
                            let t = next.trim_start();
                            if let Some(rest) = t
                                .strip_prefix("pub struct ")
                                .or_else(|| t.strip_prefix("pub enum "))
                            {
                                let name: String = rest
                                    .chars()
                                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                                    .collect();
                                out.push((alias.unwrap_or(name), p.display().to_string()));
                                break;
                            }
                        }
                    }
                }
            }
        }
        let mut names = Vec::new();
        walk(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .as_path(),
            &mut names,
        );
        assert!(names.len() > 50, "{}", names.len());
        names.sort();
        let dups: Vec<_> = names.windows(2).filter(|w| w[0].0 == w[1].0).collect();
        assert!(dups.is_empty(), "schema names used twice: {dups:?}");
    }

    #[test]
    fn every_path_parameter_and_error_is_documented() {
        let doc = super::json();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for seg in path.split('/').filter(|s| s.starts_with('{')) {
                    let name = seg.trim_matches(['{', '}']);
                    assert!(
                        op["parameters"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|p| p["in"] == "path" && p["name"] == name),
                        "{method} {path}: {name}"
                    );
                }
                // A parameter "in path" is one of the path's; every other one is in the query.
                for p in op["parameters"].as_array().unwrap() {
                    if p["in"] == "path" {
                        let name = p["name"].as_str().unwrap();
                        assert!(
                            path.contains(&format!("{{{name}}}")),
                            "{method} {path}: {name} is not in the path"
                        );
                    }
                }
                for code in ["400", "401", "403", "404", "422", "429", "500"] {
                    assert!(
                        op["responses"].get(code).is_some(),
                        "{method} {path}: {code}"
                    );
                }
            }
        }
        let export = &doc["paths"]["/api/v1/catalog/export"]["get"]["responses"]["200"];
        assert!(export.to_string().contains("CatalogFile"), "{export}");
        let file = &doc["components"]["schemas"]["CatalogFile"];
        assert!(file.to_string().contains("CatalogEntry"), "{file}");
        assert!(
            doc["components"]["schemas"]["CatalogEntry"]
                .to_string()
                .contains("matter")
        );
        let audit = &doc["paths"]["/api/v1/audit/export"]["get"]["responses"]["200"]["content"];
        assert!(audit.get("text/csv").is_some(), "{audit}");
    }
}
