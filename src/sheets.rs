//! Tables in and out: the one reader of uploaded CSV and XLSX sheets (account, ticket-ledger and
//! catalog imports) and the one CSV writer of every export.
//!
//! An uploaded sheet is hostile until read: a 1.5 KB XLSX naming cells A1 and XFD1048576 asks a
//! naive reader for a 17-billion-cell grid, and a zip entry can inflate a thousandfold. So the
//! reader bounds everything itself and trusts nothing the file says about its size — no declared
//! dimension, no declared entry size. It inflates each zip entry once, counting, before calamine
//! sees the file; it streams the worksheet's cells (`worksheet_cells_reader`), never calamine's
//! dense `Range`; it refuses a sheet past [`Limits`] (rows, columns, cells, the grid it would fill,
//! bytes in one cell) with a message saying which bound. It is synchronous and CPU-bound: async
//! callers go through [`read_table_blocking`], which runs it off the async workers.
//!
//! A CSV cell that starts with `=`, `+`, `-`, `@`, tab or CR is a formula to Excel and LibreOffice
//! (CSV injection): [`csv_bytes`] writes such cells with a leading `'`, and the reader drops that
//! `'` again so an exported ledger imports back unchanged.
//!
//! An export carries at most [`MAX_EXPORT_ROWS`] rows: a larger selection is refused before its
//! rows are read ([`export_too_large`]), with a message to narrow the period or the filters.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use crate::error::FieldError;

/// Most rows one export (CSV or XLSX, any list) carries.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The refusal of an export past [`MAX_EXPORT_ROWS`], on the filter `field` to narrow.
pub fn export_too_large(field: &str) -> crate::Error {
    crate::Error::Validation(vec![FieldError::with(
        field,
        "field.export_too_large",
        MAX_EXPORT_ROWS.to_string(),
    )])
}

/// Bounds of an uploaded sheet.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rows, the header included.
    pub rows: usize,
    pub cols: usize,
    /// The grid the rows fill: the sum over rows of the row's last used column.
    pub grid: usize,
    /// Bytes of one cell's text.
    pub cell_bytes: usize,
    /// Bytes of all cells' text together (a shared string named by every cell is counted each
    /// time it is copied out).
    pub text_bytes: usize,
    /// Bytes the XLSX inflates to, all entries together.
    pub inflated_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows: 50_001,
            cols: 64,
            grid: 1_500_000,
            cell_bytes: 32 * 1024,
            text_bytes: 64 << 20,
            inflated_bytes: 64 << 20,
        }
    }
}

fn too_big(key: &'static str, limit: impl ToString) -> FieldError {
    FieldError::with("file", key, limit.to_string())
}

fn unreadable(detail: impl ToString) -> FieldError {
    FieldError::with("file", "field.file_format", detail.to_string())
}

/// Sheets read at once in this process: each may hold its bounds' worth of memory.
static READERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`read_table`] on a blocking thread, so a large sheet never holds an async worker — two at a
/// time, so parallel uploads cannot multiply the memory one may take.
pub async fn read_table_blocking(
    bytes: &[u8],
    limits: Limits,
) -> Result<Vec<Vec<String>>, FieldError> {
    let _turn = READERS
        .acquire()
        .await
        .map_err(|_| unreadable("reader stopped"))?;
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || read_table(&owned, limits))
        .await
        .unwrap_or_else(|_| Err(unreadable("reader stopped")))
}

/// Reads a CSV or XLSX file (told apart by content) into rows of cells, header first, within
/// `limits`.
pub fn read_table(bytes: &[u8], limits: Limits) -> Result<Vec<Vec<String>>, FieldError> {
    let mut table = Table::new(limits);
    if bytes.starts_with(b"PK\x03\x04") {
        check_inflated_size(bytes, limits.inflated_bytes)?;
        read_xlsx(bytes, &mut table)?;
    } else {
        read_csv(bytes, &mut table)?;
    }
    Ok(table.rows)
}

/// Inflates every entry of the zip once, counting, and refuses the file past `limit` bytes —
/// whatever sizes its directory declares.
fn check_inflated_size(bytes: &[u8], limit: u64) -> Result<(), FieldError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if zip.len() > 10_000 {
        return Err(unreadable("too many entries"));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(unreadable)?;
        let left = limit.saturating_sub(total);
        let sheet = entry.name().is_ok_and(|n| n.starts_with("xl/worksheets/"));
        let n = if sheet {
            // A worksheet is read whole (within the bound) to check its cell references: a row
            // number past what any sheet has overflows calamine's arithmetic.
            let mut xml = Vec::new();
            (&mut entry)
                .take(left + 1)
                .read_to_end(&mut xml)
                .map_err(unreadable)?;
            if absurd_reference(&xml) {
                return Err(unreadable("cell reference out of range"));
            }
            xml.len() as u64
        } else {
            std::io::copy(&mut (&mut entry).take(left + 1), &mut std::io::sink())
                .map_err(unreadable)?
        };
        total += n;
        if total > limit {
            return Err(too_big("field.sheet_bytes", limit >> 20));
        }
    }
    Ok(())
}

