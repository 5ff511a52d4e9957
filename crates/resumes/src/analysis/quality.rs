//! The quality score and the ATS advice, from the facts the analysis gathered.
//!
//! The score is a weighted sum of seven components, each 0–100 with the reason for its value:
//! contact details (15), sections (20), skills (15), impact: bullets with figures (20), dates
//! on roles (10), length (10), and parseability: tables, pictures, text boxes (10).

use super::experience::Experience;
use super::sections::Layout;
use super::{AtsCode, AtsFeedback, Contact, QualityComponent, SectionKind};
use crate::extract::Layout as DocumentLayout;

/// A resume longer than this many words runs past two pages.
const LONG_WORDS: usize = 1000;
/// Shorter than this says too little.
const SHORT_WORDS: usize = 200;
/// Skills for a full score.
const FULL_SKILLS: usize = 10;
/// The share of bullets with figures for a full impact score.
const FULL_IMPACT: f64 = 0.5;

/// What the score and the advice are computed from.
pub(crate) struct Facts<'a> {
    pub(crate) contact: &'a Contact,
    pub(crate) layout: &'a Layout<'a>,
    pub(crate) skills: usize,
    pub(crate) experience: &'a Experience,
    pub(crate) words: usize,
    pub(crate) pages: Option<u32>,
    pub(crate) document_layout: &'a DocumentLayout,
}

impl Facts<'_> {
    fn has(&self, kind: SectionKind) -> bool {
        self.layout.sections.iter().any(|s| s.heading.kind == kind)
    }

    /// Unusual headings for sections recruiters' software looks for.
    fn unusual_headings(&self) -> Vec<(&str, SectionKind)> {
        self.layout
            .sections
            .iter()
            .filter(|s| !s.heading.standard && s.heading.kind != SectionKind::Other)
            .map(|s| (s.heading.text.as_str(), s.heading.kind))
            .collect()
    }
}

fn component(name: &str, score: f64, weight: u8, why: String) -> QualityComponent {
    QualityComponent { name: name.to_owned(), score: score.clamp(0.0, 100.0).round() as u8, weight, why }
}

/// The score and its components.
pub(crate) fn score(facts: &Facts<'_>) -> (u8, Vec<QualityComponent>) {
    let contact = facts.contact;
    let mut missing = Vec::new();
    let mut contact_score = 0.0;
    for (present, points, what) in [
        (!contact.emails.is_empty(), 50.0, "an email address"),
        (!contact.phones.is_empty(), 35.0, "a phone number"),
        (!contact.links.is_empty(), 15.0, "a profile link"),
    ] {
        if present {
            contact_score += points;
        } else {
            missing.push(what);
        }
    }
    let contact_why = if missing.is_empty() {
        "email, phone and a link are all there".to_owned()
    } else {
        format!("missing {}", missing.join(", "))
    };

    let mut sections_score = 0.0;
    let mut absent = Vec::new();
    for (kind, points) in [
        (SectionKind::Experience, 40.0),
        (SectionKind::Skills, 30.0),
        (SectionKind::Education, 20.0),
        (SectionKind::Summary, 10.0),
    ] {
        if facts.has(kind) {
            sections_score += points;
        } else {
            absent.push(kind.usual_heading());
        }
    }
    let unusual = facts.unusual_headings();
    sections_score -= 10.0 * unusual.len() as f64;
    let mut sections_why = if absent.is_empty() {
        "experience, skills, education and summary sections are all there".to_owned()
    } else {
        format!("no {} section", absent.join(", no "))
    };
    if !unusual.is_empty() {
        sections_why.push_str(&format!("; {} heading(s) in unusual words", unusual.len()));
    }

    let skills_score = 100.0 * facts.skills.min(FULL_SKILLS) as f64 / FULL_SKILLS as f64;
    let skills_why = format!("{} recognised skill(s); {FULL_SKILLS} or more scores full", facts.skills);

    let experience = facts.experience;
    let (impact_score, impact_why) = if experience.bullets == 0 {
        (0.0, "no achievement bullets found under experience".to_owned())
    } else {
        let share = experience.quantified as f64 / experience.bullets as f64;
        (
            100.0 * (share / FULL_IMPACT).min(1.0),
            format!(
                "{} of {} experience bullet(s) show a figure; half or more scores full",
                experience.quantified, experience.bullets
            ),
        )
    };

    let (dates_score, dates_why) = if experience.roles == 0 {
        if experience.periods.is_empty() {
            (0.0, "no roles with dates found".to_owned())
        } else {
            (100.0, "roles carry date ranges".to_owned())
        }
    } else {
        let dated = experience.roles.saturating_sub(experience.roles_without_dates);
        (
            100.0 * dated as f64 / experience.roles as f64,
            format!("{dated} of {} role(s) have dates", experience.roles),
        )
    };

    let words = facts.words;
    let length_score = if words < SHORT_WORDS {
        50.0 * words as f64 / SHORT_WORDS as f64
    } else if words < 400 {
        50.0 + 50.0 * (words - SHORT_WORDS) as f64 / 200.0
    } else if words <= LONG_WORDS {
        100.0
    } else {
        (100.0 - (words - LONG_WORDS) as f64 / 20.0).max(20.0)
    };
    let length_why = format!("{words} words; 400 to {LONG_WORDS} scores full");

    let document = facts.document_layout;
    let obstacles = document.tables + document.images + document.text_boxes;
    let parse_score =
        100.0 - 25.0 * f64::from(obstacles) - if document.header_footer_text { 10.0 } else { 0.0 };
    let parse_why = if obstacles == 0 && !document.header_footer_text {
        "plain text that any parser reads".to_owned()
    } else {
        format!(
            "{} table(s), {} picture(s), {} text box(es){}",
            document.tables,
            document.images,
            document.text_boxes,
            if document.header_footer_text { ", text in the page header or footer" } else { "" }
        )
    };

    let components = vec![
        component("contact", contact_score, 15, contact_why),
        component("sections", sections_score, 20, sections_why),
        component("skills", skills_score, 15, skills_why),
        component("impact", impact_score, 20, impact_why),
        component("dates", dates_score, 10, dates_why),
        component("length", length_score, 10, length_why),
        component("parseability", parse_score, 10, parse_why),
    ];
    let total: f64 = components.iter().map(|c| f64::from(c.score) * f64::from(c.weight) / 100.0).sum();
    (total.round().clamp(0.0, 100.0) as u8, components)
}

