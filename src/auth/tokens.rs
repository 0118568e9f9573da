//! Access tokens: short-lived HS256 JWTs with a key id, so keys rotate while tokens signed with the
//! previous key stay valid until they expire. Each token names its session (the refresh-token
//! family of its sign-in) and the user's token version, so it can be refused before it expires.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Caller, Role};
use crate::config::{AuthSettings, ConfigError};

/// The session an access token belongs to, as the token names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionRef {
    /// The refresh-token family of the sign-in: signing out revokes it.
    pub id: Uuid,
    /// The user's token version when the token was issued: deactivation, a new password and a
    /// role change raise it, which refuses every older token.
    pub token_version: i32,
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user's id.
    pub sub: Uuid,
    /// The user's sign-in name.
    pub name: String,
    /// The user's organ.
    pub org: Uuid,
    /// Materialised path of the user's organ.
    pub org_path: String,
    /// The user's roles.
    pub roles: Vec<Role>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Token id.
    pub jti: Uuid,
    /// Session id: the refresh-token family of the sign-in.
    pub sid: Uuid,
    /// The user's token version at issue.
    pub ver: i32,
}

/// Why a presented token was refused. The message is safe to show the client.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The header names no key id, or one this service does not know.
    #[error("the token's key id is missing or unknown")]
    UnknownKey,
    /// Expired, badly signed, wrong algorithm, issuer or audience, or malformed.
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

/// Signs and verifies access tokens.
pub struct TokenKeys {
    kid: String,
    signing: EncodingKey,
    verifying: Vec<VerifyingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
    verified: Mutex<HashMap<Box<str>, Verified>>,
}

/// A token this process verified, kept until it expires: a client sends the same token with
/// every request for its lifetime, and checking the signature and decoding the claims again was
/// about 6% of a case read's CPU time in the profile.
struct Verified {
    caller: Caller,
    session: SessionRef,
    expires_at: i64,
}

/// At most this many verified tokens are kept; when full, the memory starts over. Only tokens
/// whose signature holds are kept, so a flood of forged tokens cannot fill it.
const VERIFIED_CAPACITY: usize = 4096;

impl TokenKeys {
    /// Builds the keys from the settings. The signing key must be there: `serve` resolves it
    /// first ([`crate::config::Settings::with_signing_key`]).
    pub fn from_settings(settings: &AuthSettings) -> Result<Self, ConfigError> {
        let secret = settings.jwt_secret.as_ref().ok_or_else(|| ConfigError {
            variable: "FUYI_JWT_SECRET",
            reason: "no signing key: set FUYI_JWT_SECRET".to_owned(),
        })?;
        Ok(Self::with_secret(settings, secret))
    }

