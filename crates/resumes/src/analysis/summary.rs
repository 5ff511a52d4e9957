//! A short summary written from what the analysis found: the candidate's own words where they
//! gave a summary (or their title under the name), then the years and the main skills.

use super::SectionKind;
use super::sections::Layout;

/// The most of the candidate's own summary that is kept.
const OWN_WORDS_MAX: usize = 280;
/// Skills named in the summary.
const SKILLS_NAMED: usize = 8;

const TITLE_WORDS: &[&str] = &[
    "engineer",
    "developer",
    "manager",
    "designer",
    "analyst",
    "scientist",
    "consultant",
    "specialist",
    "director",
    "lead",
    "architect",
    "representative",
    "executive",
    "tester",
    "researcher",
    "sre",
];

pub(crate) fn compose(layout: &Layout<'_>, years: f32, skills: &[String]) -> String {
    let mut parts = Vec::new();
    if let Some(own) = own_summary(layout).or_else(|| title(layout)) {
        parts.push(own);
    }
    if years >= 0.5 {
        parts.push(format!("About {} years of experience.", format_years(years)));
    }
    if !skills.is_empty() {
        let named: Vec<&str> = skills.iter().take(SKILLS_NAMED).map(String::as_str).collect();
        let list = match named.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        parts.push(format!("Skills include {list}."));
    }
    parts.join(" ")
}

fn format_years(years: f32) -> String {
    let rounded = (years * 2.0).round() / 2.0;
    if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") }
}

/// The first sentences of a Summary section, within [`OWN_WORDS_MAX`] characters.
fn own_summary(layout: &Layout<'_>) -> Option<String> {
    let span = layout.sections.iter().find(|s| s.heading.kind == SectionKind::Summary)?;
    let text = layout.text(span).split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    let mut kept = String::new();
    for sentence in text.split_inclusive(". ") {
        if !kept.is_empty() && kept.len() + sentence.len() > OWN_WORDS_MAX {
            break;
        }
        kept.push_str(sentence);
    }
    let mut kept = kept.trim().to_owned();
    if kept.len() > OWN_WORDS_MAX {
        let cut = kept.char_indices().map(|(i, _)| i).take_while(|i| *i <= OWN_WORDS_MAX).last().unwrap_or(0);
        kept.truncate(cut);
        kept = format!("{}…", kept.trim_end());
    } else if !kept.ends_with(['.', '!', '?']) {
        kept.push('.');
    }
    Some(kept)
}

/// A title line under the name: "Senior Backend Engineer".
fn title(layout: &Layout<'_>) -> Option<String> {
    layout.preamble().iter().skip(1).map(|(_, line)| line.trim()).find_map(|line| {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .collect();
        let plain = !line.contains(['@', '|']) && !line.chars().any(|c| c.is_ascii_digit());
        (plain && words.len() <= 8 && words.iter().any(|w| TITLE_WORDS.contains(&w.as_str())))
            .then(|| format!("{line}."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_words_then_years_and_skills() {
        let text = "Jane Doe\nSenior Backend Engineer\n\nSUMMARY\nBackend engineer who ships. Loves Go.\n\nSKILLS\nGo\n";
        let layout = Layout::of(text);
        let skills = ["Go".to_owned(), "Kubernetes".to_owned(), "PostgreSQL".to_owned()];
        assert_eq!(
            compose(&layout, 7.4, &skills),
            "Backend engineer who ships. Loves Go. About 7.5 years of experience. Skills include Go, Kubernetes and PostgreSQL."
        );
    }

    #[test]
    fn a_title_when_there_is_no_summary() {
        let layout = Layout::of("Jane Doe\nProduct Designer\njane@example.com\n\nEXPERIENCE\n");
        assert_eq!(compose(&layout, 3.0, &[]), "Product Designer. About 3 years of experience.");
    }
}
