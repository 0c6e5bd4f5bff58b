//! Segmentation of a trial's eligibility text into inclusion and exclusion
//! criteria with stable ordinal IDs (`I1`, `I8.2`, `E14`) and exact byte
//! spans into the text.
//!
//! The segmenter is line based:
//! 1. the text is cut into lines (and additionally at a heading that
//!    appears mid-line, e.g. `… patients. Exclusion criteria: …`);
//! 2. each line is classified as blank, heading (switches the kind), label
//!    (a short unmarked `Hepatic:` line of the old PDQ layout: it closes open
//!    items but is not a criterion), item start (a list marker: `1.`, `1)`,
//!    `(1)`, `a)`, `iv)`, `-`, `•`, `*`, `·`, `- •`, `- • 1.`), or text that
//!    either continues the open item (a wrapped line) or starts a
//!    paragraph item (criteria in prose);
//! 3. nesting follows the marker indentation and marker style, plus the
//!    rule that a different marker style directly under an item ending in
//!    `:` is a sub-list;
//! 4. an item whose text holds an inline enumeration `(1) … (2) …` gets one
//!    child per part (seed 000 inclusion 8).
//!
//! Invariant: for every criterion `&text[span.0..span.1] == criterion.text`,
//! the text is trimmed of whitespace and of a trailing `;` or `,` list
//! separator, and it never includes the list marker.

use std::sync::LazyLock;

use regex::Regex;

use crate::concepts::{gate, re_big};
use serde::{Deserialize, Serialize};

/// Inclusion or exclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Inclusion,
    Exclusion,
}

impl Kind {
    /// The ID prefix: `I` or `E`.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Inclusion => "I",
            Kind::Exclusion => "E",
        }
    }
}

/// One segmented criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Ordinal path: `I1`, `I8`, `I8.2`, `E14`.
    pub id: String,
    pub kind: Kind,
    /// Exactly `&source[span.0..span.1]`.
    pub text: String,
    /// `[start, end)` UTF-8 byte offsets into the segmented text.
    pub span: (usize, usize),
    /// The parent criterion's ID for sub-items.
    pub parent: Option<String>,
}

/// Something about the text's shape worth a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Diagnostic {
    /// The text is empty or whitespace.
    Empty,
    /// No inclusion/exclusion heading was recognised: everything is inclusion.
    NoHeadings,
    /// No list marker was found: criteria are prose paragraphs.
    NoItems,
    /// Headings were found but no exclusion list.
    OnlyInclusion,
    /// Headings were found but no inclusion list.
    OnlyExclusion,
}

/// Criteria and diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segmentation {
    pub criteria: Vec<Criterion>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Segments `text` into criteria (see the module documentation).
pub fn segment(text: &str) -> Vec<Criterion> {
    segment_with_diagnostics(text).criteria
}

// ---------------------------------------------------------------------------
// Line classification
// ---------------------------------------------------------------------------

/// A list marker at the start of a line: bullets and enumerators, possibly
/// stacked (`- • 1.`). Group 1 is the whole marker run.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?x)^
        (
          (?: (?:[-*•·▪◦‣●○■□➢►–—]|o[\ \t]) [\ \t]* )*
          (?:
              \(\s*(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*\)[\ \t]*
            | (?:\d{1,2}|[a-z]|[ivx]{1,4}|[IVX]{1,4}|[A-Z])[.)][\ \t]+
            | \d{1,2}\)[\ \t]*
          )?
        )",
    )
    .expect("marker regex")
});

/// Heading cores (matched on the line without marker, lower-cased, trimmed).
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?xi)^
        (?:(?:key|main|major|general|specific|additional|other|study|patient|subject|participant)\s+)*
        (?:inclusion|exclusion|eligibility|ineligibility|selection)
        (?:\s*(?:/|and|&|or)\s*(?:inclusion|exclusion)\s*)?
        (?:\s+(?:criteria|criterion|requirements?|conditions?))?
        (?:\s*\([^)]{0,60}\))?
        (?:\s+(?:include|includes|are|is|as\s+follows|for\s+[a-z\ ]{1,40}))?
        \s*[:.\-–]?\s*$",
    )
    .expect("heading regex")
});

