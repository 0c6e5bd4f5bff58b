//! Compiler stage — clause structure: splitting a criterion into clauses (brackets,
//! `;`, sentence ends, `unless`, `However,`), how consecutive clauses are
//! linked (`or`), the scope of carve-outs (`Unless`), qualifying a presence
//! by a measure, and residual (not understood) fragments.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ClauseRole {
    Main,
    /// Inside brackets or parentheses.
    Paren,
    /// A carve-out (`unless …`, `However, … is excluded`, `(excluding …)`).
    Carve,
}

#[derive(Debug, Clone)]
pub(super) struct Clause {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) role: ClauseRole,
    /// Index of the clause this one is nested in / attached to.
    pub(super) host: Option<usize>,
}

/// Splits `[0, len)` of the view into clauses; never splits inside a
/// concept mention.
pub(super) fn clauses(s: &str, mentions: &[Mention]) -> Vec<Clause> {
    let mut inside_mask = vec![false; s.len() + 1];
    for m in mentions {
        for x in inside_mask
            .iter_mut()
            .take(m.end.min(s.len()))
            .skip(m.start + 1)
        {
            *x = true;
        }
    }
    let inside = |i: usize| inside_mask.get(i).copied().unwrap_or(false);
    let bytes = s.as_bytes();
    let mut out: Vec<Clause> = Vec::new();
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (clause index of host, open pos)
    let mut cur_start = 0usize;
    let mut cur_role = ClauseRole::Main;
    let mut cur_host: Option<usize> = None;
    let push = |out: &mut Vec<Clause>,
                a: usize,
                b: usize,
                role: ClauseRole,
                host: Option<usize>|
     -> usize {
        out.push(Clause {
            start: a,
            end: b,
            role,
            host,
        });
        out.len() - 1
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let is_open = (c == b'(' || c == b'[') && !inside(i);
        let is_close = (c == b')' || c == b']') && !inside(i);
        let is_semi = c == b';';
        let is_sentence = c == b'.'
            && i + 2 < bytes.len()
            && bytes[i + 1] == b' '
            && (bytes[i + 2] as char).is_ascii_uppercase()
            && !s[..i].ends_with("e.g")
            && !s[..i].ends_with("i.e")
            && !s[..i].ends_with("vs");
        if is_open {
            let idx = push(&mut out, cur_start, i, cur_role, cur_host);
            stack.push((idx, i));
            cur_start = i + 1;
            cur_host = Some(idx);
            cur_role = ClauseRole::Paren;
        } else if is_close && !stack.is_empty() {
            push(&mut out, cur_start, i, cur_role, cur_host);
            if let Some((host_idx, _)) = stack.pop() {
                // Continue the host clause after the bracket.
                cur_role = out[host_idx].role;
                cur_host = out[host_idx].host;
            }
            cur_start = i + 1;
        } else if is_semi || is_sentence {
            push(&mut out, cur_start, i + 1, cur_role, cur_host);
            cur_start = i + 1;
            if stack.is_empty() {
                cur_role = ClauseRole::Main;
                cur_host = None;
            }
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    push(&mut out, cur_start, bytes.len(), cur_role, cur_host);
    // Split at "unless" inside clauses.
    let mut res: Vec<Clause> = Vec::new();
    static UNLESS: LazyLock<Regex> =
        LazyLock::new(|| re_big(r"(?i)(?-u:\b)unless(?-u:\b)").expect("unless"));
    let mut old_to_new: Vec<usize> = Vec::with_capacity(out.len());
    let mut carve_hosts: Vec<(usize, usize)> = Vec::new(); // (res idx, host res idx)
    for cl in out {
        old_to_new.push(res.len());
        let text = &s[cl.start..cl.end];
        if let Some(m) = UNLESS.find(text) {
            let host = res.len();
            res.push(Clause {
                end: cl.start + m.start(),
                ..cl.clone()
            });
            carve_hosts.push((res.len(), host));
            res.push(Clause {
                start: cl.start + m.start(),
                end: cl.end,
                role: ClauseRole::Carve,
                host: None,
            });
        } else {
            res.push(cl);
        }
    }
    for c in res.iter_mut() {
        c.host = c.host.and_then(|h| old_to_new.get(h).copied());
    }
    for (k, h) in carve_hosts {
        res[k].host = Some(h);
    }
    // Carve-out roles: a clause starting with a carve marker.
    for k in 0..res.len() {
        let t = &s[res[k].start..res[k].end];
        if CARVE.is_match(t)
            || (t.to_lowercase().contains("however") && t.to_lowercase().contains("excluded"))
        {
            res[k].role = ClauseRole::Carve;
            if k > 0 {
                res[k].host = Some(k - 1);
            }
        }
    }
    // Drop empty clauses, remapping hosts (to the host's host when the host
    // itself is dropped).
    let keep: Vec<bool> = res
        .iter()
        .map(|c| s[c.start..c.end].chars().any(char::is_alphanumeric))
        .collect();
    let mut new_idx: Vec<Option<usize>> = Vec::with_capacity(res.len());
    let mut n = 0;
    for &k in &keep {
        new_idx.push(if k { Some(n) } else { None });
        if k {
            n += 1;
        }
    }
    let resolve = |mut h: Option<usize>| -> Option<usize> {
        let mut guard = 0;
        while let Some(x) = h {
            if let Some(Some(y)) = new_idx.get(x) {
                return Some(*y);
            }
            h = res.get(x).and_then(|c| c.host).filter(|&p| p < x);
            guard += 1;
            if guard > 64 {
                return None;
            }
        }
        None
    };
    let hosts: Vec<Option<usize>> = res.iter().map(|c| resolve(c.host)).collect();
    let mut final_: Vec<Clause> = Vec::with_capacity(n);
    for (i, c) in res.iter().enumerate() {
        if keep[i] {
            let mut c = c.clone();
            c.host = hosts[i].filter(|&h| h < final_.len());
            if c.host.is_none() && c.role == ClauseRole::Paren {
                c.role = ClauseRole::Main;
            }
            final_.push(c);
        }
    }
    final_
}

/// Whether two consecutive top-level clauses are linked by a written
/// "or": the second starts with it ("…), or as soon as …", "…; or …") or
/// the first ends with it.
pub(super) fn or_link(prev: &str, next: &str) -> bool {
    let is_or = |w: &str| {
        let w = w.to_ascii_lowercase();
        w == "or" || w == "and/or"
    };
    let starts = next
        .trim_start_matches(|c: char| c.is_whitespace() || ",;:.".contains(c))
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .is_some_and(is_or);
    let ends = prev
        .trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
        .rsplit(|c: char| c.is_whitespace() || c == ',')
        .next()
        .is_some_and(is_or);
    starts || ends
}

/// Concepts of the `Has` leaves of `e` (under any negation).
pub(super) fn has_concepts(e: Option<&Expr>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = e {
        for l in e.leaves() {
            if let Expr::Has { concept, .. } = l {
                out.push(concept.clone());
            }
        }
    }
    out
}

/// The `Has` concept of `host` that comparison `e` measures: `e` is one
/// comparison whose field descends from exactly that concept in the
/// lexicon (`prednisone_equivalent_dose` is a `corticosteroid`).
pub(super) fn qualifying_measure(host: &Expr, e: &Expr, atoms: &[Atom]) -> Option<String> {
    let Expr::Compare { atom } = e else {
        return None;
    };
    let field = &atoms.get(*atom)?.field;
    let hits: Vec<String> = has_concepts(Some(host))
        .into_iter()
        .filter(|c| c != field && is_a(field, c))
        .collect();
    match hits.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// `host` with its `Has { target }` leaves replaced by `Has ∧ e`.
pub(super) fn qualify_has(host: Expr, target: &str, e: &Expr) -> Expr {
    match host {
        Expr::Has { ref concept, .. } if concept == target => Expr::And {
            all: vec![host, e.clone()],
        },
        Expr::And { all } => Expr::And {
            all: all.into_iter().map(|x| qualify_has(x, target, e)).collect(),
        },
        Expr::Or { any } => Expr::Or {
            any: any.into_iter().map(|x| qualify_has(x, target, e)).collect(),
        },
        Expr::Not { expr } => Expr::Not {
            expr: Box::new(qualify_has(*expr, target, e)),
        },
        other => other,
    }
}

/// `child` is `parent` or descends from it in the lexicon (`is_a`,
/// transitive): `tace_lipiodol` is a `tace`.
pub(super) fn is_a(child: &str, parent: &str) -> bool {
    let mut todo = vec![child.to_string()];
    let mut seen: Vec<String> = Vec::new();
    while let Some(c) = todo.pop() {
        if c == parent {
            return true;
        }
        if seen.contains(&c) || seen.len() > 64 {
            continue;
        }
        if let Some(k) = tm_lexicon::get(&c) {
            todo.extend(k.is_a.iter().cloned());
        }
        seen.push(c);
    }
    false
}

/// A carve-out applies to the part of its host it is about: when the
/// carve-out names a subclass of exactly one `Has` leaf of the host ("…
/// radiotherapy or TACE (non-iodized oil TACE: judged by investigators)"),
/// only that leaf becomes `Unless { leaf, except }`; otherwise the whole
/// host is the base.
pub(super) fn scope_carve(base: Expr, except: Expr, span: (usize, usize)) -> Expr {
    let own = has_concepts(Some(&except));
    let targets: Vec<String> = has_concepts(Some(&base))
        .into_iter()
        .filter(|p| own.iter().any(|c| c != p && is_a(c, p)))
        .collect();
    if targets.len() == 1 {
        let mut except = Some(except);
        let out = replace_has(base, &targets[0], &mut except, span);
        if except.is_none() {
            return out;
        }
        // Not replaced (cannot happen): fall back to the whole host.
        return Expr::Unless {
            base: Box::new(out),
            except: Box::new(except.unwrap_or(Expr::True)),
            span,
        };
    }
    Expr::Unless {
        base: Box::new(base),
        except: Box::new(except),
        span,
    }
}

pub(super) fn replace_has(
    e: Expr,
    target: &str,
    except: &mut Option<Expr>,
    span: (usize, usize),
) -> Expr {
    match e {
        Expr::Has { ref concept, .. } if concept == target && except.is_some() => {
            let ex = except.take().unwrap_or(Expr::True);
            Expr::Unless {
                base: Box::new(e),
                except: Box::new(ex),
                span,
            }
        }
        Expr::And { all } => Expr::And {
            all: all
                .into_iter()
                .map(|x| replace_has(x, target, except, span))
                .collect(),
        },
        Expr::Or { any } => Expr::Or {
            any: any
                .into_iter()
                .map(|x| replace_has(x, target, except, span))
                .collect(),
        },
        other => other,
    }
}

/// Connective and filler phrases: they carry no criterion content of their
/// own, so they never make an `Unparsed` leaf (see [`residual_fragments`]).
pub(super) static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?ix)(?-u:\b)(?:
          diagnosed\s+as | with\s+the | combined\s+with | clinically | etc\.? | et\s+al\.?
        | caused\s+by | due\s+to | induced\s+by | grades?
        | (?:liver\s+)?cancer[\s-]related
        | (?:calculated\s+)?(?:according\s+to|by|using)\s+(?:the\s+)?cockcroft[\s-]+gault(?:\s+formula|\s+equation)?
        | assessed\s+by\s+(?:enhanced\s+|contrast[\s-]enhanced\s+)?(?:ultrasonic\s+cardiogram|echocardiograph?y|echocardiogram|MRI|CT|imaging)(?:\s+(?:or|and)\s+(?:MRI|CT))?(?:\s+images?)?
        | in\s+peripheral\s+blood(?:\s+mononuclear\s+cells?)? | (?-i:PBMC)
        | (?:proved|proven|confirmed|diagnosed)\s+(?:by|with)\s+(?:histopathology|histology|pathology|cytology|biopsy|imaging|CT|MRI)(?:\s+(?:or|and|and/or)\s+(?:(?:proved|proven|confirmed)\s+by\s+)?(?:histopathology|histology|pathology|cytology|imaging|CT|MRI))*(?:\s+imaging)?(?:\s+system)?
        | by\s+imaging\s+(?:and/or|and|or)\s+pathology
        | based\s+on\s+the\s+guidelines?\s+of\s+the\s+[^;()]*
        | (?:meeting|according\s+to|based\s+on)\s+(?:the\s+)?[\w/-]+(?:\s+[\w/-]+){0,2}\s+diagnostic\s+(?:criteria|guidelines?)
        | (?:preoperative\s+)?(?:pathological|histological|histopathological)\s+diagnosis
        | (?:(?:hepatic\s+)?artery\s+angiography\s+and\s+)?(?:technetium\s*)?\(?\s*99m\s*-?\s*Tc\s*\)?\s*-?\s*(?:macroaggregated\s+albumin|(?-i:MAA))(?:\s*\((?-i:MAA)\))?(?:\s+(?:hepatic\s+)?arter(?:y|ial))?(?:\s+perfusion)?\s+(?:imaging|scan|scintigraphy|(?-i:SPECT))(?:\s+(?:estimates|shows?|demonstrates?|indicates?|reveals?)(?:\s+that)?)?
        | complications\s+(?:associated\s+with|of)\s+liver\s+diseases?
        | (?:key\s+)?organ\s+function\s+(?:levels?|indicators?)\s+(?:must\s+)?meet\s+(?:the\s+)?(?:following\s+)?(?:requirements|criteria)(?:\s+and\s+are)?
        | (?:preoperative\s+)?assessment\s+indicates(?:\s+that)?
        | (?:(?-i:NCI)[\s-]*)?(?-i:CTCAE)\s*(?:version|v)\.?\s*\d(?:\.\d)?
        | affecting\s+lung\s+function | known\s+or\s+suspected | such\s+as
        | before\s+the\s+first\s+medication\s+in\s+the\s+study
        | negative\s+margins?\s+and\s+(?:the\s+)?remaining\s+liver\s+volume\s+sufficient\s+to\s+meet\s+(?:the\s+)?body(?:'s)?\s+needs
        | without\s+receiving\s+formal | (?:or\s+)?ongoing
        | histologically\s+(?:proven|confirmed|documented)
        | as\s+soon\s+as\s+the\s+diagnosis\s+is\s+made\s+in\s+case\s+of | without\s+waiting\s+for\s+tumou?r\s+progression
        | according\s+to\s+(?-i:RECIST)(?:\s*1\.1)?
        | intrauterine\s+devices? | progestin\s+(?:pills|injectables|implants?) | monthly\s+injectables
        | combined\s+(?:oral\s+contraceptives?|patch|vaginal\s+ring) | (?:female\s+)?sterili[sz]ation | vasectomy | implants
        | after\s+the\s+last\s+(?:cycle|(?:[\w-]+\s*®?\s+)?(?:dose|injection|administration|infusion))
        | (?:with\s+)?no\s+evidence\s+of\s+ha?ematologic(?:al)?\s+(?:alteration|toxicity)\s+after\s+\d+\s+(?:(?-i:LUTATHERA)\s*®?\s+)?cycles
        | realized\s+during\s+morphological\s+imaging\s+at\s+inclusion
        | chest-abdomen-pelvis\s+(?-i:CT)\s+scan\s+and\s+hepatic\s+(?-i:MRI)
        | according\s+to\s+standard\s+177-?Lu\s+scintigraphy\s+performed\s+in\s+the\s+clinical\s+routine(?:\s+\d+\s+hours\s+after\s+each\s+(?:(?-i:LUTATHERA)\s+)?(?:(?-i:IV)\s+)?treatment)?
        )(?-u:\b)?",
    )
    .expect("filler regex")
});

