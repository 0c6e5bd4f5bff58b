//! The criterion compiler: segmented criteria → [`CompiledCriteria`].
//!
//! Per criterion:
//! 1. a cleaned view of the text (markdown escapes removed, `≧`/`≦`
//!    folded) with a byte map back to the original, so every span points
//!    into the criteria text;
//! 2. concept mentions (phrase table, [`crate::concepts`]), thresholds
//!    (operator + number + unit / × ULN / × LLN / ULN + n), ranges, time
//!    windows, review cues, negation and carve-out markers;
//! 3. clauses (split at `;`, sentence ends, brackets, `unless`, `However,`)
//!    whose atoms are linked by the words between them (`or` → any,
//!    `and`/`with` → all, nothing → all for inclusion, any for exclusion);
//! 4. anything left that carries meaning becomes an `Unparsed` leaf, so the
//!    status says honestly how much was understood.
//!
//! Numbers (issue 5 item 3): `1.5 × 10^9/L`, `10\^9`, `10⁹`, `2,5x` (decimal
//! comma), `75.000/mm3` and `1,500/mm3` (thousands), `5. 0×ULN` (stray
//! space). A separator followed by exactly three digits is read as
//! thousands or decimal only when the concept's plausible range accepts
//! exactly one reading; otherwise the atom is flagged `ambiguous_number`.
//! Values are converted with `tm_units::convert` to the concept's canonical
//! unit (clinical-rules §7.1); assay-dependent units (HBV DNA copies/mL) are
//! kept as written (§7.1: "never convert for eligibility").
//!
//! Stages, one module each (this module is the driver: `compile`,
//! `compile_one`, the shared per-criterion context `Ctx`, status):
//! - [`view`] — text view: clean text + byte map;
//! - [`lexical`] — lexical annotation: operators, numbers, units, ULN
//!   forms, windows, review/negation/carve-out cues and their readers;
//! - [`stopwords`] — words without criterion content;
//! - [`clause`] — clause structure, or-links, carve-out scope, residual
//!   fragments;
//! - [`rules`] — one clause → expression (`compile_clause`);
//! - [`special`] — special-case builders used by the rules.

use std::sync::LazyLock;

use regex::Regex;

use crate::concepts::negated_mention;
use crate::concepts::{
    canonical_unit, find_mentions, gate, plausible_range, re_big, Cat, Mention, DEFS,
};
use crate::ir::*;
use crate::segment::{segment, Criterion, Kind};

mod clause;
mod guards;
mod lexical;
mod rules;
mod special;
mod stopwords;
mod view;

use clause::*;
pub use lexical::window_from;
use lexical::*;
use rules::*;
use special::*;
use stopwords::*;
use view::*;

/// Version of the compiler; stored with compiled criteria, which are
/// recompiled when it changes.
pub const COMPILER_VERSION: &str = "tm-criteria/0.4.0";

/// "Treatment with an investigational product, or anti-neoplastic therapy
/// (…) within 28 days prior to the first dose": one window phrase after
/// every therapy mention of the criterion applies to all of them (the
/// clause rules attach a window only inside its own clause).
fn trailing_window(expr: Expr, ctx: &Ctx) -> Expr {
    let s = ctx.view.s.as_str();
    let n = WINDOW.find_iter(s).count();
    if n != 1 {
        return expr;
    }
    let Some(w) = window_in(ctx, 0, s.len()) else {
        return expr;
    };
    fn therapies(e: &Expr, out: &mut Vec<(usize, usize)>) {
        match e {
            Expr::Has {
                what: HasKind::Therapy,
                span,
                ..
            } => out.push(*span),
            Expr::And { all } => all.iter().for_each(|x| therapies(x, out)),
            Expr::Or { any } => any.iter().for_each(|x| therapies(x, out)),
            Expr::Not { expr } => therapies(expr, out),
            _ => {}
        }
    }
    let mut spans = Vec::new();
    therapies(&expr, &mut spans);
    if spans.is_empty() || spans.iter().any(|sp| sp.1 > w.span.0) {
        return expr;
    }
    fn attach(e: Expr, w: &Window) -> Expr {
        match e {
            Expr::Has {
                concept,
                what: HasKind::Therapy,
                window: None,
                span,
            } => Expr::Has {
                concept,
                what: HasKind::Therapy,
                window: Some(w.clone()),
                span,
            },
            Expr::And { all } => Expr::And {
                all: all.into_iter().map(|x| attach(x, w)).collect(),
            },
            Expr::Or { any } => Expr::Or {
                any: any.into_iter().map(|x| attach(x, w)).collect(),
            },
            Expr::Not { expr } => Expr::Not {
                expr: Box::new(attach(*expr, w)),
            },
            other => other,
        }
    }
    attach(expr, &w)
}

