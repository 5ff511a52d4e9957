//! Email addresses, phone numbers and links.
//!
//! Phone numbers are the hard part: a resume is full of numbers. A run of digits with spaces,
//! dots, dashes or brackets counts as a phone number when it has 7 to 15 digits (E.164's
//! bounds) and either starts with `+` or a bracketed area code, or has at least 10 digits in at
//! least two groups, or sits on a line labelled "Phone", "Tel", "Mobile" or "Cell". Years and
//! year ranges ("2016-2018", "2019-03") are never phone numbers.

use std::sync::LazyLock;

use regex::Regex;

use super::{Contact, compiled};

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
});
static PHONE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r"(?:\+\s?\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d(?:[\s.-]?\d){5,16}"));
static PHONE_LABEL: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r"(?i)\b(?:phone|tel|telephone|mobile|mob|cell|ph)\b"));
static YEARS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"^(?:(?:19|20)\d{2}\s*[-.]\s*(?:19|20)\d{2}|(?:19|20)\d{2}[-./](?:0[1-9]|1[0-2])(?:[-./]\d{2})?)$",
    )
});
static URL: LazyLock<Option<Regex>> =
    LazyLock::new(|| compiled(r#"(?i)\b(?:https?://|www\.)[^\s<>()"',;|]+"#));
static PROFILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r#"(?i)\b(?:linkedin\.com|github\.com|gitlab\.com|bitbucket\.org|behance\.net|dribbble\.com|medium\.com|stackoverflow\.com|twitter\.com|x\.com|kaggle\.com)/[^\s<>()"',;|]+"#,
    )
});
/// A personal site written without a scheme; only lower-case names with common personal
/// top-level domains, so that "Node.js", "ASP.NET" and "Booking.com" stay names.
static SITE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compiled(
        r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:dev|me|com|org|design|page|site|app|co|info|tech)(?:/[^\s<>()',;|]*)?",
    )
});

/// The contact details in `text`, plus `hyperlinks` found in the document's markup.
pub(crate) fn find(text: &str, hyperlinks: &[String]) -> Contact {
    let mut contact = Contact::default();
    let mut email_spans = Vec::new();
    if let Some(email) = EMAIL.as_ref() {
        for m in email.find_iter(text) {
            email_spans.push(m.range());
            push_unique(&mut contact.emails, m.as_str().trim_end_matches('.'), |a, b| {
                a.eq_ignore_ascii_case(b)
            });
        }
    }
    for line in text.lines() {
        let labelled = PHONE_LABEL.as_ref().is_some_and(|label| label.is_match(line));
        let Some(phone) = PHONE.as_ref() else { break };
        for m in phone.find_iter(line) {
            let candidate = m.as_str().trim();
            if is_phone(candidate, labelled, line, m.start()) {
                push_unique(&mut contact.phones, candidate, |a, b| digits(a) == digits(b));
            }
        }
    }
    let inside_email = |range: &std::ops::Range<usize>| {
        email_spans.iter().any(|e| e.start <= range.start && range.end <= e.end)
    };
    let mut links: Vec<(usize, String)> = Vec::new();
    for pattern in [&URL, &PROFILE, &SITE] {
        let Some(pattern) = pattern.as_ref() else { continue };
        for m in pattern.find_iter(text) {
            let range = m.range();
            if inside_email(&range) || text[..range.start].ends_with(['@', '.', '/']) {
                continue;
            }
            let link = m.as_str().trim_end_matches(['.', ')', ']', '>', ':']);
            // A shorter match inside a link already found (github.com/jane in https://github.com/jane).
            if links.iter().any(|(start, found)| *start <= range.start && range.start < start + found.len()) {
                continue;
            }
            links.push((range.start, link.to_owned()));
        }
    }
    links.sort_by_key(|(start, _)| *start);
    for (_, link) in links {
        push_unique(&mut contact.links, &link, same_link);
    }
    for link in hyperlinks {
        let lower = link.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            push_unique(&mut contact.links, link, same_link);
        }
    }
    contact
}

fn is_phone(candidate: &str, labelled: bool, line: &str, start: usize) -> bool {
    let count = digits(candidate).len();
    if !(7..=15).contains(&count) || YEARS.as_ref().is_some_and(|years| years.is_match(candidate)) {
        return false;
    }
    // Part of a longer token: an id, a version, a decimal.
    let before = line[..start].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | ',' | '$' | '€' | '£')) {
        return false;
    }
    let groups: Vec<&str> =
        candidate.split(|c: char| !c.is_ascii_digit()).filter(|g| !g.is_empty()).collect();
    // "2019 2020 2021": years in a row.
    if groups.iter().all(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20"))) {
        return false;
    }
    let international = candidate.starts_with('+') || candidate.starts_with('(');
    let groups = groups.len();
    international || labelled || (count >= 10 && groups >= 2)
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Links compared without scheme, `www.` and a trailing slash.
fn same_link(a: &str, b: &str) -> bool {
    fn bare(link: &str) -> String {
        let lower = link.to_ascii_lowercase();
        let lower =
            lower.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www.");
        lower.trim_end_matches('/').to_owned()
    }
    bare(a) == bare(b)
}

fn push_unique(list: &mut Vec<String>, item: &str, same: impl Fn(&str, &str) -> bool) {
    if !item.is_empty() && !list.iter().any(|known| same(known, item)) {
        list.push(item.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_compile() {
        for pattern in [&EMAIL, &PHONE, &PHONE_LABEL, &YEARS, &URL, &PROFILE, &SITE] {
            assert!(pattern.is_some());
        }
    }

    #[test]
    fn emails_phones_and_links() {
        let text = "Jane Doe | jane.doe@example.com | +1 (415) 555-0132\nlinkedin.com/in/janedoe · https://github.com/janedoe · janedoe.dev\nPhone: 555-0199";
        let contact = find(
            text,
            &["https://www.linkedin.com/in/janedoe/".to_owned(), "https://janedoe.dev/blog".to_owned()],
        );
        assert_eq!(contact.emails, ["jane.doe@example.com"]);
        assert_eq!(contact.phones, ["+1 (415) 555-0132", "555-0199"]);
        assert_eq!(
            contact.links,
            [
                "linkedin.com/in/janedoe",
                "https://github.com/janedoe",
                "janedoe.dev",
                "https://janedoe.dev/blog"
            ]
        );
    }

    #[test]
    fn european_numbers() {
        let contact = find("Tel. +49 30 12345678\nMobile 07700 900123\n+44 20 7946 0958", &[]);
        assert_eq!(contact.phones, ["+49 30 12345678", "07700 900123", "+44 20 7946 0958"]);
    }

    #[test]
    fn numbers_that_are_not_phones() {
        let text = "Acme, 2016-2018\n2019-03 – 2021-06\nServed 1200000 users; cut p99 from 450 ms\nInvoice 2021.10.15\nOrder id AB-1234567\nRevenue $1 250 000\nin 2019 2020 2021";
        assert!(find(text, &[]).phones.is_empty(), "{:?}", find(text, &[]).phones);
    }

    #[test]
    fn names_with_dots_are_not_links() {
        let contact =
            find("Node.js, ASP.NET, Vue.js, Socket.IO; worked at Booking.com; mail me at a@b.com", &[]);
        assert!(contact.links.is_empty(), "{:?}", contact.links);
    }
}
