//! Waterfall plot: one bar per subject, the best (lowest) percent change from baseline in the
//! sum of target-lesion diameters, sorted from the largest increase to the largest decrease,
//! coloured by best overall response, with dashed reference lines at +20 % (progression
//! threshold) and −30 % (partial-response threshold) (clinical-rules.md §2.1).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{err, response_color, RESPONSE_ORDER};

/// One subject's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallBar {
    pub subject: String,
    pub arm: String,
    /// Best percent change from baseline (%).
    pub pchg: f64,
    /// Best overall response code (`CR`, `PR`, …; `MISSING` when none).
    pub response: String,
}

/// Renders the waterfall plot.
pub fn waterfall_svg(
    bars: &[WaterfallBar],
    title: &str,
    width: u32,
    height: u32,
) -> Result<String, String> {
    let mut bars: Vec<&WaterfallBar> = bars.iter().filter(|b| b.pchg.is_finite()).collect();
    bars.sort_by(|a, b| {
        b.pchg
            .total_cmp(&a.pchg)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    let n = bars.len().max(1) as f64;
    let y_max = bars.iter().map(|b| b.pchg).fold(30.0f64, f64::max);
    let y_min = bars.iter().map(|b| b.pchg).fold(-100.0f64, f64::min);
    let y_max = ((y_max + 10.0) / 10.0).ceil() * 10.0;
    let y_min = ((y_min - 5.0) / 10.0).floor() * 10.0;
    let label_subjects = bars.len() <= 40;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width.max(400), height.max(300)))
            .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(16)
            .margin_right(24)
            .x_label_area_size(if label_subjects { 90 } else { 30 })
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..n, y_min..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("Best % change from baseline in sum of diameters")
            .x_desc(if label_subjects { "" } else { "Subjects" })
            .axis_desc_style(("sans-serif", 15))
            .label_style(("sans-serif", 13))
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        for (i, b) in bars.iter().enumerate() {
            let c = response_color(&b.response);
            let x0 = i as f64 + 0.15;
            let x1 = i as f64 + 0.85;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, b.pchg)],
                    c.filled(),
                )))
                .map_err(err)?;
            if label_subjects {
                let (px, py) = chart.backend_coord(&(i as f64 + 0.5, y_min));
                root.draw(&Text::new(
                    b.subject.clone(),
                    (px, py + 8),
                    ("sans-serif", 12)
                        .into_font()
                        .transform(FontTransform::Rotate270)
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 0.0), (n, 0.0)],
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
        for (y, label) in [
            (20.0, "+20% (PD threshold)"),
            (-30.0, "−30% (PR threshold)"),
        ] {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, y), (n, y)],
                    8,
                    5,
                    BLACK.mix(0.7).stroke_width(1),
                ))
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                label,
                (px + 4, py - 3),
                ("sans-serif", 12)
                    .into_font()
                    .color(&BLACK.mix(0.8))
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))
            .map_err(err)?;
        }
        for code in RESPONSE_ORDER {
            if !bars.iter().any(|b| b.response == code) {
                continue;
            }
            let c = response_color(code);
            let count = bars.iter().filter(|b| b.response == code).count();
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(err)?
                .label(format!("BOR {code} (n={count})"))
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled()));
        }
        if bars.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "no data",
                    (n / 2.0, 0.0),
                    ("sans-serif", 18),
                )))
                .map_err(err)?;
        } else {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font(("sans-serif", 13))
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK.mix(0.3))
                .margin(10)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