/// **washout** — "At least 4 weeks since prior chemotherapy", "> 28 days
/// from the last dose of radiotherapy": the therapy must not have been
/// received within that time — `not has X within 4 wk` (a positive
/// presence of X read from these words is the misreading). The words
/// "since prior" are read (their `Unparsed` leaves dropped).
fn washout(expr: Expr, ctx: &Ctx) -> Expr {
    static WASHOUT: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?:at\s+least|a\s+minimum\s+of|minimum\s+of|more\s+than|over|greater\s+than|≥|>=?)\s*(?P<n>\d+|one|two|three|four|six|twelve)\s*(?P<u>hours?|days?|weeks?|months?|years?|wks?)\s+(?:must\s+have\s+(?:elapsed|passed)\s+)?(?:since|from|after)\s+(?:the\s+)?(?:completion\s+of\s+|end\s+of\s+|last\s+dose\s+of\s+|last\s+|prior\s+|previous\s+|any\s+)*(?:the\s+)?(?:prior\s+|previous\s+|last\s+)?")
            .expect("washout")
    });
    let s = ctx.view.s.as_str();
    let mut found: Vec<((usize, usize), Window)> = Vec::new();
    for c in WASHOUT.captures_iter(s) {
        let (Some(m), Some(n), Some(u)) = (c.get(0), c.name("n"), c.name("u")) else {
            continue;
        };
        let (Some(value), Some(unit)) = (word_num(n.as_str()), unit_ucum(u.as_str())) else {
            continue;
        };
        let span = ctx.span(m.start(), m.end());
        found.push((
            span,
            Window {
                value,
                unit,
                anchor: None,
                from: WindowFrom::Now,
                span,
            },
        ));
    }
    if found.is_empty() {
        return expr;
    }
    // The therapy right after a washout phrase.
    let after = |a: usize| {
        found
            .iter()
            .find(|((_, e), _)| a >= *e && a <= e + 2)
            .map(|(_, w)| w.clone())
    };
    let inside = |sp: (usize, usize)| found.iter().any(|((a, e), _)| sp.0 >= *a && sp.1 <= *e + 1);
    fn walk(
        e: Expr,
        negated: bool,
        after: &dyn Fn(usize) -> Option<Window>,
        inside: &dyn Fn((usize, usize)) -> bool,
    ) -> Option<Expr> {
        Some(match e {
            Expr::Has {
                concept,
                what: HasKind::Therapy,
                window: None,
                span,
            } if !negated && after(span.0).is_some() => Expr::Not {
                expr: Box::new(Expr::Has {
                    concept,
                    what: HasKind::Therapy,
                    window: after(span.0),
                    span,
                }),
            },
            Expr::Unparsed { span, .. } if inside(span) => return None,
            Expr::And { all } => {
                let all: Vec<Expr> = all
                    .into_iter()
                    .filter_map(|x| walk(x, negated, after, inside))
                    .collect();
                match all.len() {
                    0 => return None,
                    1 => all.into_iter().next()?,
                    _ => Expr::And { all },
                }
            }
            Expr::Or { any } => {
                let any: Vec<Expr> = any
                    .into_iter()
                    .filter_map(|x| walk(x, negated, after, inside))
                    .collect();
                match any.len() {
                    0 => return None,
                    1 => any.into_iter().next()?,
                    _ => Expr::Or { any },
                }
            }
            Expr::Not { expr } => Expr::Not {
                expr: Box::new(walk(*expr, !negated, after, inside)?),
            },
            other => other,
        })
    }
    walk(expr, false, &after, &inside).unwrap_or(Expr::True)
}

