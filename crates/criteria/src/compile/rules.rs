//! Compiler stage — rules: one clause → an expression (`compile_clause`): concept
//! mentions, thresholds, ranges, windows, negation and the links between
//! atoms; the special-case builders live in [`super::special`].

use super::*;

/// Compiles one clause: (expression, has computable atoms, review cue).
pub(super) fn compile_clause<'v>(
    ctx: &mut Ctx<'v>,
    mentions: &[Mention],
    cl: &Clause,
) -> (Option<Expr>, bool, Option<(ReviewKind, usize, usize)>) {
    let view: &'v View = ctx.view;
    let s: &'v str = &view.s;
    let seg = &s[cl.start..cl.end];
    if let Some(e) = pregnancy_test_of_women(ctx, cl) {
        return (Some(e), true, None);
    }
    let other_grading = OTHER_GRADING.is_match(seg);
    let mut ms: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.start >= cl.start && m.end <= cl.end)
        // A bare "grade" is a CTCAE grade only when no other grading
        // system is named in the clause ("ASA grade 1-4", "hypertension
        // grade 1 or 2 according to ESH/ESC").
        .filter(|m| {
            !(other_grading
                && DEFS[m.def].ids == ["ctcae_grade"]
                && !s[m.start..m.end].to_ascii_lowercase().contains("ctcae"))
        })
        .collect();

    // Review cue: the whole clause is for review, but atoms in it still count.
    let mut review: Option<(ReviewKind, usize, usize)> = None;
    let cue_hits = if REVIEW_GATE.is_match(seg) {
        REVIEW_CUE_SET.matches(seg)
    } else {
        REVIEW_CUE_SET.matches("")
    };
    // The first cue (table order) that is not part of an understood
    // concept phrase: "deemed resectable", "capable of tolerating surgery",
    // "well defined tumor (mRECIST)" are concepts answered by documented
    // facts, not judgements left to a reader. The catch-all (index 0)
    // instead swallows the concept words inside it.
    for i in cue_hits.iter() {
        let Some((kind, re)) = REVIEW_CUES.get(i) else {
            continue;
        };
        let Some(m) = re.find(seg) else { continue };
        let (a, b) = (cl.start + m.start(), cl.start + m.end());
        if i == 0 {
            ms.retain(|x| x.end <= a || x.start >= b);
        } else if ms.iter().any(|x| x.start <= a && b <= x.end) {
            continue;
        }
        // "uncontrolled diabetes (glucose ≥ 10)" is defined by its
        // parenthesis; handled by the caller through coverage.
        review = Some((*kind, a, b));
        break;
    }
    // A consent / agreement item covers its own words only ("diagnosed
    // with SLE, …, and provide informed consent" is the condition *and*
    // the consent): when the clause has other parts, the item is split off
    // and the rest is compiled (or left unparsed) — or, when the rest asks
    // for a judgement ("deemed medically fit to participate"), that rest is
    // its own review item of that kind.
    let mut split_review: Option<(ReviewKind, usize, usize)> = None;
    let mut rest_review: Option<(ReviewKind, usize, usize)> = None;
    if let Some((kind, a, b)) = review {
        if matches!(kind, ReviewKind::Consent | ReviewKind::Agreement) {
            let (pa, pb) = consent_part(s, cl.start, cl.end, a, b);
            let (ra, rb) = if pa > cl.start {
                (cl.start, pa)
            } else {
                (pb, cl.end)
            };
            let rest_has_words = pa > cl.start || pb < cl.end;
            if rest_has_words
                && s[ra..rb]
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w.len() >= 3 && !is_stop(w))
            {
                split_review = Some((kind, pa, pb));
                review = None;
                // A judgement cue in the rest.
                let rest = &s[ra..rb];
                let hits = REVIEW_CUE_SET.matches(rest);
                if let Some((k2, re2)) = hits
                    .iter()
                    .filter_map(|i| REVIEW_CUES.get(i))
                    .find(|(k2, _)| !matches!(k2, ReviewKind::Consent | ReviewKind::Agreement))
                {
                    if re2.is_match(rest) && (pa == cl.start || pb == cl.end) {
                        rest_review = Some((*k2, ra, rb));
                        review = Some((*k2, ra, rb));
                    }
                }
            }
        }
    }

    let mut placed: Vec<Placed> = Vec::new();
    let mut used_mentions: Vec<bool> = vec![false; ms.len()];

    // Thresholds with an operator.
    let mut last_cmp_def: Option<Vec<usize>> = None;
    let mut thresholds: Vec<(usize, usize, Op, String, usize)> = Vec::new(); // (start, num_end, op, num, num_start)
                                                                             // Every threshold, range and post-operator form needs a digit.
    let has_digit = seg.bytes().any(|b| b.is_ascii_digit());
    for cap in THRESH.captures_iter(if has_digit { seg } else { "" }) {
        let (Some(all), Some(opm), Some(num)) = (cap.get(0), cap.name("op"), cap.name("num"))
        else {
            continue;
        };
        let Some(op) = parse_op(opm.as_str()) else {
            continue;
        };
        // "5. 0×ULN": a stray space is only part of the number before × / ULN.
        let mut num_s = num.as_str().to_string();
        let mut num_end = cl.start + num.end();
        if num_s.contains(". ") || num_s.contains(", ") {
            let after = s.get(num_end..).unwrap_or("");
            if !ULN.is_match(after) {
                let cut = num_s.find([' ']).unwrap_or(num_s.len());
                let head = num_s[..cut].trim_end_matches(['.', ',']).to_string();
                num_end = cl.start + num.start() + head.len();
                num_s = head;
            }
        }
        // "> 25th percentile": an ordinal, not a value.
        if s.get(num_end..).is_some_and(|r| ORDINAL_SUFFIX.is_match(r)) {
            continue;
        }
        // "ECOG of 0-2", "= 0~2", "of 0 or 1": a range or list follows,
        // not a single value.
        if matches!(op, Op::Eq) {
            static RANGE_AFTER: LazyLock<Regex> =
                LazyLock::new(|| re_big(r"^\s*(?:-|~|to|or|,)\s*\d").expect("range after"));
            if RANGE_AFTER.is_match(s.get(num_end..cl.end).unwrap_or("")) {
                continue;
            }
        }
        // "of" as an operator only for scores right after their mention.
        if opm.as_str().eq_ignore_ascii_case("of") {
            let before = s[cl.start..cl.start + all.start()].trim_end();
            let ok = ms.iter().any(|m| {
                DEFS[m.def].cat == Cat::Score
                    && m.end <= cl.start + all.start()
                    && s[m.end..cl.start + all.start()].trim().is_empty()
            }) || before.to_lowercase().ends_with("score");
            if !ok {
                continue;
            }
        }
        thresholds.push((
            cl.start + all.start(),
            num_end,
            op,
            num_s,
            cl.start + num.start(),
        ));
    }
    // "18 years or older".
    for cap in POST_OP.captures_iter(if has_digit { seg } else { "" }) {
        let (Some(all), Some(num), Some(dir)) = (cap.get(0), cap.name("num"), cap.name("dir"))
        else {
            continue;
        };
        let a = cl.start + all.start();
        if thresholds.iter().any(|t| t.4 <= a + num.end() && t.1 >= a) {
            continue;
        }
        let op = match dir.as_str().to_lowercase().as_str() {
            "less" | "lower" | "below" | "younger" | "under" => Op::Le,
            _ => Op::Ge,
        };
        thresholds.push((a, cl.start + num.end(), op, num.as_str().to_string(), a));
        // Cover the direction words.
        ctx.cover(a, cl.start + all.end());
    }
    thresholds.sort_by_key(|t| t.0);

    let mut prev_end = cl.start;
    for (t_start, num_end, op, num_s, _num_start) in thresholds {
        if t_start < prev_end {
            continue;
        }
        // Concept: the nearest mention before the threshold, after the
        // previous threshold; extended to a list of mentions joined by
        // , / and / or.
        let cands: Vec<usize> = (0..ms.len())
            .filter(|&k| {
                ms[k].end <= t_start
                    && ms[k].start >= prev_end
                    && matches!(DEFS[ms[k].def].cat, Cat::Measure | Cat::Score)
            })
            .collect();
        let mut defs: Vec<(usize, usize)> = Vec::new(); // (mention idx, def)
        if let Some(&last) = cands.last() {
            let gap = &s[ms[last].end..t_start];
            if gap.chars().count() <= 60 && !gap.contains(';') {
                defs.push((last, ms[last].def));
                // Walk back over a list.
                // A bare comma joins only inside "A, B and C" (a later
                // join was a conjunction), not an apposition "X, FEV1/FVC".
                let mut k = cands.len() - 1;
                let mut saw_conj = false;
                while k > 0 {
                    let (p, q) = (cands[k - 1], cands[k]);
                    let between = s[ms[p].end..ms[q].start].trim().to_lowercase();
                    let conj = matches!(
                        between.as_str(),
                        "and" | "or" | "/" | ", and" | ", or" | "and/or" | "&"
                    );
                    if conj || (between == "," && saw_conj) {
                        saw_conj |= conj;
                        defs.insert(0, (p, ms[p].def));
                        k -= 1;
                    } else {
                        break;
                    }
                }
            }
        }
        let concept_defs: Vec<usize> = if defs.is_empty() {
            match &last_cmp_def {
                Some(d)
                    if s[prev_end..t_start]
                        .trim()
                        .trim_start_matches(',')
                        .trim()
                        .to_lowercase()
                        .starts_with("or")
                        || s[prev_end..t_start].trim().is_empty()
                        || s[prev_end..t_start].trim() == "," =>
                {
                    d.clone()
                }
                _ => Vec::new(),
            }
        } else {
            defs.iter().map(|d| d.1).collect()
        };
        for (mi, _) in &defs {
            used_mentions[*mi] = true;
        }
        let Some(&first_def) = concept_defs.first() else {
            prev_end = num_end;
            continue;
        };
        // Special forms: "PT exceeding the upper limit of normal ≤ 6 seconds".
        let before = s[cl.start..t_start].to_lowercase();
        let uln_plus = ULN_PLUS.is_match(before.trim_end());
        let Some(vr) = read_value(ctx.view, Some(first_def), &num_s, num_end) else {
            prev_end = num_end;
            continue;
        };
        let mut value = vr.value;
        // A score outside its scale is not that score.
        if let Value::Number(n) = value {
            if DEFS[first_def].cat == Cat::Score && !plausible(first_def, n) {
                prev_end = num_end;
                continue;
            }
        }
        if uln_plus {
            if let Value::Number(n) = value {
                value = Value::UlnPlus { uln_plus: n };
            }
        }
        // Child-Pugh "class A" etc. handled elsewhere; FEV1 as % → % predicted.
        let atom_start = defs.first().map_or(t_start, |d| ms[d.0].start).min(t_start);
        let span_view = (t_start, vr.end);
        let group = if concept_defs.len() > 1 {
            Some(placed.len())
        } else {
            None
        };
        let mut ids: Vec<&'static str> = Vec::new();
        for d in &concept_defs {
            for id in DEFS[*d].ids {
                ids.push(id);
            }
        }
        for id in ids {
            let mut field = id.to_string();
            let mut unit = vr.unit.clone();
            if field == "fev1" && unit.as_deref() == Some("%") {
                field = "fev1_pct_predicted".to_string();
            }
            // Convert per concept when the list spans concepts of different units.
            if let (Value::Number(v), Some(u)) = (value, unit.clone()) {
                if let Some(d) = DEFS
                    .iter()
                    .position(|d| d.ids.contains(&id) && d.ids.len() == 1)
                {
                    if let Some((cv, cu)) = to_canonical(d, v, &u) {
                        value = Value::Number(cv);
                        unit = Some(cu);
                    }
                }
            }
            if matches!(value, Value::UlnPlus { .. }) && unit.is_none() {
                unit = DEFS[first_def].unit.map(str::to_string);
            }
            let span = ctx.span(span_view.0, span_view.1);
            let idx = ctx.atoms.len();
            ctx.atoms.push(Atom {
                field,
                op,
                value,
                unit,
                span,
                window: None,
            });
            placed.push(Placed {
                piece: Piece::Cmp(idx),
                start: atom_start,
                end: vr.end,
                group,
            });
            if vr.ambiguous {
                ctx.reasons.push(ReviewReason {
                    kind: ReviewKind::AmbiguousNumber,
                    text: ctx.text(t_start, vr.end),
                    span,
                });
            }
            if vr.unit_missing {
                ctx.reasons.push(ReviewReason {
                    kind: ReviewKind::UnitMissing,
                    text: ctx.text(t_start, vr.end),
                    span,
                });
            }
        }
        ctx.cover(atom_start, vr.end);
        last_cmp_def = Some(concept_defs);
        prev_end = vr.end;
    }

    // Ranges and bare values right after a measure/score mention.
    for (k, m) in ms.iter().enumerate() {
        if used_mentions[k] || !matches!(DEFS[m.def].cat, Cat::Measure | Cat::Score) {
            continue;
        }
        let rest_end = ms.get(k + 1).map_or(cl.end, |n| n.start);
        let rest = &s[m.end..rest_end];
        let lead = rest.len() - rest.trim_start_matches([' ', ':', ',']).len();
        let rest_t = &rest[lead..];
        // A range: "Aged 18 to 80", "Age 18-80 years", "ECOG 0-2".
        if let Some(c) = RANGE.captures(rest_t) {
            if c.get(0).is_some_and(|x| x.start() <= 9)
                && !rest_t[..c.get(0).map_or(0, |x| x.start())]
                    .chars()
                    .any(|ch| ch.is_ascii_digit())
            {
                let (Some(all), Some(lo), Some(hi)) = (c.get(0), c.name("lo"), c.name("hi")) else {
                    continue;
                };
                let a = m.end + lead + all.start();
                let b = m.end + lead + all.end();
                let unit_read = read_value(ctx.view, Some(m.def), hi.as_str(), b);
                let (lo_v, hi_v) = (parse_number(lo.as_str()), parse_number(hi.as_str()));
                let (Some(&lo_v), Some(&hi_v)) = (lo_v.first(), hi_v.first()) else {
                    continue;
                };
                if lo_v > hi_v {
                    continue;
                }
                // An unconvertible unit ("BMI 18-25 kg"): no atoms.
                let Some(unit_read) = unit_read else {
                    continue;
                };
                let end = unit_read.end;
                // Both bounds in the unit as written, converted to the
                // concept's canonical unit ("6.1 to 7.0 mmol/L" → mg/dL,
                // "1-12 months" → years).
                let (lo_v, hi_v, unit) = match unit_read.raw_unit.as_deref() {
                    Some(ru) => {
                        match (to_canonical(m.def, lo_v, ru), to_canonical(m.def, hi_v, ru)) {
                            (Some((l, u)), Some((h, _))) => (l, h, Some(u)),
                            _ => (lo_v, hi_v, Some(ru.to_string())),
                        }
                    }
                    None => (lo_v, hi_v, None),
                };
                // Scores and stages outside their scale are not this
                // concept ("grade 8", "Child-Pugh class 2 or 3").
                if DEFS[m.def].cat == Cat::Score
                    && !(plausible(m.def, lo_v) && plausible(m.def, hi_v))
                {
                    continue;
                }
                if unit_read.unit_missing {
                    ctx.reasons.push(ReviewReason {
                        kind: ReviewKind::UnitMissing,
                        text: ctx.text(a, end),
                        span: ctx.span(a, end),
                    });
                }
                let span = ctx.span(a, end);
                let first = placed.len();
                for (op, v) in [(Op::Ge, lo_v), (Op::Le, hi_v)] {
                    for id in DEFS[m.def].ids {
                        let idx = ctx.atoms.len();
                        ctx.atoms.push(Atom {
                            field: id.to_string(),
                            op,
                            value: Value::Number(v),
                            unit: unit.clone(),
                            span,
                            window: None,
                        });
                        placed.push(Placed {
                            piece: Piece::Cmp(idx),
                            start: m.start,
                            end,
                            group: Some(first),
                        });
                    }
                }
                // Ranges are conjunctions regardless of kind.
                used_mentions[k] = true;
                ctx.cover(m.start, end);
                continue;
            }
        }
        // Scores with a bare value: "ECOG performance status score of 0".
        if DEFS[m.def].cat == Cat::Score {
            if let Some(sc) = score_value(s, m, rest_end) {
                let (mut ops_vals, end) = sc;
                // Out of the scale: not this score ("grade 8").
                if ops_vals.iter().any(|(_, v)| !plausible(m.def, *v)) {
                    continue;
                }
                // "> Grade 2", "≥grade 1": the operator stands before the
                // score's name.
                let mut start = m.start;
                if let [(Op::Eq, v)] = ops_vals[..] {
                    if let Some((op, at)) =
                        op_before(s, cl.start.max(prev_cmp_end(&placed)), m.start)
                    {
                        ops_vals = vec![(op, v)];
                        start = at;
                    }
                }
                let span = ctx.span(start, end);
                let first = placed.len();
                for (op, v) in ops_vals {
                    let idx = ctx.atoms.len();
                    ctx.atoms.push(Atom {
                        field: DEFS[m.def].ids[0].to_string(),
                        op,
                        value: Value::Number(v),
                        unit: None,
                        span,
                        window: None,
                    });
                    placed.push(Placed {
                        piece: Piece::Cmp(idx),
                        start,
                        end,
                        group: Some(first),
                    });
                }
                used_mentions[k] = true;
                ctx.cover(start, end);
            }
        }
    }

    // Presence of conditions / therapies / trial participation.
    let window = window_in(ctx, cl.start, cl.end);
    if let Some(w) = &window {
        // Cover the window text.
        if let Some(m) = WINDOW.find(seg) {
            ctx.cover(cl.start + m.start(), cl.start + m.end());
        }
        let _ = w;
    }
    for (k, m) in ms.iter().enumerate() {
        let cat = DEFS[m.def].cat;
        if used_mentions[k] || !matches!(cat, Cat::Condition | Cat::Therapy | Cat::Trial) {
            continue;
        }
        // "anti-tumor treatments for HCC": a condition right after a therapy
        // and "for" names the therapy's indication, not a second condition
        // (seed 004 I2). The therapy concepts are already cancer therapies;
        // the indication is covered as part of the therapy phrase.
        if cat == Cat::Condition && k > 0 && DEFS[ms[k - 1].def].cat == Cat::Therapy {
            let gap = s[ms[k - 1].end..m.start].trim().to_ascii_lowercase();
            if matches!(gap.as_str(), "for" | "for the" | "of" | "against") {
                ctx.cover(ms[k - 1].end, m.end);
                continue;
            }
        }
        // "No prior biologic therapy for hepatocellular carcinoma", "no
        // more than 1 prior systemic regimen for HCC": the disease a
        // therapy (named or not) was for is its context, not a condition
        // the criterion asks about.
        if cat == Cat::Condition {
            static THERAPY_FOR: LazyLock<Regex> = LazyLock::new(|| {
                re_big(r"(?i)\b(?:therap(?:y|ies)|treatments?|regimens?|agents?|drugs?|chemotherapy|medications?|surgery|resection|transplant\w*|radiotherapy|radiation|immunotherapy|lines?|interventions?|procedures?)\s+(?:for|of|against|targeting)\s+(?:the\s+|their\s+|his\s+|her\s+)?(?:advanced\s+|metastatic\s+|unresectable\s+)?$")
                    .expect("therapy for")
            });
            if THERAPY_FOR.is_match(&s[cl.start..m.start]) {
                ctx.cover(m.start, m.end);
                continue;
            }
        }
        // "… anti-tumor treatments for HCC": the disease a therapy was
        // for, not a condition of its own.
        if cat == Cat::Condition
            && s[cl.start..m.start]
                .trim_end()
                .to_ascii_lowercase()
                .ends_with(" for")
            && ms[..k].iter().any(|p| DEFS[p.def].cat == Cat::Therapy)
        {
            ctx.cover(m.start, m.end);
            continue;
        }
        // "not suitable for surgical resection", "tolerating surgery": a
        // treatment being judged or planned, not one received.
        if cat == Cat::Therapy {
            static PLANNED: LazyLock<Regex> = LazyLock::new(|| {
                re_big(r"(?i)(?:suitable\s+for|amenable\s+to|candidates?\s+for|eligible\s+for|tolerat(?:e|ing)|refuses?|undergo(?:ing)?|scheduled\s+for|planned)\s+(?:the\s+)?$")
                    .expect("planned")
            });
            if PLANNED.is_match(&s[cl.start..m.start]) {
                continue;
            }
        }
        // "pregnancy test … negative" is about a test, handled by NEGATIVE below.
        let what = match cat {
            Cat::Therapy => HasKind::Therapy,
            Cat::Trial => HasKind::Trial,
            _ => HasKind::Condition,
        };
        placed.push(Placed {
            piece: Piece::Has(m.def, m.start, m.end),
            start: m.start,
            end: m.end,
            group: None,
        });
        ctx.cover(m.start, m.end);
        let _ = what;
    }
    // Cover mentions that were used as concepts.
    for (k, m) in ms.iter().enumerate() {
        if used_mentions[k] {
            ctx.cover(m.start, m.end);
        }
    }
    // Attach windows to comparisons? Windows apply to presence leaves.
    placed.sort_by_key(|p| (p.start, p.end));

    let negated = NEG_START.is_match(seg) || negative_result(seg).is_some();
    let default_or = ctx.kind == Kind::Exclusion || negated;
    // Link pieces by the words between them.
    let mut groups: Vec<Vec<Expr>> = vec![Vec::new()];
    let mut prev: Option<&Placed> = None;
    for p in &placed {
        let e = match &p.piece {
            Piece::Cmp(i) => Expr::Compare { atom: *i },
            Piece::Has(def, a, b) => {
                let d = &DEFS[*def];
                let win = if matches!(d.cat, Cat::Therapy | Cat::Trial)
                    || window
                        .as_ref()
                        .is_some_and(|_| d.ids[0] == "other_malignancy")
                {
                    window.clone()
                } else {
                    None
                };
                // "No concurrent radiotherapy", "concomitant steroids":
                // a therapy going on now, not one ever received.
                let win = win.or_else(|| concurrent_window(ctx, s, cl.start, *a, d.cat));
                // One phrase naming several concepts ("stem cell or organ
                // transplantation") is any of them.
                let mut hs: Vec<Expr> = d
                    .ids
                    .iter()
                    .map(|id| Expr::Has {
                        concept: id.to_string(),
                        what: match d.cat {
                            Cat::Therapy => HasKind::Therapy,
                            Cat::Trial => HasKind::Trial,
                            _ => HasKind::Condition,
                        },
                        window: win.clone(),
                        span: ctx.span(*a, *b),
                    })
                    .collect();
                let h = if hs.len() == 1 {
                    hs.pop().unwrap_or(Expr::True)
                } else {
                    Expr::Or { any: hs }
                };
                if negated_mention(&s[*a..*b]) {
                    Expr::Not { expr: Box::new(h) }
                } else {
                    h
                }
            }
        };
        if let Some(q) = prev {
            let same_group = q.group.is_some() && q.group == p.group;
            let between = if q.end <= p.start {
                s[q.end..p.start].to_lowercase()
            } else {
                String::new()
            };
            let is_or = OR_WORD.is_match(&between);
            let both_has = matches!(q.piece, Piece::Has(..)) && matches!(p.piece, Piece::Has(..));
            let is_and = AND_WITH.is_match(&between)
                || (AND_WORD.is_match(&between) && !(default_or && both_has));
            let is_or = is_or
                || (default_or
                    && both_has
                    && AND_WORD.is_match(&between)
                    && !AND_WITH.is_match(&between));
            let new_or_group = if same_group {
                // A shared threshold or a range: all for inclusion ranges;
                // lists in exclusions read as any.
                default_or && !is_range_group(&ctx.atoms, &placed, p)
            } else if is_or {
                true
            } else if is_and {
                false
            } else {
                default_or
            };
            if new_or_group {
                groups.push(Vec::new());
            }
        }
        if let Some(g) = groups.last_mut() {
            g.push(e);
        }
        prev = Some(p);
    }
    let mut any: Vec<Expr> = groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|mut g| {
            if g.len() == 1 {
                g.pop().unwrap_or(Expr::True)
            } else {
                Expr::And { all: g }
            }
        })
        .collect();
    let has_atoms = !any.is_empty();
    let mut expr = match any.len() {
        0 => None,
        1 => any.pop(),
        _ => Some(Expr::Or { any }),
    };

    // Negation: "No …", "without …", "… must be negative".
    let seg_lower = seg.to_lowercase();
    if let Some(e) = expr.take() {
        let neg_start = NEG_START.find(seg);
        let negative = negative_result(seg);
        expr = Some(if neg_start.is_some() || negative.is_some() {
            if let Some(m) = neg_start {
                ctx.cover(cl.start + m.start(), cl.start + m.end());
            }
            if let Some(m) = negative {
                ctx.cover(cl.start + m.start(), cl.start + m.end());
            }
            Expr::Not { expr: Box::new(e) }
        } else {
            e
        });
    }
    let _ = seg_lower;

    // Carve-out and "However … is excluded" words are structure.
    if let Some(m) = CARVE.find(seg) {
        ctx.cover(cl.start + m.start(), cl.start + m.end());
    }
    static STRUCT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)(?:is|are)\s+(?:excluded|allowed|permitted)(?-u:\b)|(?-u:\b)within\s+the\s+normal\s+range(?-u:\b)|(?-u:\b)within\s+normal\s+limits(?-u:\b)|(?-u:\b)no\s+superior\s+limit(?-u:\b)|(?-u:\b)of\s+(?:the\s+)?total\s+liver\s+volume(?-u:\b)|(?-u:\b)of\s+predicted(?:\s+value)?(?-u:\b)|(?-u:\b)calculated\s+(?:according\s+to|by|using)\s+(?:the\s+)?cockcroft[\s-]+gault(?:\s+formula|\s+equation)?(?-u:\b)|(?-u:\b)assessed\s+by\s+\w+(?:\s+\w+)?(?-u:\b)")
            .expect("struct words")
    });
    static STRUCT_GATE: LazyLock<Regex> = LazyLock::new(|| {
        gate(&[
            "excluded",
            "allowed",
            "permitted",
            "normal",
            "superior",
            "total",
            "predicted",
            "cockcroft",
            "assessed",
        ])
    });
    let struct_gate = STRUCT_GATE.is_match(seg);
    for m in STRUCT_WORDS.find_iter(if struct_gate { seg } else { "" }) {
        ctx.cover(cl.start + m.start(), cl.start + m.end());
    }
    // "(equivalent to) > 10 mg prednisone/day", "> 10 mg/day of
    // prednisone or equivalent": a corticosteroid dose in prednisone
    // equivalents (clinical-rules §8, typical ICI exclusion).
    static STEROID_DOSE: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?:(?:prednisone[\s-])?equivalent(?:\s+dose)?\s+(?:to|of)\s+)?(?P<op>[<>≤≥]=?|more\s+than|greater\s+than|at\s+least|over|above)\s*(?P<n>\d+(?:\.\d+)?)\s*mg\s*(?:(?:/|per)\s*d(?:ay)?\s+(?:of\s+)?prednis(?:one|olone)|(?:of\s+)?prednis(?:one|olone)\s*(?:/|per)\s*d(?:ay)?)(?:\s+or\s+(?:its\s+)?equivalents?)?")
            .expect("steroid dose")
    });
    if seg.contains("mg") {
        if let Some(c) = STEROID_DOSE.captures(seg) {
            let op = c.name("op").and_then(|o| {
                let o = o.as_str().to_ascii_lowercase();
                match o.as_str() {
                    "more than" | "greater than" | "over" | "above" => Some(Op::Gt),
                    "at least" => Some(Op::Ge),
                    _ => parse_op(&o),
                }
            });
            let n = c.name("n").and_then(|n| n.as_str().parse::<f64>().ok());
            if let (Some(op), Some(n), Some(all)) = (op, n, c.get(0)) {
                let e = ctx.compare(
                    "prednisone_equivalent_dose",
                    op,
                    Value::Number(n),
                    Some("mg/d"),
                    (cl.start + all.start(), cl.start + all.end()),
                );
                expr = Some(and_with(expr, e));
            }
        }
    }
    // "has received 4 standard of care LUTATHERA® cycles": cycles of PRRT
    // received, at least the number written.
    static PRRT_CYCLES: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?:has\s+)?(?:received|completed)\s+(?:at\s+least\s+)?(?P<n>\d+)\s+(?:standard\s+of\s+care\s+)?(?:(?-i:LUTATHERA)\s*®?|177\s*-?\s*Lu[\s-]*(?:DOTATATE|oxodotreotide)|(?-i:PRRT))\s+(?:cycles|courses)")
            .expect("prrt cycles")
    });
    if let Some(c) = PRRT_CYCLES.captures(seg) {
        if let (Some(n), Some(all)) = (
            c.name("n").and_then(|n| n.as_str().parse::<f64>().ok()),
            c.get(0),
        ) {
            let e = ctx.compare(
                "prrt_cycles",
                Op::Ge,
                Value::Number(n),
                None,
                (cl.start + all.start(), cl.start + all.end()),
            );
            expr = Some(and_with(expr, e));
        }
    }
    // "PT within the normal range" (no threshold) → PT ≤ 1 × ULN.
    static WNR: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)(?-u:\b)within\s+(?:the\s+)?normal\s+(?:range|limits?)(?-u:\b)").expect("wnr")
    });
    if let Some(wm) = WNR.find(seg) {
        if let Some((k, m)) = ms.iter().enumerate().rev().find(|(k, m)| {
            !used_mentions[*k] && DEFS[m.def].cat == Cat::Measure && m.end <= cl.start + wm.start()
        }) {
            let _ = k;
            let e = ctx.compare(
                DEFS[m.def].ids[0],
                Op::Le,
                Value::XUln { x_uln: 1.0 },
                None,
                (m.start, cl.start + wm.end()),
            );
            expr = Some(and_with(expr, e));
        }
    }
    // Child-Pugh and BCLC words that are stages, not numbers.
    for (e, a, b) in stage_exprs(ctx, s, &ms, cl) {
        ctx.cover(a, b);
        expr = Some(match expr {
            Some(x) => join(ctx.kind, vec![x, e], false),
            None => e,
        });
    }
    let has_atoms = has_atoms || expr.is_some();

    // Attach windows to comparisons in this clause too (transfusion-free
    // windows are on Has leaves; labs rarely carry one).
    let mut out = expr;
    let mut review_leaves: Vec<(ReviewKind, usize, usize)> = Vec::new();
    if let Some((kind, pa, pb)) = split_review {
        review_leaves.push((kind, pa, pb));
        if let Some(r) = rest_review {
            review_leaves.push(r);
        }
    } else if let Some((kind, _, _)) = review {
        review_leaves.push((kind, cl.start, cl.end));
    }
    for (kind, ra, rb) in review_leaves {
        ctx.cover(ra, rb);
        let (ta, tb) = trim_view(s, ra, rb);
        let (ta, tb) = trim_connective(s, ta, tb);
        let span = ctx.span(ta, tb);
        let text = ctx.text(ta, tb);
        ctx.reasons.push(ReviewReason {
            kind,
            text: text.clone(),
            span,
        });
        let r = Expr::Review {
            reason: kind,
            text,
            span,
        };
        out = Some(match out {
            Some(x) => Expr::And { all: vec![x, r] },
            None => r,
        });
    }
    (out, has_atoms, review)
}

