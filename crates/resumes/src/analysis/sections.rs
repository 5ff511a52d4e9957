//! Headings and the sections under them.
//!
//! A line is a heading when it is short, looks like one (capitalised, all capitals, or ending
//! in a colon), and is either a heading recruiters' software knows ("Work Experience",
//! "Technical Skills": [`STANDARD`]) or names what a section holds in other words ("Where I've
//! Worked", "My Toolbox": [`KEYWORDS`]), which is then reported as non-standard. A known heading
//! may also start a line ("Skills: Go, Rust"), its content following on the same line.
//! Lines that name a job ("Tools Engineer") or carry dates, addresses or separators are not
//! headings.

use super::SectionKind;

/// Headings in the words applicant tracking systems look for, lower case, `&` as "and".
const STANDARD: &[(&str, SectionKind)] = {
    use SectionKind::*;
    &[
        ("summary", Summary),
        ("professional summary", Summary),
        ("career summary", Summary),
        ("executive summary", Summary),
        ("profile", Summary),
        ("professional profile", Summary),
        ("personal profile", Summary),
        ("objective", Summary),
        ("career objective", Summary),
        ("about me", Summary),
        ("personal statement", Summary),
        ("experience", Experience),
        ("work experience", Experience),
        ("professional experience", Experience),
        ("relevant experience", Experience),
        ("employment", Experience),
        ("employment history", Experience),
        ("work history", Experience),
        ("career history", Experience),
        ("education", Education),
        ("education and training", Education),
        ("academic background", Education),
        ("academic qualifications", Education),
        ("skills", Skills),
        ("technical skills", Skills),
        ("core skills", Skills),
        ("key skills", Skills),
        ("skills summary", Skills),
        ("core competencies", Skills),
        ("competencies", Skills),
        ("skills and tools", Skills),
        ("skills and technologies", Skills),
        ("tools and technologies", Skills),
        ("technologies", Skills),
        ("tools", Skills),
        ("technical proficiencies", Skills),
        ("areas of expertise", Skills),
        ("expertise", Skills),
        ("projects", Projects),
        ("personal projects", Projects),
        ("selected projects", Projects),
        ("key projects", Projects),
        ("side projects", Projects),
        ("academic projects", Projects),
        ("open source", Projects),
        ("open source projects", Projects),
        ("certifications", Certifications),
        ("certification", Certifications),
        ("certificates", Certifications),
        ("professional certifications", Certifications),
        ("licenses and certifications", Certifications),
        ("certifications and licenses", Certifications),
        ("licenses", Certifications),
        ("certifications and training", Certifications),
        ("training and certifications", Certifications),
        ("languages", Other),
        ("interests", Other),
        ("hobbies", Other),
        ("hobbies and interests", Other),
        ("awards", Other),
        ("honors", Other),
        ("honours", Other),
        ("awards and honors", Other),
        ("honors and awards", Other),
        ("achievements", Other),
        ("key achievements", Other),
        ("publications", Other),
        ("volunteer experience", Other),
        ("volunteering", Other),
        ("volunteer work", Other),
        ("references", Other),
        ("additional information", Other),
        ("activities", Other),
        ("leadership", Other),
        ("memberships", Other),
        ("professional memberships", Other),
        ("affiliations", Other),
        ("courses", Other),
        ("relevant coursework", Other),
        ("coursework", Other),
        ("training", Other),
        ("patents", Other),
        ("talks", Other),
        ("conferences", Other),
    ]
};

/// Words that tell what an unusual heading is about.
const KEYWORDS: &[(&str, SectionKind)] = {
    use SectionKind::*;
    &[
        ("experience", Experience),
        ("experiences", Experience),
        ("employment", Experience),
        ("work", Experience),
        ("worked", Experience),
        ("career", Experience),
        ("jobs", Experience),
        ("positions", Experience),
        ("journey", Experience),
        ("education", Education),
        ("educational", Education),
        ("academic", Education),
        ("academics", Education),
        ("studies", Education),
        ("school", Education),
        ("schooling", Education),
        ("university", Education),
        ("degrees", Education),
        ("skills", Skills),
        ("skill", Skills),
        ("skillset", Skills),
        ("competencies", Skills),
        ("technologies", Skills),
        ("tools", Skills),
        ("toolbox", Skills),
        ("toolkit", Skills),
        ("stack", Skills),
        ("expertise", Skills),
        ("proficiencies", Skills),
        ("strengths", Skills),
        ("projects", Projects),
        ("project", Projects),
        ("portfolio", Projects),
        ("built", Projects),
        ("summary", Summary),
        ("profile", Summary),
        ("objective", Summary),
        ("about", Summary),
        ("overview", Summary),
        ("introduction", Summary),
        ("bio", Summary),
        ("certifications", Certifications),
        ("certificates", Certifications),
        ("certified", Certifications),
        ("credentials", Certifications),
        ("licenses", Certifications),
        ("licences", Certifications),
        ("awards", Other),
        ("honors", Other),
        ("languages", Other),
        ("interests", Other),
        ("hobbies", Other),
        ("publications", Other),
        ("volunteering", Other),
        ("volunteer", Other),
    ]
};