/// The `population` guard across criteria: sub-criteria of a parent whose
/// lead-in names another population ("A healthy volunteer who meets any of
/// the following criteria will be excluded:"), and, when one inclusion
/// item is such a population ("Healthy controls"), the other inclusion
/// items that define a population ("Patients with compensated cirrhosis
/// …", "Cirrhotic patients with ascites …"): alternatives, not
/// requirements. Their readings become uncertain.
fn other_populations(text: &str, out: &mut [CompiledCriterion], children_of: &[Vec<usize>]) {
    static POPULATION_ITEM: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)^\W*(?:patients?|subjects?|participants?|adults?|individuals?|cirrhotic|persons?|people|volunteers?|men|women)\b")
            .expect("population item")
    });
    let mut marked: Vec<usize> = Vec::new();
    for (i, kids) in children_of.iter().enumerate() {
        if kids.is_empty() {
            continue;
        }
        let first = kids
            .iter()
            .map(|&j| out[j].span.0)
            .min()
            .unwrap_or(out[i].span.1);
        let lead = text.get(out[i].span.0..first).unwrap_or("");
        if guards::names_population(lead) {
            let prefix = format!("{}.", out[i].id);
            marked.extend((0..out.len()).filter(|&j| out[j].id.starts_with(&prefix)));
        }
    }
    let top_inc = |c: &CompiledCriterion| c.parent.is_none() && c.kind == Kind::Inclusion;
    if out
        .iter()
        .any(|c| top_inc(c) && guards::names_population(&c.text))
    {
        marked.extend(
            (0..out.len()).filter(|&j| top_inc(&out[j]) && POPULATION_ITEM.is_match(&out[j].text)),
        );
    }
    for j in marked {
        let c = &mut out[j];
        let e = std::mem::replace(&mut c.expr, Expr::True);
        c.expr = guards::inherited_population(e, &c.text, c.span);
        c.status = status_of(&c.expr, &c.review_reason);
    }
}

/// Compiles a whole criteria text: segmentation then one
/// [`CompiledCriterion`] per criterion (spans into `criteria_text`).
pub fn compile(criteria_text: &str) -> CompiledCriteria {
    let segs = segment(criteria_text);
    // Children per criterion (by index).
    let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); segs.len()];
    for (j, c) in segs.iter().enumerate() {
        if let Some(p) = c.parent.as_deref() {
            if let Some(i) = segs.iter().position(|x| x.id == p) {
                children_of[i].push(j);
            }
        }
    }
    let mut out: Vec<CompiledCriterion> = Vec::with_capacity(segs.len());
    for (i, c) in segs.iter().enumerate() {
        if children_of[i].is_empty() || c.parent.is_some() {
            out.push(compile_one(criteria_text, c));
        } else {
            // A top-level parent: its whole-span compilation is replaced
            // below (lead-in + children), so it is not computed.
            out.push(CompiledCriterion {
                id: c.id.clone(),
                kind: c.kind,
                text: c.text.clone(),
                span: c.span,
                parent: c.parent.clone(),
                status: Status::Unparsed,
                review_reason: Vec::new(),
                expr: Expr::True,
                atoms: Vec::new(),
            });
        }
    }
    other_populations(criteria_text, &mut out, &children_of);
    // A parent with sub-criteria: its own lead-in text only, combined with
    // its children (all for inclusion, any for exclusion).
    for i in 0..out.len() {
        let id = out[i].id.clone();
        let children = std::mem::take(&mut children_of[i]);
        if children.is_empty() {
            continue;
        }
        let first_child_start = children
            .iter()
            .map(|&j| out[j].span.0)
            .min()
            .unwrap_or(out[i].span.1);
        let lead = Criterion {
            id: id.clone(),
            kind: out[i].kind,
            text: criteria_text[out[i].span.0..first_child_start].to_string(),
            span: (out[i].span.0, first_child_start),
            parent: None,
        };
        let mut lead_c = compile_one(criteria_text, &lead);
        let mut parts: Vec<Expr> = Vec::new();
        if !matches!(lead_c.expr, Expr::True) {
            parts.push(lead_c.expr.clone());
        }
        let mut statuses = vec![lead_c.status];
        for &j in &children {
            let offset = lead_c.atoms.len();
            lead_c.atoms.extend(out[j].atoms.iter().cloned());
            // A child that imposes nothing (`True`: a permission, "Not
            // specified") is neutral in an inclusion's AND and must not
            // make an exclusion's OR hold.
            if !matches!(out[j].expr, Expr::True) {
                parts.push(reindex(out[j].expr.clone(), offset));
            }
            statuses.push(out[j].status);
            lead_c
                .review_reason
                .extend(out[j].review_reason.iter().cloned());
        }
        let expr = match out[i].kind {
            Kind::Inclusion => Expr::And { all: parts },
            Kind::Exclusion => Expr::Or { any: parts },
        };
        let status = combine_status(&statuses, matches!(lead_c.expr, Expr::True));
        let c = &mut out[i];
        c.expr = expr;
        c.atoms = lead_c.atoms;
        c.review_reason = lead_c.review_reason;
        c.status = status;
    }
    CompiledCriteria {
        compiler_version: COMPILER_VERSION.to_string(),
        criteria: out,
    }
}

