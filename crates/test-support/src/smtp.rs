//! A local SMTP server speaking the protocol exchange a real client has with a relay (RFC 5321:
//! greeting, EHLO, MAIL, RCPT, DATA with dot-stuffing, QUIT), recording what it receives. It can
//! refuse mail with a transient 451, as a busy relay does.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

/// One message as received.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message: headers and body, dot-stuffing undone.
    pub data: String,
}

/// A running SMTP server on 127.0.0.1.
pub struct SmtpServer {
    /// `smtp://127.0.0.1:PORT`.
    pub url: String,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    refuse_next: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let url = format!("smtp://{}", listener.local_addr().expect("address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let refuse_next = Arc::new(AtomicUsize::new(0));
        let (r, f) = (received.clone(), refuse_next.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, r.clone(), f.clone()));
            }
        });
        Self { url, received, refuse_next, task }
    }

    /// Refuses the next `count` messages with `451 4.3.0 try again later`.
    pub fn refuse_next(&self, count: usize) {
        self.refuse_next.store(count, Ordering::SeqCst);
    }

    /// The messages received so far.
    pub async fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().await.clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    refuse: Arc<AtomicUsize>,
) {
    let (reader, mut writer) = socket.into_split();
    let mut lines = BufReader::new(reader).lines();
    let reply = async |writer: &mut tokio::net::tcp::OwnedWriteHalf, text: &str| {
        writer.write_all(format!("{text}\r\n").as_bytes()).await.is_ok()
    };
    if !reply(&mut writer, "220 localhost ESMTP test relay").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-localhost\r\n250-8BITMIME\r\n250 SIZE 10485760".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            let pending = refuse.load(Ordering::SeqCst);
            if pending > 0 {
                refuse.store(pending - 1, Ordering::SeqCst);
                "451 4.3.0 try again later".to_owned()
            } else {
                from = line[10..].trim().trim_matches(['<', '>']).to_owned();
                to.clear();
                "250 2.1.0 OK".to_owned()
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
            "250 2.1.5 OK".to_owned()
        } else if upper == "DATA" {
            if !reply(&mut writer, "354 end data with <CR><LF>.<CR><LF>").await {
                return;
            }
            let mut data = String::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
                data.push('\n');
            }
            received.lock().await.push(ReceivedMail { from: from.clone(), to: to.clone(), data });
            "250 2.0.0 queued".to_owned()
        } else if upper == "QUIT" {
            let _ = reply(&mut writer, "221 2.0.0 bye").await;
            return;
        } else {
            "250 2.0.0 OK".to_owned()
        };
        if !reply(&mut writer, &answer).await {
            return;
        }
    }
}
