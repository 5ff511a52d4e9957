//! Resumes: their text, read safely from PDF and DOCX uploads, and an offline analysis of it.
//!
//! Two calls make the crate's surface, both meant for the service and the CLI alike:
//!
//! - [`extract`]`(bytes, &limits, &sandbox)` (async): the file's type by content, then its text
//!   from a child process bounded in memory, CPU, wall-clock time and output. Every failure is an
//!   [`ExtractError`] whose message tells the person who uploaded the file what to do.
//! - [`analyze`]`(&text, &skills, today)` (pure, fast): contact details, sections, skills
//!   normalised against [`SkillCatalog`] (`data/skills.toml`), years of experience, a summary, a
//!   quality score with its components and ATS feedback, as a [`ResumeAnalysis`].
//!
//! # Why a child process, and which parsers
//!
//! A document parser reads hostile input: a ZIP that inflates to a gigabyte, a PDF whose page
//! tree loops or claims ten million pages, a crafted file that crashes the parser. In-process
//! limits cover what the parser's authors thought of; a process boundary covers the rest. The
//! child ([`sandbox::run`], the `viva sandbox extract` subcommand of our own binary) lowers its
//! own limits with `setrlimit` before it reads a byte: address space (RLIMIT_AS), CPU time,
//! file size 0 (it can write no file), a handful of descriptors, no new processes, no core
//! dumps. The parent, on the async runtime, only writes the file to the child's standard input
//! and reads at most [`Limits::max_text_bytes`] back under a wall-clock timeout, killing the
//! child when either runs out; its memory stays bounded by the file and the text. A crash or a
//! runaway ends that one parse, with an error, and nothing else.
//!
//! - **PDF: Debian's `pdftotext` (poppler-utils).** Poppler is a maintained C++ parser that is
//!   continuously fuzzed (OSS-Fuzz), handles the PDFs real word processors write (fonts with
//!   odd encodings, object streams, broken cross-reference tables it can rebuild), and receives
//!   security updates through the distribution. It is C++, so it runs only in the child, whose
//!   limits `exec` keeps; only the first [`Limits::max_pages`] pages are read. The Rust PDF
//!   crates either miss text in real-world files or are not hardened against hostile ones.
//! - **DOCX: the `zip` crate and `quick-xml`, in the child.** A DOCX is a ZIP of XML; reading it
//!   is a few hundred lines of memory-safe Rust in which every inflated byte is counted against
//!   [`Limits::max_decompressed_bytes`] as it is read, so a zip bomb stops at the limit
//!   whatever its headers claim; quick-xml expands no user-defined entities. It also tells what
//!   a text dump cannot: tables, pictures and text boxes, which many applicant tracking systems
//!   read badly. It runs in the child as well, so that a bug in it costs one parse too.
//!
//! The child is found by [`Sandbox::current_exe`]: the running `viva` binary, which has the
//! hidden subcommand. Tests use this crate's `viva-resume-sandbox` binary, which calls the same
//! [`sandbox::run`].

mod analysis;
mod docx;
mod error;
mod extract;
mod kind;
mod limits;
pub mod sandbox;

pub use analysis::skills::{SkillCatalog, SkillsError};
pub use analysis::{AtsFeedback, Contact, QualityComponent, ResumeAnalysis, Section, SectionKind, analyze};
pub use error::ExtractError;
pub use extract::{ExtractedText, Layout, extract};
pub use kind::{DocumentKind, detect};
pub use limits::{Limits, Sandbox};
