//! The experience section(s): periods worked, roles, and bullets with measurable results.
//!
//! Without a section recognised as experience, or with one that holds no dates, the date
//! ranges outside education, projects and certifications are taken instead, so a resume with
//! odd headings, or columns read out of order, still gets its years.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::SectionKind;
use super::compiled;
use super::dates::{self, Period};
use super::sections::{Layout, ROLE_WORDS};

/// Words that make a short line a role ("Senior Backend Engineer, Acme"), besides the common
/// [`ROLE_WORDS`].
const MORE_TITLE_WORDS: &[&str] = &[
    "programmer",
    "vp",
    "president",
    "founder",
    "cofounder",
    "co-founder",
    "recruiter",
    "strategist",
    "advocate",
    "researcher",
    "technician",
    "sdr",
    "bdr",
    "sre",
    "cto",
    "ceo",
    "contractor",
    "freelancer",
    "freelance",
    "teacher",
    "instructor",
];

const BULLETS: &[char] = &['•', '·', '-', '*', '–', '—', '▪', '●', '◦', '‣', '>', '○', '■', '□', '➢', '✓'];

/// Figures left once dates are taken out: digits, percentages, currencies, multipliers.
static FIGURE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r"(?i)\d|%|[$€£¥]|\b(?:doubled|tripled|halved|quadrupled)\b"));
/// Years and month-year dates, which are not results.
static DATE_WORDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"(?i)\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*'?\d{2,4}|\d{1,2}\s*/\s*\d{4}|(?:19|20)\d{2}(?:[-/.]\d{1,2})?)\b",
    )
});

/// What the experience section(s) hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Experience {
    /// Whether a section was recognised as experience.
    pub(crate) has_section: bool,
    /// The periods worked.
    pub(crate) periods: Vec<Period>,
    /// Bullets (achievement lines).
    pub(crate) bullets: usize,
    /// Bullets with a figure in them.
    pub(crate) quantified: usize,
    /// Role lines.
    pub(crate) roles: usize,
    /// Role lines with no date range on them or close by.
    pub(crate) roles_without_dates: usize,
}

impl Experience {
    pub(crate) fn of(layout: &Layout<'_>, today: NaiveDate) -> Self {
        let spans: Vec<_> =
            layout.sections.iter().filter(|s| s.heading.kind == SectionKind::Experience).collect();
        let mut experience = Self { has_section: !spans.is_empty(), ..Self::default() };
        if spans.is_empty() {
            experience.periods = periods_outside_education(layout, today);
            return experience;
        }
        for span in spans {
            let lines = layout.body(span);
            // Ranges are looked for in the whole section, not line by line: a narrow table
            // cell or a long line wraps "Apr 2020 –" and "Present" onto two lines.
            let first = span.heading_line + 1;
            let mut dated = vec![false; lines.len()];
            for (range, period) in dates::ranges(layout.text_of(first, span.end), today) {
                let base = lines.first().map_or(0, |(offset, _)| *offset);
                let line =
                    lines.partition_point(|(offset, _)| *offset <= base + range.start).saturating_sub(1);
                if let Some(flag) = dated.get_mut(line) {
                    *flag = true;
                }
                experience.periods.push(period);
            }
            let mut roles = 0;
            let mut undated = 0;
            // Whether the bullet being read has a figure yet; `None` outside a bullet.
            let mut open_bullet: Option<bool> = None;
            for (index, (_, line)) in lines.iter().enumerate() {
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    open_bullet = None;
                    continue;
                }
                if is_bullet(trimmed) {
                    experience.bullets += 1;
                    let figure = has_figure(trimmed);
                    experience.quantified += usize::from(figure);
                    open_bullet = Some(figure);
                    continue;
                }
                let continues = trimmed.starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit());
                if let (Some(figure), true) = (open_bullet, continues && !dated[index]) {
                    // A bullet wrapped onto the next line.
                    if !figure && has_figure(trimmed) {
                        experience.quantified += 1;
                        open_bullet = Some(true);
                    }
                    continue;
                }
                open_bullet = None;
                if is_role(trimmed) {
                    roles += 1;
                    let near = index.saturating_sub(2)..(index + 3).min(lines.len());
                    if !dated[near].iter().any(|d| *d) {
                        undated += 1;
                    }
                } else if !dated[index] && trimmed.split_whitespace().count() >= 6 {
                    // A sentence without a bullet glyph (Word's numbering keeps it out of the text).
                    experience.bullets += 1;
                    let figure = has_figure(trimmed);
                    experience.quantified += usize::from(figure);
                    open_bullet = Some(figure);
                }
            }
            // Dates on lines of their own, or roles written in ways not recognised: each range
            // is a role at least.
            // And where there are as many ranges as roles, each role has its dates somewhere
            // (a table puts them in a column of their own).
            let ranges = dated.iter().filter(|d| **d).count();
            experience.roles += roles.max(ranges);
            experience.roles_without_dates += undated.min(roles.saturating_sub(ranges));
        }
        if experience.periods.is_empty() {
            // Two columns read in the wrong order can leave the experience heading apart from
            // its roles: the dates outside education and the like are then the best guess.
            experience.periods = periods_outside_education(layout, today);
        }
        experience
    }
}

