//! How much a parse may take, and which program does it.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::ExtractError;

/// The bounds every extraction runs under. The defaults suit resumes: a few pages, well under a
/// megabyte. Operators may raise them; the service passes the same value for uploads that
/// `viva ai analyze-resume` uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted, in bytes; checked before anything else.
    pub max_file_bytes: u64,
    /// The most text the child may write, in bytes; past it the child is killed.
    pub max_text_bytes: usize,
    /// DOCX: the most bytes inflated from all the XML parts read, together.
    pub max_decompressed_bytes: u64,
    /// PDF: only the first pages are read (`pdftotext -l`).
    pub max_pages: u32,
    /// The child's address space (RLIMIT_AS), in bytes.
    pub memory_bytes: u64,
    /// The child's CPU time (RLIMIT_CPU), in seconds.
    pub cpu_seconds: u64,
    /// The wall-clock time the parent waits before it kills the child.
    pub wall_clock: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 5 * 1024 * 1024,
            max_text_bytes: 1024 * 1024,
            max_decompressed_bytes: 32 * 1024 * 1024,
            max_pages: 30,
            memory_bytes: 512 * 1024 * 1024,
            cpu_seconds: 10,
            wall_clock: Duration::from_secs(20),
        }
    }
}

/// The program that runs the child side (`viva_resumes::sandbox::run`), and the PDF tool it starts.
///
/// In the service and the CLI this is the running `viva` binary itself
/// ([`Sandbox::current_exe`], whose hidden `sandbox extract` subcommand calls
/// `viva_resumes::sandbox::run`): nothing to install or keep in step, and the child runs exactly
/// the code the parent was built with. Tests point it at this crate's `viva-resume-sandbox`
/// binary, which calls the same function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    program: PathBuf,
    args: Vec<OsString>,
    pdftotext: PathBuf,
}

impl Sandbox {
    /// The running binary, as `<exe> sandbox extract …`.
    pub fn current_exe() -> Result<Self, ExtractError> {
        let program = std::env::current_exe()
            .map_err(|err| ExtractError::internal(format!("cannot locate the running binary: {err}")))?;
        Ok(Self::new(program, ["sandbox", "extract"]))
    }

    /// Any program that calls `viva_resumes::sandbox::run` with the arguments after `args`.
    pub fn new(program: impl Into<PathBuf>, args: impl IntoIterator<Item = impl Into<OsString>>) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            pdftotext: "pdftotext".into(),
        }
    }

    /// Another `pdftotext` than the one on `PATH`.
    #[must_use]
    pub fn with_pdftotext(mut self, pdftotext: impl Into<PathBuf>) -> Self {
        self.pdftotext = pdftotext.into();
        self
    }

    /// The program started.
    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    pub(crate) fn args(&self) -> &[OsString] {
        &self.args
    }

    pub(crate) fn pdftotext(&self) -> &std::path::Path {
        &self.pdftotext
    }
}