/// The leftover fragments of clause `[a, b)` that carry meaning.
///
/// Rule (issue 9): a partial criterion pairs its understood pieces with
/// `Unparsed` leaves for the *specific* leftover fragments only, never
/// with a copy of the whole text. A fragment is a maximal run of text not
/// covered by an understood piece, bounded by understood text or by `,`
/// `;` `:` `(` `)`, from its first content word to its last word that is
/// not a connective; it is kept only when it has a content word (three or more letters, not a
/// stop word). Connective and filler words ("Diagnosed as", "with the",
/// "clinically", "assessed by …", "(calculated according to
/// Cockcroft-Gault formula)", "etc.", the diagnostic basis of a recorded
/// diagnosis such as "by imaging and/or pathology") are not
/// meaning-bearing ([`STOP`], [`FILLER`]). Qualifiers that change the
/// meaning ("excluding the thrombus limited to liver segments or lobes",
/// "relapsed after previous therapy") are content words and stay.
pub(super) fn residual_fragments(
    s: &str,
    covered: &[bool],
    a: usize,
    b: usize,
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    // Current run: (first content start, last content end).
    let mut run: Option<(usize, usize)> = None;
    let mut last_end = a;
    let seg = &s[a..b];
    for (off, w) in word_iter(seg) {
        let wa = a + off;
        let wb = wa + w.len();
        let gap = &s[last_end..wa];
        let broken = gap.contains([',', ';', ':', '(', ')', '[', ']'])
            || covered
                .get(last_end..wa)
                .is_some_and(|c| c.iter().any(|x| *x));
        let is_cov = covered.get(wa..wb).is_some_and(|c| c.iter().any(|x| *x));
        if broken || is_cov {
            if let Some(r) = run.take() {
                out.push(r);
            }
        }
        last_end = wb;
        if is_cov {
            continue;
        }
        let content = !(w.len() < 3 || w.bytes().all(|c| c.is_ascii_digit()) || is_stop(w));
        // A run starts at a content word and takes the words after it
        // ("relapsed after previous therapy"), except trailing connectives.
        let connective = matches!(
            w.to_ascii_lowercase().as_str(),
            "and" | "or" | "with" | "the" | "of" | "to" | "in" | "by" | "for" | "a" | "an"
        );
        run = match run {
            Some((ra, _)) if !connective => Some((ra, wb)),
            Some(r) => Some(r),
            None if content => Some((wa, wb)),
            None => None,
        };
    }
    if let Some(r) = run {
        out.push(r);
    }
    out
}

