//! Compiler stage — special-case rule builders used by [`super::rules`]: pregnancy tests
//! of women of childbearing potential, consent parts, staging and score
//! values, operators written before a mention.

use super::*;

/// "The pregnancy test results of female participants of childbearing age
/// … within 24 hours before administration must be negative" (seed 000
/// I9): a check that applies only to women of childbearing potential and
/// is made at the time of treatment (clinical-rules §8: a male patient is
/// neither pregnant nor lactating). Compiled as
/// `not(female ∧ childbearing_potential) ∨ not(pregnant within <window>)`,
/// the window as written or, when none is written, 1 day before the first
/// dose (a treatment-time check).
pub(super) fn pregnancy_test_of_women(ctx: &mut Ctx, cl: &Clause) -> Option<Expr> {
    static PREG_TEST: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)pregnancy\s+tests?|(?-u:\b)(?:serum\s+|urine\s+)?(?:beta[\s-]?)?hcg(?-u:\b)")
            .expect("pregnancy test")
    });
    static WOMEN: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)(?:females?|wom[ae]n|wocbp)(?-u:\b)|child[\s-]?bearing")
            .expect("women")
    });
    static NEGATIVE: LazyLock<Regex> =
        LazyLock::new(|| re_big(r"(?i)(?-u:\b)negative(?-u:\b)").expect("negative"));
    static WITHIN: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)within\s+(?P<n>\d+)\s*(?P<u>hours?|hrs?|h|days?|d)(?-u:\b)\s+(?:before|prior\s+to|of)\s+(?:the\s+)?(?P<a>first\s+dose|\w+)")
            .expect("within")
    });
    let s: &str = &ctx.view.s;
    let seg = &s[cl.start..cl.end];
    if !(PREG_TEST.is_match(seg) && WOMEN.is_match(seg) && NEGATIVE.is_match(seg)) {
        return None;
    }
    if NEG_START.is_match(seg) {
        return None;
    }
    let (ta, tb) = trim_view(s, cl.start, cl.end);
    let span = ctx.span(ta, tb);
    let window = match WITHIN.captures(seg) {
        Some(c) => {
            let n: f64 = c.name("n")?.as_str().parse().ok()?;
            let u = c.name("u")?.as_str().to_ascii_lowercase();
            let unit = if u.starts_with('h') { "h" } else { "d" };
            let m = c.get(0)?;
            Window {
                value: n,
                unit: unit.to_string(),
                anchor: c.name("a").map(|a| a.as_str().to_lowercase()),
                from: window_from(c.name("a").map(|a| a.as_str())),
                span: ctx.span(cl.start + m.start(), cl.start + m.end()),
            }
        }
        None => Window {
            value: 1.0,
            unit: "d".to_string(),
            anchor: Some("first dose".to_string()),
            from: WindowFrom::TreatmentStart,
            span,
        },
    };
    ctx.cover(cl.start, cl.end);
    let has = |concept: &str, window: Option<Window>| Expr::Has {
        concept: concept.to_string(),
        what: HasKind::Condition,
        window,
        span,
    };
    Some(Expr::Or {
        any: vec![
            Expr::Not {
                expr: Box::new(Expr::And {
                    all: vec![has("female", None), has("childbearing_potential", None)],
                }),
            },
            Expr::Not {
                expr: Box::new(has("pregnant", Some(window))),
            },
        ],
    })
}

/// Leading "and"/"or" of a split-off review item is not part of it.
pub(super) fn trim_connective(s: &str, a: usize, b: usize) -> (usize, usize) {
    static LEAD: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^(?:and/or|and|or|also)(?-u:\b)\s*").expect("lead connective")
    });
    match LEAD.find(&s[a..b]) {
        Some(m) if a + m.end() < b => (a + m.end(), b),
        _ => (a, b),
    }
}

/// The part of clause `[cs, ce)` that a consent/agreement cue `[a, b)`
/// belongs to: bounded by `,` `;` `:` or by an "and" that starts a new
/// undertaking ("…, and provide informed consent", "… and willing to
/// sign …").
pub(super) fn consent_part(s: &str, cs: usize, ce: usize, a: usize, b: usize) -> (usize, usize) {
    static UNDERTAKING: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)and\s+(?:(?:is|are|must|should|be|to)\s+)*(?:provide|provides|providing|sign|signs|signed|signing|give|gives|giving|willing|agree|agrees|agreeing|able|comply|complies|consent|consents|written)(?-u:\b)")
            .expect("undertaking")
    });
    let before = &s[cs..a];
    let mut start = before.rfind([',', ';', ':']).map_or(cs, |p| cs + p + 1);
    if let Some(m) = UNDERTAKING.find_iter(&s[start..a]).last() {
        start += m.start();
    }
    // "consent form agreeing to provide stored blood samples, tumour
    // tissue specimens, or fresh biopsies": the list is what is consented to.
    static CONSENT_TO: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\s*(?:form\s+)?(?:agreeing\s+to|to)\s+(?:provide|donate|allow|the\s+use\s+of|share)(?-u:\b)")
            .expect("consent to")
    });
    let end = if CONSENT_TO.is_match(&s[b..ce]) {
        ce
    } else {
        s[b..ce].find([',', ';', ':']).map_or(ce, |p| b + p)
    };
    (start, end)
}