/// Whether a worksheet's XML names a row or cell reference with more digits than Excel's
/// 1,048,576 rows need (`r="…"` attributes of rows and cells).
fn absurd_reference(xml: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = xml[i..].windows(3).position(|w| w == b"r=\"") {
        let start = i + p + 3;
        let digits = xml[start..]
            .iter()
            .skip_while(|b| b.is_ascii_alphabetic())
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 7 {
            return true;
        }
        i = start;
    }
    false
}

fn read_xlsx(bytes: &[u8], table: &mut Table) -> Result<(), FieldError> {
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable("no sheet"))?;
    let mut cells = wb.worksheet_cells_reader(&first).map_err(unreadable)?;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                format!("{}", f.trunc() as i64)
            }
            // Date-time cells as the ledgers write them: `YYYY-MM-DD HH:MM:SS`.
            DataRef::DateTime(d) => d
                .as_datetime()
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default(),
            DataRef::SharedString(s) => (*s).to_string(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::Error(e) => e.to_string(),
        };
        table.put(row as usize, col as usize, text)?;
    }
    // The table starts at its first used row, as a reader of the sheet sees it.
    let first = table.rows.iter().position(|r| !r.is_empty()).unwrap_or(0);
    table.rows.drain(..first);
    Ok(())
}

fn read_csv(bytes: &[u8], table: &mut Table) -> Result<(), FieldError> {
    let text = std::str::from_utf8(bytes).map_err(|_| unreadable("not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(unreadable)?;
        table.put_row(r)?;
        for (c, cell) in rec.iter().enumerate() {
            table.put(r, c, unquote_formula(cell).to_string())?;
        }
    }
    Ok(())
}

/// Rows of cells being filled within limits; rows are added as they are reached, each as wide as
/// its last used cell.
struct Table {
    limits: Limits,
    rows: Vec<Vec<String>>,
    grid: usize,
    text: usize,
}

impl Table {
    fn new(limits: Limits) -> Table {
        Table {
            limits,
            rows: Vec::new(),
            grid: 0,
            text: 0,
        }
    }

    fn put_row(&mut self, row: usize) -> Result<(), FieldError> {
        if row >= self.limits.rows {
            return Err(too_big("field.sheet_rows", self.limits.rows - 1));
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        Ok(())
    }

    fn put(&mut self, row: usize, col: usize, text: String) -> Result<(), FieldError> {
        if col >= self.limits.cols {
            return Err(too_big("field.sheet_cols", self.limits.cols));
        }
        if text.len() > self.limits.cell_bytes {
            return Err(too_big("field.sheet_cell", self.limits.cell_bytes));
        }
        self.text += text.len();
        if self.text > self.limits.text_bytes {
            return Err(too_big("field.sheet_bytes", self.limits.text_bytes >> 20));
        }
        self.put_row(row)?;
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            self.grid += col + 1 - cells.len();
            if self.grid > self.limits.grid {
                return Err(too_big("field.sheet_cells", self.limits.grid));
            }
            cells.resize_with(col + 1, String::new);
        }
        cells[col] = text;
        Ok(())
    }
}

/// Whether a spreadsheet would read `cell` as a formula.
fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as written to CSV: formula-like text behind a `'`, shown as text by spreadsheets.
/// A cell as an XLSX holds it: Excel keeps at most 32,767 characters in a cell (and the writer
/// refuses more), so a longer text — an audit record of a huge edit — is cut, and says so.
pub fn xlsx_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 32_000;
    if cell.chars().count() <= MAX {
        return std::borrow::Cow::Borrowed(cell);
    }
    let mut s: String = cell.chars().take(MAX).collect();
    s.push_str("…（已截断）");
    std::borrow::Cow::Owned(s)
}

pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell as read from CSV: the `'` that [`csv_cell`] added dropped again.
fn unquote_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => cell,
    }
}

