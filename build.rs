//! Rebuild when a migration is added: `sqlx::migrate!` embeds the migration folders at compile
//! time but does not watch them for new files.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
