//! The interview report (REPORT-1): the document ([`model`]) and its renderings.
//!
//! The service fills an [`InterviewReport`] from the database; this crate knows nothing of the
//! database, HTTP or GraphQL beyond deriving the GraphQL output types behind the `graphql`
//! feature. The JSON export is `serde_json` of the report; [`render_csv`] writes one row per
//! answer for spreadsheets; [`render_pdf`] writes a printable A4 document with charts.
//!
//! # Choices
//!
//! - **PDF: [krilla](https://docs.rs/krilla).** A maintained, high-level PDF writer (it is
//!   Typst's): pages, paths, fills and glyphs, with TrueType/OpenType fonts embedded as subsets
//!   and a ToUnicode map so the text stays extractable. It is synchronous, has no C
//!   dependencies, and with its default features off (no raster images, no text shaper) its tree
//!   is small: pdf-writer, subsetter, skrifa, flate2. printpdf was the alternative; typst as a
//!   library would bring a whole typesetting system for a fixed layout.
//! - **Text layout: our own, on skrifa** (the font reader krilla already uses): characters are
//!   mapped to glyphs face by face (regular or bold, then a CJK fallback if the system has one,
//!   else U+FFFD), measured from the fonts' advance widths and wrapped greedily at spaces. No
//!   kerning or ligatures: a report does not need them, and leaving out the shaper keeps the
//!   build small. Fonts are read at run time ([`ReportFonts::load`], DejaVu Sans from
//!   `fonts-dejavu-core` by default); none is committed.
//! - **Charts: [plotters](https://docs.rs/plotters)** with no default features (no bitmap,
//!   SVG or font-kit backends), drawing through a plotters backend of ours that writes straight
//!   into the krilla page: bars and axes are vector paths and every label is real text in the
//!   embedded fonts. Going through plotters' SVG backend and krilla-svg would have added usvg
//!   and its font database, and would have turned the chart labels into outlines.
//! - **CSV: the [csv](https://docs.rs/csv) crate**, RFC 4180 with CRLF, plus a guard against
//!   formula injection (see [`mod@csv`]).
//!
//! Rendering is synchronous CPU work: run it under `spawn_blocking` from async code.

pub mod csv;
pub mod error;
pub mod model;
pub mod pdf;

pub use crate::csv::{CSV_COLUMNS, render_csv};
pub use error::{FontError, RenderError};
pub use model::{
    AiScore, AnswerReport, Delivery, DimensionScore, HumanScore, InterviewReport, QuestionReport,
    ReportPerson, ScoreProvenance,
};
pub use pdf::{DEFAULT_FONT_DIR, ReportFonts, render_pdf};