pub(super) static OR_WORD: LazyLock<Regex> =
    LazyLock::new(|| re_big(r"(?-u:\b)or(?-u:\b)|and/or").expect("or"));
pub(super) static AND_WORD: LazyLock<Regex> =
    LazyLock::new(|| re_big(r"(?-u:\b)and(?-u:\b)").expect("and"));
pub(super) static AND_WITH: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?-u:\b)with(?-u:\b)|(?-u:\b)plus(?-u:\b)|(?-u:\b)in\s+patients(?-u:\b)|(?-u:\b)caused\s+by(?-u:\b)|(?-u:\b)due\s+to(?-u:\b)|(?-u:\b)induced\s+by(?-u:\b)")
        .expect("with")
});

pub(super) fn is_range_group(atoms: &[Atom], placed: &[Placed], p: &Placed) -> bool {
    let members: Vec<&Placed> = placed
        .iter()
        .filter(|q| q.group.is_some() && q.group == p.group)
        .collect();
    let ops: Vec<Op> = members
        .iter()
        .filter_map(|q| {
            if let Piece::Cmp(i) = q.piece {
                atoms.get(i).map(|a| a.op)
            } else {
                None
            }
        })
        .collect();
    ops.contains(&Op::Ge) && ops.contains(&Op::Le) && members.len() == 2
        || members.iter().all(|q| q.start == members[0].start)
            && ops.contains(&Op::Ge)
            && ops.contains(&Op::Le)
}

/// End of the last comparison placed so far (0 if none).
pub(super) fn prev_cmp_end(placed: &[Placed]) -> usize {
    placed.iter().map(|p| p.end).max().unwrap_or(0)
}

/// A symbolic operator right before `at` (`> Grade 2`, `≥grade 1`), after
/// `from`: (operator, its start).
pub(super) fn op_before(s: &str, from: usize, at: usize) -> Option<(Op, usize)> {
    let before = s.get(from..at)?.trim_end();
    for (tok, op) in [
        ("≥", Op::Ge),
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("≤", Op::Le),
        ("<=", Op::Le),
        ("=<", Op::Le),
        (">", Op::Gt),
        ("<", Op::Lt),
    ] {
        if before.ends_with(tok) {
            return Some((op, from + before.len() - tok.len()));
        }
    }
    None
}

/// "ECOG 0 or 1", "ECOG performance status score of 0", "PS 0-1".
pub(super) fn score_value(s: &str, m: &Mention, limit: usize) -> Option<(Vec<(Op, f64)>, usize)> {
    static SV: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\s*(?:score\s+)?(?:of\s+|is\s+|=\s*|:\s*)?(?P<a>\d)(?:\s*(?:or|,)\s*(?P<b>\d))?(?:\s*(?:or|,)\s*(?P<c>\d))?(?-u:\b)").expect("score value")
    });
    let rest = s.get(m.end..limit)?;
    let c = SV.captures(rest)?;
    let all = c.get(0)?;
    let vals: Vec<f64> = ["a", "b", "c"]
        .iter()
        .filter_map(|k| c.name(k))
        .filter_map(|x| x.as_str().parse().ok())
        .collect();
    let end = m.end + all.end();
    if vals.len() == 1 {
        Some((vec![(Op::Eq, vals[0])], end))
    } else {
        let lo = vals.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        Some((vec![(Op::Ge, lo), (Op::Le, hi)], end))
    }
}

/// Stage / class phrases: "Child-Pugh Class A", "Child Pugh B8 or C",
/// "BCLC Stage A or B", "beyond the Up-to-Seven criteria".
///
/// Child-Pugh (clinical-rules §1.1): class A = 5–6 points, B = 7–9, C =
/// 10–15; "B8 or C" means ≥ 8 points. BCLC (§1.8) is coded ordinally
/// 0 = stage 0, 1 = A, 2 = B, 3 = C, 4 = D. Up-to-seven (§1.9): "beyond"
/// means the sum (largest size in cm + number of tumours) exceeds 7.
pub(super) fn stage_exprs(
    ctx: &mut Ctx,
    s: &str,
    ms: &[&Mention],
    cl: &Clause,
) -> Vec<(Expr, usize, usize)> {
    let mut out = Vec::new();
    for m in ms {
        if let Some(x) = stage_expr(ctx, s, m, cl) {
            out.push(x);
        }
    }
    out
}

