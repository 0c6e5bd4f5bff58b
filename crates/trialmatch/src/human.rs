//! Wording for human views: registry enum spellings → readable labels.

use tm_model::{AgeLimit, OverallStatus, Phase};

/// `Recruiting`, `Active, not recruiting`, …
pub fn status(s: OverallStatus) -> &'static str {
    s.label()
}

pub fn opt_status(s: Option<OverallStatus>) -> &'static str {
    s.map(status).unwrap_or("—")
}

/// `Phase 1/2`, `Early phase 1`, `N/A`, `—` when none is given.
pub fn phases(p: &[Phase]) -> String {
    if p.is_empty() {
        return "—".into();
    }
    if p == [Phase::NotApplicable] {
        return "N/A".into();
    }
    let mut parts = Vec::new();
    for ph in p {
        match ph {
            Phase::EarlyPhase1 => parts.push("Early 1"),
            Phase::Phase1 => parts.push("1"),
            Phase::Phase2 => parts.push("2"),
            Phase::Phase3 => parts.push("3"),
            Phase::Phase4 => parts.push("4"),
            Phase::NotApplicable => {}
        }
    }
    format!("Phase {}", parts.join("/"))
}

/// `ACTIVE_COMPARATOR` → `Active comparator`.
pub fn label(s: &str) -> String {
    let lower = s.replace('_', " ").to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `18 years`, `6 months`.
pub fn age(a: &AgeLimit) -> String {
    let unit = match (a.unit.as_str(), a.value == 1.0) {
        ("a", true) => "year",
        ("a", false) => "years",
        ("mo", true) => "month",
        ("mo", false) => "months",
        ("wk", true) => "week",
        ("wk", false) => "weeks",
        ("d", true) => "day",
        ("d", false) => "days",
        ("h", true) => "hour",
        ("h", false) => "hours",
        ("min", _) => "min",
        (u, _) => u,
    };
    format!("{} {unit}", a.value)
}

/// Cuts `s` to at most `max` characters, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Indents every line of `text` by `n` spaces.
pub fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(phases(&[Phase::Phase1, Phase::Phase2]), "Phase 1/2");
        assert_eq!(phases(&[Phase::NotApplicable]), "N/A");
        assert_eq!(phases(&[]), "—");
        assert_eq!(label("ACTIVE_COMPARATOR"), "Active comparator");
        assert_eq!(
            status(OverallStatus::ActiveNotRecruiting),
            "Active, not recruiting"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        let a = AgeLimit {
            value: 18.0,
            unit: "a".into(),
        };
        assert_eq!(age(&a), "18 years");
    }
}
