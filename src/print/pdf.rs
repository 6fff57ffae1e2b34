//! Notices as PDF: the print markup laid out on A4 with a Chinese font embedded (subset) from
//! the system's font packages — Noto Serif CJK SC for the text and Noto Sans CJK SC Bold for
//! titles (`fonts-noto-cjk`), or Droid Sans Fallback / WenQuanYi when only those are there;
//! `ZHENGWU_CJK_FONT=path[:index]` chooses another. krilla shapes, subsets and writes the PDF;
//! line breaking is done here (CJK breaks between any two characters, Latin words stay whole),
//! measured with skrifa, because krilla's simple text API draws one line at a time.

use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use super::markup::Block;
use crate::error::{Error, Result};

const W: f32 = 595.28;
const H: f32 = 841.89;
const MARGIN_X: f32 = 72.0;
const MARGIN_TOP: f32 = 72.0;
const MARGIN_BOTTOM: f32 = 64.0;

/// A font file and the face to use in it.
struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
    font: Font,
}

impl Face {
    fn load(path: &str, index: u32) -> Option<Face> {
        let data = Arc::new(std::fs::read(path).ok()?);
        let font = Font::new(data.clone().into(), index)?;
        // Must map CJK: 中.
        let f = skrifa::FontRef::from_index(&data, index).ok()?;
        f.charmap().map('中')?;
        Some(Face { data, index, font })
    }

    /// Advance widths of the characters at `size` points.
    fn widths(&self, text: &str, size: f32) -> Vec<f32> {
        let Ok(f) = skrifa::FontRef::from_index(&self.data, self.index) else {
            return text.chars().map(|_| size).collect();
        };
        let cmap = f.charmap();
        let m = f.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| cmap.map(c).and_then(|g| m.advance_width(g)).unwrap_or(size))
            .collect()
    }
}

struct Fonts {
    body: Face,
    bold: Option<Face>,
}

const BODY: [(&str, u32); 5] = [
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        0,
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
];
const BOLD: (&str, u32) = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2);

fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let chosen = std::env::var("ZHENGWU_CJK_FONT").ok().and_then(|v| {
                let (p, i) = match v.rsplit_once(':') {
                    Some((p, i)) if i.parse::<u32>().is_ok() => (p.to_string(), i.parse().ok()?),
                    _ => (v.clone(), 0),
                };
                Face::load(&p, i)
            });
            let body = chosen.or_else(|| BODY.iter().find_map(|(p, i)| Face::load(p, *i)))?;
            tracing::info!(index = body.index, "CJK font for PDF notices loaded");
            Some(Fonts {
                bold: Face::load(BOLD.0, BOLD.1),
                body,
            })
        })
        .as_ref()
}

/// Whether a Chinese font is installed, so notices can be made as PDF.
pub fn available() -> bool {
    fonts().is_some()
}

/// Splits text into lines no wider than `width`.
fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let widths = face.widths(text, size);
    let mut lines = Vec::new();
    let (mut start, mut x, mut i) = (0usize, 0f32, 0usize);
    while i < chars.len() {
        // A Latin word or number moves as a whole; everything else is one character.
        let mut j = i + 1;
        if chars[i].is_ascii_alphanumeric() {
            while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                j += 1;
            }
        }
        let w: f32 = widths[i..j].iter().sum();
        if x + w > width && i > start {
            lines.push(
                chars[start..i]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            start = i;
            x = 0.0;
            if chars[i] == ' ' {
                start += 1;
                i += 1;
                continue;
            }
        }
        // A word wider than the line is cut where it must be.
        if w > width {
            for k in i..j {
                if x + widths[k] > width && k > start {
                    lines.push(chars[start..k].iter().collect());
                    start = k;
                    x = 0.0;
                }
                x += widths[k];
            }
        } else {
            x += w;
        }
        i = j;
    }
    if start < chars.len() {
        lines.push(chars[start..].iter().collect());
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        ..Default::default()
    }
}

/// The page being filled and where the next line goes.
struct Pen<'a> {
    fonts: &'a Fonts,
    y: f32,
}

impl Pen<'_> {
    fn text(&self, s: &mut Surface, face: &Face, x: f32, size: f32, t: &str) {
        s.set_fill(Some(black()));
        s.draw_text(
            Point::from_xy(x, self.y),
            face.font.clone(),
            size,
            t,
            false,
            TextDirection::Auto,
        );
    }

    fn line(&self, s: &mut Surface, x1: f32, y1: f32, x2: f32, y2: f32) {
        let mut pb = PathBuilder::new();
        pb.move_to(x1, y1);
        pb.line_to(x2, y2);
        if let Some(p) = pb.finish() {
            s.set_fill(None);
            s.set_stroke(Some(Stroke {
                paint: rgb::Color::new(0, 0, 0).into(),
                width: 0.6,
                ..Default::default()
            }));
            s.draw_path(&p);
            s.set_stroke(None);
        }
    }
}

