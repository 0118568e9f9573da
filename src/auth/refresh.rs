//! Refresh tokens: 32 random bytes handed to the client as base64url, kept by the service only as
//! their SHA-256, so a copy of the database does not let anyone sign in.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// A freshly minted refresh token: what the client gets, and what the service stores.
#[derive(Debug, Clone)]
pub struct MintedRefreshToken {
    /// The token as the client sees it (base64url, no padding).
    pub token: String,
    /// SHA-256 of the token's text.
    pub hash: Vec<u8>,
}

/// Mints a new refresh token from 32 bytes of a cryptographically secure generator.
pub fn mint() -> MintedRefreshToken {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    MintedRefreshToken { token, hash }
}

/// The stored form of a presented token. Hashing the text (not the decoded bytes) means a token
/// in any other spelling simply matches nothing.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_is_32_random_bytes_stored_as_its_hash() {
        let first = mint();
        let second = mint();
        assert_ne!(first.token, second.token);
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&first.token).map(|b| b.len()),
            Ok(32)
        );
        assert_eq!(first.hash, hash(&first.token));
        assert_eq!(first.hash.len(), 32);
        assert_ne!(first.hash, first.token.as_bytes());
    }
}
