//! The form designer's edits (D类事项表单设计) on a matter's draft form, as the designer page
//! posts them: a field described in plain text boxes (options one per line, a table's columns
//! as `key:label:kind` lines, a show-if value as JSON or text), and moving or removing one.
//! Each edit leaves the form checked against the guide's materials, or is refused whole.

use serde::Deserialize;
use serde_json::Value;

use super::{Field, FieldKind, ShowIf};
use crate::catalog::Matter;
use crate::error::{Error, Result};

/// A new field as the designer's form sends it; empty boxes are "not set".
#[derive(Debug, Default, Deserialize)]
pub struct NewField {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: Option<String>,
    #[serde(default)]
    pub options: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub hint: String,
    #[serde(default)]
    pub show_if_field: String,
    #[serde(default)]
    pub show_if_value: String,
    #[serde(default)]
    pub material: String,
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub min: String,
    #[serde(default)]
    pub max: String,
    #[serde(default)]
    pub max_len: String,
}

/// A field moved one place up or down, or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Delete,
}

impl Move {
    pub fn parse(s: &str) -> Option<Move> {
        match s {
            "up" => Some(Move::Up),
            "down" => Some(Move::Down),
            "delete" => Some(Move::Delete),
            _ => None,
        }
    }
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn kind_of(s: &str) -> Option<FieldKind> {
    serde_json::from_value(Value::String(s.trim().into())).ok()
}

impl NewField {
    /// The field it describes; an unknown kind is refused.
    pub fn build(&self) -> Result<Field> {
        let kind = kind_of(&self.kind).ok_or_else(|| Error::field("kind", "field.type"))?;
        let mut field = Field::new(self.key.trim(), self.label.trim(), kind);
        field.required = self.required.is_some();
        field.options = self
            .options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        field.group = opt(&self.group);
        field.hint = opt(&self.hint);
        field.material = opt(&self.material);
        field.pattern = opt(&self.pattern);
        field.min = self.min.trim().parse().ok();
        field.max = self.max.trim().parse().ok();
        field.max_len = self.max_len.trim().parse().ok();
        if let Some(dep) = opt(&self.show_if_field) {
            let raw = self.show_if_value.trim();
            // A yes/no answer as the form shows it (是/否), else JSON, else text.
            let equals = match raw {
                "是" => Value::Bool(true),
                "否" => Value::Bool(false),
                _ => serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string())),
            };
            field.show_if = Some(ShowIf { field: dep, equals });
        }
        if kind == FieldKind::Table {
            // Columns as "key:label:kind" lines in the options box.
            field.columns = field
                .options
                .drain(..)
                .filter_map(|l| {
                    let mut parts = l.splitn(3, ':');
                    let (k, lab) = (parts.next()?, parts.next()?);
                    let kind = parts.next().and_then(kind_of).unwrap_or(FieldKind::Text);
                    Some(Field::new(k.trim(), lab.trim(), kind))
                })
                .collect();
        }
        Ok(field)
    }
}

/// The form checked against the guide's materials: every problem, or none.
fn checked(m: &Matter) -> Result<()> {
    let ids: Vec<String> = m.guide.materials.iter().map(|x| x.id.clone()).collect();
    let problems = m.form.check(&ids);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}

/// Adds the field at the end of the matter's form; the whole form must still check.
pub fn add_field(m: &mut Matter, f: &NewField) -> Result<()> {
    let field = f.build()?;
    m.form.fields.push(field);
    checked(m)
}

/// Moves the field `key` up or down (at the ends, nothing moves), or removes it; the whole form
/// must still check. An unknown field is NotFound.
pub fn move_field(m: &mut Matter, key: &str, mv: Move) -> Result<()> {
    let fields = &mut m.form.fields;
    let i = fields
        .iter()
        .position(|f| f.key == key)
        .ok_or(Error::NotFound)?;
    match mv {
        Move::Up if i > 0 => fields.swap(i, i - 1),
        Move::Down if i + 1 < fields.len() => fields.swap(i, i + 1),
        Move::Delete => {
            fields.remove(i);
        }
        Move::Up | Move::Down => {}
    }
    checked(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_field_takes_its_columns_from_the_option_lines() {
        let f = NewField {
            key: "members".into(),
            label: "家庭成员".into(),
            kind: "table".into(),
            options: "name:姓名:text\nage:年龄:number\nnote:备注".into(),
            ..Default::default()
        };
        let field = f.build().unwrap();
        assert_eq!(field.kind, FieldKind::Table);
        let cols: Vec<(&str, FieldKind)> = field
            .columns
            .iter()
            .map(|c| (c.key.as_str(), c.kind))
            .collect();
        assert_eq!(
            cols,
            [
                ("name", FieldKind::Text),
                ("age", FieldKind::Number),
                ("note", FieldKind::Text)
            ]
        );
        assert!(field.options.is_empty());
    }

    #[test]
    fn a_show_if_value_is_json_when_it_parses_and_text_otherwise() {
        let mut f = NewField {
            key: "k".into(),
            label: "L".into(),
            kind: "text".into(),
            show_if_field: "married".into(),
            show_if_value: "true".into(),
            ..Default::default()
        };
        assert_eq!(
            f.build().unwrap().show_if.unwrap().equals,
            Value::Bool(true)
        );
        f.show_if_value = "是".into();
        assert_eq!(
            f.build().unwrap().show_if.unwrap().equals,
            Value::Bool(true)
        );
        f.show_if_value = "已婚".into();
        assert_eq!(
            f.build().unwrap().show_if.unwrap().equals,
            Value::from("已婚")
        );
        f.kind = "colour".into();
        assert!(matches!(f.build(), Err(Error::Validation(_))));
    }
}