fn combine_status(statuses: &[Status], lead_empty: bool) -> Status {
    let rel: Vec<Status> = if lead_empty {
        statuses[1..].to_vec()
    } else {
        statuses.to_vec()
    };
    if rel.iter().all(|s| *s == Status::Computable) {
        Status::Computable
    } else if rel
        .iter()
        .any(|s| matches!(s, Status::Computable | Status::Partial))
    {
        Status::Partial
    } else if rel.contains(&Status::Review) {
        Status::Review
    } else {
        Status::Unparsed
    }
}

fn reindex(e: Expr, offset: usize) -> Expr {
    match e {
        Expr::Compare { atom } => Expr::Compare {
            atom: atom + offset,
        },
        Expr::And { all } => Expr::And {
            all: all.into_iter().map(|x| reindex(x, offset)).collect(),
        },
        Expr::Or { any } => Expr::Or {
            any: any.into_iter().map(|x| reindex(x, offset)).collect(),
        },
        Expr::Not { expr } => Expr::Not {
            expr: Box::new(reindex(*expr, offset)),
        },
        Expr::Unless { base, except, span } => Expr::Unless {
            base: Box::new(reindex(*base, offset)),
            except: Box::new(reindex(*except, offset)),
            span,
        },
        other => other,
    }
}

#[derive(Debug, Clone)]
enum Piece {
    /// A comparison (index into atoms).
    Cmp(usize),
    /// Presence of a concept.
    Has(usize /* def */, usize, usize),
}

#[derive(Debug, Clone)]
struct Placed {
    piece: Piece,
    start: usize,
    end: usize,
    /// Comparisons expanded from one shared threshold ("ALT and AST ≤ 5").
    group: Option<usize>,
}

struct Ctx<'a> {
    view: &'a View,
    kind: Kind,
    atoms: Vec<Atom>,
    reasons: Vec<ReviewReason>,
    covered: Vec<bool>,
}

impl Ctx<'_> {
    fn cover(&mut self, a: usize, b: usize) {
        for i in a..b.min(self.covered.len()) {
            self.covered[i] = true;
        }
    }
    fn span(&self, a: usize, b: usize) -> (usize, usize) {
        self.view.orig(a, b)
    }
    fn text(&self, a: usize, b: usize) -> String {
        self.view.s.get(a..b).unwrap_or("").to_string()
    }
    /// A comparison read from the whole phrase `[a, b)` (covered): its atom
    /// and the `compare` leaf.
    fn compare(
        &mut self,
        field: &str,
        op: Op,
        value: Value,
        unit: Option<&str>,
        (a, b): (usize, usize),
    ) -> Expr {
        let span = self.span(a, b);
        let idx = self.atoms.len();
        self.atoms.push(Atom {
            field: field.to_string(),
            op,
            value,
            unit: unit.map(str::to_string),
            span,
            window: None,
        });
        self.cover(a, b);
        Expr::Compare { atom: idx }
    }
}

/// `e` joined to the clause's expression so far (both must hold).
fn and_with(expr: Option<Expr>, e: Expr) -> Expr {
    match expr {
        Some(x) => Expr::And { all: vec![x, e] },
        None => e,
    }
}

