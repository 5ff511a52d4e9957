//! The analysis of fixtures: its JSON shape, sections, and the ATS advice each resume earns.

use serde_json::Value;
use viva_resumes::{ResumeAnalysis, SectionKind, analyze};

use crate::support::{catalog, extract_fixture, today};

async fn analysed(file: &str) -> ResumeAnalysis {
    analyze(&extract_fixture(file).await, &catalog(), today())
}

fn codes(analysis: &ResumeAnalysis) -> Vec<String> {
    analysis
        .ats_feedback
        .iter()
        .map(|f| serde_json::to_value(f.code).unwrap().as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_json_has_the_documented_shape() {
    let analysis = analysed("backend_go.pdf").await;
    let json = serde_json::to_value(&analysis).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "contact",
        "sections",
        "skills",
        "years_of_experience",
        "summary",
        "quality_score",
        "quality_components",
        "ats_feedback",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert_eq!(keys.len(), 8, "{keys:?}");
    let contact = json["contact"].as_object().unwrap();
    assert!(
        contact.contains_key("emails") && contact.contains_key("phones") && contact.contains_key("links")
    );
    let section = &json["sections"][0];
    assert!(section["heading"].is_string() && section["kind"].is_string() && section["text"].is_string());
    let kinds: Vec<&str> =
        json["sections"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["SUMMARY", "EXPERIENCE", "EDUCATION", "SKILLS"]);
    assert!(json["years_of_experience"].is_f64());
    let weights: u64 = json["quality_components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert!(c["name"].is_string() && c["why"].is_string() && c["score"].as_u64().unwrap() <= 100);
            c["weight"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(weights, 100);
    assert!(json["quality_score"].as_u64().unwrap() <= 100);
    assert!(matches!(&json["ats_feedback"], Value::Array(_)));
}

#[tokio::test]
async fn a_complete_resume_scores_high_and_gets_little_advice() {
    let analysis = analysed("backend_go.docx").await;
    assert!(analysis.quality_score >= 85, "{}: {:#?}", analysis.quality_score, analysis.quality_components);
    // Everything is there; the fixture is just brief (165 words).
    assert_eq!(codes(&analysis), ["TOO_SHORT"], "{:#?}", analysis.ats_feedback);
    assert!(
        analysis.summary.starts_with("Backend engineer focused on payments infrastructure"),
        "{}",
        analysis.summary
    );
    assert!(analysis.summary.contains("About 12 years of experience."), "{}", analysis.summary);
    assert_eq!(analysis.contact.links, ["github.com/dokafor"]);
}

#[tokio::test]
async fn unusual_headings_are_named_with_the_usual_ones() {
    let analysis = analysed("ux_designer.pdf").await;
    let advice: Vec<&str> = analysis
        .ats_feedback
        .iter()
        .filter(|f| serde_json::to_value(f.code).unwrap() == "NON_STANDARD_HEADING")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(advice.len(), 3, "{advice:#?}");
    assert!(
        advice[0].contains("\"Where I've Worked\"") && advice[0].contains("\"Experience\""),
        "{}",
        advice[0]
    );
    assert!(advice[1].contains("\"My Toolbox\"") && advice[1].contains("\"Skills\""), "{}", advice[1]);
    assert!(advice[2].contains("\"Schooling\"") && advice[2].contains("\"Education\""), "{}", advice[2]);
    let kinds: Vec<SectionKind> = analysis.sections.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [SectionKind::Experience, SectionKind::Skills, SectionKind::Education]);
}

#[tokio::test]
async fn results_without_figures_and_roles_without_dates() {
    assert!(codes(&analysed("java_backend.docx").await).contains(&"NO_QUANTIFIED_RESULTS".to_owned()));
    let data = analysed("data_engineer.pdf").await;
    let undated =
        data.ats_feedback.iter().find(|f| f.message.starts_with("1 role(s) have no dates")).cloned();
    assert!(undated.is_some(), "{:#?}", data.ats_feedback);
}

#[tokio::test]
async fn a_short_resume_without_a_phone() {
    let analysis = analysed("graduate_frontend.pdf").await;
    let codes = codes(&analysis);
    assert!(codes.contains(&"MISSING_PHONE".to_owned()), "{codes:?}");
    assert!(codes.contains(&"TOO_SHORT".to_owned()), "{codes:?}");
    assert!(!codes.contains(&"MISSING_EMAIL".to_owned()), "{codes:?}");
}

#[tokio::test]
async fn tables_and_hyperlinks_of_a_docx() {
    let document = extract_fixture("android_dev.docx").await;
    assert_eq!(document.layout.tables, 1);
    assert!(document.text.contains("Languages\tKotlin, Java"), "{}", document.text);
    let analysis = analyze(&document, &catalog(), today());
    assert!(codes(&analysis).contains(&"TABLES".to_owned()));
    assert!(
        analysis.contact.links.contains(&"https://github.com/chiararomano".to_owned()),
        "{:?}",
        analysis.contact
    );
    // The same resume as PDF: the table is not visible in the text, so no advice about it.
    let pdf = analysed("android_dev.pdf").await;
    assert!(!codes(&pdf).contains(&"TABLES".to_owned()));
}

#[tokio::test]
async fn the_pages_of_a_pdf_are_counted() {
    let document = extract_fixture("backend_go.pdf").await;
    assert_eq!(document.pages, Some(1));
    assert!(document.text.starts_with("Daniel Okafor\nSenior Backend Engineer\n"), "{}", document.text);
}

/// A DOCX whose body is `body` (WordprocessingML inside `w:body`).
fn docx(body: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
    .unwrap();
    zip.finish().unwrap().into_inner()
}

fn paragraphs(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("<w:p><w:r><w:t>{line}</w:t></w:r></w:p>")).collect()
}

#[tokio::test]
async fn a_resume_set_in_two_columns_keeps_its_headings() {
    let left =
        paragraphs(&["Contact", "maria.garcia@example.com", "+1 646 555 0111", "Skills", "Go", "Kubernetes"]);
    let right = paragraphs(&[
        "Maria Garcia",
        "Experience",
        "Platform Engineer, Streamly, 2020 – Present",
        "Software Engineer, Bankly, 2016 – 2020",
        "Education",
        "BS Computer Science, NYU, 2012 – 2016",
    ]);
    let bytes = docx(&format!("<w:tbl><w:tr><w:tc>{left}</w:tc><w:tc>{right}</w:tc></w:tr></w:tbl>"));
    let document =
        viva_resumes::extract(&bytes, &viva_resumes::Limits::default(), &crate::support::sandbox())
            .await
            .unwrap();
    assert_eq!(document.layout.tables, 1);
    let analysis = analyze(&document, &catalog(), today());
    let kinds: Vec<SectionKind> = analysis.sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [SectionKind::Skills, SectionKind::Experience, SectionKind::Education],
        "{}",
        document.text
    );
    assert_eq!(analysis.skills, ["Go", "Kubernetes"]);
    // Jul 2016 to Jun 2026; the degree does not count.
    assert!((analysis.years_of_experience - 9.9).abs() < 0.05, "{}", analysis.years_of_experience);
}
