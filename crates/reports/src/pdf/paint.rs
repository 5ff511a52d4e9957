//! Painting on a page: colours, one line of text in the report's fonts, filled and stroked
//! paths. Both the page layout and the charts draw through these.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::fonts::{FontSet, Weight, single_line};

/// A colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    pub(crate) const INK: Rgb = Rgb(17, 24, 39);
    pub(crate) const MUTED: Rgb = Rgb(90, 98, 110);
    pub(crate) const RULE: Rgb = Rgb(210, 214, 220);
    pub(crate) const PANEL: Rgb = Rgb(243, 245, 248);
    pub(crate) const AI: Rgb = Rgb(37, 99, 235);
    pub(crate) const HUMAN: Rgb = Rgb(234, 88, 12);

    fn fill(self) -> Fill {
        Fill { paint: rgb::Color::new(self.0, self.1, self.2).into(), ..Fill::default() }
    }
}

/// Draws one line of text with its baseline at `(x, y)`.
pub(crate) fn draw_text(
    surface: &mut Surface<'_>,
    fonts: &FontSet<'_>,
    (x, y): (f32, f32),
    size: f32,
    weight: Weight,
    color: Rgb,
    text: &str,
) {
    let text = single_line(text);
    surface.set_fill(Some(color.fill()));
    surface.set_stroke(None);
    let mut x = x;
    for run in fonts.runs(&text, weight) {
        let advance: f32 = run.glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
        surface.draw_glyphs(Point::from_xy(x, y), &run.glyphs, run.font, &run.text, size, false);
        x += advance;
    }
}

pub(crate) fn fill_rect(surface: &mut Surface<'_>, (x, y, width, height): (f32, f32, f32, f32), color: Rgb) {
    let Some(rect) = Rect::from_xywh(x, y, width.max(0.01), height.max(0.01)) else { return };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(color.fill()));
        surface.draw_path(&path);
    }
}

pub(crate) fn stroke_path(
    surface: &mut Surface<'_>,
    points: &[(f32, f32)],
    width: f32,
    color: Rgb,
    opacity: f32,
) {
    let mut path = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            path.move_to(*x, *y);
        } else {
            path.line_to(*x, *y);
        }
    }
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(color.0, color.1, color.2).into(),
            width,
            opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

pub(crate) fn fill_path(surface: &mut Surface<'_>, points: &[(f32, f32)], color: Rgb, opacity: f32) {
    let mut path = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            path.move_to(*x, *y);
        } else {
            path.line_to(*x, *y);
        }
    }
    path.close();
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            opacity: NormalizedF32::new(opacity).unwrap_or(NormalizedF32::ONE),
            ..color.fill()
        }));
        surface.draw_path(&path);
    }
}