/// Compiles one segmented criterion (spans are into `full`).
pub fn compile_one(full: &str, c: &Criterion) -> CompiledCriterion {
    let view = View::new(&full[c.span.0..c.span.1], c.span.0);
    let mut ctx = Ctx {
        view: &view,
        kind: c.kind,
        atoms: Vec::new(),
        reasons: Vec::new(),
        covered: vec![false; view.s.len()],
    };
    let s: &str = &view.s;
    let mentions = find_mentions(s);
    let cls = clauses(s, &mentions);
    // PDQ field labels ("Hematopoietic:", "PRIOR CONCURRENT THERAPY:") and
    // "no restriction" phrases ("Not specified", "See Disease
    // Characteristics") are structure, not content: read, never unparsed.
    for (a, b) in guards::structure_words(s) {
        ctx.cover(a, b);
    }

    // Pieces per clause.
    let mut clause_exprs: Vec<Option<Expr>> = Vec::with_capacity(cls.len());
    let mut clause_has_atoms: Vec<bool> = Vec::with_capacity(cls.len());
    let mut clause_review: Vec<Option<(ReviewKind, usize, usize)>> = Vec::with_capacity(cls.len());
    for cl in &cls {
        let (e, has, rev) = compile_clause(&mut ctx, &mentions, cl);
        clause_exprs.push(e);
        clause_has_atoms.push(has);
        clause_review.push(rev);
    }

    // A bracket that only asks for a judgement about the host ("(participants
    // who … are judged by investigators)") is a carve-out for review; so is
    // one whose concepts are a subclass of the host's (seed 000 E11:
    // "(participants who have received … non-iodized oil chemoembolization
    // are judged by investigators)" under "… or TACE").
    let mut cls = cls;
    for k in 0..cls.len() {
        if cls[k].role != ClauseRole::Paren || clause_review[k].is_none() {
            continue;
        }
        if let Some(h) = cls[k].host {
            let sub = !clause_has_atoms[k] || {
                let host_c = has_concepts(clause_exprs[h].as_ref());
                let own = has_concepts(clause_exprs[k].as_ref());
                !own.is_empty()
                    && own
                        .iter()
                        .all(|c| host_c.iter().any(|p| p != c && is_a(c, p)))
            };
            // "[If any participant takes warfarin …, the investigator
            // should evaluate …]" (seed 000 I8.4): a conditional judgement
            // is an exception path, not a further requirement.
            let conditional = matches!(clause_review[k], Some((ReviewKind::Investigator, _, _)))
                && s[cls[k].start..cls[k].end]
                    .trim_start_matches(|c: char| !c.is_alphanumeric())
                    .to_ascii_lowercase()
                    .starts_with("if ");
            if clause_has_atoms[h] && (sub || conditional) {
                cls[k].role = ClauseRole::Carve;
            }
        }
    }

    // "Uncontrolled diabetes (fasting glucose ≥ 10 mmol/L)", "No significant
    // renal impairment (CrCl < 30 mL/min)": a short phrase directly before a
    // parenthesis of comparisons is defined by it; the phrase's own guesses
    // and review cues give way, and its negation applies to the definition.
    for k in 0..cls.len() {
        // "Contraindications to intra-hepatic arterial infusion (coagulation
        // disorders, portal thrombosis, …)": the list defines the phrase too.
        static CONTRA: LazyLock<Regex> = LazyLock::new(|| {
            re_big(r"(?i)^\W*contraindications?\s+to\s").expect("contraindications to")
        });
        let defines = clause_has_cmp(&clause_exprs[k])
            || (clause_exprs[k].is_some()
                && cls[k]
                    .host
                    .is_some_and(|h| CONTRA.is_match(&s[cls[h].start..cls[h].end])));
        if cls[k].role != ClauseRole::Paren || !defines {
            continue;
        }
        let Some(h) = cls[k].host else { continue };
        if cls[h].end + 1 != cls[k].start {
            continue;
        }
        let phrase_start = s[cls[h].start..cls[h].end]
            .rfind([',', ':'])
            .map_or(cls[h].start, |p| cls[h].start + p + 1);
        let phrase = &s[phrase_start..cls[h].end];
        if phrase.split_whitespace().count() > 6 {
            continue;
        }
        if phrase_start == cls[h].start {
            clause_exprs[h] = None;
            clause_review[h] = None;
            let (a, b) = ctx.span(cls[h].start, cls[h].end);
            ctx.reasons.retain(|r| !(r.span.0 >= a && r.span.1 <= b));
        }
        if NEG_START.is_match(phrase) {
            if let Some(e) = clause_exprs[k].take() {
                clause_exprs[k] = Some(Expr::Not { expr: Box::new(e) });
            }
        }
        ctx.cover(phrase_start, cls[h].end);
    }

    // A parenthesis full of thresholds defines the phrase before it
    // ("Severe pulmonary dysfunction (FEV1/FVC < 50 % …)"): the phrase is
    // covered by its definition.
    for (k, cl) in cls.iter().enumerate() {
        if cl.role == ClauseRole::Paren && clause_has_atoms[k] {
            if let Some(h) = cl.host {
                if !clause_has_atoms[h] || cls[h].end <= cl.start {
                    let h_end = cls[h].end;
                    let words_start = s[cls[h].start..h_end]
                        .rfind([',', ':'])
                        .map_or(cls[h].start, |p| cls[h].start + p + 1);
                    ctx.cover(words_start, h_end);
                }
            }
        }
    }

    // Residual content → Unparsed leaves, one per leftover fragment (see
    // [`residual_fragments`] for the rule).
    let mut residual_exprs: Vec<Option<Expr>> = vec![None; cls.len()];
    // Filler phrases may span a parenthesis ("Technetium (99mTc)-
    // macroaggregated albumin (MAA) … perfusion imaging"): matched over
    // the whole criterion once.
    if let (Some(a), Some(b)) = (
        cls.iter().map(|c| c.start).min(),
        cls.iter().map(|c| c.end).max(),
    ) {
        for m in FILLER.find_iter(&s[a..b]) {
            ctx.cover(a + m.start(), a + m.end());
        }
    }
    for (k, cl) in cls.iter().enumerate() {
        if clause_review[k].is_some() {
            continue;
        }
        let frags = residual_fragments(s, &ctx.covered, cl.start, cl.end);
        let mut leaves: Vec<Expr> = Vec::new();
        for (a, b) in frags {
            let span = ctx.span(a, b);
            let text = ctx.text(a, b);
            ctx.reasons.push(ReviewReason {
                kind: ReviewKind::Unparsed,
                text: text.clone(),
                span,
            });
            leaves.push(Expr::Unparsed { text, span });
        }
        residual_exprs[k] = match leaves.len() {
            0 => None,
            1 => leaves.pop(),
            _ => Some(residual_join(c.kind, cls[k].role, leaves)),
        };
    }
    // Combine clauses: nested ones into their hosts, carve-outs as Unless.
    let n = cls.len();
    let mut exprs: Vec<Option<Expr>> = (0..n)
        .map(
            |k| match (clause_exprs[k].take(), residual_exprs[k].take()) {
                (Some(e), Some(r)) => Some(residual_join(c.kind, cls[k].role, vec![e, r])),
                (Some(e), None) => Some(e),
                (None, Some(r)) => Some(r),
                (None, None) => None,
            },
        )
        .collect();
    // Process from last to first so nested clauses fold into hosts.
    let mut top: Vec<(usize, Expr)> = Vec::new();
    for k in (0..n).rev() {
        let Some(e) = exprs[k].take() else { continue };
        match (cls[k].role, cls[k].host) {
            (ClauseRole::Carve, Some(h)) => {
                let base = exprs[h].take().unwrap_or(Expr::True);
                let span = ctx.span(cls[k].start, cls[k].end);
                exprs[h] = Some(scope_carve(base, e, span));
            }
            (ClauseRole::Paren, Some(h)) => {
                let host = exprs[h].take();
                exprs[h] = Some(match host {
                    None => e,
                    // "systemic hormone treatment (equivalent to > 10 mg
                    // prednisone/day)": a comparison on a measure of the
                    // host's therapy qualifies that therapy.
                    Some(hx) => match qualifying_measure(&hx, &e, &ctx.atoms) {
                        Some(target) => qualify_has(hx, &target, &e),
                        // "No significant renal impairment (CrCl < 30)": the
                        // host's negation applies to its definition.
                        None => join(c.kind, vec![hx, e], false),
                    },
                });
            }
            _ => top.push((k, e)),
        }
    }
    top.reverse();
    // "A (…), or B": top-level clauses linked by a written "or" are
    // alternatives — any of them (three-valued: a true branch decides,
    // otherwise unknown; one false alternative never fails the criterion).
    let mut groups: Vec<Vec<Expr>> = Vec::new();
    let mut prev_k: Option<usize> = None;
    for (k, e) in top {
        let linked_or = prev_k.is_some_and(|pk| {
            or_link(&s[cls[pk].start..cls[pk].end], &s[cls[k].start..cls[k].end])
        });
        match groups.last_mut() {
            Some(g) if linked_or => g.push(e),
            _ => groups.push(vec![e]),
        }
        prev_k = Some(k);
    }
    let mut parts: Vec<Expr> = groups
        .into_iter()
        .map(|mut g| {
            if g.len() == 1 {
                g.pop().unwrap_or(Expr::True)
            } else {
                Expr::Or { any: g }
            }
        })
        .collect();
    let expr = match parts.len() {
        0 => Expr::True,
        1 => parts.pop().unwrap_or(Expr::True),
        _ => join(c.kind, parts, false),
    };
    let expr = flatten(expr);

    // Conflicts: same field and value with different operators.
    for i in 0..ctx.atoms.len() {
        for j in i + 1..ctx.atoms.len() {
            let (a, b) = (&ctx.atoms[i], &ctx.atoms[j]);
            if a.field == b.field && a.value == b.value && a.op != b.op {
                ctx.reasons.push(ReviewReason {
                    kind: ReviewKind::Conflict,
                    text: format!("{} {} vs {}", a.field, a.op.as_str(), b.op.as_str()),
                    span: (a.span.0.min(b.span.0), a.span.1.max(b.span.1)),
                });
            }
        }
    }

    let expr = trailing_window(expr, &ctx);
    let expr = washout(expr, &ctx);
    let expr = guards::apply(expr, c.kind, &c.text, c.span);
    // A criterion read as imposing nothing ("Radiotherapy: Not specified",
    // "Prior interferon alpha allowed") is understood, not unparsed.
    let status = if matches!(expr, Expr::True) && guards::imposes_nothing(&c.text) {
        Status::Computable
    } else {
        status_of(&expr, &ctx.reasons)
    };
    CompiledCriterion {
        id: c.id.clone(),
        kind: c.kind,
        text: c.text.clone(),
        span: c.span,
        parent: c.parent.clone(),
        status,
        review_reason: ctx.reasons,
        expr,
        atoms: ctx.atoms,
    }
}

