//! Build-time lists of the files compiled into the binary, so adding one is just adding the
//! file: every `templates/*.html` (found by name by the page renderer) and every
//! `messages/*.toml` (the message catalogue). Also rebuilds when a migration is added:
//! `sqlx::migrate!` embeds the migration folders but does not watch them for new files.

use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut f = std::fs::File::create(Path::new(&out).join("embedded.rs")).expect("OUT_DIR");
    for (konst, dir, ext) in [
        ("TEMPLATES", "templates", "html"),
        ("MESSAGES", "messages", "toml"),
    ] {
        let dir = Path::new(&root).join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("folder exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect();
        files.sort();
        writeln!(f, "pub const {konst}: &[(&str, &str)] = &[").unwrap();
        for p in files {
            let name = p.file_name().unwrap().to_string_lossy();
            writeln!(f, "    ({name:?}, include_str!({:?})),", p.display()).unwrap();
        }
        writeln!(f, "];").unwrap();
    }
}
