//! Content hashes, derived ids and identity keys.

/// FNV-1a 64-bit hash of bytes as 16 lowercase hex digits. Stable across
/// runs, platforms and versions: it keys idempotent re-import.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(super::content_hash(b""), "cbf29ce484222325");
        assert_eq!(super::content_hash(b"a"), "af63dc4c8601ec8c");
    }
}
