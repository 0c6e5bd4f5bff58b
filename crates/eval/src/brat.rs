//! A reader for the BRAT standoff format (`.ann` next to a `.txt`).
//!
//! Lines read: `T` (text-bound: id, type, character offsets — possibly
//! discontinuous `a b;c d` — and the covered text), `E` (event: trigger
//! `Type:Tid` then `Role:Id` arguments) and `A`/`M` (attributes: name,
//! target, optional value). Other lines (`R`, `N`, `#`, `*`) are skipped.
//! Malformed lines are counted, never a panic.
//!
//! BRAT offsets count Unicode characters; [`CharToByte`] maps them to the
//! UTF-8 byte offsets the criteria IR uses.

use std::collections::HashMap;

/// A text-bound annotation (`T12 Eq-Value 301 305 3000`).
#[derive(Debug, Clone, PartialEq)]
pub struct TextBound {
    pub id: String,
    pub kind: String,
    /// Character offsets `[start, end)`, one per fragment.
    pub spans: Vec<(usize, usize)>,
    pub text: String,
}

/// An event (`E8 Eq-Comparison:T16 Operator:T17 Value:T18 Per:T19`).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub kind: String,
    pub trigger: String,
    /// `(role, target id)` in file order.
    pub args: Vec<(String, String)>,
}

/// An attribute (`A5 Eq-Operator-Value T8 GT`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub target: String,
    pub value: Option<String>,
}

/// One parsed `.ann` file.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    pub text_bounds: HashMap<String, TextBound>,
    pub events: Vec<Event>,
    pub attributes: Vec<Attribute>,
    /// Lines that could not be read.
    pub malformed: usize,
}

impl Annotations {
    /// The value of attribute `name` on `target`, if any.
    pub fn attribute(&self, target: &str, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.target == target && a.name == name)
            .and_then(|a| a.value.as_deref())
    }
}

/// Parses the content of an `.ann` file.
pub fn parse_ann(content: &str) -> Annotations {
    let mut out = Annotations::default();
    for line in content.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let ok = match line.as_bytes()[0] {
            b'T' => parse_t(line).map(|t| {
                out.text_bounds.insert(t.id.clone(), t);
            }),
            b'E' => parse_e(line).map(|e| out.events.push(e)),
            b'A' | b'M' => parse_a(line).map(|a| out.attributes.push(a)),
            _ => Some(()),
        };
        if ok.is_none() {
            out.malformed += 1;
        }
    }
    out
}

fn parse_t(line: &str) -> Option<TextBound> {
    let mut parts = line.splitn(3, '\t');
    let id = parts.next()?.trim();
    let mid = parts.next()?;
    let text = parts.next().unwrap_or("");
    let (kind, offsets) = mid.split_once(' ')?;
    let mut spans = Vec::new();
    for frag in offsets.split(';') {
        let mut nums = frag.split_whitespace();
        let a: usize = nums.next()?.parse().ok()?;
        let b: usize = nums.next()?.parse().ok()?;
        if b < a {
            return None;
        }
        spans.push((a, b));
    }
    if spans.is_empty() {
        return None;
    }
    Some(TextBound {
        id: id.to_string(),
        kind: kind.to_string(),
        spans,
        text: text.to_string(),
    })
}

fn parse_e(line: &str) -> Option<Event> {
    let (id, rest) = line.split_once('\t')?;
    let mut items = rest.split_whitespace();
    let (kind, trigger) = items.next()?.split_once(':')?;
    let mut args = Vec::new();
    for it in items {
        let (role, target) = it.split_once(':')?;
        args.push((role.to_string(), target.to_string()));
    }
    Some(Event {
        id: id.trim().to_string(),
        kind: kind.to_string(),
        trigger: trigger.to_string(),
        args,
    })
}

fn parse_a(line: &str) -> Option<Attribute> {
    let (_, rest) = line.split_once('\t')?;
    let mut items = rest.split_whitespace();
    let name = items.next()?.to_string();
    let target = items.next()?.to_string();
    let value = items.next().map(str::to_string);
    Some(Attribute {
        name,
        target,
        value,
    })
}

/// Maps character offsets of a text to UTF-8 byte offsets.
pub struct CharToByte {
    bytes: Vec<usize>,
}

impl CharToByte {
    pub fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharToByte { bytes }
    }

    /// The byte offset of character `c`; `None` past the end.
    pub fn byte(&self, c: usize) -> Option<usize> {
        self.bytes.get(c).copied()
    }

    /// Byte span of a character span.
    pub fn span(&self, (a, b): (usize, usize)) -> Option<(usize, usize)> {
        Some((self.byte(a)?, self.byte(b)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_t_e_a_lines_and_discontinuous_spans() {
        let ann = "T1\tEq-Comparison 0 4;6 9\tab c\nE1\tEq-Comparison:T1 Operator:T2 Value:T3 \nA1\tEq-Operator-Value T2 GT\nA2\tNegated T1\nR1\tRel Arg1:T1 Arg2:T2\nT9\tbroken\n";
        let a = parse_ann(ann);
        assert_eq!(a.text_bounds["T1"].spans, vec![(0, 4), (6, 9)]);
        assert_eq!(a.events.len(), 1);
        assert_eq!(a.events[0].trigger, "T1");
        assert_eq!(
            a.events[0].args,
            vec![
                ("Operator".to_string(), "T2".to_string()),
                ("Value".to_string(), "T3".to_string())
            ]
        );
        assert_eq!(a.attribute("T2", "Eq-Operator-Value"), Some("GT"));
        assert_eq!(a.attribute("T1", "Negated"), None);
        assert_eq!(a.malformed, 1);
    }

    #[test]
    fn char_offsets_become_byte_offsets() {
        let m = CharToByte::new("≥ 5/㎕ x");
        assert_eq!(m.byte(0), Some(0));
        assert_eq!(m.byte(1), Some(3));
        assert_eq!(m.span((4, 5)), Some((6, 9)));
        assert_eq!(m.byte(7), Some(11));
        assert_eq!(m.byte(8), None);
    }
}