/// `Criteria for inclusion:` / `Criteria of exclusion`.
static HEADING_INVERSE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)^(?:key\s+)?criteria\s+(?:for|of)\s+(?:study\s+)?(inclusion|exclusion|eligibility|ineligibility)\s*:?\s*$")
        .expect("heading inverse regex")
});

/// Sentence headings: `Patients will be excluded from the study if:`,
/// `Subjects are eligible if all of the following apply:`.
static HEADING_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?i)^(?:(?:excluded|included|eligible|ineligible)\b.{0,60}|.{0,80}\b(?:excluded|included|eligible|ineligible|enrolled)\b.{0,60}(?:\bif\b|\bwho\b|following|criteria|conditions|apply|applies|study|trial|they).{0,20}|.{0,60}\bthe\s+following\b.{0,40}\b(?:excluded|included|eligible|ineligible)\b.{0,30})\s*:\s*$",
    )
    .expect("heading sentence regex")
});

/// A heading at the start of a line followed by inline content:
/// `Inclusion Criteria: adults with …`. Group 1 is the heading.
static HEADING_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?i)^((?:key\s+|main\s+)?(?:inclusion|exclusion)\s+criteri(?:a|on)(?:\s*:|\s+(?:includes?|are)\b\s*:?))[ \t]*\S",
    )
    .expect("heading inline regex")
});

/// A heading in the middle of a line (criteria embedded in prose).
static HEADING_MIDLINE: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?i)[.;]\s+((?:key\s+)?(?:inclusion|exclusion)\s+criteria\s*(?::|includes?\b|are\b))")
        .expect("heading midline regex")
});

/// Which kind a heading switches to (`None`: neutral heading).
fn heading_kind(core: &str) -> Option<Option<Kind>> {
    let t = core.trim();
    if t.is_empty() || t.len() > 140 {
        return None;
    }
    // Cheap prefilter: every heading pattern needs one of these words.
    if !has_heading_word(t) {
        return None;
    }
    let stripped = t.trim_end_matches([':', '.', ' ', '-', '–']);
    let ends_colon = t.ends_with(':');
    let is_heading = HEADING.is_match(t)
        || HEADING_INVERSE.is_match(t)
        || (ends_colon && HEADING_SENTENCE.is_match(t))
        || (stripped.len() < 40 && HEADING.is_match(stripped));
    if !is_heading {
        return None;
    }
    let l = t.to_lowercase();
    let exc = l.contains("exclu")
        || l.contains("ineligib")
        || l.contains("not eligible")
        || l.contains("not be eligible")
        || l.contains("not be included")
        || l.contains("not be enrolled");
    let inc = l.contains("inclu")
        || ((l.contains("eligib") || l.contains("enrolled") || l.contains("entered")) && !exc);
    if l.contains("inclusion") && l.contains("exclusion") {
        return Some(None); // "Inclusion/Exclusion criteria": neutral
    }
    Some(if exc {
        Some(Kind::Exclusion)
    } else if inc && (l.contains("inclu") || ends_colon && HEADING_SENTENCE.is_match(t)) {
        Some(Kind::Inclusion)
    } else {
        None // "Eligibility criteria": neutral
    })
}

/// Whether `t` contains (ASCII case-insensitively) a word every heading
/// pattern needs: `inclu`, `exclu`, `eligib`, `selection` or `enrolled`.
fn has_heading_word(t: &str) -> bool {
    static G: LazyLock<Regex> =
        LazyLock::new(|| gate(&["inclu", "exclu", "eligib", "selection", "enrolled"]));
    G.is_match(t)
}

