//! The committed fixture set (scripts/make-resume-fixtures.sh) against the values a person read
//! off each resume (tests/fixtures/expected.toml), in both formats, through the sandbox.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Deserialize;
use viva_resumes::{DocumentKind, analyze};

use crate::support::{catalog, extract_fixture, fixtures_dir};

#[derive(Debug, Deserialize)]
struct Expected {
    today: String,
    resume: Vec<Resume>,
}

#[derive(Debug, Deserialize)]
struct Resume {
    name: String,
    emails: Vec<String>,
    phones: Vec<String>,
    years: f32,
    skills: Vec<String>,
}

fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

#[derive(Default)]
struct Tally {
    true_positives: usize,
    false_positives: usize,
    false_negatives: usize,
    years_within_one: usize,
    documents: usize,
    times: Vec<(DocumentKind, Duration)>,
    analysis: Duration,
}

#[tokio::test]
async fn every_contact_found_skills_above_ninety_percent_and_years_within_one() {
    let source = std::fs::read_to_string(fixtures_dir().join("expected.toml")).unwrap();
    let expected: Expected = toml::from_str(&source).unwrap();
    let today: NaiveDate = expected.today.parse().unwrap();
    assert!(expected.resume.len() >= 12, "at least 12 resumes");
    let loading = Instant::now();
    let catalog = catalog();
    println!(
        "skills list: {} skills compiled in {:.1} ms",
        catalog.len(),
        loading.elapsed().as_secs_f64() * 1000.0
    );
    let mut tally = Tally::default();
    let mut problems = Vec::new();
    for resume in &expected.resume {
        let wanted: BTreeSet<&str> = resume.skills.iter().map(String::as_str).collect();
        assert_eq!(wanted.len(), resume.skills.len(), "{}: a skill listed twice", resume.name);
        for skill in &wanted {
            assert!(catalog.category(skill).is_some(), "{}: {skill} is not a canonical name", resume.name);
        }
        for extension in ["pdf", "docx"] {
            let file = format!("{}.{extension}", resume.name);
            let started = Instant::now();
            let document = extract_fixture(&file).await;
            tally.times.push((document.kind, started.elapsed()));
            let analysing = Instant::now();
            let analysis = analyze(&document, &catalog, today);
            tally.analysis += analysing.elapsed();
            tally.documents += 1;

            let emails: BTreeSet<String> = analysis.contact.emails.iter().map(|e| e.to_lowercase()).collect();
            let wanted_emails: BTreeSet<String> = resume.emails.iter().map(|e| e.to_lowercase()).collect();
            if emails != wanted_emails {
                problems.push(format!("{file}: emails {emails:?}, expected {wanted_emails:?}"));
            }
            let phones: BTreeSet<String> = analysis.contact.phones.iter().map(|p| digits(p)).collect();
            let wanted_phones: BTreeSet<String> = resume.phones.iter().map(|p| digits(p)).collect();
            if phones != wanted_phones {
                problems.push(format!(
                    "{file}: phones {:?}, expected {:?}",
                    analysis.contact.phones, resume.phones
                ));
            }

            let found: BTreeSet<&str> = analysis.skills.iter().map(String::as_str).collect();
            let extra: Vec<&&str> = found.difference(&wanted).collect();
            let missed: Vec<&&str> = wanted.difference(&found).collect();
            tally.true_positives += found.intersection(&wanted).count();
            tally.false_positives += extra.len();
            tally.false_negatives += missed.len();
            if !extra.is_empty() || !missed.is_empty() {
                println!("{file}: skills not expected {extra:?}, missed {missed:?}");
            }

            let off = (analysis.years_of_experience - resume.years).abs();
            tally.years_within_one += usize::from(off <= 1.0);
            if off > 0.1 {
                println!("{file}: {} years, expected {}", analysis.years_of_experience, resume.years);
            }
        }
    }
    let recall = tally.true_positives as f64 / (tally.true_positives + tally.false_negatives) as f64;
    let precision = tally.true_positives as f64 / (tally.true_positives + tally.false_positives) as f64;
    let years = tally.years_within_one as f64 / tally.documents as f64;
    println!(
        "{} documents: skill recall {:.1}%, precision {:.1}% (micro-averaged: {} right, {} extra, {} missed); years within ±1: {}/{} ({:.1}%)",
        tally.documents,
        100.0 * recall,
        100.0 * precision,
        tally.true_positives,
        tally.false_positives,
        tally.false_negatives,
        tally.years_within_one,
        tally.documents,
        100.0 * years
    );
    for kind in [DocumentKind::Pdf, DocumentKind::Docx] {
        let times: Vec<Duration> = tally.times.iter().filter(|(k, _)| *k == kind).map(|(_, t)| *t).collect();
        let total: Duration = times.iter().sum();
        let slowest = times.iter().max().copied().unwrap_or_default();
        println!(
            "{kind:?} extraction: {} files, mean {:.0} ms, slowest {:.0} ms",
            times.len(),
            total.as_secs_f64() * 1000.0 / times.len() as f64,
            slowest.as_secs_f64() * 1000.0
        );
    }
    println!(
        "analysis: mean {:.2} ms per document",
        tally.analysis.as_secs_f64() * 1000.0 / tally.documents as f64
    );
    assert!(problems.is_empty(), "contact details:\n{}", problems.join("\n"));
    assert!(recall >= 0.9, "skill recall {recall:.3}");
    assert!(precision >= 0.9, "skill precision {precision:.3}");
    assert!(years >= 0.9, "years within ±1 for {years:.3}");
}
