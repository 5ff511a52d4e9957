//! The child side of extraction: `viva sandbox extract --kind pdf|docx …`.
//!
//! The child first lowers its own resource limits (address space, CPU time, file size 0, a
//! handful of descriptors, no new processes, no core dumps), refusing to go on if it cannot,
//! and only then touches the document, which it reads from standard input:
//!
//! - **PDF**: it `exec`s `pdftotext`, which inherits the limits and standard input and writes
//!   the text of the first pages to standard output.
//! - **DOCX**: it reads the ZIP and its XML in this process ([`crate::docx`]) and writes one
//!   JSON object (the text and what it noticed about tables and pictures).
//!
//! Failures are told to the parent by the exit status (see [`exit`]); the parent turns them into
//! messages. A crash, a runaway loop or an exhausted limit ends this process only.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use viva_sandbox::Restrictions;

use crate::docx::{self, DocxError, DocxLimits};
use crate::kind::DocumentKind;
use crate::limits::{Limits, Sandbox};

/// The exit statuses of the DOCX child and of the PDF child before it becomes `pdftotext`.
pub(crate) mod exit {
    /// The arguments are wrong: a bug of ours.
    pub(crate) const USAGE: u8 = 64;
    /// A ZIP without `word/document.xml`.
    pub(crate) const NOT_DOCX: u8 = 65;
    /// Encrypted.
    pub(crate) const ENCRYPTED: u8 = 66;
    /// The ZIP or the XML is broken.
    pub(crate) const DAMAGED: u8 = 67;
    /// A budget ran out (inflated bytes, text, input).
    pub(crate) const TOO_MUCH: u8 = 68;
    /// The limits could not be set; nothing was parsed.
    pub(crate) const NO_LIMITS: u8 = 69;
    /// `pdftotext` could not be started, or the output could not be written.
    pub(crate) const INTERNAL: u8 = 70;
}

/// The descriptors the child may hold: standard input, output and error, and the few that
/// `pdftotext` opens while it starts (the dynamic loader opens libraries one at a time).
const MAX_OPEN_FILES: u64 = 16;

/// What the parent tells the child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChildOptions {
    pub(crate) kind: DocumentKind,
    pub(crate) memory_bytes: u64,
    pub(crate) cpu_seconds: u64,
    pub(crate) max_pages: u32,
    pub(crate) max_input_bytes: u64,
    pub(crate) max_decompressed_bytes: u64,
    pub(crate) max_text_bytes: usize,
    pub(crate) pdftotext: OsString,
}

impl ChildOptions {
    pub(crate) fn new(kind: DocumentKind, limits: &Limits, sandbox: &Sandbox) -> Self {
        Self {
            kind,
            memory_bytes: limits.memory_bytes,
            cpu_seconds: limits.cpu_seconds,
            max_pages: limits.max_pages,
            max_input_bytes: limits.max_file_bytes,
            max_decompressed_bytes: limits.max_decompressed_bytes,
            max_text_bytes: limits.max_text_bytes,
            pdftotext: sandbox.pdftotext().as_os_str().to_owned(),
        }
    }

    pub(crate) fn to_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let mut push = |name: &str, value: OsString| {
            args.push(name.into());
            args.push(value);
        };
        push("--kind", self.kind.as_arg().into());
        push("--memory-bytes", self.memory_bytes.to_string().into());
        push("--cpu-seconds", self.cpu_seconds.to_string().into());
        push("--max-pages", self.max_pages.to_string().into());
        push("--max-input-bytes", self.max_input_bytes.to_string().into());
        push("--max-decompressed-bytes", self.max_decompressed_bytes.to_string().into());
        push("--max-text-bytes", self.max_text_bytes.to_string().into());
        push("--pdftotext", self.pdftotext.clone());
        args
    }

    pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Self, String> {
        let mut kind = None;
        let mut numbers = [None::<u64>; 6];
        let mut pdftotext = None;
        let mut args = args.into_iter();
        while let Some(name) = args.next() {
            let name = name.into_string().map_err(|name| format!("unexpected argument {name:?}"))?;
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            let number = || -> Result<u64, String> {
                value.to_str().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
            };
            match name.as_str() {
                "--kind" => {
                    kind = Some(match value.to_str() {
                        Some("pdf") => DocumentKind::Pdf,
                        Some("docx") => DocumentKind::Docx,
                        _ => return Err(format!("--kind is pdf or docx, not {value:?}")),
                    })
                }
                "--memory-bytes" => numbers[0] = Some(number()?),
                "--cpu-seconds" => numbers[1] = Some(number()?),
                "--max-pages" => numbers[2] = Some(number()?),
                "--max-input-bytes" => numbers[3] = Some(number()?),
                "--max-decompressed-bytes" => numbers[4] = Some(number()?),
                "--max-text-bytes" => numbers[5] = Some(number()?),
                "--pdftotext" => pdftotext = Some(value),
                other => return Err(format!("unexpected argument {other:?}")),
            }
        }
        let [
            Some(memory_bytes),
            Some(cpu_seconds),
            Some(max_pages),
            Some(max_input_bytes),
            Some(max_decompressed_bytes),
            Some(max_text_bytes),
        ] = numbers
        else {
            return Err("every limit must be given".to_owned());
        };
        Ok(Self {
            kind: kind.ok_or("--kind is required")?,
            memory_bytes,
            cpu_seconds,
            max_pages: u32::try_from(max_pages).map_err(|_| "--max-pages is too large")?,
            max_input_bytes,
            max_decompressed_bytes,
            max_text_bytes: usize::try_from(max_text_bytes).map_err(|_| "--max-text-bytes is too large")?,
            pdftotext: pdftotext.ok_or("--pdftotext is required")?,
        })
    }
}

