//! Where a plugin's stdout and stderr go: a bounded buffer per call. Beyond the cap, output is
//! counted and dropped rather than refused, so a chatty plugin is cut short in the log but
//! does not fail.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::async_trait;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

#[derive(Default)]
struct Buffer {
    bytes: Vec<u8>,
    dropped: usize,
}

/// A shared, capped output buffer.
#[derive(Clone)]
pub struct Capture {
    buffer: Arc<Mutex<Buffer>>,
    cap: usize,
}

impl Capture {
    pub fn new(cap: usize) -> Capture {
        Capture {
            buffer: Arc::default(),
            cap,
        }
    }

    fn append(&self, bytes: &[u8]) {
        if let Ok(mut buffer) = self.buffer.lock() {
            let room = self.cap.saturating_sub(buffer.bytes.len());
            let kept = bytes.len().min(room);
            buffer.bytes.extend_from_slice(&bytes[..kept]);
            buffer.dropped += bytes.len() - kept;
        }
    }

    /// Appends one line (for log calls).
    pub fn append_line(&self, line: &str) {
        self.append(line.as_bytes());
        self.append(b"\n");
    }

    /// What was written, with a note of how much was dropped.
    pub fn text(&self) -> String {
        let Ok(buffer) = self.buffer.lock() else {
            return String::new();
        };
        let mut text = String::from_utf8_lossy(&buffer.bytes).into_owned();
        if buffer.dropped > 0 {
            text.push_str(&format!("\n… {} more bytes dropped", buffer.dropped));
        }
        text
    }
}

impl IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Capture {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for Capture {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        self.append(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[async_trait]
impl Pollable for Capture {
    async fn ready(&mut self) {}
}

impl OutputStream for Capture {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 << 10)
    }
}
