//! Bar charts, laid out by plotters and drawn straight into the PDF page as vector graphics.
//!
//! plotters computes the chart's layout (axes, ticks, label areas, bars) and calls a drawing
//! backend; [`PdfBackend`] is that backend for a krilla page, so lines and bars become PDF
//! paths and every label is real text in the report's embedded fonts (searchable, selectable,
//! crisp at any zoom). No SVG or bitmap step sits between.

use std::convert::Infallible;

use krilla::geom::Transform;
use krilla::surface::Surface;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle, FontTransform,
};

use super::fonts::{FontSet, Weight};
use super::paint::{Rgb, draw_text, fill_path, stroke_path};
use crate::error::RenderError;

/// Backend units per point: plotters works in whole pixels, so a finer unit keeps bars and
/// text placed to a quarter of a point.
const UNITS: f32 = 4.0;

/// Scores 0–100 per category, from the AI and (where there is one) from people.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BarChart {
    /// The categories along the x axis.
    pub(crate) categories: Vec<String>,
    /// The AI score per category.
    pub(crate) ai: Vec<Option<f64>>,
    /// The human score per category.
    pub(crate) human: Vec<Option<f64>>,
}

/// Draws a chart in the box `(x, y, width, height)` of the page, in points.
pub(crate) fn draw(
    surface: &mut Surface<'_>,
    fonts: &FontSet<'_>,
    (x, y, width, height): (f32, f32, f32, f32),
    chart: &BarChart,
) -> Result<(), RenderError> {
    let backend = PdfBackend {
        surface,
        fonts,
        origin: (x, y),
        size: ((width * UNITS) as u32, (height * UNITS) as u32),
    };
    draw_bars(backend, chart).map_err(|e| RenderError::Pdf(format!("chart: {e}")))
}

fn units(points: f32) -> u32 {
    (points * UNITS).round() as u32
}

fn color(rgb: Rgb) -> RGBColor {
    RGBColor(rgb.0, rgb.1, rgb.2)
}

fn draw_bars(
    backend: PdfBackend<'_, '_, '_>,
    chart: &BarChart,
) -> Result<(), DrawingAreaErrorKind<Infallible>> {
    let root = backend.into_drawing_area();
    let n = chart.categories.len().max(1);
    let muted = color(Rgb::MUTED);
    let label = TextStyle::from(("sans-serif", f64::from(units(8.0))).into_font()).color(&muted);
    let mut context = ChartBuilder::on(&root)
        .margin_top(units(10.0))
        .margin_right(units(4.0))
        .x_label_area_size(units(16.0))
        .y_label_area_size(units(24.0))
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..100.0)?;
    let categories = &chart.categories;
    // Whole numbers are the categories' centres (with as many labels as categories plotters
    // puts one at each); anything else gets no label.
    let category = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            categories.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let score = |y: &f64| format!("{y:.0}");
    context
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .y_labels(6)
        .x_label_formatter(&category)
        .y_label_formatter(&score)
        .label_style(label.clone())
        .axis_style(ShapeStyle::from(color(Rgb::MUTED)).stroke_width(units(0.6)))
        .bold_line_style(ShapeStyle::from(color(Rgb::RULE)).stroke_width(units(0.4)))
        .light_line_style(TRANSPARENT)
        .set_all_tick_mark_size(units(2.0))
        .draw()?;

    let any_human = chart.human.iter().any(Option::is_some);
    let bar = if any_human { 0.36 } else { 0.5 };
    let value_labels = n <= 16;
    let ink = color(Rgb::INK);
    let value_style = TextStyle::from(("sans-serif", f64::from(units(7.0))).into_font())
        .color(&ink)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, (ai, human)) in chart.ai.iter().zip(&chart.human).enumerate() {
        let centre = i as f64;
        let (ai_from, ai_to) =
            if human.is_some() { (centre - bar, centre) } else { (centre - bar / 2.0, centre + bar / 2.0) };
        let series = [(ai, ai_from, ai_to, Rgb::AI), (human, centre, centre + bar, Rgb::HUMAN)];
        for (value, from, to, rgb) in series {
            let Some(value) = value.map(|v| v.clamp(0.0, 100.0)) else { continue };
            context.draw_series(std::iter::once(Rectangle::new(
                [(from, 0.0), (to, value)],
                color(rgb).filled(),
            )))?;
            if value_labels {
                context.draw_series(std::iter::once(Text::new(
                    format!("{value:.0}"),
                    ((from + to) / 2.0, value + 1.5),
                    value_style.clone(),
                )))?;
            }
        }
    }
    root.present()?;
    Ok(())
}