/// The advice, most important first.
pub(crate) fn feedback(facts: &Facts<'_>) -> Vec<AtsFeedback> {
    let mut advice = Vec::new();
    let mut say = |code: AtsCode, message: String| advice.push(AtsFeedback { code, message });
    if facts.contact.emails.is_empty() {
        say(
            AtsCode::MissingEmail,
            "No email address was found: put one at the top of the resume, as text (not in a picture or the page header)."
                .to_owned(),
        );
    }
    if facts.contact.phones.is_empty() {
        say(
            AtsCode::MissingPhone,
            "No phone number was found: add one at the top, with the country code (for example +1 415 555 0132)."
                .to_owned(),
        );
    }
    for (kind, why) in [
        (SectionKind::Experience, "listing each role with its employer and dates"),
        (SectionKind::Skills, "listing your tools and technologies by their usual names"),
        (SectionKind::Education, "with your degrees or training, if you have any"),
    ] {
        if !facts.has(kind) {
            say(
                AtsCode::MissingSection,
                format!(
                    "No {} section was found: add one headed \"{}\", {why}.",
                    kind.usual_heading().to_lowercase(),
                    kind.usual_heading()
                ),
            );
        }
    }
    for (heading, kind) in facts.unusual_headings() {
        say(
            AtsCode::NonStandardHeading,
            format!(
                "The heading \"{heading}\" is not one applicant tracking systems look for: call it \"{}\".",
                kind.usual_heading()
            ),
        );
    }
    let experience = facts.experience;
    if experience.bullets > 0 && experience.quantified == 0 {
        say(
            AtsCode::NoQuantifiedResults,
            "None of your experience bullets shows a measurable result: add figures (\"cut page load time by 40%\", \"grew revenue to $2M\", \"led a team of 6\")."
                .to_owned(),
        );
    } else if experience.bullets >= 4 && (experience.quantified as f64) < 0.25 * experience.bullets as f64 {
        say(
            AtsCode::FewQuantifiedResults,
            format!(
                "Only {} of {} experience bullets show a measurable result: add figures where you can.",
                experience.quantified, experience.bullets
            ),
        );
    }
    if experience.roles_without_dates > 0 {
        say(
            AtsCode::RolesWithoutDates,
            format!(
                "{} role(s) have no dates: give each role a start and an end month and year (\"Jan 2020 – Present\").",
                experience.roles_without_dates
            ),
        );
    } else if experience.has_section && experience.periods.is_empty() {
        say(
            AtsCode::RolesWithoutDates,
            "Your experience has no dates: give each role a start and an end month and year (\"Jan 2020 – Present\")."
                .to_owned(),
        );
    }
    if facts.skills < 5 {
        say(
            AtsCode::FewSkills,
            format!(
                "Only {} skill(s) were recognised: list your tools and technologies in a Skills section, by their usual names.",
                facts.skills
            ),
        );
    }
    let document = facts.document_layout;
    if document.tables > 0 {
        say(
            AtsCode::Tables,
            format!(
                "The document has {} table(s): many applicant tracking systems read tables out of order or not at all, so put their content in plain lines.",
                document.tables
            ),
        );
    }
    if document.images > 0 {
        say(
            AtsCode::Images,
            format!(
                "The document has {} picture(s): text in pictures (logos, skill charts, icons for contact details) is invisible to applicant tracking systems.",
                document.images
            ),
        );
    }
    if document.text_boxes > 0 {
        say(
            AtsCode::TextBoxes,
            format!(
                "The document has {} text box(es): their text is often skipped, so move it into the main text.",
                document.text_boxes
            ),
        );
    }
    if document.header_footer_text {
        say(
            AtsCode::HeaderFooterText,
            "Some text is in the page header or footer, which some applicant tracking systems skip: keep your name and contact details in the main text."
                .to_owned(),
        );
    }
    let pages = facts.pages.unwrap_or(0);
    if facts.words > LONG_WORDS || pages > 2 {
        say(
            AtsCode::TooLong,
            format!(
                "The resume runs to {} words{}: recruiters skim, so keep it to two pages (about {LONG_WORDS} words).",
                facts.words,
                if pages > 0 { format!(" on {pages} page(s)") } else { String::new() }
            ),
        );
    } else if facts.words < SHORT_WORDS {
        say(
            AtsCode::TooShort,
            format!(
                "The resume has only {} words: describe your roles, results and skills in more detail (400 to {LONG_WORDS} words reads well).",
                facts.words
            ),
        );
    }
    advice
}
