//! The command line.

use std::ffi::OsString;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

/// Viva, the AI interview platform.
#[derive(Debug, Parser)]
#[command(name = "viva", version, about)]
pub struct Cli {
    /// A TOML configuration file; environment variables (VIVA_*) override it.
    #[arg(long, global = true, env = "VIVA_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves the GraphQL API (and GraphiQL outside production).
    Serve {
        /// Do not apply pending migrations at start, whatever the configuration says.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Runs background workers (answer evaluation, follow-ups, interview results) without
    /// serving the API.
    Worker,
    /// Looks at the AI models directly, with the configured providers.
    Ai {
        /// What to do.
        #[command(subcommand)]
        command: AiCommand,
    },
    /// Applies pending database migrations.
    Migrate,
    /// Manages admin accounts.
    Admin {
        /// What to do with admins.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Loads demo users (development only); safe to run again.
    Seed,
    /// Prints the GraphQL schema (SDL), or writes it to a file.
    ExportSchema {
        /// Where to write the schema; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Runs one document parse or audio decode in this process, under resource limits it sets
    /// itself. Started by `viva` itself as a child process (resume uploads, spoken answers, `viva
    /// ai analyze-resume`), never by hand.
    #[command(hide = true)]
    Sandbox {
        /// What to parse.
        #[command(subcommand)]
        command: SandboxCommand,
    },
}

/// The sandboxed parses.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Reads a PDF or DOCX from standard input and writes its text to standard output.
    Extract {
        /// The kind and the limits, as `viva_resumes::sandbox::run` reads them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
    /// Decodes the audio of a file to 16 kHz mono samples on standard output, through ffmpeg.
    DecodeAudio {
        /// The input and the limits, as `viva_media::child::run` reads them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<OsString>,
    },
}

/// Admin subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Creates an admin account. The password is read from standard input (one line), or from
    /// VIVA_ADMIN_PASSWORD.
    Create {
        /// The admin's email address.
        #[arg(long)]
        email: String,
        /// The admin's full name.
        #[arg(long)]
        name: String,
    },
}

/// AI subcommands.
#[derive(Debug, Subcommand)]
pub enum AiCommand {
    /// Checks each configured provider with one tiny call and prints its health, model and
    /// latency; exits non-zero when one does not answer.
    Providers,
    /// Reads texts, one per line, from standard input and prints one JSON array of floats per line.
    Embed,
    /// Evaluates an answer and prints the evaluation as JSON. Without --question and --answer,
    /// reads JSON lines `{question, answer, ideal_answer?, expected_keywords?, kind?}` from
    /// standard input and prints one evaluation per line.
    Evaluate {
        /// The question.
        #[arg(long, requires = "answer")]
        question: Option<String>,
        /// The answer.
        #[arg(long, requires = "question")]
        answer: Option<String>,
        /// A strong answer to compare with.
        #[arg(long)]
        ideal_answer: Option<String>,
        /// Expected keywords, comma-separated.
        #[arg(long, value_delimiter = ',')]
        keywords: Vec<String>,
        /// TECHNICAL (default), BEHAVIOURAL or SITUATIONAL.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Reads a resume (PDF or DOCX, recognised by content) with the same isolation and limits
    /// as uploads, and prints its analysis as JSON: contact details, sections, skills, years of
    /// experience, summary, quality score with its components, and ATS feedback. A file that
    /// cannot be read is refused with the reason and a non-zero exit status.
    AnalyzeResume {
        /// The resume file.
        file: PathBuf,
        /// The date "Present" means, as YYYY-MM-DD; today by default.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
}
