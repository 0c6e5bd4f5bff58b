//! Oncology plots as SVG (plotters, SVG backend): a waterfall plot of the best percent change
//! in the sum of target-lesion diameters and a swimmer plot of time on study with response and
//! progression marks. Kaplan-Meier curves are [`crate::survival::plot::km_svg`].

pub mod swimmer;
pub mod waterfall;

use plotters::style::RGBColor;

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    format!("plot error: {e}")
}

/// Colour of a response category (CR/PR greens and blues, SD amber, PD red; Okabe-Ito based,
/// colour-blind safe).
pub fn response_color(code: &str) -> RGBColor {
    match code {
        "CR" => RGBColor(0, 114, 178),
        "PR" => RGBColor(86, 180, 233),
        "SD" => RGBColor(230, 159, 0),
        "NON-CR/NON-PD" => RGBColor(204, 121, 167),
        "PD" => RGBColor(213, 94, 0),
        "NE" => RGBColor(120, 120, 120),
        _ => RGBColor(190, 190, 190),
    }
}

/// Legend order of response categories.
pub const RESPONSE_ORDER: [&str; 7] = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"];

/// Group / arm colours of every plot (Okabe-Ito, colour-blind safe): the Kaplan-Meier curves
/// and the swimmer lanes use the same colour for the same arm position.
pub const ARM_PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];
