//! Skills, normalised against the shipped list (`data/skills.toml`).
//!
//! Each skill has a canonical name and the other ways people write it. Matching is on word
//! boundaries (no "Java" inside "JavaScript", no "C" inside "C++" or "C#", no "JS" inside
//! "Node.js"), the longest form wins ("React Native" is not also "React"), and three modes keep
//! common words from counting as skills:
//!
//! - `aliases` (and the name itself): any case — "postgres", "K8S", "golang".
//! - `exact`: only as written, because in another case they are ordinary words — "Go" the
//!   language but not "go" the verb, "Excel" but not "excel at", "Rust", "Swift", "Sketch".
//!   Outside a Skills section they must also not open a sentence or a bullet ("Go to market
//!   plans" is not Go) and must not be joined by a hyphen ("Go-to-market").
//! - `listed`: only as written, and only in a Skills section or in a list (after a comma, a
//!   slash, a bracket, a colon, or "and", "or", "in", "with", "using"; or before a comma, slash
//!   or bracket) — single letters and names that are also everyday words or people's names:
//!   "C", "R", "Spring", "Express", "Julia", "Ruby".
//!
//! The name is matched in any case unless it is listed under `exact` or `listed`.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;

/// The shipped list.
const BUILTIN: &str = include_str!("../../../../data/skills.toml");

/// The categories a skill may belong to.
const CATEGORIES: &[&str] = &[
    "backend", "frontend", "data", "devops", "mobile", "qa", "security", "product", "design", "sales",
    "general",
];

/// Why a skills list could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SkillsError {
    /// The TOML does not parse or has unknown fields.
    #[error("the skills list does not parse: {0}")]
    Parse(#[from] toml::de::Error),
    /// A rule of the list is broken (duplicate names or forms, unknown category, empty form).
    #[error("the skills list is invalid: {0}")]
    Invalid(String),
    /// The matcher could not be built.
    #[error("the skills matcher cannot be built: {0}")]
    Matcher(#[from] aho_corasick::BuildError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    skill: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    category: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    exact: Vec<String>,
    #[serde(default)]
    listed: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    AnyCase,
    Exact,
    Listed,
}

/// A skill's canonical name and its category.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Skill {
    name: String,
    category: String,
}

/// The skills Viva recognises, compiled for matching.
#[derive(Debug, Clone)]
pub struct SkillCatalog {
    skills: Vec<Skill>,
    any_case: AhoCorasick,
    /// For each any-case pattern, its skill.
    any_case_skill: Vec<usize>,
    exact: AhoCorasick,
    /// For each exact or listed pattern, its skill and mode.
    exact_skill: Vec<(usize, Mode)>,
    /// Every form, lower case, to its skill (for [`SkillCatalog::canonical`]).
    forms: HashMap<String, Vec<(usize, String, Mode)>>,
}

/// Where a match sits, as the analysis sees it.
pub(crate) trait Context {
    /// Whether the byte `offset` is in a Skills section.
    fn in_skills_section(&self, offset: usize) -> bool;
}

impl SkillCatalog {
    /// The list shipped with Viva (`data/skills.toml`).
    pub fn builtin() -> Result<Self, SkillsError> {
        Self::from_toml(BUILTIN)
    }

