//! The report's fonts: loaded at run time from TrueType files (none is committed), measured
//! for layout, and turned into positioned glyphs for the PDF writer.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use crate::error::FontError;

/// Where Debian's `fonts-dejavu-core` puts DejaVu Sans.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";
/// The Debian package that ships the default fonts.
const FONT_PACKAGE: &str = "fonts-dejavu-core";
const REGULAR_FILE: &str = "DejaVuSans.ttf";
const BOLD_FILE: &str = "DejaVuSans-Bold.ttf";

/// Fonts for the characters DejaVu Sans lacks (Chinese, Japanese, Korean), used when the system
/// has one of them; the first found is taken. Characters no font has are drawn as U+FFFD.
const FALLBACK_FONTS: [&str; 3] = [
    // fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    // fonts-droid-fallback
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    // fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// The fonts a PDF report is set in: a regular and a bold face, and optional fallbacks for
/// scripts they do not cover. Load once (it reads a few megabytes) and share: cloning is cheap.
#[derive(Clone)]
pub struct ReportFonts {
    regular: LoadedFont,
    bold: LoadedFont,
    fallbacks: Vec<LoadedFont>,
}

#[derive(Clone)]
struct LoadedFont {
    path: PathBuf,
    data: Arc<Vec<u8>>,
    pdf: Font,
}

impl fmt::Debug for ReportFonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportFonts")
            .field("regular", &self.regular.path)
            .field("bold", &self.bold.path)
            .field("fallbacks", &self.fallbacks.iter().map(|f| &f.path).collect::<Vec<_>>())
            .finish()
    }
}

impl ReportFonts {
    /// Loads DejaVu Sans (`DejaVuSans.ttf` and `DejaVuSans-Bold.ttf`) from `dir`, by default
    /// [`DEFAULT_FONT_DIR`] (Debian's `fonts-dejavu-core`), and the first CJK fallback font
    /// the system has, if any.
    ///
    /// # Errors
    ///
    /// [`FontError::Missing`] (naming the package to install) when a face is not there,
    /// [`FontError::Unreadable`] or [`FontError::Invalid`] when it cannot be used.
    pub fn load(dir: Option<&Path>) -> Result<Self, FontError> {
        let dir = dir.unwrap_or(Path::new(DEFAULT_FONT_DIR));
        let regular = LoadedFont::read_required(&dir.join(REGULAR_FILE), REGULAR_FILE)?;
        let bold = LoadedFont::read_required(&dir.join(BOLD_FILE), BOLD_FILE)?;
        let fallbacks = FALLBACK_FONTS
            .iter()
            .map(Path::new)
            .filter(|path| path.is_file())
            // A broken system font is not worth failing the report for: it is skipped.
            .find_map(|path| LoadedFont::read(path).ok())
            .into_iter()
            .collect();
        Ok(Self { regular, bold, fallbacks })
    }

    /// Adds a fallback font (TrueType or OpenType; the first face of a collection), tried
    /// before the ones found by [`ReportFonts::load`] for characters the main faces lack.
    ///
    /// # Errors
    ///
    /// [`FontError::Unreadable`] or [`FontError::Invalid`] when the file cannot be used.
    pub fn with_fallback(mut self, path: &Path) -> Result<Self, FontError> {
        let font = LoadedFont::read(path)?;
        self.fallbacks.insert(0, font);
        Ok(self)
    }

    /// The fonts' files: regular, bold, then the fallbacks.
    pub fn paths(&self) -> Vec<&Path> {
        [&self.regular, &self.bold].into_iter().chain(&self.fallbacks).map(|f| f.path.as_path()).collect()
    }
}

impl LoadedFont {
    fn read_required(path: &Path, file: &'static str) -> Result<Self, FontError> {
        if !path.exists() {
            return Err(FontError::Missing { path: path.to_owned(), file, package: FONT_PACKAGE });
        }
        Self::read(path)
    }

    fn read(path: &Path) -> Result<Self, FontError> {
        let bytes =
            std::fs::read(path).map_err(|source| FontError::Unreadable { path: path.to_owned(), source })?;
        let data = Arc::new(bytes);
        let invalid = || FontError::Invalid { path: path.to_owned() };
        let face = FontRef::from_index(data.as_slice(), 0).map_err(|_| invalid())?;
        if face.charmap().map('A').is_none() && face.charmap().map('\u{4E00}').is_none() {
            return Err(invalid());
        }
        let pdf = Font::new(data.clone().into(), 0).ok_or_else(invalid)?;
        Ok(Self { path: path.to_owned(), data, pdf })
    }
}

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    /// Body text.
    Regular,
    /// Headings and labels.
    Bold,
}

/// One face, ready to map characters and measure them.
struct Face<'a> {
    pdf: &'a Font,
    font: FontRef<'a>,
    metrics: GlyphMetrics<'a>,
    units_per_em: f32,
}

/// A run of glyphs from one face, with the text they stand for (which the PDF keeps, so the
/// text can be extracted and searched even where a character was drawn as U+FFFD).
pub(crate) struct Run {
    pub(crate) font: Font,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    pub(crate) text: String,
}