fn join(kind: Kind, parts: Vec<Expr>, force_and: bool) -> Expr {
    if force_and {
        return Expr::And { all: parts };
    }
    match kind {
        Kind::Inclusion => Expr::And { all: parts },
        Kind::Exclusion => Expr::Or { any: parts },
    }
}

fn flatten(e: Expr) -> Expr {
    match e {
        Expr::And { all } => {
            let mut out = Vec::new();
            for x in all.into_iter().map(flatten) {
                match x {
                    Expr::And { all } => out.extend(all),
                    Expr::True => {}
                    o => out.push(o),
                }
            }
            match out.len() {
                0 => Expr::True,
                1 => out.pop().unwrap_or(Expr::True),
                _ => Expr::And { all: out },
            }
        }
        Expr::Or { any } => {
            let mut out = Vec::new();
            for x in any.into_iter().map(flatten) {
                match x {
                    Expr::Or { any } => out.extend(any),
                    Expr::True => {}
                    o => out.push(o),
                }
            }
            match out.len() {
                0 => Expr::True,
                1 => out.pop().unwrap_or(Expr::True),
                _ => Expr::Or { any: out },
            }
        }
        Expr::Not { expr } => Expr::Not {
            expr: Box::new(flatten(*expr)),
        },
        Expr::Unless { base, except, span } => Expr::Unless {
            base: Box::new(flatten(*base)),
            except: Box::new(flatten(*except)),
            span,
        },
        o => o,
    }
}

fn status_of(expr: &Expr, reasons: &[ReviewReason]) -> Status {
    let leaves = expr.leaves();
    let computable = leaves
        .iter()
        .filter(|l| matches!(l, Expr::Compare { .. } | Expr::Has { .. }))
        .count();
    let review = leaves
        .iter()
        .filter(|l| matches!(l, Expr::Review { .. } | Expr::Uncertain { .. }))
        .count();
    let unparsed = leaves
        .iter()
        .filter(|l| matches!(l, Expr::Unparsed { .. }))
        .count();
    let flagged = reasons.iter().any(|r| {
        matches!(
            r.kind,
            ReviewKind::UnitMissing | ReviewKind::AmbiguousNumber | ReviewKind::Conflict
        )
    });
    if computable > 0 && review == 0 && unparsed == 0 && !flagged {
        Status::Computable
    } else if computable > 0 {
        Status::Partial
    } else if review > 0 {
        Status::Review
    } else {
        Status::Unparsed
    }
}