/// "concurrent / concomitant / ongoing / currently receiving" right before
/// a therapy mention: the therapy is going on now — a window of zero days
/// back from the screening date (anchor `concurrent`), so a therapy that
/// ended before it does not count ("No concurrent radiotherapy" is not
/// violated by radiotherapy a year ago).
pub(super) fn concurrent_window(
    ctx: &mut Ctx,
    s: &str,
    clause_start: usize,
    at: usize,
    cat: Cat,
) -> Option<Window> {
    static CONCURRENT: LazyLock<Regex> = LazyLock::new(|| {
        re_big(r"(?i)\b(?:concurrent(?:ly)?|concomitant(?:ly)?|ongoing|currently\s+(?:receiving|on|taking|undergoing)|simultaneous)\b(?:\s+(?:use\s+of|treatment\s+with|therapy\s+with|administration\s+of|with|other|systemic|investigational|or|and|\w+),?){0,4}\s*$")
            .expect("concurrent")
    });
    if cat != Cat::Therapy {
        return None;
    }
    let from = at.saturating_sub(80).max(clause_start);
    let from = (from..at).find(|&i| s.is_char_boundary(i)).unwrap_or(at);
    let m = CONCURRENT.find(&s[from..at])?;
    // The qualifier words are read: cover them ("concurrent", "ongoing").
    let q = s[from + m.start()..from + m.end()]
        .split_whitespace()
        .next()
        .map_or(0, str::len);
    ctx.cover(from + m.start(), from + m.start() + q);
    Some(Window {
        value: 0.0,
        unit: "d".into(),
        anchor: Some("concurrent".into()),
        from: WindowFrom::Now,
        span: ctx.span(from + m.start(), from + m.end()),
    })
}

#[cfg(test)]
mod tests {
    use crate::segment::{Criterion, Kind};

    fn one(text: &str, kind: Kind) -> crate::ir::CompiledCriterion {
        let c = Criterion {
            id: "I1".into(),
            kind,
            text: text.into(),
            span: (0, text.len()),
            parent: None,
        };
        super::super::compile_one(text, &c)
    }

    #[test]
    fn threshold_becomes_a_comparison() {
        let c = one("Total bilirubin ≤ 1.5 × ULN", Kind::Inclusion);
        assert_eq!(c.atoms.len(), 1, "{c:?}");
        assert_eq!(c.atoms[0].op, crate::ir::Op::Le);
        assert_eq!(c.status, crate::ir::Status::Computable, "{c:?}");
    }
}
