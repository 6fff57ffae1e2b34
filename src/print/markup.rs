//! The print markup a template renders to: one block per line, so a notice prints the same in
//! the browser (HTML with print CSS) and as PDF, and a template can never emit HTML or script.
//!
//! ```text
//! # 受理回执                 title, centred
//! ## 申请材料                heading
//! | 名称 | 份数 |             table row (the first row of a table is its header)
//! ---                        rule
//! > 深圳市龙华区政务服务中心    right-aligned line (signature, date)
//! [qr]                       the licence's verification QR code
//! anything else              paragraph; a blank line separates paragraphs
//! ```

/// One block of a notice.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Block {
    Title(String),
    Heading(String),
    /// Consecutive table lines; the first is the header.
    Table(Vec<Vec<String>>),
    Rule,
    Right(String),
    Qr,
    Para(String),
}

/// Parses rendered template text into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let block = if let Some(t) = line.strip_prefix("## ") {
            Block::Heading(t.trim().into())
        } else if let Some(t) = line.strip_prefix("# ") {
            Block::Title(t.trim().into())
        } else if line.starts_with('|') {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            if let Some(Block::Table(rows)) = out.last_mut() {
                rows.push(cells);
                continue;
            }
            Block::Table(vec![cells])
        } else if line.chars().all(|c| c == '-') && line.len() >= 3 {
            Block::Rule
        } else if let Some(t) = line.strip_prefix('>') {
            Block::Right(t.trim().into())
        } else if line == "[qr]" {
            Block::Qr
        } else {
            Block::Para(line.into())
        };
        out.push(block);
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The blocks as HTML for the print page; every text is escaped. `qr` is the QR image's URL
/// (none: no code is printed; empty: a placeholder, for previews).
pub fn html(blocks: &[Block], qr: Option<&str>) -> String {
    let mut h = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => h += &format!("<h1 class=\"n-title\">{}</h1>\n", esc(t)),
            Block::Heading(t) => h += &format!("<h2 class=\"n-heading\">{}</h2>\n", esc(t)),
            Block::Table(rows) => {
                h += "<table class=\"n-table\">";
                for (i, r) in rows.iter().enumerate() {
                    let tag = if i == 0 { "th" } else { "td" };
                    h += "<tr>";
                    for c in r {
                        h += &format!("<{tag}>{}</{tag}>", esc(c));
                    }
                    h += "</tr>";
                }
                h += "</table>\n";
            }
            Block::Rule => h += "<hr class=\"n-rule\">\n",
            Block::Right(t) => h += &format!("<p class=\"n-right\">{}</p>\n", esc(t)),
            // An empty link is the preview's: a box where the code will be.
            Block::Qr => match qr {
                Some("") => h += "<p class=\"n-qr\"><span class=\"n-qr-box\">QR</span></p>\n",
                Some(u) => {
                    h += &format!(
                        "<p class=\"n-qr\"><img src=\"{}\" alt=\"QR\"></p>\n",
                        esc(u)
                    )
                }
                None => {}
            },
            Block::Para(t) => h += &format!("<p>{}</p>\n", esc(t)),
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_blocks_and_html_is_escaped() {
        let b = parse(
            "# 回执\n\n| 名称 | 份数 |\n| 申请书 | 1 |\n---\n> 龙华区\n<script>x</script>\n[qr]\n",
        );
        assert_eq!(b[0], Block::Title("回执".into()));
        assert_eq!(
            b[1],
            Block::Table(vec![
                vec!["名称".into(), "份数".into()],
                vec!["申请书".into(), "1".into()]
            ])
        );
        assert_eq!(b[2], Block::Rule);
        assert_eq!(b[3], Block::Right("龙华区".into()));
        let h = html(&b, None);
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(!h.contains("<script>"));
        assert!(!h.contains("<img"), "no QR without a link");
    }
}