/// The date ranges of the whole text but for those of education, projects and certifications.
fn periods_outside_education(layout: &Layout<'_>, today: NaiveDate) -> Vec<Period> {
    dates::ranges(layout.text_of(0, layout.lines.len()), today)
        .into_iter()
        .filter(|(range, _)| {
            !matches!(
                layout.kind_at(range.start),
                Some(SectionKind::Education | SectionKind::Projects | SectionKind::Certifications)
            )
        })
        .map(|(_, period)| period)
        .collect()
}

fn is_bullet(line: &str) -> bool {
    line.starts_with(BULLETS) && line.chars().nth(1).is_some_and(char::is_whitespace)
}

fn is_role(line: &str) -> bool {
    let words: Vec<String> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')' | '/' | '–' | '—'))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase())
        .collect();
    words.len() <= 12
        && !line.ends_with('.')
        && words.iter().any(|w| ROLE_WORDS.contains(&w.as_str()) || MORE_TITLE_WORDS.contains(&w.as_str()))
}

fn has_figure(line: &str) -> bool {
    let without_dates = match DATE_WORDS.as_ref() {
        Some(dates) => dates.replace_all(line, ""),
        None => line.into(),
    };
    FIGURE.as_ref().is_some_and(|figure| figure.is_match(&without_dates))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
    }

    #[test]
    fn the_patterns_compile() {
        assert!(FIGURE.is_some() && DATE_WORDS.is_some());
    }

    #[test]
    fn roles_bullets_and_figures() {
        let text = "EXPERIENCE\nSenior Engineer, Acme\nJan 2020 – Present\n• Cut latency by 40%\n• Wrote the on-call guide in 2021\nEngineer, Initech\n• Built the billing service for 3 markets\nEDUCATION\nBSc, 2010 - 2014\n";
        let layout = Layout::of(text);
        let experience = Experience::of(&layout, today());
        assert!(experience.has_section);
        assert_eq!(experience.bullets, 3);
        assert_eq!(experience.quantified, 2);
        assert_eq!(experience.roles, 2);
        assert_eq!(experience.roles_without_dates, 1);
        assert_eq!(experience.periods.len(), 1);
    }

    #[test]
    fn wrapped_ranges_and_wrapped_bullets() {
        let text = "EXPERIENCE\nApr 2020 –\nPresent\nSecurity Engineer, Helvetia Bank\n• Ran penetration tests of internal\nweb applications, fixing 120 findings\n";
        let experience = Experience::of(&Layout::of(text), today());
        assert_eq!(experience.periods.len(), 1);
        assert_eq!((experience.bullets, experience.quantified), (1, 1));
        assert_eq!((experience.roles, experience.roles_without_dates), (1, 0));
    }

    #[test]
    fn without_an_experience_heading_dates_outside_education_count() {
        let text = "Jane\nAcme, 2018 - 2020\n\nEDUCATION\nMIT, 2010 - 2014\n";
        let experience = Experience::of(&Layout::of(text), today());
        assert!(!experience.has_section);
        assert_eq!(experience.periods.len(), 1);
    }
}
