//! Application forms (D类事项表单设计): a versioned schema of fields built without code, and the
//! server-side validation of a submission against it. A submission is a JSON object; validation
//! answers every bad field with a message key (in both languages via the catalogue) and returns the
//! cleaned values — only the fields that are visible under the show-if rules — so nothing invalid
//! or hidden is stored.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::accounts::{check_email, check_phone};
use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Number,
    Money,
    Date,
    DateRange,
    Select,
    MultiSelect,
    YesNo,
    Phone,
    Email,
    ResidentId,
    CreditCode,
    Address,
    File,
    Table,
}

impl FieldKind {
    pub const ALL: [FieldKind; 16] = [
        FieldKind::Text,
        FieldKind::LongText,
        FieldKind::Number,
        FieldKind::Money,
        FieldKind::Date,
        FieldKind::DateRange,
        FieldKind::Select,
        FieldKind::MultiSelect,
        FieldKind::YesNo,
        FieldKind::Phone,
        FieldKind::Email,
        FieldKind::ResidentId,
        FieldKind::CreditCode,
        FieldKind::Address,
        FieldKind::File,
        FieldKind::Table,
    ];
}

/// Show this field only when another field has a given value (for a multi-select: contains it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShowIf {
    pub field: String,
    pub equals: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Field {
    /// Machine key: lowercase letters, digits and `_`, starting with a letter.
    pub key: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// A regular expression the whole text must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    /// For `file`: the id of the guide's material this slot holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// For `table`: the columns of each row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub columns: Vec<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Field {
    pub fn new(key: &str, label: &str, kind: FieldKind) -> Field {
        Field {
            key: key.into(),
            label: label.into(),
            label_en: None,
            kind,
            group: None,
            required: false,
            min_len: None,
            max_len: None,
            min: None,
            max: None,
            pattern: None,
            options: vec![],
            show_if: None,
            material: None,
            columns: vec![],
            hint: None,
        }
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormSchema {
    #[serde(default)]
    pub fields: Vec<Field>,
}

fn is_key(k: &str) -> bool {
    let mut c = k.chars();
    matches!(c.next(), Some('a'..='z'))
        && c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && k.len() <= 40
}

fn pattern(p: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(&format!("^(?:{p})$"))
        .size_limit(1 << 16)
        .build()
        .ok()
}

impl FormSchema {
    /// Checks the schema itself (as the designer saves it): keys, options, references.
    /// `materials` are the ids of the guide's materials.
    pub fn check(&self, materials: &[String]) -> Vec<FieldError> {
        let mut errs = Vec::new();
        check_fields(&self.fields, "form", materials, &mut errs);
        errs
    }

    /// Validates `input` against this schema: every problem, or the cleaned values.
    pub fn validate(
        &self,
        input: &Map<String, Value>,
        unit_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut errs = Vec::new();
        let out = validate_fields(&self.fields, input, "", unit_exists, &mut errs);
        if errs.is_empty() { Ok(out) } else { Err(errs) }
    }
}

fn check_fields(fields: &[Field], at: &str, materials: &[String], errs: &mut Vec<FieldError>) {
    let mut seen = HashSet::new();
    for f in fields {
        let here = format!("{at}.{}", f.key);
        if !is_key(&f.key) {
            errs.push(FieldError::with(&here, "form.bad_key", &f.key));
        } else if !seen.insert(f.key.as_str()) {
            errs.push(FieldError::with(&here, "form.duplicate_key", &f.key));
        }
        if f.label.trim().is_empty() {
            errs.push(FieldError::new(&here, "form.no_label"));
        }
        if matches!(f.kind, FieldKind::Select | FieldKind::MultiSelect) && f.options.is_empty() {
            errs.push(FieldError::with(&here, "form.no_options", &f.label));
        }
        if f.kind == FieldKind::File && !f.material.as_ref().is_some_and(|m| materials.contains(m))
        {
            errs.push(FieldError::with(&here, "form.no_material", &f.label));
        }
        if f.kind == FieldKind::Table {
            if f.columns.is_empty() {
                errs.push(FieldError::with(&here, "form.no_columns", &f.label));
            }
            if f.columns.iter().any(|c| c.kind == FieldKind::Table) {
                errs.push(FieldError::with(&here, "form.nested_table", &f.label));
            }
            check_fields(&f.columns, &here, materials, errs);
        }
        if let Some(p) = &f.pattern
            && pattern(p).is_none()
        {
            errs.push(FieldError::with(&here, "form.bad_pattern", p));
        }
        if let (Some(a), Some(b)) = (f.min, f.max)
            && a > b
        {
            errs.push(FieldError::with(&here, "form.min_over_max", &f.label));
        }
        if let (Some(a), Some(b)) = (f.min_len, f.max_len)
            && a > b
        {
            errs.push(FieldError::with(&here, "form.min_over_max", &f.label));
        }
        if let Some(s) = &f.show_if {
            match fields
                .iter()
                .take_while(|g| g.key != f.key)
                .find(|g| g.key == s.field)
            {
                None => errs.push(FieldError::with(&here, "form.bad_show_if", &s.field)),
                // The value must be one the field can take, or the field never shows.
                Some(g) if !can_equal(g, &s.equals) => {
                    errs.push(FieldError::with(&here, "form.show_if_value", &g.label))
                }
                Some(_) => {}
            }
        }
    }
}

/// Whether field `g` can hold `v`: a yes/no answer is true or false, a choice one of its
/// options, text or a number something non-empty; a file, a table or an address is never
/// compared.
fn can_equal(g: &Field, v: &Value) -> bool {
    match g.kind {
        FieldKind::YesNo => v.is_boolean(),
        FieldKind::Select | FieldKind::MultiSelect => {
            v.as_str().is_some_and(|s| g.options.iter().any(|o| o == s))
        }
        FieldKind::File | FieldKind::Table | FieldKind::Address | FieldKind::DateRange => false,
        FieldKind::Number | FieldKind::Money => {
            v.is_number() || v.as_str().is_some_and(|s| !s.trim().is_empty())
        }
        _ => v.as_str().is_some_and(|s| !s.trim().is_empty()) || v.is_number(),
    }
}

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.values().all(|v| is_empty(Some(v))),
        _ => false,
    }
}

