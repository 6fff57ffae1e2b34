//! The uploaded-sheet reader (CSV and XLSX): never a panic, never past its bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zhengwu::sheets::{Limits, read_table};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        rows: 200,
        cols: 16,
        grid: 2_000,
        cell_bytes: 512,
        text_bytes: 64 * 1024,
        inflated_bytes: 1 << 20,
    };
    if let Ok(rows) = read_table(data, limits) {
        assert!(rows.len() <= limits.rows);
        assert!(rows.iter().map(Vec::len).sum::<usize>() <= limits.grid);
        assert!(rows.iter().flatten().all(|c| c.len() <= limits.cell_bytes));
    }
});
