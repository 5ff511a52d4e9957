//! The report as a PDF a hiring manager can print: A4 pages with a title page, charts of the
//! scores, and every question with its answer, its scores and where they came from.
//!
//! Text is set in DejaVu Sans, loaded at run time ([`ReportFonts`]) and embedded as subsets,
//! so the document looks the same everywhere and its text can be searched and extracted.
//! Characters the fonts lack (Chinese, Japanese or Korean without a fallback font installed,
//! most emoji) are drawn as U+FFFD, the replacement character, while the PDF keeps the
//! original text for copying and search. Right-to-left scripts are laid out left to right.

mod chart;
mod content;
mod fonts;
mod layout;
mod paint;

use krilla::Document;
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::page::PageSettings;

use chrono::{Datelike, Timelike};

pub use self::fonts::{DEFAULT_FONT_DIR, ReportFonts};
use self::fonts::{FontSet, Weight};
use self::layout::{MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH, draw_ops};
use self::paint::{Rgb, draw_text};
use crate::error::RenderError;
use crate::model::InterviewReport;

/// Renders the report as a PDF document.
///
/// This is CPU work (a ten-question report takes a few milliseconds, a long one more): from
/// async code, run it on the blocking pool (`tokio::task::spawn_blocking`).
///
/// # Errors
///
/// [`RenderError::Pdf`] when the PDF writer refuses the document, for example a font it
/// cannot embed.
pub fn render_pdf(report: &InterviewReport, fonts: &ReportFonts) -> Result<Vec<u8>, RenderError> {
    let fonts = FontSet::new(fonts).map_err(|e| RenderError::Pdf(e.to_string()))?;
    let pages = content::lay_out(report, &fonts);
    let total = pages.len();

    let mut document = Document::new();
    document.set_metadata(metadata(report));
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| RenderError::Pdf("invalid page size".to_owned()))?;
    for (index, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        draw_ops(&mut surface, &fonts, ops)?;
        footer(&mut surface, &fonts, report, index + 1, total);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| RenderError::Pdf(e.to_string()))
}

fn footer(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &FontSet<'_>,
    report: &InterviewReport,
    page: usize,
    total: usize,
) {
    let y = PAGE_HEIGHT - 34.0;
    paint::stroke_path(
        surface,
        &[(MARGIN_X, y - 12.0), (PAGE_WIDTH - MARGIN_X, y - 12.0)],
        0.5,
        Rgb::RULE,
        1.0,
    );
    let left = format!("Interview report · {}", report.candidate.name);
    let left = truncate(fonts, &left, 8.0, PAGE_WIDTH - 2.0 * MARGIN_X - 80.0);
    draw_text(surface, fonts, (MARGIN_X, y), 8.0, Weight::Regular, Rgb::MUTED, &left);
    let right = format!("Page {page} of {total}");
    let width = fonts.width(&right, Weight::Regular, 8.0);
    draw_text(surface, fonts, (PAGE_WIDTH - MARGIN_X - width, y), 8.0, Weight::Regular, Rgb::MUTED, &right);
}

/// The text cut with an ellipsis to fit `width` points.
fn truncate(fonts: &FontSet<'_>, text: &str, size: f32, width: f32) -> String {
    if fonts.width(text, Weight::Regular, size) <= width {
        return text.to_owned();
    }
    let mut cut = String::new();
    for c in text.chars() {
        cut.push(c);
        if fonts.width(&cut, Weight::Regular, size) + fonts.width("…", Weight::Regular, size) > width {
            cut.pop();
            break;
        }
    }
    cut.push('…');
    cut
}

fn metadata(report: &InterviewReport) -> Metadata {
    let at = report.generated_at;
    let created = PdfDateTime::new(u16::try_from(at.year()).unwrap_or(1970))
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    Metadata::new()
        .title(format!("{} — {}", report.title, report.candidate.name))
        .description(format!("Interview report for {}", report.candidate.name))
        .creator("Viva".to_owned())
        .language("en".to_owned())
        .creation_date(created)
}
