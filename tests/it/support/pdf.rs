//! Reading a PDF back as text (poppler's pdftotext), to check what a notice says.

/// Reads a PDF's text with poppler's pdftotext.
pub fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("n.pdf");
    std::fs::write(&p, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&p)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/test.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
