//! Notices and reports as DOCX, the format offices exchange and edit: the print markup's blocks
//! written with docx-rs — the title centred in bold 黑体, headings bold, tables with borders
//! and a bold header row, a right-aligned line for a signature or date. Text is set in 宋体 (the
//! reader's Word substitutes its own CJK font when it lacks it); the QR block is left out (a
//! DOCX is a working copy, the PDF is the issued one).

use docx_rs::{
    AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

use super::markup::Block;
use crate::error::{Error, Result};

/// A DOCX file's media type.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Half-points, as Word counts font sizes.
const BODY: usize = 24;
const TITLE: usize = 36;
const HEADING: usize = 28;
const CELL: usize = 21;

fn run(text: &str, size: usize, bold: bool) -> Run {
    let r = Run::new()
        .add_text(text)
        .size(size)
        .fonts(RunFonts::new().east_asia(if bold { "黑体" } else { "宋体" }));
    if bold { r.bold() } else { r }
}

/// The blocks as a DOCX file titled `title`.
pub fn render(title: &str, blocks: &[Block]) -> Result<Vec<u8>> {
    let mut doc = Docx::new()
        .default_fonts(RunFonts::new().east_asia("宋体").ascii("Times New Roman"))
        .default_size(BODY)
        .custom_property("title", title);
    for b in blocks {
        doc = match b {
            Block::Title(t) => doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(t, TITLE, true))
                    .align(AlignmentType::Center),
            ),
            Block::Heading(t) => doc.add_paragraph(Paragraph::new().add_run(run(t, HEADING, true))),
            Block::Para(t) => doc.add_paragraph(Paragraph::new().add_run(run(t, BODY, false))),
            Block::Right(t) => doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(t, BODY, false))
                    .align(AlignmentType::Right),
            ),
            Block::Rule => doc.add_paragraph(Paragraph::new()),
            Block::Qr => doc,
            Block::Table(rows) => {
                let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
                let rows =
                    rows.iter()
                        .enumerate()
                        .map(|(i, r)| {
                            TableRow::new(
                                (0..cols)
                                    .map(|c| {
                                        let text = r.get(c).map_or("", String::as_str);
                                        TableCell::new().add_paragraph(
                                            Paragraph::new().add_run(run(text, CELL, i == 0)),
                                        )
                                    })
                                    .collect(),
                            )
                        })
                        .collect();
                doc.add_table(Table::new(rows).width(5000, WidthType::Pct))
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::Internal(anyhow::anyhow!("docx: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_docx_holds_its_text_and_table() {
        let blocks = super::super::markup::parse(
            "# 绩效评价报告\n## 一、项目概况\n调整后预算 224 万元。\n| 项目 | 金额 |\n| 预算 | 224 |\n> 2019年3月\n",
        );
        let bytes = render("绩效评价报告", &blocks).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        for want in [
            "绩效评价报告",
            "一、项目概况",
            "调整后预算 224 万元。",
            "<w:tbl>",
            "2019年3月",
        ] {
            assert!(xml.contains(want), "{want} missing from {xml}");
        }
    }
}