/// Renders the blocks to a PDF; `qr` is the text the `[qr]` block encodes.
pub fn render(title: &str, blocks: &[Block], qr: Option<&str>) -> Result<Vec<u8>> {
    let fonts = fonts().ok_or(Error::Conflict("err.no_cjk_font"))?;
    let body = &fonts.body;
    let bold = fonts.bold.as_ref().unwrap_or(body);
    let width = W - 2.0 * MARGIN_X;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .creator("zhengwu".into()),
    );
    // Lay out everything first as (page-relative y, draw) steps, breaking pages as needed.
    let mut pages: Vec<Vec<Item>> = vec![Vec::new()];
    let mut y = MARGIN_TOP;
    let put = |pages: &mut Vec<Vec<Item>>, y: &mut f32, h: f32, item: Item| {
        if *y + h > H - MARGIN_BOTTOM && !pages.last().is_some_and(Vec::is_empty) {
            pages.push(Vec::new());
            *y = MARGIN_TOP;
        }
        pages.last_mut().expect("a page").push(item.at(*y));
        *y += h;
    };
    for b in blocks {
        match b {
            Block::Title(t) => {
                for l in wrap(bold, t, 20.0, width) {
                    let w: f32 = bold.widths(&l, 20.0).iter().sum();
                    put(
                        &mut pages,
                        &mut y,
                        34.0,
                        Item::Text {
                            bold: true,
                            x: (W - w) / 2.0,
                            size: 20.0,
                            text: l,
                            y: 0.0,
                        },
                    );
                }
                y += 8.0;
            }
            Block::Heading(t) => {
                y += 6.0;
                for l in wrap(bold, t, 13.0, width) {
                    put(
                        &mut pages,
                        &mut y,
                        22.0,
                        Item::Text {
                            bold: true,
                            x: MARGIN_X,
                            size: 13.0,
                            text: l,
                            y: 0.0,
                        },
                    );
                }
            }
            Block::Para(t) => {
                for l in wrap(body, t, 12.0, width) {
                    put(
                        &mut pages,
                        &mut y,
                        21.0,
                        Item::Text {
                            bold: false,
                            x: MARGIN_X,
                            size: 12.0,
                            text: l,
                            y: 0.0,
                        },
                    );
                }
                y += 4.0;
            }
            Block::Right(t) => {
                let w: f32 = body.widths(t, 12.0).iter().sum();
                put(
                    &mut pages,
                    &mut y,
                    22.0,
                    Item::Text {
                        bold: false,
                        x: (W - MARGIN_X - w).max(MARGIN_X),
                        size: 12.0,
                        text: t.clone(),
                        y: 0.0,
                    },
                );
            }
            Block::Rule => put(&mut pages, &mut y, 14.0, Item::Rule { y: 0.0 }),
            Block::Qr => {
                if let Some(q) = qr {
                    put(
                        &mut pages,
                        &mut y,
                        120.0,
                        Item::Qr {
                            text: q.to_string(),
                            y: 0.0,
                        },
                    );
                }
            }
            Block::Table(rows) => {
                let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
                // A column whose body cells are all short (figures, scores) keeps their width
                // so no number breaks; the others share what is left by their widest cell (at
                // least 48pt each), their headers wrapping if need be.
                let cell_w = |r: &Vec<String>, c: usize| {
                    body.widths(r.get(c).map_or("", String::as_str), 11.0)
                        .iter()
                        .sum::<f32>()
                        + 12.0
                };
                let natural: Vec<f32> = (0..cols)
                    .map(|c| rows.iter().map(|r| cell_w(r, c)).fold(48.0, f32::max))
                    .collect();
                let short: Vec<Option<f32>> = (0..cols)
                    .map(|c| {
                        let w = rows
                            .iter()
                            .skip(1)
                            .map(|r| cell_w(r, c))
                            .fold(30.0, f32::max);
                        let head = rows.first().map_or(0.0, |r| cell_w(r, c)).min(60.0);
                        (rows.len() > 1 && w <= 64.0).then_some(w.max(head))
                    })
                    .collect();
                let fixed: f32 = short.iter().flatten().sum();
                let nflex = short.iter().filter(|w| w.is_none()).count() as f32;
                let rest = (width - fixed).max(48.0 * nflex);
                // What the short columns may take when they do not all fit.
                let squeeze = if fixed > 0.0 {
                    ((width - rest) / fixed).min(1.0)
                } else {
                    1.0
                };
                let flexible: f32 = (0..cols)
                    .filter(|c| short[*c].is_none())
                    .map(|c| natural[c])
                    .sum();
                let mut cws: Vec<f32> = (0..cols)
                    .map(|c| match short[c] {
                        Some(w) => w * squeeze,
                        None => natural[c] / flexible.max(1.0) * rest,
                    })
                    .collect();
                // Every column short: they share the page by their widths.
                let sum: f32 = cws.iter().sum();
                if sum > 0.0 && nflex == 0.0 {
                    cws.iter_mut().for_each(|w| *w = *w / sum * width);
                }
                for (ri, r) in rows.iter().enumerate() {
                    let cells: Vec<Vec<String>> = (0..cols)
                        .map(|c| {
                            wrap(
                                if ri == 0 { bold } else { body },
                                r.get(c).map_or("", String::as_str),
                                11.0,
                                cws[c] - 10.0,
                            )
                        })
                        .collect();
                    let n = cells.iter().map(Vec::len).max().unwrap_or(1);
                    let h = n as f32 * 17.0 + 8.0;
                    put(
                        &mut pages,
                        &mut y,
                        h,
                        Item::Row {
                            cells,
                            cws: cws.clone(),
                            h,
                            head: ri == 0,
                            y: 0.0,
                        },
                    );
                }
                y += 8.0;
            }
        }
    }
    let count = pages.len();
    for (pi, items) in pages.into_iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::from_wh(W, H).expect("A4"));
        let mut s = page.surface();
        let mut pen = Pen { fonts, y: 0.0 };
        for item in items {
            item.draw(&mut s, &mut pen);
        }
        if count > 1 {
            pen.y = H - MARGIN_BOTTOM / 2.0;
            let t = format!("{} / {}", pi + 1, count);
            let w: f32 = body.widths(&t, 9.0).iter().sum();
            pen.text(&mut s, body, (W - w) / 2.0, 9.0, &t);
        }
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| Error::Internal(anyhow::anyhow!("PDF: {e:?}")))
}

