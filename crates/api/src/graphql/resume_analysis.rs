//! A resume's analysis in the schema (CAND-1): the offline rules' findings, and the chat
//! model's summary and advice when one is configured.

use async_graphql::{Enum, SimpleObject};
use viva_service::resumes::analysis_view::AnalysisView;

/// What a resume's analysis found.
#[derive(SimpleObject)]
pub struct ResumeAnalysis {
    /// A few sentences on the candidate: written by the chat model when one is configured
    /// (see `reviewedBy`), else by the offline rules.
    pub summary: String,
    /// 0 to 100: the weighted sum of `qualityComponents`.
    pub quality_score: i32,
    /// The parts of the quality score.
    pub quality_components: Vec<QualityComponent>,
    /// Advice to get through applicant tracking systems: the rules' first, then the model's.
    pub ats_feedback: Vec<AtsAdvice>,
    /// Contact details found.
    pub contact: ResumeContact,
    /// The sections, in order.
    pub sections: Vec<ResumeSection>,
    /// The chat model that wrote the summary and its advice; null when the rules alone did.
    pub reviewed_by: Option<ResumeReviewer>,
}

/// A part of a resume's quality score.
#[derive(SimpleObject)]
pub struct QualityComponent {
    /// What is measured: `contact`, `sections`, `skills`, `impact`, `dates`, `length`,
    /// `parseability`.
    pub name: String,
    /// 0 to 100.
    pub score: i32,
    /// Its share of the total; the weights add up to 100.
    pub weight: i32,
    /// Why it has this score.
    pub why: String,
}

/// Who wrote a piece of advice.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdviceSource {
    /// The offline rules.
    Rules,
    /// The configured chat model.
    Model,
}

/// A piece of advice on a resume.
#[derive(SimpleObject)]
pub struct AtsAdvice {
    /// The rules' code (such as `MISSING_PHONE` or `NO_QUANTIFIED_RESULTS`), or the model's
    /// topic (`IMPACT`, `SKILLS`, `STRUCTURE`, `WORDING`, `LENGTH`, `KEYWORDS`).
    pub code: String,
    /// What to do, in plain words.
    pub message: String,
    /// Who wrote it.
    pub source: AdviceSource,
}

/// Contact details found in a resume, as written.
#[derive(SimpleObject)]
pub struct ResumeContact {
    /// Email addresses.
    pub emails: Vec<String>,
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Profile and personal links.
    pub links: Vec<String>,
}

/// A section of a resume.
#[derive(SimpleObject)]
pub struct ResumeSection {
    /// The heading as written.
    pub heading: String,
    /// What it holds: `EXPERIENCE`, `EDUCATION`, `SKILLS`, `PROJECTS`, `SUMMARY`,
    /// `CERTIFICATIONS` or `OTHER`.
    pub kind: String,
}

/// The chat model that reviewed a resume.
#[derive(SimpleObject)]
pub struct ResumeReviewer {
    /// The provider's configured name.
    pub provider: String,
    /// The model.
    pub model: String,
    /// The version of the prompt it was given.
    pub prompt_version: String,
}

impl From<AnalysisView> for ResumeAnalysis {
    fn from(view: AnalysisView) -> Self {
        Self {
            summary: view.summary,
            quality_score: view.quality_score,
            quality_components: view
                .quality_components
                .into_iter()
                .map(|c| QualityComponent { name: c.name, score: c.score, weight: c.weight, why: c.why })
                .collect(),
            ats_feedback: view
                .ats_feedback
                .into_iter()
                .map(|a| AtsAdvice {
                    code: a.code,
                    message: a.message,
                    source: if a.from_model { AdviceSource::Model } else { AdviceSource::Rules },
                })
                .collect(),
            contact: ResumeContact { emails: view.emails, phones: view.phones, links: view.links },
            sections: view
                .sections
                .into_iter()
                .map(|(heading, kind)| ResumeSection { heading, kind })
                .collect(),
            reviewed_by: view.reviewed_by.map(|(provider, model, prompt_version)| ResumeReviewer {
                provider,
                model,
                prompt_version,
            }),
        }
    }
}
