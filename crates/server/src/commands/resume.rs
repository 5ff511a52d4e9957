//! `viva ai analyze-resume FILE`: a resume's analysis as JSON, read the way uploads are.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use viva_resumes::{Limits, Sandbox, SkillCatalog, analyze as analyze_text, extract};

/// Reads `file` (at most the upload limit, checked before reading it whole), extracts its text in
/// the sandbox child with the upload limits, analyses it with `today` as "Present" (the current
/// date by default), and prints the analysis as pretty JSON.
pub(crate) async fn analyze(file: &Path, today: Option<NaiveDate>) -> anyhow::Result<()> {
    let limits = Limits::default();
    let opened = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let mut bytes = Vec::new();
    opened
        .take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let sandbox = Sandbox::current_exe()?;
    let document = extract(&bytes, &limits, &sandbox).await.map_err(|err| {
        if let viva_resumes::ExtractError::Internal { detail } = &err {
            tracing::error!(%detail, "resume extraction failed");
        }
        anyhow::anyhow!("{}: {err}", file.display())
    })?;
    let catalog = SkillCatalog::builtin().context("the shipped skills list is broken")?;
    let today = today.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let analysis = analyze_text(&document, &catalog, today);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &analysis).context("cannot write the analysis")?;
    writeln!(out).context("cannot write the analysis")?;
    Ok(())
}