/// A PDQ-style label line (`DISEASE CHARACTERISTICS:`, `Hepatic:`).
fn is_label(content: &str) -> bool {
    let t = content.trim();
    if !t.ends_with(':') || t.len() > 60 {
        return false;
    }
    let words = t.split_whitespace().count();
    words <= 5 && !t.contains(['.', ';', ','])
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Style {
    Bullet(String),
    Enum(String),
    Paragraph,
}

fn marker_style(marker: &str) -> Style {
    let m: String = marker.chars().filter(|c| !c.is_whitespace()).collect();
    if m.is_empty() {
        return Style::Paragraph;
    }
    // Enumerator class: digits, letters or roman numerals, with punctuation.
    let mut class = String::new();
    let mut bullets = String::new();
    let core = m.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(');
    for c in m.chars().take(m.len() - core.len()) {
        bullets.push(c);
    }
    if core.is_empty() {
        return Style::Bullet(bullets);
    }
    let inner: String = core.chars().filter(|c| c.is_alphanumeric()).collect();
    let kind = if inner.chars().all(|c| c.is_ascii_digit()) {
        "1"
    } else if inner.chars().all(|c| "ivx".contains(c)) && inner != "v" && inner != "x" {
        // `i)`, `iv.`; a lone `v`/`x` is more likely a letter in sequence.
        if inner == "i" {
            "i?"
        } else {
            "i"
        }
    } else if inner.chars().all(|c| "IVX".contains(c)) && inner != "V" && inner != "X" {
        "I"
    } else if inner.chars().all(|c| c.is_ascii_lowercase()) {
        "a"
    } else {
        "A"
    };
    class.push_str(&bullets);
    if core.starts_with('(') {
        class.push('(');
    }
    class.push_str(kind);
    if let Some(last) = core.chars().last() {
        if !last.is_alphanumeric() {
            class.push(last);
        }
    }
    Style::Enum(class)
}

fn same_style(a: &Style, b: &Style) -> bool {
    match (a, b) {
        (Style::Enum(x), Style::Enum(y)) => {
            // `i)` may be a letter (a, b, … h, i) or a roman numeral.
            x == y
                || x.replace("i?", "a") == y.replace("i?", "a")
                || x.replace("i?", "i") == y.replace("i?", "i")
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------
// Segmentation proper
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Item {
    kind: Kind,
    start: usize,
    end: usize,
    indent: usize,
    style: Style,
    parent: Option<usize>,
    depth: usize,
    /// The item's own first line ended with `:` (a list head).
    ends_colon: bool,
}

struct Line {
    start: usize,
    end: usize,
}

fn lines_of(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push(Line { start, end: i });
            start = i + 1;
        }
    }
    if start <= text.len() {
        out.push(Line {
            start,
            end: text.len(),
        });
    }
    // Split further at a heading in mid-line.
    let mut split = Vec::with_capacity(out.len());
    for l in out {
        let s = &text[l.start..l.end];
        let mut cur = l.start;
        for c in HEADING_MIDLINE.captures_iter(s) {
            if let Some(m) = c.get(1) {
                let at = l.start + m.start();
                if at > cur {
                    split.push(Line {
                        start: cur,
                        end: at,
                    });
                    cur = at;
                }
            }
        }
        split.push(Line {
            start: cur,
            end: l.end,
        });
    }
    split
}

fn indent_width(s: &str) -> usize {
    let mut w = 0;
    for c in s.chars() {
        match c {
            ' ' | '\u{a0}' => w += 1,
            '\t' => w += 4,
            '\r' => {}
            _ => break,
        }
    }
    w
}

/// Trims whitespace and a trailing `;`/`,` separator from `[s, e)`.
fn trim_span(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    loop {
        while s < e && is_ws_at(text, s) {
            s += char_len_at(text, s);
        }
        while e > s && is_ws_before(text, e) {
            e -= char_len_before(text, e);
        }
        if e > s && matches!(bytes[e - 1], b';' | b',') {
            e -= 1;
            continue;
        }
        break;
    }
    (s, e)
}

fn is_ws_at(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_whitespace)
}
fn is_ws_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_whitespace)
}
fn char_len_at(text: &str, i: usize) -> usize {
    text[i..].chars().next().map_or(1, char::len_utf8)
}
fn char_len_before(text: &str, i: usize) -> usize {
    text[..i].chars().next_back().map_or(1, char::len_utf8)
}

/// Inline enumerations `(1) … (2) …` (or `1) … 2) …`) inside an item.
static INLINE_ENUM: LazyLock<Regex> = LazyLock::new(|| {
    re_big(r"(?:^|[\s:;,.\]])(\(\s*(\d{1,2})\s*\)|(\d{1,2})\))\s*").expect("inline enum regex")
});

/// Field labels of the old PDQ layout (`Hepatic:`, `Performance status:`).
static PDQ_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re_big(
        r"(?:^|[\s.;)])((?:(?:[A-Z][A-Z]+\s+)?CHARACTERISTICS|(?:PRIOR\s+)?CONCURRENT\s+THERAPY|Age|Sex|Menopausal\s+status|Performance\s+status|Life\s+expectancy|Hematopoietic|Haematopoietic|Hepatic|Renal|Cardiovascular|Cardiac|Pulmonary|Neurologic|Gastrointestinal|Other|Biologic\s+therapy|Immunotherapy|Chemotherapy|Endocrine\s+therapy|Hormonal\s+therapy|Radiotherapy|Radiation\s+therapy|Surgery)\s*:)",
    )
    .expect("pdq label regex")
});