/// A CSV file as Excel opens it (UTF-8 with BOM), every cell neutralised by [`csv_cell`].
pub fn csv_bytes<H, R, C>(header: H, rows: R) -> anyhow::Result<Vec<u8>>
where
    H: IntoIterator,
    H::Item: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: IntoIterator,
    C::Item: AsRef<str>,
{
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(
            header
                .into_iter()
                .map(|h| csv_cell(h.as_ref()).into_owned()),
        )?;
        for row in rows {
            w.write_record(row.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()))?;
        }
        w.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_csv_with_and_without_bom() {
        let plain = "username,name\nli,李明\n";
        let bom = format!("\u{feff}{plain}");
        let l = Limits::default();
        assert_eq!(
            read_table(plain.as_bytes(), l).unwrap(),
            read_table(bom.as_bytes(), l).unwrap()
        );
        assert_eq!(read_table(bom.as_bytes(), l).unwrap()[0][0], "username");
    }

    #[test]
    fn rejects_non_utf8() {
        assert!(read_table(&[0xff, 0xfe, 0x00], Limits::default()).is_err());
    }

    #[test]
    fn an_xlsx_cell_is_cut_to_what_excel_holds() {
        let long = "长".repeat(40_000);
        let cut = xlsx_cell(&long);
        assert!(cut.chars().count() < 32_767 && cut.ends_with("（已截断）"));
        let mut wb = Workbook::new();
        wb.add_worksheet().write_string(0, 0, cut.as_ref()).unwrap();
        assert!(wb.save_to_buffer().is_ok());
        assert_eq!(xlsx_cell("短"), "短");
    }

    #[test]
    fn reads_a_sparse_xlsx_as_rows() {
        let t = read_table(
            &xlsx(&[(0, 0, "a"), (0, 2, "c"), (2, 1, "x")]),
            Limits::default(),
        )
        .unwrap();
        assert_eq!(
            t,
            vec![
                vec!["a".to_string(), String::new(), "c".into()],
                vec![],
                vec![String::new(), "x".into()]
            ]
        );
    }

    #[test]
    fn the_far_corner_cell_is_refused_not_allocated() {
        // A1 and XFD1048576: the sheet that aborted the server.
        let e = read_table(
            &xlsx(&[(0, 0, "a"), (1_048_575, 16_383, "z")]),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.key, "field.sheet_cols");
        let e = read_table(
            &xlsx(&[(0, 0, "a"), (1_048_575, 1, "z")]),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.key, "field.sheet_rows");
    }

    #[test]
    fn a_grid_filled_to_the_last_column_of_every_row_is_bounded() {
        let l = Limits {
            grid: 1_000,
            ..Limits::default()
        };
        let cells: Vec<(u32, u16, &str)> = (0..100).map(|r| (r, 40, "x")).collect();
        assert_eq!(
            read_table(&xlsx(&cells), l).unwrap_err().key,
            "field.sheet_cells"
        );
        let csv = "a,b\n".repeat(600);
        assert_eq!(
            read_table(csv.as_bytes(), l).unwrap_err().key,
            "field.sheet_cells"
        );
    }

    #[test]
    fn a_zip_that_inflates_past_the_bound_is_refused() {
        let big = "A".repeat(3 << 20);
        let file = xlsx(&[(0, 0, &big[..30_000]), (1, 0, "b")]);
        let l = Limits {
            inflated_bytes: 1 << 10,
            ..Limits::default()
        };
        assert_eq!(read_table(&file, l).unwrap_err().key, "field.sheet_bytes");
    }

    #[test]
    fn one_shared_string_copied_into_every_cell_is_bounded() {
        // The same 30 KB text in 2,000 cells: 60 MB of text from a small file.
        let big = "字".repeat(10_000);
        let cells: Vec<(u32, u16, &str)> = (0..2_000)
            .map(|i| (i / 40, (i % 40) as u16, big.as_str()))
            .collect();
        let l = Limits {
            text_bytes: 8 << 20,
            ..Limits::default()
        };
        assert_eq!(
            read_table(&xlsx(&cells), l).unwrap_err().key,
            "field.sheet_bytes"
        );
    }

    #[test]
    fn a_row_number_past_any_sheet_is_refused_before_the_reader() {
        assert!(absurd_reference(
            br#"<row r="99999999999999999999"><c r="A1"/></row>"#
        ));
        assert!(absurd_reference(br#"<c r="A99999999999999999999" t="s">"#));
        assert!(!absurd_reference(
            br#"<row r="1048576"><c r="XFD1048576"/></row>"#
        ));
    }

    #[test]
    fn long_cells_and_many_rows_are_refused() {
        let l = Limits {
            rows: 3,
            cell_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(
            read_table(b"abcde\n", l).unwrap_err().key,
            "field.sheet_cell"
        );
        assert_eq!(
            read_table(b"a\nb\nc\nd\n", l).unwrap_err().key,
            "field.sheet_rows"
        );
    }

    #[test]
    fn formulas_leave_as_text_and_come_back_unchanged() {
        let cells = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ];
        let out = csv_bytes(["h"], cells.iter().map(|c| [*c])).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        for line in text.lines().skip(1) {
            let unq = line.trim_matches('"');
            assert!(unq.starts_with('\''), "{line:?} not neutralised");
        }
        let back = read_table(&out, Limits::default()).unwrap();
        let back: Vec<&str> = back[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(back, cells);
        assert_eq!(csv_cell("李明"), "李明");
        assert_eq!(csv_cell("'=x"), "'=x");
    }
}
