//! Backup and restore of a whole store: `zhengwu backup FILE` while the platform serves, and
//! `zhengwu restore FILE` into an empty data dir (and, on PostgreSQL, an empty database).
//!
//! The backup is a zip archive: `manifest.json` (format, when, the backend, the last migration,
//! counts of what matters — applications, licences, tickets, audit entries — the fingerprint of
//! the data key, and each member's SHA-256) and the database — SQLite copied through its online
//! backup API in one step (a consistent snapshot while writers go on), PostgreSQL as `pg_dump
//! --format=custom`. Uploads live in the database (content-addressed blobs), so they come with it.
//!
//! The data key (`vault.key` / `ZHENGWU_DATA_KEY`) is **not** in the archive: a stolen backup
//! does not open the ID numbers in it. Restore refuses to run unless the key it will use is the
//! one the backup was made under (its fingerprint in the manifest), and unless the target is
//! empty; it checks every member's digest before writing anything.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::storage::{Backend, Db, query_scalar};

const FORMAT: &str = "zhengwu-backup-1";
const SQLITE_MEMBER: &str = "database.sqlite3";
const PG_MEMBER: &str = "database.pgdump";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub backend: String,
    /// The last migration applied to the store.
    pub schema_version: i64,
    /// Fingerprint of the data key the ID numbers are sealed under.
    pub data_key: String,
    pub applications: i64,
    pub licences: i64,
    pub tickets: i64,
    pub audit_entries: i64,
    /// Member name → SHA-256 (hex).
    pub members: Vec<(String, String)>,
}

async fn counts(db: &Db) -> anyhow::Result<[i64; 5]> {
    let mut tx = db.begin().await?;
    let out = counts_in(&mut tx).await;
    drop(tx);
    out
}

/// The counts, read in `tx` (on PostgreSQL, the dump's snapshot).
async fn counts_in(tx: &mut crate::storage::Tx) -> anyhow::Result<[i64; 5]> {
    let mut out = [0i64; 5];
    for (i, sql) in [
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations",
        "SELECT COUNT(*) FROM applications",
        "SELECT COUNT(*) FROM licences",
        "SELECT COUNT(*) FROM ops_tickets",
        "SELECT COUNT(*) FROM audit_log",
    ]
    .iter()
    .enumerate()
    {
        out[i] = query_scalar::<i64>(*sql).fetch_one(&mut *tx).await?;
    }
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::crypto::Hash::Sha256.hex(bytes)
}

/// `pg_dump` / `pg_restore`: on the PATH, else PostgreSQL 15's directory (`PGBIN` overrides).
fn pg_tool(name: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("PGBIN") {
        return Path::new(&dir).join(name);
    }
    let debian = Path::new("/usr/lib/postgresql/15/bin").join(name);
    if debian.exists() {
        return debian;
    }
    PathBuf::from(name)
}