/// The words of job titles ("engineer", "manager", …): a short line holding one is a role, not
/// a heading. The experience section adds its own, rarer ones.
pub(super) const ROLE_WORDS: &[&str] = &[
    "engineer",
    "developer",
    "manager",
    "designer",
    "analyst",
    "scientist",
    "intern",
    "consultant",
    "specialist",
    "director",
    "lead",
    "architect",
    "representative",
    "executive",
    "coordinator",
    "assistant",
    "associate",
    "officer",
    "administrator",
    "tester",
    "owner",
    "head",
];

/// Words that make a short line an employer, not a heading (job titles are [`ROLE_WORDS`]).
const NOT_HEADINGS: &[&str] = &["inc", "ltd", "llc", "gmbh", "corp", "university of", "college", "institute"];

/// A heading found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    /// The heading as written, without decoration or colon.
    pub(crate) text: String,
    pub(crate) kind: SectionKind,
    /// Whether it is one of the usual headings.
    pub(crate) standard: bool,
    /// Text after "Skills:" on the same line.
    pub(crate) rest: Option<String>,
}

/// A section: its heading and the lines under it (`[heading_line, end)`, the heading's line
/// included because of headings with text after a colon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) heading: Heading,
    pub(crate) heading_line: usize,
    pub(crate) end: usize,
}

/// The text as lines with their offsets, and its sections.
#[derive(Debug)]
pub(crate) struct Layout<'a> {
    source: &'a str,
    pub(crate) lines: Vec<(usize, &'a str)>,
    pub(crate) sections: Vec<Span>,
}

impl<'a> Layout<'a> {
    pub(crate) fn of(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in text.split('\n') {
            lines.push((offset, line));
            offset += line.len() + 1;
        }
        let mut sections: Vec<Span> = Vec::new();
        for (index, (_, line)) in lines.iter().enumerate() {
            if let Some(heading) = heading(line) {
                // "Languages: Go, Rust" under Skills, or "Stack: Go, Kafka" under a job, is a
                // label within the section; a "Skills: …" line on its own, after a blank line,
                // starts one.
                let after_blank = index == 0 || lines[index - 1].1.trim().is_empty();
                let in_skills = sections.last().is_some_and(|s| s.heading.kind == SectionKind::Skills);
                if heading.rest.is_some() && (!after_blank || in_skills) {
                    continue;
                }
                if let Some(last) = sections.last_mut() {
                    last.end = index;
                }
                sections.push(Span { heading, heading_line: index, end: lines.len() });
            }
        }
        Self { source: text, lines, sections }
    }

    /// The lines before the first heading (name, title, contact details).
    pub(crate) fn preamble(&self) -> &[(usize, &'a str)] {
        let end = self.sections.first().map_or(self.lines.len(), |s| s.heading_line);
        &self.lines[..end]
    }

    /// A section's text: what follows the heading on its line, then the lines under it.
    pub(crate) fn text(&self, span: &Span) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(rest) = &span.heading.rest {
            parts.push(rest);
        }
        parts.extend(self.lines[span.heading_line + 1..span.end].iter().map(|(_, line)| *line));
        parts.join("\n").trim().to_owned()
    }

    /// The text of lines `[first, end)`, as one slice of the original.
    pub(crate) fn text_of(&self, first: usize, end: usize) -> &'a str {
        match (self.lines.get(first), end.checked_sub(1).and_then(|last| self.lines.get(last))) {
            (Some((start, _)), Some((last_start, last))) if first < end => {
                &self.source[*start..last_start + last.len()]
            }
            _ => "",
        }
    }

    /// The lines of a section (the heading's own line only for what follows its colon).
    pub(crate) fn body(&self, span: &Span) -> &[(usize, &'a str)] {
        &self.lines[span.heading_line + 1..span.end]
    }

    /// The kind of section the byte `offset` falls in; `None` before the first heading.
    pub(crate) fn kind_at(&self, offset: usize) -> Option<SectionKind> {
        let line = self.lines.partition_point(|(start, _)| *start <= offset).saturating_sub(1);
        self.sections.iter().rev().find(|s| s.heading_line <= line && line < s.end).map(|s| s.heading.kind)
    }
}