    /// A list in the format of `data/skills.toml`.
    pub fn from_toml(source: &str) -> Result<Self, SkillsError> {
        let file: File = toml::from_str(source)?;
        let mut skills = Vec::new();
        let mut any_case_patterns = Vec::new();
        let mut any_case_skill = Vec::new();
        let mut exact_patterns = Vec::new();
        let mut exact_skill = Vec::new();
        let mut forms: HashMap<String, Vec<(usize, String, Mode)>> = HashMap::new();
        let mut names = HashMap::new();
        for entry in file.skill {
            let index = skills.len();
            let name = entry.name.trim().to_owned();
            if name.is_empty() {
                return Err(SkillsError::Invalid("a skill has an empty name".into()));
            }
            if !CATEGORIES.contains(&entry.category.as_str()) {
                return Err(SkillsError::Invalid(format!("{name}: unknown category {:?}", entry.category)));
            }
            if names.insert(name.to_lowercase(), index).is_some() {
                return Err(SkillsError::Invalid(format!("{name} is listed twice")));
            }
            let cased = |form: &String| form.eq_ignore_ascii_case(&name);
            let mut own: Vec<(String, Mode)> = Vec::new();
            if !entry.exact.iter().any(cased) && !entry.listed.iter().any(cased) {
                own.push((name.clone(), Mode::AnyCase));
            }
            own.extend(entry.aliases.iter().map(|a| (a.clone(), Mode::AnyCase)));
            own.extend(entry.exact.iter().map(|a| (a.clone(), Mode::Exact)));
            own.extend(entry.listed.iter().map(|a| (a.clone(), Mode::Listed)));
            for (form, mode) in own {
                let form = form.trim().to_owned();
                if form.is_empty() || !form.is_ascii() {
                    return Err(SkillsError::Invalid(format!(
                        "{name}: forms must be non-empty ASCII, not {form:?}"
                    )));
                }
                let key = form.to_ascii_lowercase();
                let clash = forms.get(&key).into_iter().flatten().any(|(other, other_form, other_mode)| {
                    *other != index
                        && (mode == Mode::AnyCase || *other_mode == Mode::AnyCase || *other_form == form)
                });
                if clash {
                    return Err(SkillsError::Invalid(format!("{form:?} names two skills")));
                }
                forms.entry(key).or_default().push((index, form.clone(), mode));
                match mode {
                    Mode::AnyCase => {
                        any_case_patterns.push(form);
                        any_case_skill.push(index);
                    }
                    Mode::Exact | Mode::Listed => {
                        exact_patterns.push(form);
                        exact_skill.push((index, mode));
                    }
                }
            }
            skills.push(Skill { name, category: entry.category });
        }
        let any_case = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&any_case_patterns)?;
        let exact = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&exact_patterns)?;
        Ok(Self { skills, any_case, any_case_skill, exact, exact_skill, forms })
    }

    /// How many skills the list has.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    /// The canonical name for a term someone typed ("k8s" → "Kubernetes", "postgres" →
    /// "PostgreSQL"), for search filters; `None` for a term the list does not know. Exact and
    /// listed forms are also accepted in any case here, since a filter is never a verb.
    pub fn canonical(&self, term: &str) -> Option<&str> {
        let key = term.trim().to_ascii_lowercase();
        let candidates = self.forms.get(&key)?;
        let (index, _, _) =
            candidates.iter().find(|(_, form, _)| form == term.trim()).or_else(|| candidates.first())?;
        Some(&self.skills[*index].name)
    }

    /// Every canonical name, in the list's order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.skills.iter().map(|s| s.name.as_str())
    }

    /// The category of a canonical skill name.
    pub fn category(&self, name: &str) -> Option<&str> {
        self.skills.iter().find(|s| s.name == name).map(|s| s.category.as_str())
    }

    /// The canonical names of the skills in `text`, in order of first appearance.
    pub(crate) fn find(&self, text: &str, context: &impl Context) -> Vec<String> {
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.any_case.find_iter(text) {
            let skill = self.any_case_skill[m.pattern().as_usize()];
            if bounded(text, m.start(), m.end(), Mode::AnyCase) {
                found.push((m.start(), m.end(), skill));
            }
        }
        for m in self.exact.find_iter(text) {
            let (skill, mode) = self.exact_skill[m.pattern().as_usize()];
            if !bounded(text, m.start(), m.end(), mode) {
                continue;
            }
            let in_skills = context.in_skills_section(m.start());
            let accepted = match mode {
                Mode::Exact => in_skills || !opens_sentence(text, m.start()),
                Mode::Listed => in_skills || in_list(text, m.start(), m.end()),
                Mode::AnyCase => true,
            };
            if accepted {
                found.push((m.start(), m.end(), skill));
            }
        }
        // Where two matches overlap, the longer one is the skill ("C++" over "C").
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut names: Vec<String> = Vec::new();
        let mut covered_to = 0;
        for (start, end, skill) in found {
            if start < covered_to {
                continue;
            }
            covered_to = end;
            let name = &self.skills[skill].name;
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }
}

/// Whether a match at `start..end` stands as a word of its own.
fn bounded(text: &str, start: usize, end: usize, mode: Mode) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let after_next = text[end..].chars().nth(1);
    let strict = mode != Mode::AnyCase;
    let before_ok = match before {
        None => true,
        Some(c) if c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '#' | '+') => false,
        Some('-') => !strict,
        Some(_) => true,
    };
    let after_ok = match after {
        None => true,
        Some(c) if c.is_alphanumeric() || matches!(c, '_' | '+' | '#' | '@') => false,
        // "Vue.js" is not "Vue" followed by a full stop; "… and Go." is Go.
        Some('.') => !after_next.is_some_and(char::is_alphanumeric),
        // "Kafka-based" is Kafka; "Go-to-market" is not Go.
        Some('-') => !strict,
        Some(_) => true,
    };
    before_ok && after_ok
}

/// Whether the word at `start` opens its line, bullet or sentence.
fn opens_sentence(text: &str, start: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim_end();
    let before = before.trim_start_matches(|c: char| c.is_whitespace() || BULLETS.contains(&c));
    before.is_empty() || before.ends_with(['.', '!', '?'])
}

const BULLETS: &[char] = &['•', '·', '-', '*', '–', '—', '▪', '●', '◦', '‣', '>', '○', '■', '□', '➢', '✓'];