pub(super) fn stage_expr(
    ctx: &mut Ctx,
    s: &str,
    m: &Mention,
    cl: &Clause,
) -> Option<(Expr, usize, usize)> {
    static CP: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\s*(?:class(?:ification)?\s+|grade\s+|score\s+)?(?P<a>[ABC])(?P<ap>\d{1,2})?(?:\s*(?:or|to|-|/|,)\s*(?P<b>[ABC])(?P<bp>\d{1,2})?)?(?-u:\b)").expect("cp")
    });
    static BCLC: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^[\s,:]*(?:stage\s*)?(?P<a>0|[ABCD])(?:\s*(?:or|to|-|/|,)\s*(?:stage\s*)?(?P<b>0|[ABCD]))?(?-u:\b)").expect("bclc")
    });
    static BEYOND: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)(?P<w>beyond|exceed(?:ing|s)?|outside|within|meet(?:ing|s)?|fulfil+(?:ing|s)?)\s+(?:the\s+)?$").expect("beyond")
    });
    {
        let id = DEFS[m.def].ids[0];
        let rest = s.get(m.end..cl.end)?;
        match id {
            "child_pugh_score" => {
                if let Some(c) = CP.captures(rest) {
                    let all = c.get(0)?;
                    let pts = |cls: &str, p: Option<regex::Match>| -> (f64, f64) {
                        if let Some(p) = p.and_then(|x| x.as_str().parse::<f64>().ok()) {
                            return (p, p);
                        }
                        match cls.to_ascii_uppercase().as_str() {
                            "A" => (5.0, 6.0),
                            "B" => (7.0, 9.0),
                            _ => (10.0, 15.0),
                        }
                    };
                    let a = c.name("a")?.as_str();
                    let (lo, mut hi) = pts(a, c.name("ap"));
                    if let Some(b) = c.name("b") {
                        hi = pts(b.as_str(), c.name("bp")).1;
                    }
                    let span = ctx.span(m.start, m.end + all.end());
                    let mut parts = Vec::new();
                    if lo > 5.0 {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Ge,
                            value: Value::Number(lo),
                            unit: None,
                            span,
                            window: None,
                        });
                        parts.push(Expr::Compare { atom: idx });
                    }
                    if hi < 15.0 {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Le,
                            value: Value::Number(hi),
                            unit: None,
                            span,
                            window: None,
                        });
                        parts.push(Expr::Compare { atom: idx });
                    }
                    let e = if parts.len() == 1 {
                        parts.pop()?
                    } else {
                        Expr::And { all: parts }
                    };
                    // "C..." trailing dots.
                    return Some((e, m.start, m.end + all.end()));
                }
            }
            "bclc_stage" => {
                if let Some(c) = BCLC.captures(rest) {
                    let all = c.get(0)?;
                    let code = |x: &str| -> f64 {
                        match x.to_ascii_uppercase().as_str() {
                            "0" => 0.0,
                            "A" => 1.0,
                            "B" => 2.0,
                            "C" => 3.0,
                            _ => 4.0,
                        }
                    };
                    let lo = code(c.name("a")?.as_str());
                    let hi = c.name("b").map_or(lo, |b| code(b.as_str()));
                    let span = ctx.span(m.start, m.end + all.end());
                    let e = if lo == hi {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Eq,
                            value: Value::Number(lo),
                            unit: None,
                            span,
                            window: None,
                        });
                        Expr::Compare { atom: idx }
                    } else {
                        let i1 = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Ge,
                            value: Value::Number(lo),
                            unit: None,
                            span,
                            window: None,
                        });
                        let i2 = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op: Op::Le,
                            value: Value::Number(hi),
                            unit: None,
                            span,
                            window: None,
                        });
                        Expr::And {
                            all: vec![Expr::Compare { atom: i1 }, Expr::Compare { atom: i2 }],
                        }
                    };
                    // Also "Staging in" wording.
                    return Some((e, m.start, m.end + all.end()));
                }
            }
            "up_to_seven" => {
                let before = s.get(cl.start..m.start)?;
                if let Some(c) = BEYOND.captures(before) {
                    let w = c.name("w")?.as_str().to_lowercase();
                    let op = if w.starts_with("beyond")
                        || w.starts_with("exceed")
                        || w.starts_with("outside")
                    {
                        Op::Gt
                    } else {
                        Op::Le
                    };
                    let a = cl.start + c.get(0)?.start();
                    let span = ctx.span(a, m.end);
                    let idx = ctx.atoms.len();
                    ctx.atoms.push(Atom {
                        field: id.to_string(),
                        op,
                        value: Value::Number(7.0),
                        unit: None,
                        span,
                        window: None,
                    });
                    return Some((Expr::Compare { atom: idx }, a, m.end));
                }
            }
            _ => {}
        }
    }
    None
}
