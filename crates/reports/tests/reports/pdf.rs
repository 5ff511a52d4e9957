//! The PDF: it renders (long answers across pages, an unanswered question, unicode), poppler
//! finds the candidate, every question and every score in its text, and rasterises every page.
//! Needs poppler-utils (`scripts/setup-report-tests.sh` installs it).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::sample;
use viva_reports::{FontError, InterviewReport, ReportFonts, render_pdf};

fn fonts() -> ReportFonts {
    ReportFonts::load(None).unwrap_or_else(|e| panic!("{e}; run scripts/setup-report-tests.sh"))
}

/// Runs a poppler tool; a missing tool fails the test with what to do.
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} could not be run ({e}): run scripts/setup-report-tests.sh, which installs poppler-utils"
        )
    });
    assert!(output.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Whitespace collapsed, so that wrapped lines compare with the text they came from.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text without the pages' footers, which interrupt text running across pages.
fn without_footers(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("Interview report · ") && !l.starts_with("Page "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn pdf_text(pdf: &Path) -> String {
    let out = pdf.with_extension("txt");
    poppler("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), out.to_str().unwrap()]);
    std::fs::read_to_string(out).unwrap()
}

fn page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line["Pages:".len()..].trim().parse().unwrap()
}

fn write(dir: &Path, name: &str, report: &InterviewReport) -> std::path::PathBuf {
    let bytes = render_pdf(report, &fonts()).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    // To look at the documents: VIVA_REPORTS_KEEP=<dir> cargo test -p viva-reports
    if let Some(keep) = std::env::var_os("VIVA_REPORTS_KEEP") {
        std::fs::write(Path::new(&keep).join(name), &bytes).unwrap();
    }
    path
}

#[test]
fn the_text_has_the_candidate_every_question_and_every_score() {
    let dir = tempfile::tempdir().unwrap();
    let report = sample::report();
    let pdf = write(dir.path(), "report.pdf", &report);
    let text = pdf_text(&pdf);
    let body = flat(&without_footers(&text));
    let text = flat(&text);

    for needle in [
        sample::CANDIDATE,
        "zoe.angstrom@example.com",
        "Backend engineer — final round",
        "Senior Backend Engineer (Platform)",
        "Priya Raman",
        "71 / 100",
        "Evaluated",
        "2 Mar 2026, 09:30 UTC",
        "Not answered.",
        "not evaluated yet",
        "Page 1 of",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the PDF's text");
    }
    for question in sample::question_texts() {
        assert!(text.contains(&flat(&question)), "question {question:?} not in the PDF's text");
    }
    for dimension in &report.dimensions {
        if let Some(ai) = dimension.ai_score {
            let value = format!("{} AI {ai:.1}", dimension.label);
            assert!(text.contains(&value), "{value:?} not in the PDF's text");
        }
    }
    assert!(text.contains("human 69.0"));
    for question in &report.questions {
        let Some(answer) = &question.answer else { continue };
        if let Some(ai) = &answer.ai {
            for needle in [
                format!("AI score {} / 100 · grade {}", ai.overall, ai.grade),
                format!(
                    "Content {} · Communication {} · Technical depth {} · Relevance {}",
                    ai.content, ai.communication, ai.technical_depth, ai.relevance
                ),
                format!("rubric {}", ai.provenance.rubric_version),
            ] {
                assert!(text.contains(&needle), "{needle:?} not in the PDF's text");
            }
        }
        if let Some(human) = &answer.human {
            let needle = format!("Human score {} / 100", human.score);
            assert!(text.contains(&needle), "{needle:?} not in the PDF's text");
        }
    }
    assert!(text.contains("Reason: Better than the AI thought: exact on leaf pages."));
    // Unicode: accents drawn, CJK and emoji kept in the text even where drawn as U+FFFD.
    assert!(text.contains("« zéro temps d'arrêt »"));
    assert!(text.contains("日本語の説明も書きました"));
    assert!(text.contains("résumé of naïve façades"));
    // The long answer is all there, across pages.
    let long = &report.questions[2].answer.as_ref().unwrap().text;
    let long_words = flat(long).replace(&"x".repeat(400), "");
    assert!(body.contains(long_words.trim()), "the long answer is cut");
}

#[test]
fn every_page_rasterises() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = write(dir.path(), "report.pdf", &sample::report());
    let pages = page_count(&pdf);
    assert!(pages >= 5, "title, charts, and the questions with a long answer: {pages} pages");
    let prefix = dir.path().join("page");
    poppler("pdftoppm", &["-r", "50", "-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    let mut pngs: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    assert_eq!(pngs.len(), pages);
    for png in pngs {
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{png:?}");
        assert!(bytes.len() > 1000, "{png:?} is empty");
    }
}

#[test]
fn a_report_with_nothing_scored_renders() {
    let dir = tempfile::tempdir().unwrap();
    let report = sample::unscored();
    let pdf = write(dir.path(), "unscored.pdf", &report);
    let text = flat(&pdf_text(&pdf));
    assert!(text.contains("Not scored yet"));
    assert!(text.contains(sample::CANDIDATE));
    assert_eq!(page_count(&pdf), 3 + usize::from(text.contains("Page 4 of 4")));
}

#[test]
fn hostile_text_does_not_break_the_layout() {
    let mut report = sample::report();
    report.questions.truncate(2);
    let nasty = [
        "\u{0}\u{7}\u{1b}[31mcontrol\u{7f}",
        "👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, e\u{301} combining, \u{200f}rtl mark, עברית ومرحبا",
        &"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ".repeat(500),
        &"日本語".repeat(3000),
        "",
        "\n\n\n\r\r\t\t",
    ];
    for (i, text) in nasty.iter().enumerate() {
        report.title = text.to_string();
        report.candidate.name = text.to_string();
        report.questions[0].text = text.to_string();
        report.questions[1].answer.as_mut().unwrap().text = text.to_string();
        report.strengths = vec![text.to_string()];
        let bytes = render_pdf(&report, &fonts()).unwrap_or_else(|e| panic!("text {i}: {e}"));
        assert!(bytes.starts_with(b"%PDF-"), "text {i}");
    }
}

/// The service loads the fonts once and renders on the blocking pool.
#[test]
fn fonts_and_reports_can_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<ReportFonts>();
    send_sync::<InterviewReport>();
    let fonts = fonts();
    let report = sample::report();
    let pdf = std::thread::spawn(move || render_pdf(&report, &fonts)).join().unwrap().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn missing_fonts_name_the_package_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let err = ReportFonts::load(Some(dir.path())).unwrap_err();
    assert!(matches!(err, FontError::Missing { .. }));
    let message = err.to_string();
    assert!(message.contains("fonts-dejavu-core"), "{message}");
    assert!(message.contains("DejaVuSans.ttf"), "{message}");

    std::fs::write(dir.path().join("DejaVuSans.ttf"), b"not a font").unwrap();
    std::fs::write(dir.path().join("DejaVuSans-Bold.ttf"), b"not a font").unwrap();
    let err = ReportFonts::load(Some(dir.path())).unwrap_err();
    assert!(matches!(err, FontError::Invalid { .. }), "{err}");
}

#[test]
fn a_fallback_font_must_be_a_font() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("fallback.ttf");
    std::fs::write(&bogus, b"not a font").unwrap();
    let err = fonts().with_fallback(&bogus).unwrap_err();
    assert!(matches!(err, FontError::Invalid { .. }), "{err}");
    let err = fonts().with_fallback(&dir.path().join("absent.ttf")).unwrap_err();
    assert!(matches!(err, FontError::Unreadable { .. }), "{err}");

    // Any real font is accepted, tried first for what the main faces lack.
    let serif = Path::new(viva_reports::DEFAULT_FONT_DIR).join("DejaVuSerif.ttf");
    if serif.is_file() {
        let fonts = fonts().with_fallback(&serif).unwrap();
        assert_eq!(fonts.paths()[2], serif);
        render_pdf(&sample::report(), &fonts).unwrap();
    }
}

#[test]
fn size_and_time_of_a_ten_question_report() {
    let fonts = fonts();
    let report = sample::report();
    render_pdf(&report, &fonts).unwrap();
    let runs = 5;
    let start = Instant::now();
    let mut size = 0;
    for _ in 0..runs {
        size = render_pdf(&report, &fonts).unwrap().len();
    }
    let each = start.elapsed() / runs;
    eprintln!("ten-question report: {size} bytes, {each:?} per rendering");
    // Subset fonts: far below the 740 kB of the two full DejaVu faces.
    assert!(size < 300_000, "{size} bytes");
}
