//! API tokens: `trialmatch token create NAME` prints a new random token
//! once; the store keeps only its SHA-256 hash.

use sha2::{Digest, Sha256};
use tm_store::Store;

use crate::AppError;

/// Prefix of every token (recognisable in a secrets scanner).
pub const PREFIX: &str = "tm_";

/// SHA-256 of a token, lower-case hex.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Creates a token named `name` (32 random bytes from the OS), stores its
/// hash and returns the token itself (shown once, never stored).
pub fn create(store: &Store, name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::bad_request("a token needs a name"));
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw)
        .map_err(|e| AppError::internal(format!("no randomness from the OS: {e}")))?;
    let token = format!("{PREFIX}{}", hex(&raw));
    store.put_token_hash(name, &hash(&token), &tm_model::Date::today().to_string())?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_stored_hashed() {
        let store = tm_store::Store::open_in_memory().unwrap();
        assert!(store.token_hashes().unwrap().is_empty());
        let t = super::create(&store, "me").unwrap();
        assert!(t.starts_with("tm_") && t.len() == 67);
        let stored = store.token_hashes().unwrap();
        assert_eq!(stored, vec![("me".to_string(), super::hash(&t))]);
        assert!(!stored[0].1.contains(&t[3..]));
    }
}