/// Whether `f` is shown, given the values entered so far.
pub fn visible(f: &Field, values: &Map<String, Value>) -> bool {
    match &f.show_if {
        None => true,
        Some(s) => match values.get(&s.field) {
            Some(Value::Array(items)) => items.contains(&s.equals),
            Some(v) => *v == s.equals,
            None => false,
        },
    }
}

fn validate_fields(
    fields: &[Field],
    input: &Map<String, Value>,
    prefix: &str,
    unit_exists: &dyn Fn(&str) -> bool,
    errs: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        // Conditions look at the cleaned values, so a hidden field cannot unhide another.
        if !visible(f, &out) {
            continue;
        }
        let path = format!("{prefix}{}", f.key);
        let v = input.get(&f.key);
        if is_empty(v) {
            if f.required {
                errs.push(FieldError::new(&path, "field.required"));
            }
            continue;
        }
        let v = v.expect("not empty");
        match check_value(f, v, &path, unit_exists, errs) {
            Ok(clean) => {
                out.insert(f.key.clone(), clean);
            }
            Err(e) => errs.push(e),
        }
    }
    out
}

fn text_of<'a>(v: &'a Value, path: &str) -> Result<&'a str, FieldError> {
    v.as_str()
        .map(str::trim)
        .ok_or_else(|| FieldError::new(path, "field.type"))
}

fn number_of(v: &Value, path: &str) -> Result<f64, FieldError> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
    .ok_or_else(|| FieldError::new(path, "field.number"))
}

fn date_of(v: &Value, path: &str) -> Result<chrono::NaiveDate, FieldError> {
    v.as_str()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
        .ok_or_else(|| FieldError::new(path, "field.date"))
}

