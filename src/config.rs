//! Run-time configuration, in layers: built-in defaults → `zhengwu.toml` in the data dir →
//! environment (`ZHENGWU_DATABASE_URL`, `ZHENGWU_LISTEN`, `ZHENGWU_SMTP_URL`, `ZHENGWU_MAIL_FROM`,
//! `ZHENGWU_RATE_LIMITS`, `ZHENGWU_METRICS_TOKEN`, `ZHENGWU_PUBLIC_URL`, `ZHENGWU_HASH`,
//! `ZHENGWU_VAULT_CIPHER`, `ZHENGWU_LICENCE_ALGORITHM`, `ZHENGWU_REQUEST_TIMEOUT`)
//! → command-line flags. The database and mail URLs may hold passwords, so `Debug` hides them.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    /// Mark cookies `Secure`. Defaults to on unless the server listens on loopback only (a
    /// browser on the same machine reaches it over plain HTTP).
    pub secure_cookies: bool,
    /// The mail server and sender address; no mail goes out without it (it stays queued).
    pub smtp: Option<crate::mail::Smtp>,
    /// Per-address limits on public endpoints (kiosk, registration, sign-in, licence check,
    /// search, rating codes). On unless `rate_limits = false` or `ZHENGWU_RATE_LIMITS=off` (a
    /// load benchmark from one address).
    pub rate_limits: bool,
    /// The bearer token `/metrics` asks for; without one it answers loopback callers only.
    pub metrics_token: Option<String>,
    /// The address people reach the platform at (`https://zwfw.example.gov.cn`), printed in QR
    /// codes and links; without it the request's host is used.
    pub public_url: Option<String>,
    /// The digest of session tokens and the audit chain: SHA-256, or SM3 (`hash = "sm3"`).
    pub hash: crate::crypto::Hash,
    /// Seal ID numbers with SM4-GCM instead of ChaCha20-Poly1305 (`vault_cipher = "sm4-gcm"`).
    pub vault_sm4: bool,
    /// The algorithm of a department's first licence key: Ed25519, or SM2
    /// (`licence_algorithm = "sm2"`).
    pub licence_algorithm: crate::crypto::SignAlg,
    /// The longest a request may take, body included (`request_timeout` seconds; 120 unless
    /// set): a client trickling a body in holds a connection no longer than this.
    pub request_timeout: std::time::Duration,
}

fn hide_password(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => url.to_string(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &hide_password(&self.database_url))
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("rate_limits", &self.rate_limits)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field(
                "smtp_url",
                &self.smtp.as_ref().map(|s| hide_password(&s.url)),
            )
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    secure_cookies: Option<bool>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    rate_limits: Option<bool>,
    metrics_token: Option<String>,
    public_url: Option<String>,
    hash: Option<String>,
    vault_cipher: Option<String>,
    licence_algorithm: Option<String>,
    request_timeout: Option<u64>,
}

/// Flags that override the layers below them.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

impl Config {
    pub fn load(o: &Overrides) -> anyhow::Result<Config> {
        let data_dir = o
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("zhengwu-data"));
        std::fs::create_dir_all(&data_dir)?;
        let file_path = data_dir.join("zhengwu.toml");
        let file: FileConfig = if file_path.exists() {
            toml::from_str(&std::fs::read_to_string(&file_path)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file_path.display()))?
        } else {
            FileConfig::default()
        };
        let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        let database_url = o
            .database_url
            .clone()
            .or_else(|| env("ZHENGWU_DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| crate::storage::sqlite_url(&data_dir));
        let listen: SocketAddr = o
            .listen
            .clone()
            .or_else(|| env("ZHENGWU_LISTEN"))
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()?;
        // Behind a TLS proxy on the same machine the server listens on loopback: say so with
        // `secure_cookies = true` or ZHENGWU_SECURE_COOKIES=1.
        let secure_cookies = match env("ZHENGWU_SECURE_COOKIES").as_deref() {
            Some("1" | "true" | "on") => true,
            Some(_) => false,
            None => file.secure_cookies.unwrap_or(!listen.ip().is_loopback()),
        };
        let smtp = env("ZHENGWU_SMTP_URL")
            .or(file.smtp_url)
            .map(|url| crate::mail::Smtp {
                url,
                from: env("ZHENGWU_MAIL_FROM")
                    .or(file.mail_from.clone())
                    .unwrap_or_else(|| "政务服务平台 <noreply@localhost>".into()),
            });
        let rate_limits = match env("ZHENGWU_RATE_LIMITS").as_deref() {
            Some("off" | "0" | "false") => false,
            Some(_) => true,
            None => file.rate_limits.unwrap_or(true),
        };
        let metrics_token = env("ZHENGWU_METRICS_TOKEN").or(file.metrics_token);
        let public_url = env("ZHENGWU_PUBLIC_URL").or(file.public_url);
        let hash = match env("ZHENGWU_HASH").or(file.hash) {
            Some(h) => crate::crypto::Hash::parse(&h)
                .ok_or_else(|| anyhow::anyhow!("hash must be sha256 or sm3, not {h}"))?,
            None => crate::crypto::Hash::Sha256,
        };
        let vault_sm4 = match env("ZHENGWU_VAULT_CIPHER").or(file.vault_cipher) {
            Some(c) if c.eq_ignore_ascii_case("sm4-gcm") || c.eq_ignore_ascii_case("sm4") => true,
            Some(c) if c.eq_ignore_ascii_case("chacha20-poly1305") => false,
            Some(c) => anyhow::bail!("vault_cipher must be chacha20-poly1305 or sm4-gcm, not {c}"),
            None => false,
        };
        let licence_algorithm = match env("ZHENGWU_LICENCE_ALGORITHM").or(file.licence_algorithm) {
            Some(a) => crate::crypto::SignAlg::parse(&a).ok_or_else(|| {
                anyhow::anyhow!("licence_algorithm must be ed25519 or sm2, not {a}")
            })?,
            None => crate::crypto::SignAlg::Ed25519,
        };
        let request_timeout = match env("ZHENGWU_REQUEST_TIMEOUT") {
            Some(s) => s
                .parse::<u64>()
                .map_err(|_| anyhow::anyhow!("ZHENGWU_REQUEST_TIMEOUT must be seconds, not {s}"))?,
            None => file.request_timeout.unwrap_or(120),
        };
        anyhow::ensure!(
            request_timeout > 0,
            "request_timeout must be at least 1 second"
        );
        Ok(Config {
            request_timeout: std::time::Duration::from_secs(request_timeout),
            data_dir,
            database_url,
            listen,
            secure_cookies,
            smtp,
            rate_limits,
            metrics_token,
            public_url,
            hash,
            vault_sm4,
            licence_algorithm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_and_hidden_password() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("zhengwu.toml"),
            "database_url = \"postgres://u:secret@db/zw\"\nlisten = \"0.0.0.0:9000\"\n",
        )
        .unwrap();
        let c = Config::load(&Overrides {
            data_dir: Some(dir.path().into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert!(c.secure_cookies);
        assert!(!format!("{c:?}").contains("secret"));
        let c = Config::load(&Overrides {
            data_dir: Some(dir.path().into()),
            listen: Some("127.0.0.1:0".into()),
            database_url: Some("sqlite://x.db".into()),
        })
        .unwrap();
        assert_eq!(c.database_url, "sqlite://x.db");
    }
}
