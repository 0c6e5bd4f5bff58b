//! Swimmer plot: one horizontal bar per subject from day 1 (randomisation) to the last day on
//! study, coloured by arm, with marks at each response assessment showing CR / PR, the first
//! progression and death; an arrow marks subjects still on study (no disposition event).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{err, response_color, ARM_PALETTE};

/// A mark on a lane.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A CR or PR assessment (`code`).
    Response {
        day: f64,
        code: String,
    },
    Progression {
        day: f64,
    },
    Death {
        day: f64,
    },
}

/// One subject's lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub subject: String,
    pub arm: String,
    /// Last study day (day 1 = randomisation).
    pub end_day: f64,
    pub ongoing: bool,
    pub marks: Vec<Mark>,
}

/// Renders the swimmer plot; lanes are sorted by arm then by duration (longest on top).
pub fn swimmer_svg(
    lanes: &[Lane],
    arms: &[String],
    title: &str,
    width: u32,
) -> Result<String, String> {
    let mut lanes: Vec<&Lane> = lanes.iter().filter(|l| l.end_day.is_finite()).collect();
    lanes.sort_by(|a, b| {
        let ia = arms.iter().position(|x| *x == a.arm).unwrap_or(usize::MAX);
        let ib = arms.iter().position(|x| *x == b.arm).unwrap_or(usize::MAX);
        ib.cmp(&ia)
            .then_with(|| a.end_day.total_cmp(&b.end_day))
            .then_with(|| b.subject.cmp(&a.subject))
    });
    let n = lanes.len().max(1);
    let lane_h = 26u32;
    let height = (140 + lane_h * n as u32).max(320);
    let x_max = lanes.iter().map(|l| l.end_day).fold(1.0f64, f64::max) * 1.08;
    let ticks = crate::survival::analysis::nice_ticks(x_max);
    let x_max = ticks.last().copied().unwrap_or(x_max).max(x_max);
    let label_w = lanes
        .iter()
        .map(|l| l.subject.chars().count())
        .max()
        .unwrap_or(8) as u32
        * 8
        + 20;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width.max(500), height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(16)
            .margin_right(230)
            .x_label_area_size(45)
            .y_label_area_size(label_w.max(60))
            .build_cartesian_2d(0f64..x_max, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("Days since randomisation")
            .axis_desc_style(("sans-serif", 15))
            .label_style(("sans-serif", 13))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(err)?;
        for (i, l) in lanes.iter().enumerate() {
            let arm_i = arms.iter().position(|x| *x == l.arm).unwrap_or(0);
            let c = ARM_PALETTE[arm_i % ARM_PALETTE.len()];
            let y = i as f64 + 0.5;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.3), (l.end_day, y + 0.3)],
                    c.mix(0.55).filled(),
                )))
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                l.subject.clone(),
                (px - 6, py),
                ("sans-serif", 12)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            if l.ongoing {
                let (ex, ey) = chart.backend_coord(&(l.end_day, y));
                root.draw(&Polygon::new(
                    vec![(ex + 2, ey - 6), (ex + 12, ey), (ex + 2, ey + 6)],
                    c.filled(),
                ))
                .map_err(err)?;
            }
            for m in &l.marks {
                match m {
                    Mark::Response { day, code } => {
                        let rc = response_color(code);
                        let (mx, my) = chart.backend_coord(&(*day, y));
                        root.draw(&Polygon::new(
                            vec![(mx, my - 7), (mx + 6, my + 5), (mx - 6, my + 5)],
                            rc.filled(),
                        ))
                        .map_err(err)?;
                        root.draw(&PathElement::new(
                            vec![
                                (mx, my - 7),
                                (mx + 6, my + 5),
                                (mx - 6, my + 5),
                                (mx, my - 7),
                            ],
                            BLACK.stroke_width(1),
                        ))
                        .map_err(err)?;
                    }
                    Mark::Progression { day } => {
                        let (mx, my) = chart.backend_coord(&(*day, y));
                        let red = response_color("PD");
                        root.draw(&PathElement::new(
                            vec![(mx - 6, my - 6), (mx + 6, my + 6)],
                            red.stroke_width(3),
                        ))
                        .map_err(err)?;
                        root.draw(&PathElement::new(
                            vec![(mx - 6, my + 6), (mx + 6, my - 6)],
                            red.stroke_width(3),
                        ))
                        .map_err(err)?;
                    }
                    Mark::Death { day } => {
                        let (mx, my) = chart.backend_coord(&(*day, y));
                        root.draw(&Rectangle::new(
                            [(mx - 5, my - 5), (mx + 5, my + 5)],
                            BLACK.filled(),
                        ))
                        .map_err(err)?;
                    }
                }
            }
        }
        // Legend, right of the plot area.
        let (lx, mut ly) = (width.max(500) as i32 - 215, 60);
        let font = ("sans-serif", 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let head = ("sans-serif", 13)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new("Arm", (lx, ly), head.clone()))
            .map_err(err)?;
        ly += 20;
        for (i, a) in arms.iter().enumerate() {
            if !lanes.iter().any(|l| l.arm == *a) {
                continue;
            }
            let c = ARM_PALETTE[i % ARM_PALETTE.len()];
            root.draw(&Rectangle::new(
                [(lx, ly - 6), (lx + 22, ly + 6)],
                c.mix(0.55).filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(a.clone(), (lx + 30, ly), font.clone()))
                .map_err(err)?;
            ly += 20;
        }
        ly += 8;
        root.draw(&Text::new("Marks", (lx, ly), head))
            .map_err(err)?;
        ly += 20;
        for code in ["CR", "PR"] {
            let rc = response_color(code);
            root.draw(&Polygon::new(
                vec![(lx + 11, ly - 7), (lx + 17, ly + 5), (lx + 5, ly + 5)],
                rc.filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format!("{code} assessment"),
                (lx + 30, ly),
                font.clone(),
            ))
            .map_err(err)?;
            ly += 20;
        }
        let red = response_color("PD");
        root.draw(&PathElement::new(
            vec![(lx + 5, ly - 6), (lx + 17, ly + 6)],
            red.stroke_width(3),
        ))
        .map_err(err)?;
        root.draw(&PathElement::new(
            vec![(lx + 5, ly + 6), (lx + 17, ly - 6)],
            red.stroke_width(3),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            "First progression (PD)",
            (lx + 30, ly),
            font.clone(),
        ))
        .map_err(err)?;
        ly += 20;
        if lanes
            .iter()
            .any(|l| l.marks.iter().any(|m| matches!(m, Mark::Death { .. })))
        {
            root.draw(&Rectangle::new(
                [(lx + 6, ly - 5), (lx + 16, ly + 5)],
                BLACK.filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new("Death", (lx + 30, ly), font.clone()))
                .map_err(err)?;
            ly += 20;
        }
        if lanes.iter().any(|l| l.ongoing) {
            root.draw(&Polygon::new(
                vec![(lx + 6, ly - 6), (lx + 16, ly), (lx + 6, ly + 6)],
                BLACK.mix(0.6).filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new("Still on study", (lx + 30, ly), font))
                .map_err(err)?;
        }
        if lanes.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "no data",
                    (x_max / 2.0, 0.5),
                    ("sans-serif", 18),
                )))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
