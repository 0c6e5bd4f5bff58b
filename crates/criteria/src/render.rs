//! The human view of compiled criteria: each criterion with what was
//! understood highlighted against its text (`[[…]]` around atoms and
//! concepts; ANSI colour when asked), its status and review reasons.

use std::fmt::Write as _;

use crate::ir::{Atom, CompiledCriterion, Expr, Status, Value};

/// Formats an atom as `field op value unit`.
pub fn atom_to_string(a: &Atom) -> String {
    let v = match a.value {
        Value::Number(n) => format!("{n}"),
        Value::XUln { x_uln } => format!("{x_uln} × ULN"),
        Value::XLln { x_lln } => format!("{x_lln} × LLN"),
        Value::UlnPlus { uln_plus } => format!("ULN + {uln_plus}"),
    };
    let mut s = format!("{} {} {v}", a.field, a.op.as_str());
    if let Some(u) = &a.unit {
        let _ = write!(s, " {u}");
    }
    if let Some(w) = &a.window {
        let _ = write!(s, " within {} {}", w.value, w.unit);
    }
    s
}

/// One-line form of an expression.
pub fn expr_to_string(e: &Expr, atoms: &[Atom]) -> String {
    match e {
        Expr::And { all } => format!(
            "({})",
            all.iter()
                .map(|x| expr_to_string(x, atoms))
                .collect::<Vec<_>>()
                .join(" AND ")
        ),
        Expr::Or { any } => format!(
            "({})",
            any.iter()
                .map(|x| expr_to_string(x, atoms))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
        Expr::Not { expr } => format!("NOT {}", expr_to_string(expr, atoms)),
        Expr::Unless { base, except, .. } => {
            format!(
                "{} UNLESS {}",
                expr_to_string(base, atoms),
                expr_to_string(except, atoms)
            )
        }
        Expr::Compare { atom } => atoms
            .get(*atom)
            .map_or_else(|| "?".to_string(), atom_to_string),
        Expr::Has {
            concept,
            what,
            window,
            ..
        } => {
            let mut s = format!("has {concept}");
            if !matches!(what, crate::ir::HasKind::Condition) {
                let _ = write!(
                    s,
                    " ({})",
                    serde_json::to_value(what)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                );
            }
            if let Some(w) = window {
                let _ = write!(s, " within {} {}", w.value, w.unit);
            }
            s
        }
        Expr::Review { reason, .. } => format!(
            "REVIEW[{}]",
            serde_json::to_value(reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
        Expr::Unparsed { text, .. } => {
            format!("UNPARSED[{}]", text.chars().take(40).collect::<String>())
        }
        Expr::Uncertain { expr, why, .. } => {
            format!(
                "UNCERTAIN[{}: {}]",
                why.as_str(),
                expr_to_string(expr, atoms)
            )
        }
        Expr::True => "TRUE".to_string(),
    }
}

fn spans_of(c: &CompiledCriterion) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = c.atoms.iter().map(|a| a.span).collect();
    for l in c.expr.leaves() {
        if let Expr::Has { span, .. } = l {
            v.push(*span);
        }
    }
    v.sort();
    // Merge overlaps.
    let mut out: Vec<(usize, usize)> = Vec::new();
    for s in v {
        match out.last_mut() {
            Some(l) if s.0 <= l.1 => l.1 = l.1.max(s.1),
            _ => out.push(s),
        }
    }
    out
}

/// The criterion text with understood parts bracketed (`[[…]]`) or, with
/// `color`, shown in green.
pub fn highlight(full: &str, c: &CompiledCriterion, color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[32;1m", "\x1b[0m")
    } else {
        ("[[", "]]")
    };
    let mut out = String::new();
    let mut pos = c.span.0;
    for (a, b) in spans_of(c) {
        if a < pos || b > c.span.1 || !full.is_char_boundary(a) || !full.is_char_boundary(b) {
            continue;
        }
        out.push_str(&full[pos..a]);
        out.push_str(open);
        out.push_str(&full[a..b]);
        out.push_str(close);
        pos = b;
    }
    if full.is_char_boundary(pos) && pos <= c.span.1 {
        out.push_str(&full[pos..c.span.1]);
    }
    out
}

/// The human view of all criteria.
pub fn render(full: &str, cs: &[CompiledCriterion], color: bool) -> String {
    let mut out = String::new();
    for c in cs {
        let depth = c.id.matches('.').count();
        let indent = "  ".repeat(depth);
        let status = match c.status {
            Status::Computable => "computable",
            Status::Partial => "partial",
            Status::Review => "review",
            Status::Unparsed => "unparsed",
        };
        let text = highlight(full, c, color)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(out, "{indent}{} [{status}] {text}", c.id);
        if !matches!(c.expr, Expr::True) {
            let _ = writeln!(out, "{indent}    = {}", expr_to_string(&c.expr, &c.atoms));
        }
        for r in &c.review_reason {
            let kind = serde_json::to_value(r.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let t: String = r.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(
                out,
                "{indent}    review: {kind}: {}",
                t.chars().take(100).collect::<String>()
            );
        }
    }
    out
}
