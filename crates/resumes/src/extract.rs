//! The parent side of extraction: check the file, start the child, bound it, read its answer.

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::process::Command;
use viva_sandbox::{Bounds, ChildOutput, RunError};

use crate::docx::DocxText;
use crate::error::{ExtractError, human_bytes};
use crate::kind::{self, DocumentKind};
use crate::limits::{Limits, Sandbox};
use crate::sandbox::{ChildOptions, exit};

/// How much of the child's standard error is kept (for the error's detail and for recognising
/// poppler's messages); the rest is read and dropped so the child never blocks on it.
const STDERR_KEPT: usize = 8 * 1024;
/// Fewer letters and digits than this is no resume: a scan, or an empty page.
const MIN_TEXT_CHARS: usize = 20;
/// The exit status of a Rust program that panicked.
const RUST_PANIC: i32 = 101;

/// A document's text, and what was noticed while reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedText {
    /// What the file was.
    pub kind: DocumentKind,
    /// The text: one line per line (PDF) or paragraph (DOCX), table cells separated by tabs.
    pub text: String,
    /// PDF: the pages read (at most [`Limits::max_pages`]).
    pub pages: Option<u32>,
    /// What an applicant tracking system would struggle with (DOCX only: a PDF's text does not
    /// tell).
    pub layout: Layout,
    /// Hyperlink targets that are not necessarily in the text (DOCX).
    pub hyperlinks: Vec<String>,
}

impl ExtractedText {
    /// Text that did not come from a file (a test, a paste): no layout to report.
    pub fn plain(kind: DocumentKind, text: &str) -> Self {
        Self { kind, text: normalize(text), pages: None, layout: Layout::default(), hyperlinks: Vec::new() }
    }
}

/// Layout a parser may not read: counted in a DOCX.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Tables.
    pub tables: u32,
    /// Pictures.
    pub images: u32,
    /// Text boxes.
    pub text_boxes: u32,
    /// Whether some text sits in page headers or footers.
    pub header_footer_text: bool,
}

/// Extracts the text of a PDF or DOCX resume, in a child process bounded by `limits`.
///
/// The type is decided by content; the file is refused before any parsing if it is too large,
/// of another type, or (PDF) cut short. The parse runs in `sandbox`'s program with its own
/// resource limits; this side waits at most [`Limits::wall_clock`], keeps at most
/// [`Limits::max_text_bytes`] of output, and never panics: every failure is an
/// [`ExtractError`]. Dropping the future kills the child.
pub async fn extract(
    bytes: &[u8],
    limits: &Limits,
    sandbox: &Sandbox,
) -> Result<ExtractedText, ExtractError> {
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(ExtractError::TooLarge { size, limit: limits.max_file_bytes });
    }
    let kind = kind::detect(bytes)?;
    let options = ChildOptions::new(kind, limits, sandbox);
    let output = run_child(&options, bytes, limits, sandbox).await?;
    match kind {
        DocumentKind::Pdf => pdf_text(output, limits),
        DocumentKind::Docx => docx_text(output, limits),
    }
}

async fn run_child(
    options: &ChildOptions,
    bytes: &[u8],
    limits: &Limits,
    sandbox: &Sandbox,
) -> Result<ChildOutput, ExtractError> {
    let mut command = Command::new(sandbox.program());
    command.args(sandbox.args()).args(options.to_args());
    let bounds =
        Bounds { wall_clock: limits.wall_clock, max_stdout: limits.max_text_bytes, stderr_kept: STDERR_KEPT };
    viva_sandbox::run(command, bytes, &bounds).await.map_err(|err| match err {
        RunError::Timeout => ExtractError::Timeout { limit: limits.wall_clock },
        RunError::Overflow => ExtractError::too_complex(format!(
            "more than {} of text",
            human_bytes(limits.max_text_bytes as u64)
        )),
        RunError::Start(err) => {
            ExtractError::internal(format!("cannot start {}: {err}", sandbox.program().display()))
        }
        RunError::Io(err) => ExtractError::internal(format!("cannot read the child's output: {err}")),
    })
}

/// A failure every child can have: killed by a limit, crashed, or never got to parse.
fn common_failure(output: &ChildOutput, limits: &Limits) -> Option<ExtractError> {
    if let Some(signal) = output.status.signal() {
        let stderr = output.stderr().to_ascii_lowercase();
        return Some(match signal {
            libc::SIGXCPU | libc::SIGKILL => {
                ExtractError::Timeout { limit: Duration::from_secs(limits.cpu_seconds) }
            }
            libc::SIGABRT | libc::SIGSEGV | libc::SIGBUS
                if stderr.contains("memory") || stderr.contains("alloc") =>
            {
                ExtractError::too_complex("reading it needs more memory than allowed")
            }
            libc::SIGABRT | libc::SIGSEGV | libc::SIGBUS => {
                ExtractError::damaged("the reader could not make sense of its structure")
            }
            other => {
                ExtractError::internal(format!("the child was killed by signal {other}: {}", output.stderr()))
            }
        });
    }
    match output.status.code() {
        // A Rust panic in the DOCX child (an allocation that failed inside a library, a bug).
        Some(RUST_PANIC) => {
            let stderr = output.stderr().to_ascii_lowercase();
            Some(if stderr.contains("memory") || stderr.contains("alloc") {
                ExtractError::too_complex("reading it needs more memory than allowed")
            } else {
                ExtractError::damaged("the reader could not make sense of its structure")
            })
        }
        Some(code) if [exit::USAGE, exit::NO_LIMITS, exit::INTERNAL].map(i32::from).contains(&code) => {
            Some(ExtractError::internal(format!("the child failed with status {code}: {}", output.stderr())))
        }
        _ => None,
    }
}

