//! Personal ID numbers at rest (PIPL: sensitive personal information). A resident ID or credit
//! code is stored sealed — ChaCha20-Poly1305 (`v1:`) or, when configured, SM4-GCM (`v2:`), with a
//! random nonce, + base64 — beside a keyed tag (HMAC-SHA-256) that finds it again without opening
//! anything; ID numbers inside application forms are sealed the same way; the screen only ever
//! shows the masked form. The key lives outside the store: `ZHENGWU_DATA_KEY` (64 hex digits),
//! or the file `vault.key` in the data dir, made (mode 0600) on the first start; the store names
//! its fingerprint, and a start with another key, or without one, is refused. A copy of the
//! database alone does not reveal anyone's ID number (names, phones and scans are not sealed:
//! guard the database too). Values written before sealing existed are sealed at start-up
//! ([`seal_existing`]); [`open`] still reads them meanwhile. The departments' licence signing
//! keys are sealed with the same key.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::storage::{Db, query, query_as};

struct Keys {
    seal: ChaCha20Poly1305,
    sm4: [u8; 16],
    tag: [u8; 32],
    bind: [u8; 32],
    /// Names the key without revealing it (backups record it).
    fingerprint: String,
}

/// Whether new values are sealed with SM4-GCM (`v2:`) instead of ChaCha20-Poly1305 (`v1:`);
/// both always open.
static USE_SM4: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Seals new values with SM4-GCM (GB/T 32907) from now on (`vault_cipher = "sm4-gcm"`).
pub fn use_sm4(on: bool) {
    USE_SM4.store(on, std::sync::atomic::Ordering::Relaxed);
}

static KEYS: OnceLock<Keys> = OnceLock::new();

/// The setting that says every stored ID number and key has been sealed.
const SEALED: &str = "vault.sealed";

fn keys_from(master: &[u8; 32]) -> Keys {
    // Two keys from one: sealing and tagging never share a key.
    let derive = |label: &[u8]| {
        let mut m =
            <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(master).expect("any key length");
        m.update(label);
        let out: [u8; 32] = m.finalize().into_bytes().into();
        out
    };
    Keys {
        seal: ChaCha20Poly1305::new(&derive(b"zhengwu seal v1").into()),
        sm4: derive(b"zhengwu seal sm4 v2")[..16]
            .try_into()
            .expect("sixteen bytes"),
        tag: derive(b"zhengwu tag v1"),
        bind: derive(b"zhengwu licence holder v1"),
        fingerprint: hex::encode(&derive(b"zhengwu key fingerprint v1")[..8]),
    }
}

