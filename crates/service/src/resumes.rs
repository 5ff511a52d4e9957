//! CAND-1: candidates' resumes. A candidate uploads PDF or Word documents (typed by their
//! content, size-capped, stored in the object store under a generated name); one is active; each
//! is read in an isolated child process and analysed by the `analyze_resume` job.
//!
//! Who may see a candidate's resumes is decided once, in [`access`].

pub mod access;
pub mod analysis_view;
pub mod files;
pub mod index;
pub mod matching;
pub mod search;

use diesel_async::AsyncConnection;
use viva_domain::vocab::ResumeFormat;
use viva_domain::{ResumeId, Role, UserId};
use viva_store::models::resume::{self as store, NewResume, Resume};
use viva_store::models::session::Principal;

use crate::objects::ObjectKey;
use crate::{Service, ServiceError, ServiceResult};

/// Limits on resumes, and the program that reads them.
#[derive(Clone, Debug)]
pub struct ResumeSettings {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most resumes one candidate may keep.
    pub max_per_candidate: i64,
    /// The child process that reads documents; the running binary's `sandbox extract` when
    /// `None` (tests name another).
    pub sandbox: Option<viva_resumes::Sandbox>,
}

impl Default for ResumeSettings {
    fn default() -> Self {
        Self { max_bytes: 5 * 1024 * 1024, max_per_candidate: 10, sandbox: None }
    }
}

/// The longest file name kept, in characters.
const MAX_FILE_NAME: usize = 120;

/// The name to show for a client's file name: its last path component, without control
/// characters, at most [`MAX_FILE_NAME`] characters; a default when nothing is left.
fn display_name(client: &str, kind: ResumeFormat) -> String {
    let last = client.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(MAX_FILE_NAME).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        match kind {
            ResumeFormat::Pdf => "resume.pdf".to_owned(),
            ResumeFormat::Docx => "resume.docx".to_owned(),
        }
    } else {
        clean.to_owned()
    }
}

/// Stores a candidate's uploaded resume and queues its analysis. The first resume becomes the
/// active one. Refused with `BAD_USER_INPUT` (field `file`) when the file is too large, empty,
/// or not a PDF or Word document by its content.
pub async fn upload(
    service: &Service,
    principal: &Principal,
    file_name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<Resume> {
    if principal.role != Role::Candidate {
        return Err(ServiceError::Forbidden("only candidates upload resumes"));
    }
    let limit = service.config.resumes.max_bytes;
    if bytes.len() > limit {
        let refused = viva_resumes::ExtractError::TooLarge { size: bytes.len() as u64, limit: limit as u64 };
        return Err(ServiceError::bad_field("file", refused.to_string()));
    }
    let kind = match viva_resumes::detect(&bytes) {
        Ok(viva_resumes::DocumentKind::Pdf) => ResumeFormat::Pdf,
        Ok(viva_resumes::DocumentKind::Docx) => ResumeFormat::Docx,
        Err(refused) => return Err(ServiceError::bad_field("file", refused.to_string())),
    };
    let candidate = principal.user_id;
    let mut conn = service.pool.get().await?;
    if store::count_of(&mut conn, candidate).await? >= service.config.resumes.max_per_candidate {
        return Err(ServiceError::Conflict(format!(
            "you already keep {} resumes; delete one before uploading another",
            service.config.resumes.max_per_candidate
        )));
    }
    let key = ObjectKey::generate(
        "resumes",
        match kind {
            ResumeFormat::Pdf => "pdf",
            ResumeFormat::Docx => "docx",
        },
    );
    let size = i64::try_from(bytes.len()).map_err(ServiceError::internal)?;
    service.objects.put(&key, bytes).await?;
    let name = display_name(file_name, kind);
    let stored = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            let first = store::count_of(conn, candidate).await? == 0;
            let new = NewResume {
                candidate_id: candidate,
                file_name: &name,
                kind,
                byte_size: size,
                object_key: key.as_str(),
                active: first,
            };
            let resume = store::create(conn, &new).await?;
            crate::jobs::analyze_resume::enqueue(conn, resume.id).await?;
            Ok(resume)
        })
        .await;
    match stored {
        Ok(resume) => Ok(resume),
        Err(err) => {
            if let Err(cleanup) = service.objects.delete(&key).await {
                tracing::warn!(error = %cleanup, key = key.as_str(), "an orphaned resume file could not be deleted");
            }
            Err(err)
        }
    }
}

