//! Page layout: the content flows down A4 pages as a list of drawing operations per page,
//! breaking to a new page where the next line or block would not fit. Laying out first and
//! drawing afterwards lets every page's footer say how many pages there are.

use krilla::surface::Surface;

use super::chart::BarChart;
use super::fonts::{FontSet, Weight};
use super::paint::{Rgb, draw_text, fill_rect, stroke_path};
use crate::error::RenderError;

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margins.
pub(crate) const MARGIN_X: f32 = 56.0;
/// Where the content starts.
pub(crate) const TOP: f32 = 56.0;
/// Where the content must end; the footer sits below.
pub(crate) const BOTTOM: f32 = PAGE_HEIGHT - 62.0;
/// The width content may take.
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

/// One drawing operation; coordinates in points from the page's top-left corner.
pub(crate) enum Op {
    /// One line of text; `y` is its baseline.
    Text { x: f32, y: f32, size: f32, weight: Weight, color: Rgb, text: String },
    /// A filled rectangle.
    Rect { x: f32, y: f32, width: f32, height: f32, color: Rgb },
    /// A straight line.
    Line { from: (f32, f32), to: (f32, f32), width: f32, color: Rgb },
    /// A bar chart in the box given.
    Chart { x: f32, y: f32, width: f32, height: f32, chart: BarChart },
}

/// How a block of text looks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextStyle {
    pub(crate) size: f32,
    pub(crate) weight: Weight,
    pub(crate) color: Rgb,
    /// Extra left indent, in points.
    pub(crate) indent: f32,
}

impl TextStyle {
    pub(crate) const BODY: TextStyle =
        TextStyle { size: 10.0, weight: Weight::Regular, color: Rgb::INK, indent: 0.0 };
    pub(crate) const SMALL: TextStyle =
        TextStyle { size: 8.5, weight: Weight::Regular, color: Rgb::MUTED, indent: 0.0 };

    pub(crate) fn bold(self) -> Self {
        Self { weight: Weight::Bold, ..self }
    }

    pub(crate) fn sized(self, size: f32) -> Self {
        Self { size, ..self }
    }

    pub(crate) fn colored(self, color: Rgb) -> Self {
        Self { color, ..self }
    }

    pub(crate) fn indented(self, indent: f32) -> Self {
        Self { indent, ..self }
    }

    fn leading(&self) -> f32 {
        self.size * 1.35
    }
}

/// Content flowing down pages.
pub(crate) struct Flow<'f> {
    pub(crate) fonts: &'f FontSet<'f>,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl<'f> Flow<'f> {
    pub(crate) fn new(fonts: &'f FontSet<'f>) -> Self {
        Self { fonts, pages: vec![Vec::new()], y: TOP }
    }

    /// The pages laid out so far.
    pub(crate) fn finish(self) -> Vec<Vec<Op>> {
        self.pages
    }

    /// Where the free space starts on the current page.
    pub(crate) fn y(&self) -> f32 {
        self.y
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub(crate) fn keep(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    pub(crate) fn gap(&mut self, height: f32) {
        self.y = (self.y + height).min(BOTTOM);
    }

    pub(crate) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Text wrapped to the content width (less the indent), continuing on new pages as needed.
    pub(crate) fn text(&mut self, text: &str, style: TextStyle) {
        self.text_at(MARGIN_X + style.indent, CONTENT_WIDTH - style.indent, text, style);
    }

    /// Text wrapped to `width` from `x`, continuing on new pages as needed.
    pub(crate) fn text_at(&mut self, x: f32, width: f32, text: &str, style: TextStyle) {
        for line in self.fonts.wrap(text, style.weight, style.size, width) {
            self.keep(style.leading());
            let baseline = self.y + style.size;
            self.y += style.leading();
            if !line.is_empty() {
                self.push(Op::Text {
                    x,
                    y: baseline,
                    size: style.size,
                    weight: style.weight,
                    color: style.color,
                    text: line,
                });
            }
        }
    }

    /// A bulleted list.
    pub(crate) fn bullets(&mut self, items: &[String], style: TextStyle) {
        for item in items {
            self.keep(style.leading());
            let bullet = Op::Text {
                x: MARGIN_X + style.indent,
                y: self.y + style.size,
                size: style.size,
                weight: style.weight,
                color: style.color,
                text: "•".to_owned(),
            };
            self.push(bullet);
            self.text(item, style.indented(style.indent + 12.0));
        }
    }

    /// A heading kept with at least `keep_with` points of what follows it.
    pub(crate) fn heading(&mut self, text: &str, size: f32, keep_with: f32) {
        self.keep(size * 1.6 + keep_with);
        self.text(text, TextStyle::BODY.bold().sized(size));
        self.gap(size * 0.25);
    }

    /// A small bold label, kept on the page with two lines of what follows it.
    pub(crate) fn label(&mut self, text: &str) {
        let style = TextStyle::SMALL.bold();
        self.keep(style.leading() + 2.0 * TextStyle::BODY.leading());
        self.text(text, style);
    }

    /// A thin line across the content width.
    pub(crate) fn rule(&mut self) {
        self.keep(8.0);
        self.gap(4.0);
        let y = self.y;
        self.push(Op::Line {
            from: (MARGIN_X, y),
            to: (MARGIN_X + CONTENT_WIDTH, y),
            width: 0.6,
            color: Rgb::RULE,
        });
        self.gap(6.0);
    }

    /// Reserves `height` points (on a new page if need be) and returns the top of the space.
    pub(crate) fn reserve(&mut self, height: f32) -> f32 {
        self.keep(height);
        let top = self.y;
        self.y += height;
        top
    }
}

/// Draws one page's operations.
pub(crate) fn draw_ops(
    surface: &mut Surface<'_>,
    fonts: &FontSet<'_>,
    ops: &[Op],
) -> Result<(), RenderError> {
    for op in ops {
        match op {
            Op::Text { x, y, size, weight, color, text } => {
                draw_text(surface, fonts, (*x, *y), *size, *weight, *color, text);
            }
            Op::Rect { x, y, width, height, color } => fill_rect(surface, (*x, *y, *width, *height), *color),
            Op::Line { from, to, width, color } => stroke_path(surface, &[*from, *to], *width, *color, 1.0),
            Op::Chart { x, y, width, height, chart } => {
                super::chart::draw(surface, fonts, (*x, *y, *width, *height), chart)?;
            }
        }
    }
    Ok(())
}
