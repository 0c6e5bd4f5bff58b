//! Kaplan-Meier plot as SVG (plotters SVG backend): step curves, censor marks, optional
//! pointwise CI bands (log-log, §3.2), legend with n/events/median, axis labels and a
//! number-at-risk table whose columns sit under the time-axis ticks.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::analysis::{fmt_opt, fmt_tick, SurvivalReport};
use crate::plots::{err, ARM_PALETTE as PALETTE};

/// Plot options.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    pub title: Option<String>,
    /// Label of the time axis (e.g. "Time (days)").
    pub x_label: String,
    pub y_label: String,
    pub ci_bands: bool,
    /// Unit of the time axis (e.g. "days"), appended to the medians in the legend
    /// ("median 175 days"); `None` = unitless.
    pub time_unit: Option<String>,
    pub width: u32,
    pub height: u32,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            title: None,
            x_label: "Time".into(),
            y_label: "Survival probability".into(),
            ci_bands: false,
            time_unit: None,
            width: 960,
            height: 640,
        }
    }
}

/// Lower left (the usual empty corner of a KM plot) unless a curve falls below 0.45 in the
/// first 45 % of the time axis; then upper right.
fn legend_position(report: &SurvivalReport, x_max: f64) -> SeriesLabelPosition {
    let low_early = report.groups.iter().any(|g| {
        g.curve
            .iter()
            .any(|r| r.time <= 0.45 * x_max && r.survival < 0.45)
    });
    if low_early {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerLeft
    }
}

