//! `viva ai analyze-resume FILE` and the hidden `viva sandbox extract` it starts: the real
//! binary on the fixtures of crates/resumes.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::server::viva;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/resumes/tests/fixtures").join(name)
}

fn analyze_resume(file: &std::path::Path) -> std::process::Output {
    viva("postgres://unused@127.0.0.1:1/unused")
        .args(["ai", "analyze-resume", "--today", "2026-06-01"])
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn analyze_resume_prints_the_analysis_of_a_pdf_or_a_docx() {
    for name in ["backend_go.pdf", "backend_go.docx"] {
        let output = analyze_resume(&fixture(name));
        assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
        let analysis: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(analysis["contact"]["emails"], json!(["daniel.okafor@example.com"]), "{name}");
        assert_eq!(analysis["contact"]["phones"], json!(["+1 (415) 555-0132"]), "{name}");
        assert_eq!(analysis["years_of_experience"], json!(12.0), "{name}");
        let skills = analysis["skills"].as_array().unwrap();
        for skill in ["Go", "PostgreSQL", "Kubernetes", "Kafka"] {
            assert!(skills.contains(&json!(skill)), "{name}: {skill} in {skills:?}");
        }
        let kinds: Vec<&str> =
            analysis["sections"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["SUMMARY", "EXPERIENCE", "EDUCATION", "SKILLS"], "{name}");
        assert!(analysis["quality_score"].as_u64().unwrap() >= 80, "{name}: {analysis:#}");
        assert_eq!(analysis["quality_components"].as_array().unwrap().len(), 7);
        assert!(analysis["summary"].as_str().unwrap().contains("12 years of experience"));
        assert!(analysis["ats_feedback"].is_array());
    }
}

#[test]
fn a_refused_file_is_one_clear_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("resume.pdf");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0").unwrap();
    for (file, expected) in [
        (png, "this file is a PNG image; upload a PDF or a Word (.docx) document"),
        (fixture("encrypted.pdf"), "the document is protected by a password"),
    ] {
        let output = analyze_resume(&file);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    let missing = analyze_resume(&dir.path().join("nowhere.docx"));
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open"));
}

#[test]
fn the_sandbox_subcommand_is_hidden_and_parses_under_its_limits() {
    let help = viva("").arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("sandbox"));

    // The DOCX child in the real binary (with its allocator), under a 256 MB address space.
    let mut child = viva("")
        .args(["sandbox", "extract", "--kind", "docx", "--memory-bytes", "268435456", "--cpu-seconds", "5"])
        .args(["--max-pages", "30", "--max-input-bytes", "10485760", "--max-decompressed-bytes", "33554432"])
        .args(["--max-text-bytes", "1048576", "--pdftotext", "pdftotext"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(fixture("sales_ae.docx")).unwrap()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(document["text"].as_str().unwrap().starts_with("Marcus Bell\nEnterprise Account Executive\n"));

    // Without its limits it refuses to run.
    let refused = viva("").args(["sandbox", "extract", "--kind", "pdf"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(64), "{}", String::from_utf8_lossy(&refused.stderr));
}
