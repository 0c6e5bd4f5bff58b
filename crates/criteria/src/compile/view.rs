//! Compiler stage — text view: the cleaned criterion text with a byte map back to the original (`View`).
//!
//! Markdown escapes are removed, `≧`/`≦` folded, dashes and odd spaces
//! normalised; every byte of the view maps to a byte of the criteria text,
//! so spans found in the view point into the original.

pub(super) struct View {
    pub(super) s: String,
    /// For each byte of `s`, the byte offset in the criteria text; plus one
    /// entry for the end.
    pub(super) map: Vec<usize>,
}

impl View {
    pub(super) fn new(text: &str, base: usize) -> View {
        let mut s = String::with_capacity(text.len());
        let mut map = Vec::with_capacity(text.len() + 1);
        let mut it = text.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c == '\\' {
                if let Some(&(_, n)) = it.peek() {
                    if "[]<>^*_()#+-.!|`{}=".contains(n) {
                        continue;
                    }
                }
            }
            let c = match c {
                '≧' => '≥',
                '≦' => '≤',
                '\u{a0}' | '\t' | '\r' => ' ',
                '–' | '—' | '‐' => '-',
                _ => c,
            };
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf);
            for _ in 0..enc.len() {
                map.push(base + i);
            }
            s.push(c);
        }
        map.push(base + text.len());
        View { s, map }
    }

    /// Original span of `[a, b)` in the view.
    pub(super) fn orig(&self, a: usize, b: usize) -> (usize, usize) {
        let a = self.map.get(a).copied().unwrap_or(0);
        let end = if b == 0 {
            a
        } else {
            // End of the last included char in the original.
            let last = self.map.get(b - 1).copied().unwrap_or(a);
            let next = self.map.get(b).copied().unwrap_or(last + 1);
            next.max(last + 1)
                .min(self.map.last().copied().unwrap_or(last + 1))
        };
        (a, end.max(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_removed_and_spans_map_back() {
        let text = r"ALT \< 3 × ULN";
        let v = View::new(text, 10);
        assert_eq!(v.s, "ALT < 3 × ULN");
        let a = v.s.find('<').unwrap_or(0);
        // `<` sits after the removed backslash in the original.
        assert_eq!(v.orig(a, a + 1), (10 + 5, 10 + 6));
        assert_eq!(v.orig(0, v.s.len()), (10, 10 + text.len()));
    }

    #[test]
    fn folds_symbols() {
        assert_eq!(View::new("Hb ≧ 9 – 10", 0).s, "Hb ≥ 9 - 10");
    }
}
