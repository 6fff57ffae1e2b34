//! A local SMTP sink for the tests: speaks enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
//! QUIT) for lettre to deliver to it, and keeps every message it receives.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct Sink {
    pub mail: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sink {
    /// A sink listening on `port`.
    pub async fn start(port: u16) -> Sink {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let mail: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = mail.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let (mut from, mut to) = (String::new(), Vec::new());
                    while let Ok(Some(line)) = lines.next_line().await {
                        let up = line.to_ascii_uppercase();
                        let reply: &[u8] = if up.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if up.starts_with("HELO") || up.starts_with("NOOP") {
                            b"250 ok\r\n"
                        } else if up.starts_with("MAIL FROM:") {
                            from = line[10..].trim().to_string();
                            b"250 ok\r\n"
                        } else if up.starts_with("RCPT TO:") {
                            to.push(line[8..].trim().to_string());
                            b"250 ok\r\n"
                        } else if up.starts_with("RSET") {
                            from.clear();
                            to.clear();
                            b"250 ok\r\n"
                        } else if up.starts_with("DATA") {
                            let _ = w.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            store.lock().unwrap().push(Received {
                                from: std::mem::take(&mut from),
                                to: std::mem::take(&mut to),
                                data,
                            });
                            b"250 queued\r\n"
                        } else if up.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"502 not implemented\r\n"
                        };
                        if w.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Sink { mail, task }
    }

    pub fn received(&self) -> Vec<Received> {
        self.mail.lock().unwrap().clone()
    }
}