/// The resumes of `candidate` (the caller's own when `None`), newest first, for those who may
/// see them ([`access::may_see`]); `NOT_FOUND` for anyone else.
pub async fn list(
    service: &Service,
    principal: &Principal,
    candidate: Option<UserId>,
) -> ServiceResult<Vec<Resume>> {
    let candidate = candidate.unwrap_or(principal.user_id);
    let mut conn = service.pool.get().await?;
    access::check(&mut conn, principal, candidate).await?;
    Ok(store::of_candidate(&mut conn, candidate).await?)
}

/// Makes one of the caller's resumes their active one.
pub async fn set_active(service: &Service, principal: &Principal, id: ResumeId) -> ServiceResult<Resume> {
    let mut conn = service.pool.get().await?;
    let candidate = principal.user_id;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let resume = own(conn, principal, id).await?;
        store::set_active(conn, candidate, resume.id).await?;
        store::find(conn, id).await?.ok_or(ServiceError::NotFound("resume"))
    })
    .await
}

/// Deletes one of the caller's resumes and its file. When it was the active one, the newest
/// remaining resume becomes active.
pub async fn delete(service: &Service, principal: &Principal, id: ResumeId) -> ServiceResult<()> {
    let mut conn = service.pool.get().await?;
    let candidate = principal.user_id;
    let deleted = conn
        .transaction::<_, ServiceError, _>(async |conn| {
            own(conn, principal, id).await?;
            let deleted = store::delete(conn, id).await?.ok_or(ServiceError::NotFound("resume"))?;
            if deleted.active
                && let Some(next) = store::of_candidate(conn, candidate).await?.first()
            {
                store::set_active(conn, candidate, next.id).await?;
            }
            announce(conn, candidate, id).await?;
            Ok(deleted)
        })
        .await?;
    service.objects.delete(&ObjectKey::parse(&deleted.object_key)?).await
}

/// One of the caller's own resumes; `NOT_FOUND` for anyone else's.
async fn own(
    conn: &mut viva_store::AsyncPgConnection,
    principal: &Principal,
    id: ResumeId,
) -> ServiceResult<Resume> {
    match store::find(conn, id).await? {
        Some(resume) if resume.candidate_id == principal.user_id => Ok(resume),
        _ => Err(ServiceError::NotFound("resume")),
    }
}

/// The settings' extraction limits, with the file size the upload allows.
fn limits(service: &Service) -> viva_resumes::Limits {
    viva_resumes::Limits {
        max_file_bytes: service.config.resumes.max_bytes as u64,
        ..viva_resumes::Limits::default()
    }
}

/// Reads a resume's text in the isolated child process (the running binary's `sandbox
/// extract` subcommand, or the program the settings name).
pub(crate) async fn extract(
    service: &Service,
    bytes: &[u8],
) -> Result<viva_resumes::ExtractedText, viva_resumes::ExtractError> {
    let sandbox = match &service.config.resumes.sandbox {
        Some(sandbox) => sandbox.clone(),
        None => viva_resumes::Sandbox::current_exe()?,
    };
    viva_resumes::extract(bytes, &limits(service), &sandbox).await
}

/// The shipped skills list (`data/skills.toml`), parsed once.
pub(crate) fn catalog() -> ServiceResult<&'static viva_resumes::SkillCatalog> {
    static CATALOG: std::sync::OnceLock<Result<viva_resumes::SkillCatalog, String>> =
        std::sync::OnceLock::new();
    CATALOG
        .get_or_init(|| viva_resumes::SkillCatalog::builtin().map_err(|err| err.to_string()))
        .as_ref()
        .map_err(|err| ServiceError::internal(format!("the shipped skills list is invalid: {err}")))
}

/// The offline analysis of a resume's text, against the shipped skills list, as of today.
pub(crate) fn analyse(
    extracted: &viva_resumes::ExtractedText,
) -> ServiceResult<viva_resumes::ResumeAnalysis> {
    Ok(viva_resumes::analyze(extracted, catalog()?, chrono::Utc::now().date_naive()))
}

