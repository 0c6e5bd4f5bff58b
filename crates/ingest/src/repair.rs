//! Text repair: the one place where registry text is mended.
//!
//! Two kinds of damage are repaired:
//! - **mojibake**: UTF-8 bytes that were decoded as Latin-1 or Windows-1252
//!   (`patientsÂ´` → `patients´`, `â‰¥` → `≥`). Only runs that map back to
//!   bytes forming a *valid* multi-byte UTF-8 sequence are replaced, so
//!   correct text (`≥`, `µ`, `×`, `é`, `Müller`) is left alone. Double
//!   encodings are undone by repeating the pass (at most three times).
//! - **markdown escapes** as CT.gov writes them: `\>`, `\<`, `\[`, `\]`,
//!   `10\^9`, `\*`, `\-`, `\_`, `\(`, `\)`, … lose their backslash.
//!
//! Readers apply [`repair_text`] to every text field; the stored
//! `criteria_text` is the repaired text (criterion spans index into it).

/// Repairs mojibake and markdown escapes.
pub fn repair_text(s: &str) -> String {
    let mut out = s.to_string();
    for _ in 0..3 {
        let fixed = fix_mojibake(&out);
        if fixed == out {
            break;
        }
        out = fixed;
    }
    strip_controls(unescape_markdown(&out))
}

/// Line ends become `\n` (a JSON `"\r\n"` too); other control characters
/// (NUL, ESC, C1 …) are dropped, tab and newline kept: stored text never
/// carries `\r` or terminal escapes.
fn strip_controls(s: String) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s;
    }
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\n' | '\t' => Some(c),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Decodes file bytes to text: UTF-8 (BOM stripped), falling back to
/// Windows-1252 when the bytes are not valid UTF-8; line endings are
/// normalised to `\n` (`\r\n` and lone `\r`).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| cp1252_char(b)).collect(),
    };
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Normalises file bytes before any reader (and any content hash) sees
/// them: UTF-16 with a byte-order mark (LE or BE) becomes UTF-8, a UTF-8
/// byte-order mark is dropped, and line endings become `\n` (`\r\n` and a
/// lone `\r`). So a file saved with CRLF and a BOM is the same record as
/// the clean one (same content hash: re-importing it is `unchanged`) and
/// no stored text holds `\r`. Borrowed when nothing changes.
pub fn normalise_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, true)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, false)),
        _ => None,
    };
    let mut out: Cow<'_, [u8]> = match utf16 {
        Some((rest, le)) => {
            let units = rest.chunks_exact(2).map(|p| {
                if le {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            });
            let mut text: String = char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            if rest.len() % 2 == 1 {
                text.push(char::REPLACEMENT_CHARACTER);
            }
            Cow::Owned(text.into_bytes())
        }
        None => Cow::Borrowed(bytes),
    };
    if out.starts_with(b"\xEF\xBB\xBF") {
        out = match out {
            Cow::Borrowed(b) => Cow::Borrowed(&b[3..]),
            Cow::Owned(mut v) => {
                v.drain(..3);
                Cow::Owned(v)
            }
        };
    }
    if out.contains(&b'\r') {
        let mut v = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            match out[i] {
                b'\r' if out.get(i + 1) == Some(&b'\n') => {}
                b'\r' => v.push(b'\n'),
                c => v.push(c),
            }
            i += 1;
        }
        out = Cow::Owned(v);
    }
    out
}

/// The character Windows-1252 decodes byte `b` to (undefined bytes map to
/// the C1 control of the same value, as Latin-1 does).
fn cp1252_char(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    if (0x80..0xA0).contains(&b) {
        HIGH[usize::from(b - 0x80)]
    } else {
        char::from(b)
    }
}

/// The byte a character came from if it was produced by decoding one byte
/// ≥ 0x80 as Latin-1 or Windows-1252.
fn latin_byte(c: char) -> Option<u8> {
    let u = u32::from(c);
    if (0x80..=0xFF).contains(&u) {
        return u8::try_from(u).ok();
    }
    (0x80u8..0xA0).find(|&b| cp1252_char(b) == c)
}

/// Replaces runs of Latin-1/CP1252 characters whose bytes form a valid UTF-8
/// multi-byte sequence by the character they encode.
fn fix_mojibake(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(lead) = latin_byte(c) {
            let need = match lead {
                0xC2..=0xDF => 1,
                0xE0..=0xEF => 2,
                0xF0..=0xF4 => 3,
                _ => 0,
            };
            if need > 0 && i + need < chars.len() {
                let mut buf = vec![lead];
                for &n in &chars[i + 1..=i + need] {
                    match latin_byte(n) {
                        Some(b) if (0x80..=0xBF).contains(&b) => buf.push(b),
                        _ => break,
                    }
                }
                if buf.len() == need + 1 {
                    if let Ok(decoded) = std::str::from_utf8(&buf) {
                        out.push_str(decoded);
                        i += need + 1;
                        continue;
                    }
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Characters CT.gov's markdown export escapes with a backslash.
const ESCAPABLE: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '<', '>', '^', '|',
    '~', '=',
];

fn unescape_markdown(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(&n) = it.peek() {
                if ESCAPABLE.contains(&n) {
                    out.push(n);
                    it.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_round_trips() {
        assert_eq!(repair_text("patientsÂ´ quality"), "patients´ quality");
        assert_eq!(repair_text("â‰¥ 18 years"), "≥ 18 years");
        assert_eq!(repair_text("cafÃ©"), "café");
        assert_eq!(repair_text("itâ€™s"), "it’s");
        // double encoding
        assert_eq!(repair_text("cafÃƒÂ©"), "café");
    }

    #[test]
    fn correct_text_untouched() {
        for s in [
            "≥ 1.5 × 10⁹/L",
            "5 µg",
            "Müller, Nîmes, São Paulo",
            "café ≤ 2",
            "Patient´s consent",
            "LUTATHERA®",
            "× 10^9",
            "naïve ÀÉÎ",
        ] {
            assert_eq!(repair_text(s), s);
        }
    }

    #[test]
    fn markdown_escapes() {
        assert_eq!(
            repair_text(r"ANC ≥ 1.5 × 10\^9/L \[note\] \> 30 \< 3 \* \- \_ \(x\)"),
            "ANC ≥ 1.5 × 10^9/L [note] > 30 < 3 * - _ (x)"
        );
        // Backslashes not escaping markdown stay.
        assert_eq!(repair_text(r"C:\data\new"), r"C:\data\new");
        assert_eq!(repair_text(r"a \\ b"), r"a \ b");
    }

    #[test]
    fn decode_handles_bom_crlf_and_cp1252() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFa\r\nb\rc"), "a\nb\nc");
        assert_eq!(decode_text(b"caf\xE9 \x93q\x94"), "café “q”");
    }
}