fn check_value(
    f: &Field,
    v: &Value,
    path: &str,
    unit_exists: &dyn Fn(&str) -> bool,
    errs: &mut Vec<FieldError>,
) -> Result<Value, FieldError> {
    use FieldKind::*;
    let range = |n: f64| -> Result<(), FieldError> {
        if let Some(min) = f.min
            && n < min
        {
            return Err(FieldError::with(path, "field.min", min.to_string()));
        }
        if let Some(max) = f.max
            && n > max
        {
            return Err(FieldError::with(path, "field.max", max.to_string()));
        }
        Ok(())
    };
    Ok(match f.kind {
        Text | LongText => {
            let s = text_of(v, path)?;
            let n = s.chars().count() as u32;
            if let Some(min) = f.min_len
                && n < min
            {
                return Err(FieldError::with(path, "field.too_short", min.to_string()));
            }
            let max = f.max_len.unwrap_or(if f.kind == Text { 200 } else { 5000 });
            if n > max {
                return Err(FieldError::with(path, "field.too_long", max.to_string()));
            }
            if let Some(p) = f.pattern.as_deref().and_then(pattern)
                && !p.is_match(s)
            {
                return Err(FieldError::new(path, "field.pattern"));
            }
            Value::String(s.to_string())
        }
        Number => {
            let n = number_of(v, path)?;
            range(n)?;
            serde_json::json!(n)
        }
        Money => {
            let n = number_of(v, path)?;
            let cents = (n * 100.0).round();
            if n < 0.0 || (cents - n * 100.0).abs() > 1e-6 {
                return Err(FieldError::new(path, "field.money"));
            }
            range(n)?;
            Value::String(format!("{:.2}", cents / 100.0))
        }
        Date => Value::String(date_of(v, path)?.to_string()),
        DateRange => {
            let (a, b) = match v {
                Value::Object(o) => (o.get("from"), o.get("to")),
                Value::Array(a) if a.len() == 2 => (a.first(), a.get(1)),
                _ => (None, None),
            };
            let (a, b) = match (a, b) {
                (Some(a), Some(b)) => (date_of(a, path)?, date_of(b, path)?),
                _ => return Err(FieldError::new(path, "field.date")),
            };
            if a > b {
                return Err(FieldError::new(path, "field.date_order"));
            }
            serde_json::json!({"from": a.to_string(), "to": b.to_string()})
        }
        Select => {
            let s = text_of(v, path)?;
            if !f.options.iter().any(|o| o == s) {
                return Err(FieldError::with(path, "field.option", s));
            }
            Value::String(s.to_string())
        }
        MultiSelect => {
            let items = v
                .as_array()
                .ok_or_else(|| FieldError::new(path, "field.type"))?;
            let mut out = Vec::new();
            for i in items {
                let s = text_of(i, path)?;
                if !f.options.iter().any(|o| o == s) {
                    return Err(FieldError::with(path, "field.option", s));
                }
                if !out.contains(&Value::from(s)) {
                    out.push(Value::from(s));
                }
            }
            Value::Array(out)
        }
        YesNo => Value::Bool(
            v.as_bool()
                .ok_or_else(|| FieldError::new(path, "field.type"))?,
        ),
        Phone => {
            let s = text_of(v, path)?;
            check_phone(s).map_err(|e| FieldError {
                field: path.into(),
                ..e
            })?;
            Value::String(s.into())
        }
        Email => {
            let s = text_of(v, path)?;
            check_email(s).map_err(|e| FieldError {
                field: path.into(),
                ..e
            })?;
            Value::String(s.into())
        }
        ResidentId => {
            let id = crate::ids::ResidentId::parse(text_of(v, path)?)
                .map_err(|e| FieldError::new(path, e.key()))?;
            Value::String(id.expose().to_string())
        }
        CreditCode => {
            let c = crate::ids::CreditCode::parse(text_of(v, path)?)
                .map_err(|e| FieldError::new(path, e.key()))?;
            Value::String(c.as_str().to_string())
        }
        Address => {
            let o = v
                .as_object()
                .ok_or_else(|| FieldError::new(path, "field.address"))?;
            let unit = o.get("unit").and_then(Value::as_str).unwrap_or("").trim();
            let detail = o.get("detail").and_then(Value::as_str).unwrap_or("").trim();
            if !unit_exists(unit) {
                return Err(FieldError::with(path, "field.unit_unknown", unit));
            }
            if detail.is_empty() || detail.chars().count() > 200 {
                return Err(FieldError::new(path, "field.address"));
            }
            serde_json::json!({"unit": unit, "detail": detail})
        }
        File => Value::String(text_of(v, path)?.to_string()),
        Table => {
            let rows = v
                .as_array()
                .ok_or_else(|| FieldError::new(path, "field.type"))?;
            if let Some(max) = f.max
                && rows.len() as f64 > max
            {
                return Err(FieldError::with(path, "field.max_rows", max.to_string()));
            }
            let mut out = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let Some(row) = row.as_object() else {
                    errs.push(FieldError::new(format!("{path}[{i}]"), "field.type"));
                    continue;
                };
                let prefix = format!("{path}[{i}].");
                out.push(Value::Object(validate_fields(
                    &f.columns,
                    row,
                    &prefix,
                    unit_exists,
                    errs,
                )));
            }
            Value::Array(out)
        }
    })
}

pub mod design;
mod readable;
pub use readable::{Names, readable, unit_names};
mod posted;

#[cfg(test)]
mod tests;