/// The fonts of one rendering, parsed once.
pub(crate) struct FontSet<'a> {
    /// Regular, bold, then the fallbacks.
    faces: Vec<Face<'a>>,
    /// The glyph drawn for a character no face has: U+FFFD, else `?`, in the regular face.
    replacement: (GlyphId, f32),
}

const REGULAR: usize = 0;
const BOLD: usize = 1;

impl<'a> FontSet<'a> {
    pub(crate) fn new(fonts: &'a ReportFonts) -> Result<Self, FontError> {
        let faces = [&fonts.regular, &fonts.bold]
            .into_iter()
            .chain(&fonts.fallbacks)
            .map(|loaded| {
                let font = FontRef::from_index(loaded.data.as_slice(), 0)
                    .map_err(|_| FontError::Invalid { path: loaded.path.clone() })?;
                let units_per_em =
                    f32::from(font.metrics(Size::unscaled(), LocationRef::default()).units_per_em.max(1));
                let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
                Ok(Face { pdf: &loaded.pdf, font, metrics, units_per_em })
            })
            .collect::<Result<Vec<_>, FontError>>()?;
        let regular = &faces[REGULAR];
        let replacement = ['\u{FFFD}', '?']
            .into_iter()
            .find_map(|c| regular.font.charmap().map(c))
            .map(|glyph| (GlyphId::new(glyph.to_u32()), advance(regular, glyph)))
            .unwrap_or((GlyphId::new(0), 0.5));
        Ok(Self { faces, replacement })
    }

    /// The face, glyph and advance (in ems) for a character; `None` for a character that is
    /// drawn as nothing (a zero-width control, joiner or variation selector that no face has).
    fn glyph(&self, c: char, weight: Weight) -> Option<(usize, GlyphId, f32)> {
        let first = match weight {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        };
        let order = std::iter::once(first)
            .chain(std::iter::once(if first == BOLD { REGULAR } else { BOLD }))
            .chain(2..self.faces.len());
        for index in order {
            let face = &self.faces[index];
            if let Some(glyph) = face.font.charmap().map(c).filter(|g| g.to_u32() != 0) {
                return Some((index, GlyphId::new(glyph.to_u32()), advance(face, glyph)));
            }
        }
        if is_invisible(c) {
            return None;
        }
        Some((REGULAR, self.replacement.0, self.replacement.1))
    }

    /// The width of a line of text, in points.
    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        text.chars().filter_map(|c| self.glyph(c, weight)).map(|(_, _, advance)| advance).sum::<f32>() * size
    }

    /// A line of text as runs of glyphs, one run per stretch of text set in the same face.
    pub(crate) fn runs(&self, text: &str, weight: Weight) -> Vec<Run> {
        let mut runs: Vec<(usize, Run)> = Vec::new();
        for (offset, c) in text.char_indices() {
            let end = offset + c.len_utf8();
            let Some((face, glyph, advance)) = self.glyph(c, weight) else {
                // Kept with the glyph before it, so that the text survives extraction.
                if let Some((_, run)) = runs.last_mut()
                    && let Some(last) = run.glyphs.last_mut()
                {
                    run.text.push(c);
                    last.text_range.end = run.text.len();
                }
                continue;
            };
            let same_face = runs.last().is_some_and(|(f, _)| *f == face);
            if !same_face {
                runs.push((
                    face,
                    Run { font: self.faces[face].pdf.clone(), glyphs: Vec::new(), text: String::new() },
                ));
            }
            if let Some((_, run)) = runs.last_mut() {
                let range_start = run.text.len();
                run.text.push_str(&text[offset..end]);
                run.glyphs.push(KrillaGlyph::new(
                    glyph,
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    range_start..run.text.len(),
                    None,
                ));
            }
        }
        runs.into_iter().map(|(_, run)| run).collect()
    }

    /// Breaks text into lines no wider than `max_width` points: at spaces, and inside a word
    /// only when the word alone is wider than a line. Line breaks in the text are kept; blank
    /// lines are kept as empty strings. Tabs become spaces and other control characters are
    /// dropped.
    pub(crate) fn wrap(&self, text: &str, weight: Weight, size: f32, max_width: f32) -> Vec<String> {
        let text = clean(text);
        let space = self.width(" ", weight, size);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let word_width = self.width(word, weight, size);
                if !line.is_empty() && line_width + space + word_width <= max_width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + word_width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if word_width <= max_width {
                    line = word.to_owned();
                    line_width = word_width;
                    continue;
                }
                // A word wider than a line: cut it where it fills the line.
                line_width = 0.0;
                for c in word.chars() {
                    let w = self.width(c.encode_utf8(&mut [0; 4]), weight, size);
                    if !line.is_empty() && line_width + w > max_width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += w;
                }
            }
            lines.push(line);
        }
        lines
    }
}

fn advance(face: &Face<'_>, glyph: skrifa::GlyphId) -> f32 {
    face.metrics.advance_width(glyph).unwrap_or(0.0) / face.units_per_em
}

/// Characters that take no space and that no face needs to draw: joiners, direction marks,
/// variation selectors, the byte-order mark, tag characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Text for one line: line breaks and tabs as spaces, other control characters dropped.
pub(crate) fn single_line(text: &str) -> String {
    clean(text).replace('\n', " ")
}

/// Line breaks as `\n`, tabs as spaces, other control characters dropped.
fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}