/// Loads (or makes) the key for this process: `ZHENGWU_DATA_KEY`, else `data_dir/vault.key`.
pub fn init(data_dir: &Path) -> anyhow::Result<()> {
    if KEYS.get().is_some() {
        return Ok(());
    }
    let master: [u8; 32] = match std::env::var("ZHENGWU_DATA_KEY") {
        Ok(h) => hex::decode(h.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .context("ZHENGWU_DATA_KEY must be 64 hex digits")?,
        Err(_) => {
            let path = data_dir.join("vault.key");
            if !path.exists() {
                std::fs::create_dir_all(data_dir)?;
                let mut k = [0u8; 32];
                rand::rng().fill_bytes(&mut k);
                write_private(&path, hex::encode(k).as_bytes())?;
                tracing::info!(path = %path.display(), "made the key that seals ID numbers; back it up with the database");
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .with_context(|| format!("{} must hold 64 hex digits", path.display()))?
        }
    };
    let _ = KEYS.set(keys_from(&master));
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn keys() -> &'static Keys {
    KEYS.get_or_init(|| {
        // Tools and tests that never called `init` (the store is theirs alone): a key for this
        // process only, unless one is given.
        let mut k = [0u8; 32];
        match std::env::var("ZHENGWU_DATA_KEY")
            .ok()
            .and_then(|h| hex::decode(h.trim()).ok())
        {
            Some(b) if b.len() == 32 => k.copy_from_slice(&b),
            _ => rand::rng().fill_bytes(&mut k),
        }
        keys_from(&k)
    })
}

/// An ID number as normalised before sealing and tagging.
fn norm(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

/// Seals an ID number for storing (empty stays empty).
pub fn seal(id: &str) -> String {
    seal_text(&norm(id))
}

/// Seals any secret text as it is (a licence signing key, say); empty stays empty.
pub fn seal_text(id: &str) -> String {
    if id.is_empty() {
        return String::new();
    }
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let sm4 = USE_SM4.load(std::sync::atomic::Ordering::Relaxed);
    let sealed = if sm4 {
        crate::crypto::sm4_gcm_seal(&keys().sm4, &nonce, id.as_bytes())
    } else {
        keys()
            .seal
            .encrypt(&Nonce::from(nonce), id.as_bytes())
            .expect("sealing cannot fail")
    };
    let mut out = nonce.to_vec();
    out.extend(sealed);
    format!("{}:{}", if sm4 { "v2" } else { "v1" }, B64.encode(&out))
}

/// Whether a stored value is sealed (by either cipher).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with("v1:") || stored.starts_with("v2:")
}

/// Opens a stored ID number or secret (a value from before sealing is returned as it is).
pub fn open(stored: &str) -> String {
    if !is_sealed(stored) {
        return stored.to_string();
    }
    match try_open(stored) {
        Some(p) => p,
        None => {
            tracing::error!("an ID number does not open with this key (wrong vault.key?)");
            String::new()
        }
    }
}

/// The keyed tag that finds an ID number again (empty for none).
pub fn tag(id: &str) -> String {
    let id = norm(id);
    if id.is_empty() {
        return id;
    }
    let mut m =
        <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&keys().tag).expect("any key length");
    m.update(id.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// The data key's fingerprint: 16 hex digits derived from it, which say whether two stores use
/// the same key and nothing about it.
pub fn key_fingerprint() -> String {
    keys().fingerprint.clone()
}

/// The setting that names the data key a store's values are sealed under.
const FINGERPRINT: &str = "vault.key_fingerprint";

/// Refuses a store whose values were sealed under another data key (a lost or replaced
/// `vault.key` would read every ID number as empty and seal new ones under a second key); on a
/// store that names no key yet, records this one. Run at start-up, after [`init`].
pub async fn check_store_key(db: &Db) -> anyhow::Result<()> {
    let stored: Option<String> =
        crate::storage::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(FINGERPRINT)
            .fetch_optional(db)
            .await?;
    match stored {
        Some(f) if f != key_fingerprint() => anyhow::bail!(
            "this store's ID numbers are sealed under another data key (fingerprint {f}, this \
             one is {}): put that store's vault.key back in the data dir, or set \
             ZHENGWU_DATA_KEY to it / 数据密钥与本库不符，请放回原 vault.key",
            key_fingerprint()
        ),
        Some(_) => Ok(()),
        None => {
            query(
                "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, 'system', $3) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(FINGERPRINT)
            .bind(key_fingerprint())
            .bind(db.now())
            .execute(db)
            .await?;
            Ok(())
        }
    }
}

/// Whether the store at `db` names a data key (so a missing one must not be made anew).
pub async fn store_names_key(db: &Db) -> anyhow::Result<bool> {
    let stored: Option<String> =
        crate::storage::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(FINGERPRINT)
            .fetch_optional(db)
            .await?;
    Ok(stored.is_some())
}

/// Whether a data key is in place for `data_dir` (`ZHENGWU_DATA_KEY` or `vault.key`), without
/// making one.
pub fn key_present(data_dir: &Path) -> bool {
    std::env::var("ZHENGWU_DATA_KEY").is_ok_and(|k| !k.trim().is_empty())
        || data_dir.join("vault.key").exists()
}

/// The keyed digest that binds a licence to its holder's ID number: a verifier who is shown the
/// ID can have the platform confirm it, but the digest alone — printed, exported, leaked — cannot
/// be searched offline for the number (a plain hash falls to the 32,000 possible birth dates).
/// The licence number is in it, so one holder's licences do not share a value.
pub fn holder_binding(number: &str, id: &str) -> String {
    let mut m =
        <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&keys().bind).expect("any key length");
    m.update(number.trim().as_bytes());
    m.update(b"\n");
    m.update(norm(id).as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Seals, anywhere in a form's values, every text that is a resident ID number or credit code
/// (an ID-kind field, or one typed into a text field): an application's form is stored like the
/// ID columns are.
pub fn seal_form_ids(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let t = s.trim();
            if crate::ids::ResidentId::parse(t).is_ok() || crate::ids::CreditCode::parse(t).is_ok()
            {
                *s = seal(t);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(seal_form_ids),
        Value::Object(o) => o.values_mut().for_each(seal_form_ids),
        _ => {}
    }
}

/// Opens what [`seal_form_ids`] sealed; a text that only looks sealed stays as it is.
pub fn open_form_ids(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) if is_sealed(s) => {
            if let Some(plain) = try_open(s) {
                *s = plain;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(open_form_ids),
        Value::Object(o) => o.values_mut().for_each(open_form_ids),
        _ => {}
    }
}

/// A form as shown to anyone but its applicant: every resident ID number in it masked (birth
/// date hidden), as the screen shows the applicant's own number. Credit codes stay whole: a
/// company's code is public.
pub fn mask_form_ids(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Ok(id) = crate::ids::ResidentId::parse(s) {
                *s = id.masked();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_form_ids),
        Value::Object(o) => o.values_mut().for_each(mask_form_ids),
        _ => {}
    }
}

/// A stored form (JSON text) with its ID numbers opened.
pub fn open_form(stored: &str) -> serde_json::Value {
    let mut v = serde_json::from_str(stored).unwrap_or_default();
    open_form_ids(&mut v);
    v
}

/// A form as stored: JSON text with its ID numbers sealed.
pub fn seal_form(form: &serde_json::Value) -> String {
    let mut v = form.clone();
    seal_form_ids(&mut v);
    v.to_string()
}

fn try_open(stored: &str) -> Option<String> {
    let (sm4, b64) = match stored.split_at_checked(3)? {
        ("v1:", rest) => (false, rest),
        ("v2:", rest) => (true, rest),
        _ => return None,
    };
    let bytes = B64.decode(b64).ok()?;
    if bytes.len() <= 12 {
        return None;
    }
    let (nonce, body) = bytes.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let plain = if sm4 {
        crate::crypto::sm4_gcm_open(&keys().sm4, &nonce, body)?
    } else {
        keys().seal.decrypt(&Nonce::from(nonce), body).ok()?
    };
    String::from_utf8(plain).ok()
}

/// Seals the ID numbers in application forms stored before forms were sealed; marked done by a
/// setting like [`seal_existing`].
pub async fn seal_existing_forms(db: &Db) -> anyhow::Result<usize> {
    const FORMS: &str = "vault.forms_sealed";
    let done: Option<String> =
        crate::storage::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(FORMS)
            .fetch_optional(db)
            .await?;
    if done.is_some() {
        return Ok(0);
    }
    let rows: Vec<(i64, String)> = query_as("SELECT id, form_json FROM applications")
        .fetch_all(db)
        .await?;
    let mut tx = db.begin().await?;
    let mut n = 0;
    for (id, text) in &rows {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
            continue;
        };
        let mut sealed = v.clone();
        seal_form_ids(&mut sealed);
        if sealed != v {
            let sealed = sealed.to_string();
            n += 1;
            query("UPDATE applications SET form_json = $1 WHERE id = $2")
                .bind(&sealed)
                .bind(*id)
                .execute(&mut tx)
                .await?;
        }
    }
    query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, 'v1', 'system', $2) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(FORMS)
    .bind(db.now())
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    if n > 0 {
        tracing::info!(sealed = n, "ID numbers in application forms sealed at rest");
    }
    Ok(n)
}

/// Seals ID numbers stored before sealing existed (accounts, applications, licences) and tags
/// them, and the licence signing keys; answers how many it sealed. Run at start-up: the first
/// pass over a store marks it done, later starts read one setting.
pub async fn seal_existing(db: &Db) -> anyhow::Result<usize> {
    // Every write seals since; once a pass has run, the tables need not be read at each start.
    let done: Option<String> =
        crate::storage::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(SEALED)
            .fetch_optional(db)
            .await?;
    if done.is_some() {
        return Ok(0);
    }
    let mut n = 0;
    for (table, key, col, tag_col) in [
        ("users", "id", "id_number", "id_tag"),
        ("applications", "id", "applicant_id", "applicant_tag"),
        ("licences", "id", "holder_id", "holder_tag"),
    ] {
        let rows: Vec<(i64, String)> = query_as(format!(
            "SELECT {key}, {col} FROM {table} WHERE {col} IS NOT NULL AND {col} <> '' AND {col} NOT LIKE 'v1:%' AND {col} NOT LIKE 'v2:%'"
        ))
        .fetch_all(db)
        .await?;
        let mut tx = db.begin().await?;
        for (id, plain) in &rows {
            query(format!(
                "UPDATE {table} SET {col} = $1, {tag_col} = $2 WHERE {key} = $3"
            ))
            .bind(seal(plain))
            .bind(tag(plain))
            .bind(*id)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        n += rows.len();
    }
    // Licence signing keys, sealed as they are (no tag: they are found by their unit).
    let keys: Vec<(i64, String)> =
        query_as("SELECT id, secret_key FROM licence_keys WHERE secret_key NOT LIKE 'v1:%' AND secret_key NOT LIKE 'v2:%'")
            .fetch_all(db)
            .await?;
    let mut tx = db.begin().await?;
    for (id, secret) in &keys {
        query("UPDATE licence_keys SET secret_key = $1 WHERE id = $2")
            .bind(seal_text(secret))
            .bind(*id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    n += keys.len();
    query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, 'v1', 'system', $2) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(SEALED)
    .bind(db.now())
    .execute(db)
    .await?;
    if n > 0 {
        tracing::info!(sealed = n, "ID numbers and signing keys sealed at rest");
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_keep_no_id_number_and_open_back_whole() {
        let form = serde_json::json!({
            "applicant_id": "11010519491231002X",
            "spouse_id": " 11010519491231002x ",
            "credit_code": "91350100M000100Y43",
            "children": [{"name": "小明", "id": "11010519491231002X"}],
            "note": "v1:not really sealed",
            "phone": "13800138000",
        });
        let stored = seal_form(&form);
        assert!(
            !stored.contains("19491231") && !stored.contains("M000100Y4"),
            "{stored}"
        );
        let back = open_form(&stored);
        assert_eq!(back["applicant_id"], "11010519491231002X");
        assert_eq!(back["spouse_id"], "11010519491231002X");
        assert_eq!(back["credit_code"], "91350100M000100Y43");
        assert_eq!(back["children"][0]["id"], "11010519491231002X");
        assert_eq!(back["note"], "v1:not really sealed");
        assert_eq!(back["phone"], "13800138000");
    }

    #[test]
    fn sm4_gcm_seals_when_configured_and_both_always_open() {
        let chacha = seal("11010519491231002X");
        use_sm4(true);
        let sm4 = seal("11010519491231002X");
        use_sm4(false);
        assert!(chacha.starts_with("v1:") && sm4.starts_with("v2:"), "{sm4}");
        assert_eq!(open(&chacha), open(&sm4));
        assert_eq!(open(&sm4), "11010519491231002X");
        // One changed byte: nothing opens.
        let mut bad = sm4.into_bytes();
        let last = bad.len() - 3;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(open(&String::from_utf8(bad).unwrap()), "");
    }

    #[test]
    fn forms_shown_to_others_mask_resident_ids_only() {
        let mut f = serde_json::json!({
            "applicant_id": "11010519491231002X",
            "family": [{"id": "11010519491231002X"}],
            "credit_code": "91350100M000100Y43",
            "name": "张三",
        });
        mask_form_ids(&mut f);
        assert_eq!(f["applicant_id"], "110105********002X");
        assert_eq!(f["family"][0]["id"], "110105********002X");
        assert_eq!(f["credit_code"], "91350100M000100Y43");
        assert_eq!(f["name"], "张三");
    }

    #[test]
    fn holder_bindings_are_keyed_and_per_licence() {
        let a = holder_binding("440309-D02-2026-000001", "11010519491231002X");
        assert_eq!(
            a,
            holder_binding("440309-D02-2026-000001", "11010519491231002x")
        );
        assert_ne!(
            a,
            holder_binding("440309-D02-2026-000002", "11010519491231002X")
        );
        // Not the plain digest a stranger could compute.
        let plain = hex::encode(<Sha256 as sha2::Digest>::digest(b"11010519491231002X"));
        assert_ne!(a, plain);
    }

    #[test]
    fn sealed_ids_open_tag_alike_and_hide_the_number() {
        let id = "44030919900101123x";
        let (a, b) = (seal(id), seal(id));
        assert!(a.starts_with("v1:") && a != b, "a fresh nonce each time");
        assert!(!a.contains("440309") && !a.contains("19900101"));
        assert_eq!(open(&a), "44030919900101123X");
        assert_eq!(open(&b), open(&a));
        assert_eq!(
            tag(id),
            tag(" 44030919900101123X "),
            "the same tag for the same number"
        );
        assert_ne!(tag(id), tag("440309199001011231"));
        assert_eq!(
            open("91440300MA5F000007"),
            "91440300MA5F000007",
            "old plain values still read"
        );
        assert_eq!((seal(""), tag("")), (String::new(), String::new()));
        // One changed character: nothing comes out.
        let mut bad = a.clone().into_bytes();
        let i = bad.len() - 3;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(open(&String::from_utf8(bad).unwrap()), "");
    }
}