/// The chat model's review of a resume, as JSON to keep beside the offline analysis: `summary`
/// (which becomes the analysis's summary), `advice` (each with a `topic` and a `message`),
/// `offlineSummary` (the rules' summary it replaced), and who wrote it (`provider`, `model`,
/// `promptVersion`). `None` when no chat model is configured or every one failed: the offline
/// analysis then stands alone, as it always can.
pub(crate) async fn review(
    service: &Service,
    text: &str,
    analysis: &viva_resumes::ResumeAnalysis,
) -> ServiceResult<Option<serde_json::Value>> {
    let chat = &service.ai.registry.chat;
    if chat.is_empty() {
        return Ok(None);
    }
    let known: Vec<String> = catalog()?.names().map(str::to_lowercase).collect();
    let headings: Vec<String> = analysis.sections.iter().map(|s| s.heading.clone()).collect();
    let rule_advice: Vec<String> = analysis.ats_feedback.iter().map(|a| a.message.clone()).collect();
    let brief = viva_ai::llm::resume_review::Brief {
        text,
        skills: &analysis.skills,
        years_of_experience: analysis.years_of_experience,
        headings: &headings,
        rule_advice: &rule_advice,
        known_skills: &known,
    };
    match viva_ai::llm::resume_review::write(chat, &brief).await {
        Ok(served) => Ok(Some(serde_json::json!({
            "summary": served.value.summary,
            "advice": served.value.advice,
            "offlineSummary": analysis.summary,
            "provider": served.info.provider,
            "model": served.info.model,
            "promptVersion": viva_ai::llm::resume_review::PROMPT_VERSION,
        }))),
        Err(exhausted) => {
            tracing::warn!(why = %exhausted, "a resume was analysed by the offline rules alone after the chat providers failed");
            Ok(None)
        }
    }
}

/// Words per passage: about a paragraph, under the embedding model's 256-token window.
const PASSAGE_WORDS: usize = 80;
/// Most passages embedded per resume.
const MAX_PASSAGES: usize = 40;

/// A resume's text cut into passages of about [`PASSAGE_WORDS`] words, each starting at a line
/// when it can, so that a hit can show the passage that matched best.
pub(crate) fn passages(text: &str) -> Vec<String> {
    let mut passages = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !current.is_empty() && current.len() + words.len() > PASSAGE_WORDS {
            passages.push(current.join(" "));
            current.clear();
        }
        for chunk in words.chunks(PASSAGE_WORDS) {
            if current.len() + chunk.len() > PASSAGE_WORDS {
                passages.push(current.join(" "));
                current.clear();
            }
            current.extend_from_slice(chunk);
        }
        if passages.len() >= MAX_PASSAGES {
            break;
        }
    }
    if !current.is_empty() && passages.len() < MAX_PASSAGES {
        passages.push(current.join(" "));
    }
    passages
}

/// The unit vector along the mean of unit vectors: one resume's direction from its passages'.
pub(crate) fn mean_direction(vectors: &[Vec<f32>]) -> Vec<f32> {
    let dim = vectors.first().map_or(0, Vec::len);
    let mut sum = vec![0f32; dim];
    for vector in vectors {
        for (total, x) in sum.iter_mut().zip(vector) {
            *total += x;
        }
    }
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        sum.iter_mut().for_each(|x| *x /= norm);
    }
    sum
}

/// Most characters of a resume's text quoted in its [`background`].
const BACKGROUND_EXCERPT_CHARS: usize = 2_000;

/// What question planning learns of a candidate from their active, analysed resume: its
/// skills, years of experience and summary, then the start of its text (at most
/// [`BACKGROUND_EXCERPT_CHARS`] characters). `None` without such a resume. Callers check that
/// the reader may see the candidate's resumes ([`access`]).
pub(crate) async fn background(
    conn: &mut viva_store::AsyncPgConnection,
    candidate: UserId,
) -> ServiceResult<Option<String>> {
    let Some(resume) = store::active_of(conn, &[candidate])
        .await?
        .into_iter()
        .find(|r| r.status == viva_domain::vocab::ResumeStatus::Analysed)
    else {
        return Ok(None);
    };
    let text = store::text_of(conn, resume.id).await?.unwrap_or_default();
    let summary = resume.analysis.as_ref().and_then(|a| a.get("summary")).and_then(|s| s.as_str());
    Ok(Some(describe(&resume.skills, resume.years_of_experience, summary, &text)))
}