/// Whether `line` is a heading, and which.
pub(crate) fn heading(line: &str) -> Option<Heading> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.len() > 60 {
        return None;
    }
    // "Skills: Go, Rust" — a known heading with its content on the same line.
    if let Some((left, right)) = trimmed.split_once(':')
        && !right.trim().is_empty()
    {
        let left = strip_decoration(left);
        return standard(left).map(|kind| Heading {
            text: left.to_owned(),
            kind,
            standard: true,
            rest: Some(right.trim().to_owned()),
        });
    }
    let with_colon = trimmed.ends_with(':');
    let text = strip_decoration(trimmed.trim_end_matches(':'));
    if text.is_empty() || text.len() > 40 || text.split_whitespace().count() > 5 {
        return None;
    }
    if text.chars().any(|c| c.is_ascii_digit() || matches!(c, '@' | '|' | ',' | '.' | ';' | '–' | '—' | '/'))
        || text.contains(" - ")
    {
        return None;
    }
    if let Some(kind) = standard(text) {
        return Some(Heading { text: text.to_owned(), kind, standard: true, rest: None });
    }
    if !(with_colon || looks_like_heading(text)) {
        return None;
    }
    let words = normal_words(text);
    if words.iter().any(|w| ROLE_WORDS.contains(&w.as_str()) || NOT_HEADINGS.contains(&w.as_str()))
        || words.windows(2).any(|w| w.join(" ") == "university of")
    {
        return None;
    }
    let kind =
        words.iter().find_map(|word| KEYWORDS.iter().find(|(k, _)| k == word).map(|(_, kind)| *kind))?;
    Some(Heading { text: text.to_owned(), kind, standard: false, rest: None })
}

fn standard(text: &str) -> Option<SectionKind> {
    let key = normal_words(text).join(" ");
    STANDARD.iter().find(|(heading, _)| *heading == key).map(|(_, kind)| *kind)
}

/// "== EXPERIENCE ==", "# Skills", "**Education**" → the words.
fn strip_decoration(text: &str) -> &str {
    text.trim().trim_matches(|c: char| {
        matches!(c, '#' | '=' | '*' | '_' | '-' | '~' | '>' | '[' | ']') || c.is_whitespace()
    })
}

/// Lower-case words, `&` as "and", apostrophes and other punctuation dropped.
fn normal_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '/')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w == "&" {
                "and".to_owned()
            } else {
                w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase()
            }
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// All capitals, or every longer word capitalised.
fn looks_like_heading(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 3 {
        return false;
    }
    if letters.iter().all(|c| c.is_uppercase()) {
        return true;
    }
    text.split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 3)
        .all(|w| w.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<(SectionKind, bool)> {
        heading(line).map(|h| (h.kind, h.standard))
    }

    #[test]
    fn usual_headings_in_any_dress() {
        assert_eq!(kind("EXPERIENCE"), Some((SectionKind::Experience, true)));
        assert_eq!(kind("Work Experience:"), Some((SectionKind::Experience, true)));
        assert_eq!(kind("== Technical Skills =="), Some((SectionKind::Skills, true)));
        assert_eq!(kind("Licenses & Certifications"), Some((SectionKind::Certifications, true)));
        assert_eq!(kind("education"), Some((SectionKind::Education, true)));
    }

    #[test]
    fn unusual_headings_are_recognised_and_marked() {
        assert_eq!(kind("Where I've Worked"), Some((SectionKind::Experience, false)));
        assert_eq!(kind("MY TOOLBOX"), Some((SectionKind::Skills, false)));
        assert_eq!(kind("Things I've Built"), Some((SectionKind::Projects, false)));
    }

    #[test]
    fn job_lines_and_sentences_are_not_headings() {
        assert_eq!(kind("Senior Backend Engineer"), None);
        assert_eq!(kind("Developer Tools Engineer"), None);
        assert_eq!(kind("Acme Corp | Jan 2019 – Present"), None);
        assert_eq!(kind("• Built tools for the payments team."), None);
        assert_eq!(kind("I love my work"), None);
        assert_eq!(kind("JANE DOE"), None);
    }

    #[test]
    fn a_heading_with_its_content_on_the_same_line() {
        let h = heading("Skills: Go, Rust, Kubernetes").expect("heading");
        assert_eq!((h.kind, h.rest.as_deref()), (SectionKind::Skills, Some("Go, Rust, Kubernetes")));
        assert_eq!(heading("Note: I work remotely"), None);
    }

    #[test]
    fn sections_span_to_the_next_heading() {
        let text = "Jane Doe\njane@example.com\n\nSUMMARY\nBackend engineer.\n\nSkills: Go, SQL\nTools: Git\n\nEXPERIENCE\nAcme\nStack: Go, Kafka\n";
        let layout = Layout::of(text);
        let kinds: Vec<_> = layout.sections.iter().map(|s| s.heading.kind).collect();
        assert_eq!(kinds, [SectionKind::Summary, SectionKind::Skills, SectionKind::Experience]);
        assert_eq!(layout.text(&layout.sections[0]), "Backend engineer.");
        assert_eq!(layout.text(&layout.sections[1]), "Go, SQL\nTools: Git");
        assert_eq!(layout.preamble().len(), 3);
        let acme = text.find("Acme").expect("offset");
        assert_eq!(layout.kind_at(acme), Some(SectionKind::Experience));
        assert_eq!(layout.kind_at(0), None);
    }
}
