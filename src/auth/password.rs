//! Password hashing with Argon2id (PHC strings), and the one-time passwords handed to new admins.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

/// Hashes a password with Argon2id and a fresh random salt.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash; a malformed hash never verifies.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// The hash of a password nobody knows, with the same parameters as [`hash`]. Sign-in checks a
/// password against it when the username is unknown, so an unknown user costs as much time as a
/// wrong password and response times do not reveal which usernames exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$SJRUVjwGJzbmMFkfxwYVAg$8DOZlXmTkB8UWzH5AmGIktxQT6HIfHEHAcoe9LQvkuU";

/// Spends the time of one [`verify`] and always fails.
pub fn verify_dummy(password: &str) -> bool {
    // The result is discarded on purpose: no password matches a hash of a discarded secret.
    let _ = verify(password, DUMMY_HASH);
    false
}

/// The smallest password length accepted for new or changed passwords.
pub const MIN_LENGTH: usize = 8;
/// The largest password length accepted: hashing is costly, and unbounded input invites abuse.
pub const MAX_LENGTH: usize = 256;

/// A random password of 20 characters without look-alikes (0/O, 1/l/I).
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse").expect("hashes");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", &stored));
        assert!(!verify("wrong horse", &stored));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_hash_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("parses");
        let real_hash = hash("anything").expect("hashes");
        let real = PasswordHash::new(&real_hash).expect("parses");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert!(!verify_dummy("anything"));
    }

    #[test]
    fn generated_passwords_differ() {
        assert_ne!(generate(), generate());
        assert_eq!(generate().len(), 20);
    }
}