    /// Keys under a random secret that lives as long as this value: for commands that never hand
    /// a token to anyone (`fuyi demo`).
    pub fn ephemeral(settings: &AuthSettings) -> Self {
        use base64::Engine;
        let bytes: [u8; 48] = rand::random();
        let secret =
            SecretString::from(base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes));
        Self::with_secret(settings, &secret)
    }

    fn with_secret(settings: &AuthSettings, secret: &SecretString) -> Self {
        let secret = secret.expose_secret().as_bytes();
        let mut verifying = vec![VerifyingKey {
            kid: settings.jwt_kid.clone(),
            key: DecodingKey::from_secret(secret),
        }];
        if let Some((kid, previous)) = &settings.previous_key {
            verifying.push(VerifyingKey {
                kid: kid.clone(),
                key: DecodingKey::from_secret(previous.expose_secret().as_bytes()),
            });
        }
        // Pinning the algorithm refuses `alg: none` and algorithm-confusion tokens.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Self {
            kid: settings.jwt_kid.clone(),
            signing: EncodingKey::from_secret(secret),
            verifying,
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl: settings.access_ttl,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// How long an issued access token lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues an access token for `caller` in `session`.
    pub fn issue(
        &self,
        caller: &Caller,
        session: SessionRef,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = AccessClaims {
            sub: caller.user_id,
            name: caller.username.clone(),
            org: caller.organ_id,
            org_path: caller.organ_path.clone(),
            roles: caller.roles.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now.saturating_add(ttl),
            jti: Uuid::new_v4(),
            sid: session.id,
            ver: session.token_version,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.signing)
    }

    /// Verifies a token: known key id, HS256 only, signature, expiry, issuer and audience. Whether
    /// its session still holds is for the caller to check (`crate::auth::revocation`). A token
    /// verified before is taken from memory until it expires.
    pub fn verify(&self, token: &str) -> Result<(Caller, SessionRef), TokenError> {
        let now = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX);
        if let Ok(verified) = self.verified.lock()
            && let Some(hit) = verified.get(token)
            && now < hit.expires_at
        {
            return Ok((hit.caller.clone(), hit.session));
        }
        let (caller, session, expires_at) = self.verify_signed(token)?;
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= VERIFIED_CAPACITY {
                verified.retain(|_, entry| now < entry.expires_at);
                if verified.len() >= VERIFIED_CAPACITY {
                    verified.clear();
                }
            }
            verified.insert(
                token.into(),
                Verified {
                    caller: caller.clone(),
                    session,
                    expires_at,
                },
            );
        }
        Ok((caller, session))
    }

    fn verify_signed(&self, token: &str) -> Result<(Caller, SessionRef, i64), TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self
            .verifying
            .iter()
            .find(|candidate| candidate.kid == kid)
            .ok_or(TokenError::UnknownKey)?;
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key.key, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let claims = data.claims;
        let session = SessionRef {
            id: claims.sid,
            token_version: claims.ver,
        };
        let caller = Caller {
            user_id: claims.sub,
            username: claims.name,
            organ_id: claims.org,
            organ_path: claims.org_path,
            roles: claims.roles,
        };
        Ok((caller, session, claims.exp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(secret: &str, kid: &str) -> AuthSettings {
        AuthSettings {
            jwt_secret: Some(SecretString::from(secret)),
            jwt_kid: kid.to_owned(),
            previous_key: None,
            issuer: "fuyi".into(),
            audience: "fuyi-api".into(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(3600),
            session_cache: Duration::from_secs(5),
            admin_password: None,
            // Sign-in limits play no part in tokens; their defaults fill the rest.
            ..crate::config::Settings::from_lookup(|_| None)
                .expect("defaults are valid")
                .auth
        }
    }

    fn caller() -> Caller {
        Caller {
            user_id: Uuid::new_v4(),
            username: "officer".into(),
            organ_id: Uuid::new_v4(),
            organ_path: "/a/".into(),
            roles: vec![Role::Officer],
        }
    }

    fn keys_of(settings: &AuthSettings) -> TokenKeys {
        TokenKeys::from_settings(settings).expect("keys")
    }

    const SESSION: SessionRef = SessionRef {
        id: Uuid::nil(),
        token_version: 3,
    };

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const OTHER: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn a_token_round_trips() {
        let keys = keys_of(&settings(SECRET, "k1"));
        let caller = caller();
        let token = keys.issue(&caller, SESSION).expect("signs");
        assert_eq!(keys.verify(&token).expect("verifies"), (caller, SESSION));
    }

    #[test]
    fn a_token_verified_before_is_answered_from_memory_and_a_tampered_copy_still_refused() {
        let keys = keys_of(&settings(SECRET, "k1"));
        let caller = caller();
        let token = keys.issue(&caller, SESSION).expect("signs");
        assert_eq!(
            keys.verify(&token).expect("verifies"),
            (caller.clone(), SESSION)
        );
        assert_eq!(keys.verify(&token).expect("from memory"), (caller, SESSION));
        // The same claims under another signature are another key in memory, and refused.
        let (unsigned, signature) = token.rsplit_once('.').expect("three parts");
        let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
        let tampered = format!("{unsigned}.{flipped}{}", &signature[1..]);
        assert!(matches!(
            keys.verify(&tampered),
            Err(TokenError::Invalid(_))
        ));
    }

    #[test]
    fn a_token_of_the_previous_key_is_still_accepted_after_rotation() {
        let old = keys_of(&settings(OTHER, "k0"));
        let token = old.issue(&caller(), SESSION).expect("signs");
        let mut rotated = settings(SECRET, "k1");
        rotated.previous_key = Some(("k0".into(), SecretString::from(OTHER)));
        assert!(keys_of(&rotated).verify(&token).is_ok());
        // Without the previous key the old token is refused.
        assert!(keys_of(&settings(SECRET, "k1")).verify(&token).is_err());
    }

    #[test]
    fn a_wrong_signature_is_refused() {
        let forged = keys_of(&settings(OTHER, "k1"))
            .issue(&caller(), SESSION)
            .expect("signs");
        let keys = keys_of(&settings(SECRET, "k1"));
        assert!(matches!(keys.verify(&forged), Err(TokenError::Invalid(_))));
    }

    #[test]
    fn a_wrong_audience_or_issuer_is_refused() {
        let mut other = settings(SECRET, "k1");
        other.audience = "someone-else".into();
        let token = keys_of(&other).issue(&caller(), SESSION).expect("signs");
        let keys = keys_of(&settings(SECRET, "k1"));
        assert!(keys.verify(&token).is_err());

        let mut other = settings(SECRET, "k1");
        other.issuer = "evil".into();
        let token = keys_of(&other).issue(&caller(), SESSION).expect("signs");
        assert!(keys.verify(&token).is_err());
    }
}