/// plotters' drawing backend for a region of a krilla page. Coordinates are [`UNITS`] per
/// point from the region's top-left corner.
struct PdfBackend<'s, 'p, 'f> {
    surface: &'s mut Surface<'p>,
    fonts: &'f FontSet<'f>,
    origin: (f32, f32),
    size: (u32, u32),
}

impl PdfBackend<'_, '_, '_> {
    fn point(&self, (x, y): BackendCoord) -> (f32, f32) {
        (self.origin.0 + x as f32 / UNITS, self.origin.1 + y as f32 / UNITS)
    }

    fn text_weight<S: BackendTextStyle>(style: &S) -> Weight {
        match style.style() {
            FontStyle::Bold => Weight::Bold,
            _ => Weight::Regular,
        }
    }
}

fn rgb(color: BackendColor) -> Rgb {
    Rgb(color.rgb.0, color.rgb.1, color.rgb.2)
}

impl DrawingBackend for PdfBackend<'_, '_, '_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.draw_rect(point, (point.0 + 1, point.1 + 1), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let corners =
            [upper_left, (bottom_right.0, upper_left.1), bottom_right, (upper_left.0, bottom_right.1)];
        if fill {
            self.fill_polygon(corners, style)
        } else {
            self.draw_path(corners.into_iter().chain(std::iter::once(upper_left)), style)
        }
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let color = style.color();
        if color.alpha <= 0.0 {
            return Ok(());
        }
        let points: Vec<(f32, f32)> = path.into_iter().map(|p| self.point(p)).collect();
        let width = (style.stroke_width() as f32 / UNITS).max(0.1);
        stroke_path(self.surface, &points, width, rgb(color), color.alpha as f32);
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let points: Vec<BackendCoord> = (0..=32)
            .map(|i| {
                let angle = f64::from(i) * std::f64::consts::TAU / 32.0;
                let (sin, cos) = angle.sin_cos();
                (
                    center.0 + (f64::from(radius) * cos).round() as i32,
                    center.1 + (f64::from(radius) * sin).round() as i32,
                )
            })
            .collect();
        if fill { self.fill_polygon(points, style) } else { self.draw_path(points, style) }
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vertices: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let color = style.color();
        if color.alpha <= 0.0 {
            return Ok(());
        }
        let points: Vec<(f32, f32)> = vertices.into_iter().map(|p| self.point(p)).collect();
        fill_path(self.surface, &points, rgb(color), color.alpha as f32);
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let color = style.color();
        if color.alpha <= 0.0 {
            return Ok(());
        }
        let size = style.size() as f32 / UNITS;
        let weight = Self::text_weight(style);
        let width = self.fonts.width(text, weight, size);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        // Baselines for a box one font size high: DejaVu's capitals reach 0.73 em.
        let dy = match style.anchor().v_pos {
            VPos::Top => size * 0.95,
            VPos::Center => size * 0.36,
            VPos::Bottom => -size * 0.2,
        };
        let (x, y) = self.point(pos);
        let rotation = match style.transform() {
            FontTransform::Rotate90 => Some(90.0),
            FontTransform::Rotate180 => Some(180.0),
            FontTransform::Rotate270 => Some(270.0),
            FontTransform::None => None,
        };
        if let Some(angle) = rotation {
            self.surface.push_transform(&Transform::from_rotate_at(angle, x, y));
        }
        draw_text(self.surface, self.fonts, (x + dx, y + dy), size, weight, rgb(color), text);
        if rotation.is_some() {
            self.surface.pop();
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Infallible>> {
        let size = style.size() as f32 / UNITS;
        let width = self.fonts.width(text, Self::text_weight(style), size);
        Ok((units(width), units(size)))
    }
}