/// Runs the child: `args` are what follows `viva sandbox extract`. Returns the exit status the
/// parent decodes. Call it before starting any runtime or thread, so that nothing but the parse
/// runs under the limits and the address-space limit counts the parse alone.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let options = match ChildOptions::parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("viva sandbox: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    if let Err(err) = restrict(&options) {
        eprintln!("viva sandbox: cannot set resource limits, refusing to parse: {err}");
        return ExitCode::from(exit::NO_LIMITS);
    }
    match options.kind {
        DocumentKind::Pdf => exec_pdftotext(&options),
        DocumentKind::Docx => read_docx(&options),
    }
}

/// Lowers this process's limits; `exec` keeps them. No fork or thread: `exec` replaces this
/// process and needs none. (Root is exempt from that one; the service should not run as root.)
fn restrict(options: &ChildOptions) -> std::io::Result<()> {
    viva_sandbox::restrict(&Restrictions {
        memory_bytes: options.memory_bytes,
        cpu_seconds: options.cpu_seconds,
        open_files: MAX_OPEN_FILES,
        new_processes: false,
    })
}

/// Becomes `pdftotext`, reading the PDF from standard input (poppler's `-` is `fd://0`) and
/// writing UTF-8 text to standard output, one form feed after each page. Returns only if the
/// program cannot be started.
fn exec_pdftotext(options: &ChildOptions) -> ExitCode {
    let err = Command::new(&options.pdftotext)
        .args(["-enc", "UTF-8", "-eol", "unix", "-f", "1", "-l"])
        .arg(options.max_pages.max(1).to_string())
        .args(["-", "-"])
        .exec();
    eprintln!("viva sandbox: cannot run {}: {err}", options.pdftotext.to_string_lossy());
    ExitCode::from(exit::INTERNAL)
}

fn read_docx(options: &ChildOptions) -> ExitCode {
    let mut input = Vec::new();
    if let Err(err) =
        std::io::stdin().lock().take(options.max_input_bytes.saturating_add(1)).read_to_end(&mut input)
    {
        eprintln!("viva sandbox: cannot read standard input: {err}");
        return ExitCode::from(exit::INTERNAL);
    }
    if input.len() as u64 > options.max_input_bytes {
        eprintln!("viva sandbox: the input is over {} bytes", options.max_input_bytes);
        return ExitCode::from(exit::TOO_MUCH);
    }
    let limits = DocxLimits {
        max_decompressed_bytes: options.max_decompressed_bytes,
        max_text_bytes: options.max_text_bytes,
    };
    match docx::read(&input, limits) {
        Ok(document) => {
            let written = serde_json::to_vec(&document)
                .map_err(std::io::Error::other)
                .and_then(|json| std::io::stdout().lock().write_all(&json));
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("viva sandbox: cannot write the text: {err}");
                    ExitCode::from(exit::INTERNAL)
                }
            }
        }
        Err(err) => {
            eprintln!("viva sandbox: {err}");
            ExitCode::from(match err {
                DocxError::NotDocx => exit::NOT_DOCX,
                DocxError::Encrypted => exit::ENCRYPTED,
                DocxError::Damaged(_) => exit::DAMAGED,
                DocxError::TooMuch(_) => exit::TOO_MUCH,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_survive_the_command_line() {
        let limits = Limits::default();
        let options =
            ChildOptions::new(DocumentKind::Docx, &limits, &Sandbox::new("viva", ["sandbox", "extract"]));
        assert_eq!(ChildOptions::parse(options.to_args()), Ok(options));
    }

    #[test]
    fn missing_or_bad_options_are_refused() {
        let bad = |args: &[&str]| ChildOptions::parse(args.iter().map(OsString::from)).is_err();
        assert!(bad(&[]));
        assert!(bad(&["--kind", "png"]));
        assert!(bad(&["--kind", "pdf", "--memory-bytes", "lots"]));
        assert!(bad(&["--unknown", "1"]));
    }
}
