//! Coverage of the compiler over a set of trials: the share of criteria
//! per status, and the most frequent unparsed phrases (the lexicon's work
//! list).

use std::collections::HashMap;

use serde::Serialize;
use tm_criteria::{CompiledCriteria, Expr, ReviewKind, Status};

/// Criteria counted per status.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct StatusCounts {
    pub computable: usize,
    pub partial: usize,
    pub review: usize,
    pub unparsed: usize,
}

impl StatusCounts {
    pub fn total(&self) -> usize {
        self.computable + self.partial + self.review + self.unparsed
    }

    pub fn add(&mut self, s: Status) {
        match s {
            Status::Computable => self.computable += 1,
            Status::Partial => self.partial += 1,
            Status::Review => self.review += 1,
            Status::Unparsed => self.unparsed += 1,
        }
    }

    /// `count / total` (0 when there are none).
    pub fn share(&self, count: usize) -> f64 {
        match self.total() {
            0 => 0.0,
            t => count as f64 / t as f64,
        }
    }
}

/// One normalised unparsed phrase and how often it occurs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Phrase {
    pub phrase: String,
    pub count: usize,
    /// The first text it was seen as.
    pub example: String,
}

/// Accumulates coverage over compiled texts.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub texts: usize,
    pub counts: StatusCounts,
    /// Unparsed leaves (and `review: unparsed` leaves).
    pub unparsed_leaves: usize,
    phrases: HashMap<String, (usize, String)>,
}

/// Lowercase, every number → `#`, whitespace collapsed, surrounding
/// punctuation trimmed.
pub fn normalize_phrase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut last_space = true;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            // a number: digits with inner . or , followed by a digit
            while let Some(&n) = chars.peek() {
                if n.is_ascii_digit() {
                    chars.next();
                } else if n == '.' || n == ',' {
                    let mut look = chars.clone();
                    look.next();
                    if look.peek().is_some_and(|d| d.is_ascii_digit()) {
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            out.push('#');
            last_space = false;
        } else if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.extend(c.to_lowercase());
            last_space = false;
        }
    }
    out.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '-' | '*' | '•')
    })
    .to_string()
}

impl Coverage {
    /// Adds one compiled text.
    pub fn add(&mut self, c: &CompiledCriteria) {
        self.texts += 1;
        for crit in &c.criteria {
            self.counts.add(crit.status);
            for leaf in crit.expr.leaves() {
                let text = match leaf {
                    Expr::Unparsed { text, .. } => text,
                    Expr::Review {
                        reason: ReviewKind::Unparsed,
                        text,
                        ..
                    } => text,
                    _ => continue,
                };
                self.unparsed_leaves += 1;
                let key = normalize_phrase(text);
                if key.is_empty() {
                    continue;
                }
                let e = self
                    .phrases
                    .entry(key)
                    .or_insert_with(|| (0, text.trim().to_string()));
                e.0 += 1;
            }
        }
    }

    /// The `n` most frequent unparsed phrases (ties: alphabetical).
    pub fn top_phrases(&self, n: usize) -> Vec<Phrase> {
        let mut v: Vec<Phrase> = self
            .phrases
            .iter()
            .map(|(k, (c, ex))| Phrase {
                phrase: k.clone(),
                count: *c,
                example: ex.clone(),
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.phrase.cmp(&b.phrase)));
        v.truncate(n);
        v
    }

    /// Distinct normalised unparsed phrases.
    pub fn distinct_phrases(&self) -> usize {
        self.phrases.len()
    }

    /// The JSON report.
    pub fn report(&self, top: usize) -> CoverageReport {
        let c = &self.counts;
        CoverageReport {
            texts: self.texts,
            criteria: c.total(),
            counts: c.clone(),
            shares: Shares {
                computable: c.share(c.computable),
                partial: c.share(c.partial),
                review: c.share(c.review),
                unparsed: c.share(c.unparsed),
            },
            unparsed_leaves: self.unparsed_leaves,
            distinct_unparsed_phrases: self.distinct_phrases(),
            top_unparsed: self.top_phrases(top),
        }
    }
}

/// Shares (0–1) of criteria per status.
#[derive(Debug, Clone, Serialize)]
pub struct Shares {
    pub computable: f64,
    pub partial: f64,
    pub review: f64,
    pub unparsed: f64,
}

/// `trialmatch eval coverage --json`.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    pub texts: usize,
    pub criteria: usize,
    pub counts: StatusCounts,
    pub shares: Shares,
    pub unparsed_leaves: usize,
    pub distinct_unparsed_phrases: usize,
    pub top_unparsed: Vec<Phrase>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_normalised() {
        assert_eq!(
            normalize_phrase("  Prior  TREATMENT with 2.5 mg or 1,000\tunits; "),
            "prior treatment with # mg or # units"
        );
        assert_eq!(normalize_phrase("Grade 3."), "grade #");
        assert_eq!(normalize_phrase("v2.0"), "v#");
    }

    #[test]
    fn counts_statuses_and_unparsed_phrases() {
        let mut cov = Coverage::default();
        let text = "Inclusion Criteria:\n- Platelets >= 100 x 10^9/L\n- Frobnicated wibble syndrome 3 times\n- Frobnicated wibble syndrome 12 times\nExclusion Criteria:\n- Pregnancy\n";
        let compiled = tm_criteria::compile(text);
        cov.add(&compiled);
        assert_eq!(cov.texts, 1);
        assert_eq!(cov.counts.total(), compiled.criteria.len());
        // each criterion counted under its own status
        let mut expect = StatusCounts::default();
        for c in &compiled.criteria {
            expect.add(c.status);
        }
        assert_eq!(cov.counts, expect);
        let top = cov.top_phrases(5);
        // the two nonsense criteria normalise to one phrase
        let p = top
            .iter()
            .find(|p| p.phrase.contains("wibble"))
            .expect("nonsense text is unparsed");
        assert_eq!(p.count, 2);
        assert!(p.phrase.contains('#'));
        assert!(cov.unparsed_leaves >= 2);
        assert!(cov.counts.unparsed + cov.counts.partial + cov.counts.review >= 2);
    }
}
