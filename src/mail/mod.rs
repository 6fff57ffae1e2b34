//! Outgoing e-mail. A mail is queued in the store (`mail_outbox`) — in the same transaction as
//! what caused it when there is one — and a background sender delivers due mail over SMTP with
//! lettre, retrying with growing pauses while the server is down or refuses it. A row is marked
//! sent only once the server has taken the message, so a mail is never lost, at worst delayed.
//!
//! The server is `smtp_url` from the configuration: `smtp://host:port` (plain, e.g. a relay on
//! the same network), `smtps://…` or `smtp://…?tls=required` (TLS), with `user:pass@` if needed.

pub mod messages;

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, Tx, query, query_as};

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// File name, MIME type, content.
    pub attachment: Option<(String, String, Vec<u8>)>,
}

/// Checks an address list (`a@b.cn, c@d.cn`; commas, semicolons or spaces between).
pub fn addresses(field: &str, s: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for a in s
        .split([',', ';', '，', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if a.parse::<Mailbox>().is_err() || !a.contains('@') {
            return Err(Error::Validation(vec![FieldError::with(
                field,
                "field.email",
                a,
            )]));
        }
        out.push(a.to_string());
    }
    Ok(out)
}

/// Queues `m` in `tx`; answers its id.
pub async fn queue(tx: &mut Tx, m: &Mail) -> Result<i64> {
    let now = tx.now();
    let (name, kind, bytes) = match &m.attachment {
        Some((n, k, b)) => (Some(n.as_str()), Some(k.as_str()), Some(b.clone())),
        None => (None, None, None),
    };
    Ok(crate::storage::query_scalar(
        "INSERT INTO mail_outbox (to_addrs, subject, body, attachment_name, attachment_type, attachment, \
         created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7) RETURNING id",
    )
    .bind(m.to.join(", "))
    .bind(&m.subject)
    .bind(&m.body)
    .bind(name)
    .bind(kind)
    .bind(bytes)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?)
}

#[derive(Debug, Clone, crate::storage::FromRow)]
struct Queued {
    id: i64,
    to_addrs: String,
    subject: String,
    body: String,
    attachment_name: Option<String>,
    attachment_type: Option<String>,
    attachment: Option<Vec<u8>>,
    attempts: i64,
}

/// The sender's settings.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub url: String,
    pub from: String,
}

/// Pause before attempt `n + 1`: 30 s, 1 min, 2 min … at most an hour.
fn backoff(attempts: i64) -> Duration {
    Duration::from_secs((30u64 << attempts.clamp(0, 7) as u64).min(3600))
}

fn message(smtp: &Smtp, q: &Queued) -> anyhow::Result<Message> {
    let mut b = Message::builder()
        .from(smtp.from.parse()?)
        .subject(q.subject.clone());
    for to in q
        .to_addrs
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        b = b.to(to.parse()?);
    }
    let text = SinglePart::plain(q.body.clone());
    Ok(match (&q.attachment_name, &q.attachment) {
        (Some(name), Some(bytes)) => {
            let kind = ContentType::parse(
                q.attachment_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
            )?;
            b.multipart(
                MultiPart::mixed()
                    .singlepart(text)
                    .singlepart(Attachment::new(name.clone()).body(bytes.clone(), kind)),
            )?
        }
        _ => b.singlepart(text)?,
    })
}

/// Delivers the mail that is due; answers (sent, failed). A failure is kept for a later try.
pub async fn deliver_due(db: &Db, smtp: &Smtp) -> Result<(usize, usize)> {
    let now = db.now();
    let due = query_as::<Queued>(
        "SELECT id, to_addrs, subject, body, attachment_name, attachment_type, attachment, attempts \
         FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT 50",
    )
    .bind(&now)
    .fetch_all(db)
    .await?;
    if due.is_empty() {
        return Ok((0, 0));
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| Error::Internal(anyhow::anyhow!("smtp_url: {e}")))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let (mut sent, mut failed) = (0, 0);
    for q in due {
        let result = match message(smtp, &q) {
            Ok(m) => transport
                .send(m)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(()) => {
                query("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                    .bind(db.now())
                    .bind(q.id)
                    .execute(db)
                    .await?;
                sent += 1;
            }
            Err(e) => {
                let next = db.clock().now_utc() + backoff(q.attempts);
                tracing::warn!(mail = q.id, attempts = q.attempts + 1, error = %e, "mail not delivered; will retry");
                query("UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3")
                    .bind(clock::to_db(next))
                    .bind(e.chars().take(500).collect::<String>())
                    .bind(q.id)
                    .execute(db)
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Runs the sender every `every` until the process ends.
pub fn spawn_sender(db: Db, smtp: Smtp, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match deliver_due(&db, &smtp).await {
                Ok((0, 0)) => {}
                Ok((sent, failed)) => tracing::info!(sent, failed, "mail delivered"),
                Err(e) => tracing::warn!(error = %e, "mail sender failed"),
            }
        }
    })
}

/// How many mails wait to be delivered (for health checks and the desk).
pub async fn backlog(db: &Db) -> Result<i64> {
    Ok(
        crate::storage::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")
            .fetch_one(db)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lists_and_backoff() {
        assert_eq!(
            addresses("to", "a@lh.gov.cn；b@lh.gov.cn, ").unwrap(),
            ["a@lh.gov.cn", "b@lh.gov.cn"]
        );
        assert!(addresses("to", "a@lh.gov.cn, not-an-address").is_err());
        assert_eq!(backoff(0), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(120));
        assert_eq!(backoff(40), Duration::from_secs(3600));
    }
}