/// Words after which a capitalised word continues the same item ("No
/// prior Herceptin", "except Gilbert's").
const CONTINUES: &[&str] = &[
    "no",
    "not",
    "nor",
    "prior",
    "previous",
    "concurrent",
    "any",
    "other",
    "active",
    "known",
    "current",
    "recent",
    "since",
    "except",
    "excluding",
    "including",
    "receiving",
    "after",
    "before",
    "than",
    "of",
    "and",
    "or",
    "the",
    "a",
    "an",
    "with",
    "without",
    "to",
    "for",
    "in",
    "by",
    "at",
    "on",
    "from",
    "per",
    "vs",
    "plus",
    "e.g.",
    "i.e.",
    "such",
    "as",
    "within",
    "under",
    "over",
    "is",
    "are",
    "be",
    "been",
    "has",
    "have",
    "had",
    "due",
    "eg",
    "ie",
];

/// The items of a flattened PDQ block ("PATIENT CHARACTERISTICS: Age: 18
/// and over Performance status: ECOG 0-2 Hematopoietic: WBC at least 3,000
/// Platelets at least 100,000 … Other: No HIV seropositivity No pregnant or
/// nursing women"): registry exports that lost the block's line breaks.
/// Items start at a field label (kept with its first item: "Age: 18 and
/// over") and, inside a field, at a capitalised word that does not
/// continue the previous words (a new statement: "… 3,000 Platelets …",
/// "… 6 months No medication …"). Only texts with at least three field
/// labels are split; each item is a child criterion, so one misread item
/// cannot decide the others.
fn flat_pdq_items(text: &str, s: usize, e: usize) -> Vec<(usize, usize)> {
    let t = &text[s..e];
    let labels: Vec<(usize, usize)> = PDQ_LABEL
        .captures_iter(t)
        .filter_map(|c| c.get(1).map(|m| (m.start(), m.end())))
        .collect();
    let block = labels
        .first()
        .is_some_and(|l| l.0 == 0 && t[l.0..l.1].chars().filter(|c| c.is_uppercase()).count() > 8);
    // A field label after the start ("Creatinine no greater than 1.4 mg/dL
    // Other: Not pregnant …") also marks the flattened layout.
    let mid_label = labels.iter().any(|l| l.0 > 0);
    if labels.len() < 3 && !block && !mid_label {
        return Vec::new();
    }
    let mut starts: Vec<usize> = labels.iter().map(|l| l.0).collect();
    // Statement starts inside each field's content.
    let label_at = |i: usize| labels.iter().any(|l| l.0 <= i && i < l.1);
    let mut prev_word: Option<&str> = None;
    let mut after_label = true;
    let mut pos = 0;
    for w in t.split_inclusive(char::is_whitespace) {
        let at = pos;
        pos += w.len();
        let word = w.trim();
        if word.is_empty() {
            continue;
        }
        if label_at(at) {
            after_label = true;
            prev_word = None;
            continue;
        }
        let mut chars = word.chars();
        let titlecase = matches!((chars.next(), chars.next()), (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase());
        if titlecase && !after_label {
            if let Some(p) = prev_word {
                let pl = p.to_lowercase();
                let open =
                    p.ends_with([',', '(', '-', '/', ':']) || CONTINUES.contains(&pl.as_str());
                if !open {
                    starts.push(at);
                }
            }
        }
        after_label = false;
        prev_word = Some(word);
    }
    starts.sort_unstable();
    starts.dedup();
    // A label glued to the next label ("PATIENT CHARACTERISTICS: Age: …")
    // is one item: drop starts whose item would hold only a label.
    let mut items: Vec<(usize, usize)> = Vec::new();
    for (k, &a) in starts.iter().enumerate() {
        let b = starts.get(k + 1).copied().unwrap_or(t.len());
        let only_label = labels
            .iter()
            .any(|l| l.0 == a && t[l.1..b].trim().is_empty());
        if only_label {
            continue;
        }
        let _ = b;
        // (start, start): the caller ends each part where the next begins.
        items.push((s + a, s + a));
    }
    if items.len() < 2 {
        return Vec::new();
    }
    items
}

/// Finds sequential inline parts 1, 2, … (at least two) in `text[s..e]`;
/// returns `(marker_start, content_start)` for each part.
fn inline_parts(text: &str, s: usize, e: usize) -> Vec<(usize, usize)> {
    let seg = &text[s..e];
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut expect = 1u32;
    let mut paren: Option<bool> = None;
    if !seg.contains(')') {
        return parts;
    }
    for c in INLINE_ENUM.captures_iter(seg) {
        let (Some(m), Some(all)) = (c.get(1), c.get(0)) else {
            continue;
        };
        let is_paren = c.get(2).is_some();
        let num = c
            .get(2)
            .or_else(|| c.get(3))
            .and_then(|d| d.as_str().parse::<u32>().ok())
            .unwrap_or(0);
        // `(1)` must not be preceded by `(` in the `1)` form.
        if !is_paren && m.start() > 0 && seg[..m.start()].ends_with('(') {
            continue;
        }
        if num == expect && paren.is_none_or(|p| p == is_paren) {
            paren = Some(is_paren);
            parts.push((s + m.start(), s + all.end()));
            expect += 1;
        } else if num == 1 && parts.len() < 2 {
            parts.clear();
            paren = Some(is_paren);
            parts.push((s + m.start(), s + all.end()));
            expect = 2;
        }
    }
    if parts.len() >= 2 {
        parts
    } else {
        Vec::new()
    }
}

/// A text whose first line starts at offset 0 with no indentation, while
/// the lines after it are indented (a text block trimmed by its reader):
/// the first line takes the indentation of the next line with the same
/// marker, so that it stays a sibling.
fn first_line_indent(text: &str, lines: &[Line]) -> Option<(usize, usize)> {
    let first = lines
        .iter()
        .position(|l| !text[l.start..l.end].trim().is_empty())?;
    let l0 = &lines[first];
    let raw0 = &text[l0.start..l0.end];
    if l0.start != 0 || indent_width(raw0) != 0 {
        return None;
    }
    let marker_of = |raw: &str| {
        let body = raw.trim_start();
        let len = MARKER
            .captures(body)
            .and_then(|c| c.get(1))
            .map_or(0, |m| m.len());
        marker_style(&body[..len])
    };
    let style0 = marker_of(raw0);
    if style0 == Style::Paragraph {
        return None;
    }
    let mut min_indent = usize::MAX;
    for l in &lines[first + 1..] {
        let raw = &text[l.start..l.end];
        if raw.trim().is_empty() {
            continue;
        }
        let w = indent_width(raw);
        if marker_of(raw) == style0 {
            return Some((first, w));
        }
        min_indent = min_indent.min(w);
    }
    (min_indent != usize::MAX && min_indent > 0).then_some((first, min_indent))
}

/// Segments `text` and reports diagnostics.
pub fn segment_with_diagnostics(text: &str) -> Segmentation {
    let mut diagnostics = Vec::new();
    if text.trim().is_empty() {
        diagnostics.push(Diagnostic::Empty);
        return Segmentation {
            criteria: Vec::new(),
            diagnostics,
        };
    }
    let mut items: Vec<Item> = Vec::new();
    let mut kind = Kind::Inclusion;
    let mut saw_heading = false;
    let mut saw_marker = false;
    let mut open: Option<usize> = None; // item that may take continuation lines
    let mut blank_since = false;
    let mut prev_line_end_char: Option<char> = None;

    let lines = lines_of(text);
    let first_fix = first_line_indent(text, &lines);
    for (li, line) in lines.iter().enumerate() {
        let raw = &text[line.start..line.end];
        if raw.trim().is_empty() {
            blank_since = true;
            continue;
        }
        let indent = match first_fix {
            Some((i, w)) if i == li => w,
            _ => indent_width(raw),
        };
        let lead = raw.len() - raw.trim_start().len();
        let body = &raw[lead..];
        // Group 1 of MARKER is its whole match.
        let marker_len = MARKER.find(body).map_or(0, |m| m.len());
        let marker = &body[..marker_len];
        let content = &body[marker_len..];
        let content_start = line.start + lead + marker_len;

        // Headings (with or without a marker, e.g. "- Inclusion Criteria:").
        if let Some(k) = heading_kind(content) {
            let l = content.to_lowercase();
            saw_heading |= k.is_some() || l.contains("inclu") || l.contains("exclu");
            if let Some(k) = k {
                kind = k;
            }
            open = None;
            blank_since = false;
            prev_line_end_char = None;
            continue;
        }
        let mut content_start = content_start;
        let mut content = content;
        if let Some(c) = HEADING_INLINE.captures(content) {
            if let Some(h) = c.get(1) {
                if let Some(Some(k)) = heading_kind(h.as_str()) {
                    kind = k;
                    saw_heading = true;
                    open = None;
                    content = &content[h.end()..];
                    content_start += h.end();
                    let trimmed = content.trim_start();
                    content_start += content.len() - trimmed.len();
                    content = trimmed;
                }
            }
        }
        if marker_len == 0
            && is_label(content)
            && open.is_none_or(|o| blank_since || indent < items[o].indent)
        {
            open = None;
            blank_since = false;
            prev_line_end_char = None;
            continue;
        }
        let content_end = line.end;
        let trimmed_end = {
            let (_, e) = trim_span(text, content_start, content_end.max(content_start));
            e
        };
        let last_char = text[content_start..trimmed_end.max(content_start)]
            .chars()
            .next_back();

        let style = marker_style(marker);
        let is_marked = style != Style::Paragraph && !content.trim().is_empty();
        if !is_marked {
            // Continuation or a new paragraph item.
            let continues = match open {
                Some(o) => {
                    let it = &items[o];
                    if !blank_since {
                        let prev_terminal =
                            matches!(prev_line_end_char, Some('.' | ';' | ':' | '!' | '?'));
                        let starts_upper = content.chars().next().is_some_and(|c| c.is_uppercase());
                        !(it.style == Style::Paragraph && prev_terminal && starts_upper)
                            || indent > it.indent
                    } else {
                        it.style != Style::Paragraph && indent > it.indent
                    }
                }
                None => false,
            };
            if marker_len > 0 && content.trim().is_empty() {
                // A lone marker line: nothing to add.
                continue;
            }
            if continues {
                if let Some(o) = open {
                    items[o].end = content_end;
                    if !blank_since {
                        items[o].ends_colon = last_char == Some(':');
                    }
                }
            } else {
                // New paragraph item at top level.
                let idx = items.len();
                items.push(Item {
                    kind,
                    start: content_start,
                    end: content_end,
                    indent,
                    style: Style::Paragraph,
                    parent: None,
                    depth: 0,
                    ends_colon: last_char == Some(':'),
                });
                open = Some(idx);
            }
            blank_since = false;
            prev_line_end_char = last_char;
            continue;
        }

        saw_marker = true;
        // Find the parent by walking up from the open item.
        let mut parent: Option<usize> = None;
        let mut cur = open;
        while let Some(c) = cur {
            let it = &items[c];
            if it.kind != kind {
                break;
            }
            if it.style == Style::Paragraph {
                // A list under a prose lead-in ending with ':' nests under it.
                if it.ends_colon {
                    parent = Some(c);
                }
                break;
            }
            // Same marker style at (about) the same indent: a sibling. The
            // tolerance absorbs a first line that lost its indentation.
            if indent <= it.indent + 2 && indent + 2 >= it.indent && same_style(&it.style, &style) {
                parent = it.parent;
                break;
            }
            if indent > it.indent + 1 {
                parent = Some(c);
                break;
            }
            if indent + 1 >= it.indent && it.ends_colon {
                parent = Some(c);
                break;
            }
            cur = it.parent;
            if cur.is_none() && indent + 1 >= it.indent {
                parent = None;
            }
        }
        let depth = parent.map_or(0, |p| items[p].depth + 1);
        let idx = items.len();
        items.push(Item {
            kind,
            start: content_start,
            end: content_end,
            indent,
            style,
            parent,
            depth,
            ends_colon: last_char == Some(':'),
        });
        open = Some(idx);
        blank_since = false;
        prev_line_end_char = last_char;
    }

    // Assign IDs and emit criteria, splitting inline enumerations.
    let mut criteria = Vec::new();
    let mut counters: Vec<usize> = Vec::with_capacity(items.len()); // children count per item
    let mut has_children = vec![false; items.len()];
    for it in &items {
        if let Some(p) = it.parent {
            has_children[p] = true;
        }
    }
    let mut top_counts = [0usize; 2];
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        counters.push(0);
        let id = match it.parent {
            Some(p) => {
                counters[p] += 1;
                format!("{}.{}", ids[p], counters[p])
            }
            None => {
                let k = usize::from(it.kind == Kind::Exclusion);
                top_counts[k] += 1;
                format!("{}{}", it.kind.prefix(), top_counts[k])
            }
        };
        ids.push(id.clone());
        let (s, e) = trim_span(text, it.start, it.end);
        if s >= e {
            continue;
        }
        criteria.push(Criterion {
            id: id.clone(),
            kind: it.kind,
            text: text[s..e].to_string(),
            span: (s, e),
            parent: it.parent.map(|p| ids[p].clone()),
        });
        // Inline parts only for items without list children of their own.
        if !has_children[i] {
            let mut parts = inline_parts(text, s, e);
            if parts.is_empty() {
                parts = flat_pdq_items(text, s, e);
            }
            for (n, &(_, cstart)) in parts.iter().enumerate() {
                let cend = parts.get(n + 1).map_or(e, |p| p.0);
                let (ps, pe) = trim_span(text, cstart, cend);
                if ps >= pe {
                    continue;
                }
                criteria.push(Criterion {
                    id: format!("{id}.{}", n + 1),
                    kind: it.kind,
                    text: text[ps..pe].to_string(),
                    span: (ps, pe),
                    parent: Some(id.clone()),
                });
            }
        }
    }

    if !saw_heading {
        diagnostics.push(Diagnostic::NoHeadings);
    } else {
        let has_inc = criteria.iter().any(|c| c.kind == Kind::Inclusion);
        let has_exc = criteria.iter().any(|c| c.kind == Kind::Exclusion);
        if has_inc && !has_exc {
            diagnostics.push(Diagnostic::OnlyInclusion);
        }
        if has_exc && !has_inc {
            diagnostics.push(Diagnostic::OnlyExclusion);
        }
    }
    if !saw_marker {
        diagnostics.push(Diagnostic::NoItems);
    }
    Segmentation {
        criteria,
        diagnostics,
    }
}