/// Runs a PostgreSQL tool on `url` (sqlx's `postgres://…?host=/dir&port=N` is libpq's form too)
/// with the password, if the URL has one, in `PGPASSWORD` rather than on the command line, where
/// any user of the machine could read it.
fn pg_command(tool: &str, url: &str) -> (std::process::Command, String) {
    let url = url.replacen("postgresql://", "postgres://", 1);
    let mut cmd = std::process::Command::new(pg_tool(tool));
    let Some((scheme, rest)) = url.split_once("://") else {
        return (cmd, url);
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return (cmd, url);
    };
    match userinfo.split_once(':') {
        Some((user, password)) => {
            cmd.env("PGPASSWORD", percent_decode(password));
            (cmd, format!("{scheme}://{user}@{host}"))
        }
        None => (cmd, url),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes a backup of the store at `url` to `file`; answers its manifest.
pub async fn backup(url: &str, file: &Path) -> anyhow::Result<Manifest> {
    let db = Db::connect(url).await?;
    let dir = tempfile::tempdir()?;
    // The counts are those of the copy itself: read from the snapshot file (SQLite), or in the
    // transaction whose snapshot pg_dump copies (PostgreSQL).
    let (member, path, counted) = match db.backend {
        Backend::Sqlite => {
            let dest = dir.path().join(SQLITE_MEMBER);
            crate::storage::sqlite_snapshot(url, &dest)?;
            let copy = Db::connect(&format!("sqlite://{}", dest.display())).await?;
            let counted = counts(&copy).await?;
            drop(copy);
            (SQLITE_MEMBER, dest, counted)
        }
        Backend::Postgres => {
            let dest = dir.path().join(PG_MEMBER);
            let mut tx = db.begin().await?;
            crate::storage::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut tx)
                .await?;
            let snapshot: String = query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut tx)
                .await?;
            let counted = counts_in(&mut tx).await?;
            let (mut cmd, target) = pg_command("pg_dump", url);
            let out = cmd
                .arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--snapshot={snapshot}"))
                .arg("--file")
                .arg(&dest)
                .arg(target)
                .output()
                .context("running pg_dump")?;
            tx.commit().await?;
            if !out.status.success() {
                bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            (PG_MEMBER, dest, counted)
        }
    };
    let [
        schema_version,
        applications,
        licences,
        tickets,
        audit_entries,
    ] = counted;
    let bytes = std::fs::read(&path)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: crate::clock::now(),
        backend: match db.backend {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        schema_version,
        data_key: crate::vault::key_fingerprint(),
        applications,
        licences,
        tickets,
        audit_entries,
        members: vec![(member.to_string(), sha256_hex(&bytes))],
    };
    let tmp = file.with_extension("partial");
    {
        // Readable by its owner only: it holds everything but the data key.
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let f = opts
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        let mut zip = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(bytes.len() > u32::MAX as usize / 2);
        zip.start_file("manifest.json", opts)?;
        zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
        zip.start_file(member, opts)?;
        zip.write_all(&bytes)?;
        zip.finish()?.sync_all()?;
    }
    std::fs::rename(&tmp, file)?;
    Ok(manifest)
}

/// Reads an archive's manifest and its database member, checking every digest.
fn read_archive(file: &Path) -> anyhow::Result<(Manifest, String, Vec<u8>)> {
    let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let mut zip = zip::ZipArchive::new(f).context("not a zhengwu backup (not a zip archive)")?;
    let mut text = String::new();
    zip.by_name("manifest.json")
        .context("not a zhengwu backup (no manifest)")?
        .read_to_string(&mut text)?;
    let m: Manifest = serde_json::from_str(&text).context("the manifest is unreadable")?;
    if m.format != FORMAT {
        bail!("unknown backup format {}", m.format);
    }
    let (name, digest) = m
        .members
        .first()
        .cloned()
        .context("the manifest names no database")?;
    let mut bytes = Vec::new();
    zip.by_name(&name)
        .with_context(|| format!("the archive lacks {name}"))?
        .read_to_end(&mut bytes)?;
    if sha256_hex(&bytes) != digest {
        bail!("{name} does not match its digest in the manifest: the archive is damaged");
    }
    Ok((m, name, bytes))
}

/// Restores `file` into the store at `url`, which must be empty, under the data key already in
/// place (`vault::init` has run), which must be the backup's. Answers the manifest.
pub async fn restore(url: &str, file: &Path) -> anyhow::Result<Manifest> {
    let (m, member, bytes) = read_archive(file)?;
    if m.data_key != crate::vault::key_fingerprint() {
        bail!(
            "the data key here is not the one this backup was made under (fingerprint {}): \
             put that vault.key in the data dir (or set ZHENGWU_DATA_KEY) first",
            m.data_key
        );
    }
    let db = Db::connect(url).await?;
    let tables: i64 = match db.backend {
        Backend::Sqlite => query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        ),
        Backend::Postgres => query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        ),
    }
    .fetch_one(&db)
    .await?;
    if tables > 0 {
        bail!("the target store is not empty: restore into a new data dir and database");
    }
    match (db.backend, member.as_str()) {
        (Backend::Sqlite, SQLITE_MEMBER) => {
            drop(db);
            crate::storage::sqlite_replace(url, &bytes)?;
        }
        (Backend::Postgres, PG_MEMBER) => {
            let dir = tempfile::tempdir()?;
            let dump = dir.path().join(PG_MEMBER);
            std::fs::write(&dump, &bytes)?;
            let (mut cmd, target) = pg_command("pg_restore", url);
            let out = cmd
                .arg("--no-owner")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(target)
                .arg(&dump)
                .output()
                .context("running pg_restore")?;
            if !out.status.success() {
                bail!(
                    "pg_restore failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        _ => bail!(
            "this backup is of a {} store; restore it into one of the same kind",
            m.backend
        ),
    }
    let db = Db::open(url).await?;
    let [_, applications, licences, tickets, audit_entries] = counts(&db).await?;
    if (applications, licences, tickets, audit_entries)
        != (m.applications, m.licences, m.tickets, m.audit_entries)
    {
        bail!("the restored store's counts differ from the manifest's");
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_goes_to_the_environment_not_the_command_line() {
        assert_eq!(percent_decode("a%中%4"), "a%中%4");
        let (cmd, target) = pg_command("pg_dump", "postgres://zw:s%40cret@db.local:5432/zw");
        assert_eq!(target, "postgres://zw@db.local:5432/zw");
        let env: Vec<_> = cmd.get_envs().collect();
        assert_eq!(
            env,
            [(
                std::ffi::OsStr::new("PGPASSWORD"),
                Some(std::ffi::OsStr::new("s@cret"))
            )]
        );
        let (_, target) = pg_command(
            "pg_dump",
            "postgres://postgres@localhost/x?host=/tmp&port=1",
        );
        assert_eq!(target, "postgres://postgres@localhost/x?host=/tmp&port=1");
    }
}