/// Joins understood pieces and `Unparsed` leaves so that the criterion can
/// never *pass* without the unparsed part: `and` in an inclusion, `or` in
/// an exclusion, the other way round inside a carve-out (whose truth
/// lets the criterion pass).
pub(super) fn residual_join(kind: Kind, role: ClauseRole, parts: Vec<Expr>) -> Expr {
    let and = (kind == Kind::Inclusion) != (role == ClauseRole::Carve);
    if and {
        Expr::And { all: parts }
    } else {
        Expr::Or { any: parts }
    }
}

pub(super) fn clause_has_cmp(e: &Option<Expr>) -> bool {
    e.as_ref()
        .is_some_and(|e| e.leaves().iter().any(|l| matches!(l, Expr::Compare { .. })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_make_a_nested_clause() {
        let s = "Uncontrolled diabetes (fasting glucose ≥ 10 mmol/L)";
        let cls = clauses(s, &find_mentions(s));
        assert!(cls.len() >= 2, "{cls:?}");
        assert!(cls
            .iter()
            .any(|c| c.role == ClauseRole::Paren && c.host.is_some()));
    }

    #[test]
    fn written_or_links_clauses() {
        assert!(or_link("prior TACE;", "or radiotherapy"));
        assert!(or_link("prior TACE, or", "radiotherapy"));
        assert!(!or_link("prior TACE;", "radiotherapy"));
    }
}
