//! The offline analysis of a resume's text: rules, no model.

pub(crate) mod contact;
pub(crate) mod dates;
pub(crate) mod experience;
pub(crate) mod quality;
pub(crate) mod sections;
pub(crate) mod skills;
pub(crate) mod summary;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::extract::ExtractedText;
use sections::Layout;
use skills::SkillCatalog;

/// What the analysis finds in a resume. Serialises to the JSON `viva ai analyze-resume` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeAnalysis {
    /// Email addresses, phone numbers and links.
    pub contact: Contact,
    /// The sections under their headings, in order.
    pub sections: Vec<Section>,
    /// Recognised skills, by canonical name, in order of first appearance.
    pub skills: Vec<String>,
    /// Years covered by the date ranges of the experience section(s), overlaps merged.
    pub years_of_experience: f32,
    /// A few sentences: the candidate's own summary or title, experience and main skills.
    pub summary: String,
    /// 0 to 100: the weighted sum of the components.
    pub quality_score: u8,
    /// The parts of the score, each with its weight and the reason for its value.
    pub quality_components: Vec<QualityComponent>,
    /// Advice a candidate can act on to get through applicant tracking systems.
    pub ats_feedback: Vec<AtsFeedback>,
}

/// Contact details, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Email addresses.
    pub emails: Vec<String>,
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Profile and personal links.
    pub links: Vec<String>,
}

/// A section of the resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading as written.
    pub heading: String,
    /// What the section holds.
    pub kind: SectionKind,
    /// Its text.
    pub text: String,
}

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SectionKind {
    /// Jobs held.
    Experience,
    /// Schools and degrees.
    Education,
    /// Skills, tools, technologies.
    Skills,
    /// Projects.
    Projects,
    /// A summary, profile or objective.
    Summary,
    /// Certifications and licences.
    Certifications,
    /// Anything else: languages, interests, awards, publications…
    Other,
}

impl SectionKind {
    /// The heading applicant tracking systems expect for this kind of section.
    pub fn usual_heading(self) -> &'static str {
        match self {
            Self::Experience => "Experience",
            Self::Education => "Education",
            Self::Skills => "Skills",
            Self::Projects => "Projects",
            Self::Summary => "Summary",
            Self::Certifications => "Certifications",
            Self::Other => "Additional Information",
        }
    }
}

/// One part of the quality score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityComponent {
    /// What is measured: `contact`, `sections`, `skills`, `impact`, `dates`, `length`,
    /// `parseability`.
    pub name: String,
    /// 0 to 100.
    pub score: u8,
    /// Its share of the total; the weights add up to 100.
    pub weight: u8,
    /// Why it has this score.
    pub why: String,
}

/// A piece of advice for getting through applicant tracking systems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtsFeedback {
    /// What it is about.
    pub code: AtsCode,
    /// What to do, in plain words.
    pub message: String,
}

/// The kinds of ATS advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AtsCode {
    /// No email address.
    MissingEmail,
    /// No phone number.
    MissingPhone,
    /// No experience, education or skills section.
    MissingSection,
    /// A heading in unusual words.
    NonStandardHeading,
    /// No experience bullet shows a number.
    NoQuantifiedResults,
    /// Few experience bullets show a number.
    FewQuantifiedResults,
    /// Roles without dates.
    RolesWithoutDates,
    /// Few recognised skills.
    FewSkills,
    /// Tables (DOCX).
    Tables,
    /// Pictures (DOCX).
    Images,
    /// Text boxes (DOCX).
    TextBoxes,
    /// Text in page headers or footers (DOCX).
    HeaderFooterText,
    /// Longer than two pages.
    TooLong,
    /// Too little text.
    TooShort,
}

/// Analyses a resume's text. `today` is what "Present" means.
pub fn analyze(document: &ExtractedText, catalog: &SkillCatalog, today: NaiveDate) -> ResumeAnalysis {
    let text = document.text.as_str();
    let layout = Layout::of(text);
    let contact = contact::find(text, &document.hyperlinks);
    let sections: Vec<Section> = layout
        .sections
        .iter()
        .map(|span| Section {
            heading: span.heading.text.clone(),
            kind: span.heading.kind,
            text: layout.text(span),
        })
        .collect();
    let skills = catalog.find(text, &SkillsContext(&layout));
    let experience = experience::Experience::of(&layout, today);
    let years_of_experience = dates::total_years(&experience.periods);
    let words = text.split_whitespace().count();
    let facts = quality::Facts {
        contact: &contact,
        layout: &layout,
        skills: skills.len(),
        experience: &experience,
        words,
        pages: document.pages,
        document_layout: &document.layout,
    };
    let (quality_score, quality_components) = quality::score(&facts);
    let ats_feedback = quality::feedback(&facts);
    let summary = summary::compose(&layout, years_of_experience, &skills);
    ResumeAnalysis {
        contact,
        sections,
        skills,
        years_of_experience,
        summary,
        quality_score,
        quality_components,
        ats_feedback,
    }
}

struct SkillsContext<'a, 'b>(&'a Layout<'b>);

impl skills::Context for SkillsContext<'_, '_> {
    fn in_skills_section(&self, offset: usize) -> bool {
        self.0.kind_at(offset) == Some(SectionKind::Skills)
    }
}

/// A constant pattern, compiled; `None` (matching nothing) should it not compile, which each
/// module's tests rule out.
pub(crate) fn compiled(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}