/// One laid-out thing at its y (top of its box).
enum Item {
    Text {
        bold: bool,
        x: f32,
        size: f32,
        text: String,
        y: f32,
    },
    Rule {
        y: f32,
    },
    Qr {
        text: String,
        y: f32,
    },
    Row {
        cells: Vec<Vec<String>>,
        cws: Vec<f32>,
        h: f32,
        head: bool,
        y: f32,
    },
}

impl Item {
    fn at(mut self, top: f32) -> Item {
        match &mut self {
            Item::Text { y, .. } | Item::Rule { y } | Item::Qr { y, .. } | Item::Row { y, .. } => {
                *y = top
            }
        }
        self
    }

    fn draw(self, s: &mut Surface, pen: &mut Pen) {
        let fonts = pen.fonts;
        let body = &fonts.body;
        let bold = fonts.bold.as_ref().unwrap_or(body);
        match self {
            Item::Text {
                bold: b,
                x,
                size,
                text,
                y,
            } => {
                pen.y = y + size * 1.2;
                pen.text(s, if b { bold } else { body }, x, size, &text);
            }
            Item::Rule { y } => pen.line(s, MARGIN_X, y + 7.0, W - MARGIN_X, y + 7.0),
            Item::Qr { text, y } => {
                let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
                    return;
                };
                let n = code.width();
                let module = 110.0 / n as f32;
                let x0 = W - MARGIN_X - 110.0;
                let mut pb = PathBuilder::new();
                for (i, c) in code.to_colors().iter().enumerate() {
                    if *c == qrcode::Color::Dark {
                        let (cx, cy) = ((i % n) as f32, (i / n) as f32);
                        if let Some(r) =
                            Rect::from_xywh(x0 + cx * module, y + cy * module, module, module)
                        {
                            pb.push_rect(r);
                        }
                    }
                }
                if let Some(p) = pb.finish() {
                    s.set_fill(Some(black()));
                    s.draw_path(&p);
                }
            }
            Item::Row {
                cells,
                cws,
                h,
                head,
                y,
            } => {
                let mut xs = vec![MARGIN_X];
                for w in &cws {
                    xs.push(xs[xs.len() - 1] + w);
                }
                let right = xs[xs.len() - 1];
                pen.line(s, MARGIN_X, y, right, y);
                pen.line(s, MARGIN_X, y + h, right, y + h);
                for x in &xs {
                    pen.line(s, *x, y, *x, y + h);
                }
                for (c, lines) in cells.iter().enumerate() {
                    for (li, l) in lines.iter().enumerate() {
                        pen.y = y + 4.0 + 11.0 * 1.2 + li as f32 * 17.0;
                        pen.text(s, if head { bold } else { body }, xs[c] + 5.0, 11.0, l);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_whole_and_lines_within_the_width() {
        let f = fonts().expect("a CJK font is installed (scripts/test.sh installs fonts-noto-cjk)");
        let text = "申请人张三于2026年11月28日提交申请，办件编号 LH20261128000012，请于五个工作日内补正材料。";
        let lines = wrap(&f.body, text, 12.0, 120.0);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(
            lines.iter().any(|l| l.contains("LH20261128000012")),
            "the number stays on one line: {lines:?}"
        );
        for l in &lines {
            let w: f32 = f.body.widths(l, 12.0).iter().sum();
            assert!(w <= 120.5, "{l} is {w}pt wide");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