/// The text of a [`background`].
fn describe(skills: &[String], years: Option<f32>, summary: Option<&str>, text: &str) -> String {
    let mut out = String::from("From the candidate's resume.\n");
    if !skills.is_empty() {
        out.push_str(&format!("Skills: {}.\n", skills.join(", ")));
    }
    if let Some(years) = years {
        out.push_str(&format!("Years of experience: {years:.1}.\n"));
    }
    if let Some(summary) = summary.map(str::trim).filter(|s| !s.is_empty()) {
        out.push_str(&format!("Summary: {summary}\n"));
    }
    let excerpt: String = text.chars().take(BACKGROUND_EXCERPT_CHARS).collect();
    if !excerpt.trim().is_empty() {
        out.push_str("Excerpt:\n");
        out.push_str(excerpt.trim());
        out.push('\n');
    }
    out
}

/// Tells every replica that a candidate's resumes changed, so their search indexes reload them
/// (inside the transaction of the change).
pub(crate) async fn announce(
    conn: &mut viva_store::AsyncPgConnection,
    candidate: UserId,
    _resume: ResumeId,
) -> ServiceResult<()> {
    Ok(viva_store::events::publish(conn, &viva_store::events::Event::resumes_changed(candidate)).await?)
}

/// The files of a candidate's resumes: read inside the transaction that erases the candidate,
/// deleted with [`crate::reports::delete_files`] once it has committed.
pub(crate) async fn files_of_candidate(
    conn: &mut viva_store::AsyncPgConnection,
    candidate: UserId,
) -> ServiceResult<Vec<ObjectKey>> {
    store::object_keys_of(conn, candidate).await?.iter().map(|key| ObjectKey::parse(key)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_hold_about_eighty_words_and_cover_the_text() {
        let line = "word ".repeat(30);
        let text = std::iter::repeat_n(line.trim(), 10).collect::<Vec<_>>().join("\n");
        let cut = passages(&text);
        assert!(cut.iter().all(|p| p.split_whitespace().count() <= PASSAGE_WORDS));
        assert_eq!(cut.iter().map(|p| p.split_whitespace().count()).sum::<usize>(), 300);
        let long = "x ".repeat(500);
        assert!(passages(&long).iter().all(|p| p.split_whitespace().count() <= PASSAGE_WORDS));
        assert!(passages("").is_empty());
    }

    #[test]
    fn a_background_names_skills_years_summary_and_a_bounded_excerpt() {
        let long = "word ".repeat(2_000);
        let text = describe(&["Rust".into(), "Kafka".into()], Some(6.5), Some("Backend engineer."), &long);
        assert!(text.contains("Skills: Rust, Kafka."), "{text}");
        assert!(text.contains("Years of experience: 6.5."));
        assert!(text.contains("Summary: Backend engineer."));
        assert!(text.chars().count() < BACKGROUND_EXCERPT_CHARS + 200);
        assert_eq!(describe(&[], None, None, ""), "From the candidate's resume.\n");
    }

    #[test]
    fn the_mean_direction_is_a_unit_vector() {
        let mean = mean_direction(&[vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert!((mean[0] - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!((mean[0] - mean[1]).abs() < 1e-6);
    }

    #[test]
    fn file_names_are_shown_without_paths_or_control_characters() {
        assert_eq!(display_name("C:\\Users\\ada\\CV final.pdf", ResumeFormat::Pdf), "CV final.pdf");
        assert_eq!(display_name("../../etc/passwd", ResumeFormat::Pdf), "passwd");
        assert_eq!(display_name("a\u{0}b\nc.docx", ResumeFormat::Docx), "abc.docx");
        assert_eq!(display_name("  ", ResumeFormat::Docx), "resume.docx");
        assert_eq!(display_name(&"x".repeat(500), ResumeFormat::Pdf).chars().count(), MAX_FILE_NAME);
    }
}