fn pdf_text(output: ChildOutput, limits: &Limits) -> Result<ExtractedText, ExtractError> {
    if let Some(err) = common_failure(&output, limits) {
        return Err(err);
    }
    let stderr = output.stderr();
    // pdftotext's exit statuses: 1 the file could not be opened, 2 the output, 3 permissions,
    // 99 anything else (a page range that does not exist: the page tree is broken).
    match output.status.code() {
        Some(0) => {}
        Some(1) if stderr.contains("Incorrect password") => return Err(ExtractError::Encrypted),
        Some(3) => return Err(ExtractError::Encrypted),
        Some(1) => return Err(ExtractError::damaged("it could not be opened as a PDF")),
        Some(99) if stderr.contains("Wrong page range") => {
            return Err(ExtractError::damaged("its page tree is broken"));
        }
        Some(99) => return Err(ExtractError::damaged("it could not be read as a PDF")),
        other => {
            return Err(ExtractError::internal(format!("pdftotext failed with status {other:?}: {stderr}")));
        }
    }
    let raw = String::from_utf8_lossy(&output.stdout);
    let pages = u32::try_from(raw.matches('\x0c').count()).unwrap_or(limits.max_pages);
    let text = normalize(&raw);
    if !has_text(&text) {
        // A scan has pages without text; a broken file has pages that could not be read.
        return Err(if stderr.contains("Syntax Error") {
            ExtractError::damaged("its pages could not be read")
        } else {
            ExtractError::NoText
        });
    }
    Ok(ExtractedText {
        kind: DocumentKind::Pdf,
        text,
        pages: Some(pages),
        layout: Layout::default(),
        hyperlinks: Vec::new(),
    })
}

fn docx_text(output: ChildOutput, limits: &Limits) -> Result<ExtractedText, ExtractError> {
    if let Some(err) = common_failure(&output, limits) {
        return Err(err);
    }
    match output.status.code().and_then(|code| u8::try_from(code).ok()) {
        Some(0) => {}
        Some(exit::NOT_DOCX) => {
            return Err(ExtractError::Unsupported {
                found: "a ZIP archive without a Word document in it".into(),
            });
        }
        Some(exit::ENCRYPTED) => return Err(ExtractError::Encrypted),
        Some(exit::DAMAGED) => return Err(ExtractError::damaged("its ZIP or XML structure is broken")),
        Some(exit::TOO_MUCH) => {
            return Err(ExtractError::too_complex(format!(
                "it expands to more than {} of data, or more than {} of text",
                human_bytes(limits.max_decompressed_bytes),
                human_bytes(limits.max_text_bytes as u64)
            )));
        }
        other => {
            return Err(ExtractError::internal(format!(
                "the DOCX child failed with status {other:?}: {}",
                output.stderr()
            )));
        }
    }
    let document: DocxText = serde_json::from_slice(&output.stdout)
        .map_err(|err| ExtractError::internal(format!("the DOCX child's answer does not parse: {err}")))?;
    let text = normalize(&document.text);
    if !has_text(&text) {
        return Err(ExtractError::NoText);
    }
    Ok(ExtractedText {
        kind: DocumentKind::Docx,
        text,
        pages: None,
        layout: Layout {
            tables: document.tables,
            images: document.images,
            text_boxes: document.text_boxes,
            header_footer_text: document.header_footer_text,
        },
        hyperlinks: document.links,
    })
}

fn has_text(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphanumeric()).take(MIN_TEXT_CHARS).count() >= MIN_TEXT_CHARS
}

/// Lines without trailing blanks, page breaks as line breaks, no control characters but tabs,
/// no-break spaces as spaces, at most one blank line in a row.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split(['\n', '\x0c']) {
        let line: String = line
            .chars()
            .filter_map(|c| match c {
                '\u{a0}' | '\u{2007}' | '\u{202f}' => Some(' '),
                '\t' => Some('\t'),
                '\u{ad}' | '\u{200b}' | '\u{feff}' => None,
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
            out.push('\n');
        } else {
            blank_run = 0;
            out.push_str(line);
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_keeps_lines_and_one_blank() {
        let text = "\n\nJane  \r\n\x0c\n\n\nExperience\u{a0}\x07\n\t• Go\n\n";
        assert_eq!(normalize(text), "Jane\n\nExperience\n\t• Go\n");
    }

    #[test]
    fn a_few_characters_are_not_a_resume() {
        assert!(!has_text("\x0c \n 1 \n"));
        assert!(has_text("Jane Doe, backend engineer"));
    }
}
