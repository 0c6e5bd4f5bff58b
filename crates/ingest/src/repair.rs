//! Text repair: the one place where registry text is mended.

/// Repairs mojibake and markdown escapes (in progress: identity for now).
pub fn repair_text(s: &str) -> String {
    s.to_string()
}