/// Renders the report's curves to an SVG document.
pub fn km_svg(report: &SurvivalReport, opts: &PlotOptions) -> Result<String, String> {
    let mut svg = String::new();
    {
        let (w, h) = (opts.width.max(400), opts.height.max(300));
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let groups = &report.groups;
        let name = |g: &Option<String>| g.clone().unwrap_or_else(|| "All subjects".into());
        let label_w = groups
            .iter()
            .map(|g| name(&g.group).chars().count())
            .max()
            .unwrap_or(8)
            .max(8) as u32
            * 8
            + 44;
        let row_h = 22u32;
        let table_h = 40 + row_h * groups.len() as u32;
        let (plot_area, table_area) = root.split_vertically(h.saturating_sub(table_h).max(200));
        let ticks = report.at_risk_table.times.clone();
        let x_max = ticks.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
        let mut builder = ChartBuilder::on(&plot_area);
        builder
            .margin_top(if opts.title.is_some() { 10 } else { 20 })
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(label_w.max(70));
        if let Some(t) = &opts.title {
            builder.caption(t, ("sans-serif", 22));
        }
        let mut chart = builder
            .build_cartesian_2d(0f64..x_max, 0f64..1.02f64)
            .map_err(err)?;
        // x ticks are drawn by hand below so that they coincide with the at-risk columns.
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .x_desc(opts.x_label.as_str())
            .y_label_formatter(&|v| format!("{v:.1}"))
            .axis_desc_style(("sans-serif", 16))
            .label_style(("sans-serif", 14))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;

        // y-axis title drawn by hand next to the tick labels (the label area is wide so that the
        // at-risk table's group names fit, which would push plotters' own title far left).
        let (ax, ay0) = chart.backend_coord(&(0.0, 0.0));
        let (_, ay1) = chart.backend_coord(&(0.0, 1.02));
        root.draw(&Text::new(
            opts.y_label.clone(),
            (ax - 48, (ay0 + ay1) / 2),
            ("sans-serif", 16)
                .into_font()
                .transform(FontTransform::Rotate270)
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
        for t in &ticks {
            chart
                .draw_series(LineSeries::new(
                    vec![(*t, 0.0), (*t, 1.02)],
                    BLACK.mix(0.08),
                ))
                .map_err(err)?;
            let (x, y) = chart.backend_coord(&(*t, 0.0));
            root.draw(&PathElement::new(vec![(x, y), (x, y + 5)], BLACK))
                .map_err(err)?;
            root.draw(&Text::new(
                fmt_tick(*t),
                (x, y + 8),
                ("sans-serif", 14)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }

        for (gi, g) in groups.iter().enumerate() {
            let color = PALETTE[gi % PALETTE.len()];
            // Step function: horizontal at the previous level, then drop at each time.
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(2 * g.curve.len() + 1);
            let (mut lo_pts, mut hi_pts) = (Vec::new(), Vec::new());
            let mut prev = (1.0, 1.0, 1.0);
            pts.push((0.0, 1.0));
            lo_pts.push((0.0, 1.0));
            hi_pts.push((0.0, 1.0));
            for r in &g.curve {
                let lo = r.ci_lower.unwrap_or(prev.1);
                let hi = r.ci_upper.unwrap_or(prev.2);
                pts.push((r.time, prev.0));
                pts.push((r.time, r.survival));
                lo_pts.push((r.time, prev.1));
                lo_pts.push((r.time, lo));
                hi_pts.push((r.time, prev.2));
                hi_pts.push((r.time, hi));
                prev = (r.survival, lo, hi);
            }
            if opts.ci_bands {
                let mut poly = hi_pts.clone();
                poly.extend(lo_pts.iter().rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        color.mix(0.15).filled(),
                    )))
                    .map_err(err)?;
            }
            let median = match (g.median, &opts.time_unit) {
                (None, _) => "not reached".to_string(),
                (Some(m), Some(u)) => format!("{} {u}", fmt_opt(Some(m))),
                (Some(m), None) => fmt_opt(Some(m)),
            };
            let legend = format!(
                "{}  (n={}, events={}, median {median})",
                name(&g.group),
                g.n,
                g.events,
            );
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(err)?
                .label(legend)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
            // Censor marks: a short vertical tick on the curve at each censoring time.
            let marks = g.curve.iter().filter(|r| r.censored > 0).map(|r| {
                EmptyElement::at((r.time, r.survival))
                    + PathElement::new(vec![(0, -6), (0, 6)], color.stroke_width(2))
            });
            chart.draw_series(marks).map_err(err)?;
        }
        if groups.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "no data",
                    (x_max / 2.0, 0.5),
                    ("sans-serif", 20),
                )))
                .map_err(err)?;
        }
        chart
            .configure_series_labels()
            .position(legend_position(report, x_max))
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .margin(12)
            .draw()
            .map_err(err)?;
        let censor_note = if opts.ci_bands {
            format!(
                "| = censored; shaded: pointwise {}% CI (log-log)",
                fmt_tick(report.conf_level * 100.0)
            )
        } else {
            "| = censored".to_string()
        };

        // Number-at-risk table, columns aligned with the x ticks.
        let (_, table_top) = table_area.get_base_pixel();
        let head = ("sans-serif", 14).into_font().style(FontStyle::Bold);
        table_area
            .draw(&Text::new(
                "Number at risk",
                (8, 8),
                head.into_text_style(&table_area),
            ))
            .map_err(err)?;
        root.draw(&Text::new(
            censor_note,
            (w as i32 - 12, table_top + 8),
            ("sans-serif", 12)
                .into_font()
                .color(&BLACK.mix(0.6))
                .pos(Pos::new(HPos::Right, VPos::Top)),
        ))
        .map_err(err)?;
        for (gi, row) in report.at_risk_table.groups.iter().enumerate() {
            let color = PALETTE[gi % PALETTE.len()];
            let y = table_top + 40 + row_h as i32 * gi as i32;
            root.draw(&Text::new(
                name(&row.group),
                (12, y),
                ("sans-serif", 14)
                    .into_font()
                    .color(&color)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            for (t, n) in ticks.iter().zip(&row.at_risk) {
                let (x, _) = chart.backend_coord(&(*t, 0.0));
                root.draw(&Text::new(
                    n.to_string(),
                    (x, y),
                    ("sans-serif", 14)
                        .into_font()
                        .color(&color)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