/// Whether the word at `start..end` stands in a list ("Spring 2019" is a season, not one).
fn in_list(text: &str, start: usize, end: usize) -> bool {
    let next_word = text[end..].trim_start_matches([' ', '\t']);
    let year = next_word.get(..4).is_some_and(|y| y.starts_with("19") || y.starts_with("20"))
        && next_word[..4].bytes().all(|b| b.is_ascii_digit());
    if year {
        return false;
    }
    let before = text[..start].trim_end_matches([' ', '\t']);
    if before.ends_with([',', '/', '(', '|', ':', ';', '•', '·', '&']) {
        return true;
    }
    let previous_word =
        before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or_default().to_ascii_lowercase();
    if ["and", "or", "in", "with", "using", "including"].contains(&previous_word.as_str()) {
        return true;
    }
    let after = text[end..].trim_start_matches([' ', '\t']);
    after.starts_with([',', '/', ')', '|', ';', '•', '·'])
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nowhere;
    impl Context for Nowhere {
        fn in_skills_section(&self, _: usize) -> bool {
            false
        }
    }
    struct Everywhere;
    impl Context for Everywhere {
        fn in_skills_section(&self, _: usize) -> bool {
            true
        }
    }

    const LIST: &str = r#"
[[skill]]
name = "Go"
category = "backend"
aliases = ["golang"]
exact = ["Go"]

[[skill]]
name = "C"
category = "backend"
listed = ["C"]

[[skill]]
name = "C++"
category = "backend"
aliases = ["cpp"]

[[skill]]
name = "Java"
category = "backend"

[[skill]]
name = "JavaScript"
category = "frontend"
aliases = ["JS"]

[[skill]]
name = "Node.js"
category = "backend"
aliases = ["NodeJS"]

[[skill]]
name = "React"
category = "frontend"
aliases = ["React.js", "ReactJS"]

[[skill]]
name = "React Native"
category = "mobile"

[[skill]]
name = "Kubernetes"
category = "devops"
aliases = ["k8s"]

[[skill]]
name = "PostgreSQL"
category = "backend"
aliases = ["Postgres", "psql"]

[[skill]]
name = "Spring"
category = "backend"
listed = ["Spring"]
"#;

    fn catalog() -> SkillCatalog {
        SkillCatalog::from_toml(LIST).expect("valid")
    }

    fn found(text: &str) -> Vec<String> {
        catalog().find(text, &Nowhere)
    }

    #[test]
    fn aliases_in_any_case_become_the_canonical_name() {
        assert_eq!(found("Ran k8s and postgres; wrote JS"), ["Kubernetes", "PostgreSQL", "JavaScript"]);
        assert_eq!(found("Golang services on K8S"), ["Go", "Kubernetes"]);
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        assert_eq!(found("JavaScript and Node.js"), ["JavaScript", "Node.js"]);
        assert_eq!(found("Wrote C++ daily"), ["C++"]);
        assert_eq!(found("React Native apps"), ["React Native"]);
        assert_eq!(found("React.js, React"), ["React"]);
    }

    #[test]
    fn go_the_verb_is_not_go_the_language() {
        assert_eq!(found("Services written in Go."), ["Go"]);
        assert!(found("Had to go fast").is_empty());
        assert!(found("Go to market plans").is_empty());
        assert!(found("Built the go-to-market plan").is_empty());
        assert!(found("• Go-live in May").is_empty());
        assert_eq!(catalog().find("Go, Rust", &Everywhere), ["Go"]);
    }

    #[test]
    fn single_letters_only_in_lists() {
        assert_eq!(found("Languages: C, Java"), ["C", "Java"]);
        assert_eq!(found("Python and C"), ["C"]);
        assert!(found("Raised a Series C round").is_empty());
        assert!(found("Grade C").is_empty());
        assert_eq!(found("Java, Spring, Postgres"), ["Java", "Spring", "PostgreSQL"]);
        assert!(found("Operations Manager (Spring 2019 – Present)").is_empty());
    }

    #[test]
    fn the_shipped_list_is_valid_and_broad() {
        let catalog = SkillCatalog::builtin().expect("data/skills.toml loads");
        assert!(catalog.len() >= 250, "{}", catalog.len());
        for category in CATEGORIES {
            assert!(catalog.skills.iter().any(|s| s.category == *category), "no {category} skill");
        }
        assert_eq!(catalog.canonical("k8s"), Some("Kubernetes"));
        assert_eq!(catalog.canonical("psql"), Some("PostgreSQL"));
        assert_eq!(catalog.canonical("JS"), Some("JavaScript"));
        assert_eq!(catalog.canonical("golang"), Some("Go"));
    }

    #[test]
    fn canonical_names_for_filters() {
        let catalog = catalog();
        assert_eq!(catalog.canonical("k8s"), Some("Kubernetes"));
        assert_eq!(catalog.canonical("go"), Some("Go"));
        assert_eq!(catalog.canonical("Postgres"), Some("PostgreSQL"));
        assert_eq!(catalog.canonical("cobol"), None);
    }

    #[test]
    fn a_form_naming_two_skills_is_refused() {
        let twice = "[[skill]]\nname = \"A\"\ncategory = \"general\"\naliases = [\"x\"]\n[[skill]]\nname = \"B\"\ncategory = \"general\"\naliases = [\"X\"]\n";
        assert!(matches!(SkillCatalog::from_toml(twice), Err(SkillsError::Invalid(_))));
        let bad_category = "[[skill]]\nname = \"A\"\ncategory = \"cooking\"\n";
        assert!(matches!(SkillCatalog::from_toml(bad_category), Err(SkillsError::Invalid(_))));
    }
}
