//! Whether an access token's session still holds: the user is active, the token's version is the
//! user's current one, and its sign-in was not revoked. Checked on every request, with a short
//! per-process cache so a burst of requests costs one query.

use std::{
    collections::HashMap,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use uuid::Uuid;

use super::tokens::SessionRef;
use crate::{
    db::{self, DbPool, users::SessionState},
    service::error::{ServiceError, ServiceResult},
};

/// Beyond this many remembered sessions, stale ones are dropped before another is added.
const PRUNE_ABOVE: usize = 10_000;

struct Entry {
    user_id: Uuid,
    state: SessionState,
    checked_at: Instant,
}

/// What this process last saw of each session, for `FUYI_SESSION_CACHE_SECONDS`.
///
/// Changes made through this process forget the affected entries at once (after their commit),
/// so the caller's next request here sees them; other processes see them once their entry is
/// older than the cache time.
pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<Uuid, Entry>>,
    /// Raised by every forget: a check that read the database before a forget must not store
    /// what it read, or the forgotten state would come back.
    generation: AtomicU64,
}

impl SessionCache {
    /// A cache keeping entries for `ttl`; zero keeps none.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Entry>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, user_id: Uuid, session: Uuid) -> Option<SessionState> {
        if self.ttl.is_zero() {
            return None;
        }
        self.entries()
            .get(&session)
            .filter(|entry| entry.user_id == user_id && entry.checked_at.elapsed() < self.ttl)
            .map(|entry| entry.state)
    }

    fn put(&self, user_id: Uuid, session: Uuid, state: SessionState, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= PRUNE_ABOVE {
            let ttl = self.ttl;
            entries.retain(|_, entry| entry.checked_at.elapsed() < ttl);
        }
        entries.insert(
            session,
            Entry {
                user_id,
                state,
                checked_at: Instant::now(),
            },
        );
    }

    /// Forgets every session of `user_id` (deactivated, new password, new roles).
    pub fn forget_user(&self, user_id: Uuid) {
        let mut entries = self.entries();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.retain(|_, entry| entry.user_id != user_id);
    }

    /// Forgets one session (signed out, or revoked after a refresh token was reused).
    pub fn forget_session(&self, session: Uuid) {
        let mut entries = self.entries();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.remove(&session);
    }
}

/// Refuses a verified token whose session no longer holds, with the 401 an expired token gets.
pub async fn check(
    pool: &DbPool,
    cache: &SessionCache,
    user_id: Uuid,
    session: SessionRef,
) -> ServiceResult<()> {
    let state = match cache.get(user_id, session.id) {
        Some(state) => state,
        None => {
            let generation = cache.generation.load(Ordering::Acquire);
            let mut conn = pool.get().await?;
            let Some(state) = db::users::session_state(&mut conn, user_id, session.id).await?
            else {
                return Err(refused("the token's user no longer exists"));
            };
            cache.put(user_id, session.id, state, generation);
            state
        }
    };
    let reason = if !state.active {
        "the account is deactivated"
    } else if state.token_version != session.token_version {
        "the token predates a change to the account (password, roles or status); sign in again"
    } else if !state.live {
        "the session has ended; sign in again"
    } else {
        return Ok(());
    };
    Err(refused(reason))
}

fn refused(reason: &str) -> ServiceError {
    tracing::info!(reason, "access token refused");
    ServiceError::unauthorized(reason, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVE: SessionState = SessionState {
        active: true,
        token_version: 0,
        live: true,
    };

    #[test]
    fn a_forget_wins_over_a_check_that_read_before_it() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let read_at = cache.generation.load(Ordering::Acquire);
        cache.forget_user(user);
        cache.put(user, session, LIVE, read_at);
        assert_eq!(cache.get(user, session), None);

        let read_at = cache.generation.load(Ordering::Acquire);
        cache.put(user, session, LIVE, read_at);
        assert_eq!(cache.get(user, session), Some(LIVE));
        assert_eq!(cache.get(Uuid::now_v7(), session), None, "another user's");
        cache.forget_session(session);
        assert_eq!(cache.get(user, session), None);
    }

    #[test]
    fn zero_keeps_nothing() {
        let cache = SessionCache::new(Duration::ZERO);
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        cache.put(user, session, LIVE, 0);
        assert_eq!(cache.get(user, session), None);
    }
}