#[cfg(test)]
mod pdq_tests {
    use super::*;

    #[test]
    fn flattened_pdq_block_is_split_into_items() {
        let t = "Inclusion Criteria:\n\nPATIENT CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-2 Hematopoietic: WBC at least 3,000 Platelets at least 100,000 Cardiovascular: No MI within 6 months No medication for CHF Other: No HIV seropositivity No prior Herceptin No pregnant or nursing women";
        let cs = segment(t);
        let texts: Vec<&str> = cs.iter().map(|c| c.text.as_str()).collect();
        for want in [
            "Age: 18 and over",
            "Performance status: ECOG 0-2",
            "Hematopoietic: WBC at least 3,000",
            "Platelets at least 100,000",
            "Cardiovascular: No MI within 6 months",
            "No medication for CHF",
            "Other: No HIV seropositivity",
            "No prior Herceptin",
            "No pregnant or nursing women",
        ] {
            assert!(texts.contains(&want), "{want:?} not in {texts:#?}");
        }
        let parent = &cs[0];
        assert!(cs[1..]
            .iter()
            .all(|c| c.parent.as_deref() == Some(parent.id.as_str())));
        for c in &cs {
            assert_eq!(&t[c.span.0..c.span.1], c.text);
        }
    }

    #[test]
    fn a_field_label_mid_text_splits_too() {
        let t = "Inclusion Criteria:\n\nCreatinine no greater than 1.4 mg/dL Other: Not pregnant or nursing Negative pregnancy test";
        let texts: Vec<String> = segment(t).into_iter().map(|c| c.text).collect();
        // The words before the first label stay the parent's lead-in.
        for want in ["Other: Not pregnant or nursing", "Negative pregnancy test"] {
            assert!(
                texts.iter().any(|x| x == want),
                "{want:?} not in {texts:#?}"
            );
        }
    }

    #[test]
    fn ordinary_prose_is_not_split() {
        let t = "Inclusion Criteria:\n\n- Patients with Child-Pugh A cirrhosis and ECOG 0-1. Age: at least 18 years.";
        let cs = segment(t);
        assert_eq!(cs.len(), 1, "{cs:#?}");
    }
}
