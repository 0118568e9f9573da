//! A bound on password hashing. Argon2 takes 19 MiB and tens of milliseconds of one CPU per hash
//! by design; unbounded, a flood of sign-ins runs thousands at once and exhausts memory. Hashes
//! run `FUYI_PASSWORD_HASH_CONCURRENCY` at a time, at most `FUYI_PASSWORD_HASH_QUEUE` requests
//! wait for a turn, none longer than `FUYI_PASSWORD_HASH_WAIT_MS`; the rest get 503 at once.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::{Semaphore, TryAcquireError};

use crate::{config::AuthSettings, service::error::ServiceError};

/// Hashing slots, and the queue of requests waiting for one.
pub struct HashLimiter {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
}

/// Holds a place in the queue; leaving (by getting a slot, timing out or the request being
/// dropped) frees it.
struct QueuePlace<'a>(&'a AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashLimiter {
    /// `concurrency` hashes at once (at least one), `queue` waiting, each for at most `wait`.
    pub fn new(concurrency: usize, queue: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            queue,
            wait,
        }
    }

    /// The limiter the settings describe.
    pub fn from_settings(settings: &AuthSettings) -> Self {
        Self::new(
            settings.password_hash_concurrency,
            settings.password_hash_queue,
            settings.password_hash_wait,
        )
    }

    /// True when every slot is taken and the queue is full: a new request would be refused, so
    /// callers can refuse it before doing any other work.
    pub fn is_saturated(&self) -> bool {
        self.slots.available_permits() == 0 && self.waiting.load(Ordering::Acquire) >= self.queue
    }

    /// Runs `work` (a hash or a verification) on a blocking thread once a slot is free.
    ///
    /// The slot moves into the blocking task, so a client that hangs up while its hash runs does
    /// not free the slot before the hash has finished: the bound holds on the work itself.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let slot = match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(TryAcquireError::NoPermits) => {
                let _place = self.enter_queue().ok_or_else(|| self.busy())?;
                match tokio::time::timeout(self.wait, Arc::clone(&self.slots).acquire_owned()).await
                {
                    Ok(Ok(slot)) => slot,
                    Ok(Err(closed)) => return Err(ServiceError::internal(closed)),
                    Err(_elapsed) => return Err(self.busy()),
                }
            }
            Err(closed @ TryAcquireError::Closed) => return Err(ServiceError::internal(closed)),
        };
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await
        .map_err(ServiceError::internal)
    }

    fn enter_queue(&self) -> Option<QueuePlace<'_>> {
        self.waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |waiting| {
                (waiting < self.queue).then_some(waiting + 1)
            })
            .ok()
            .map(|_| QueuePlace(&self.waiting))
    }

    /// 503 with `Retry-After`: the wait a queued request would have been allowed.
    pub fn busy(&self) -> ServiceError {
        let retry_after = (self.wait.as_secs() + u64::from(self.wait.subsec_nanos() > 0)).max(1);
        // Debug only, as with the rate limit: the request log and the metrics count the 503s.
        tracing::debug!(
            retry_after,
            "password hashing is saturated; request refused"
        );
        ServiceError::Busy {
            detail: "too many sign-ins are being checked right now; retry shortly".to_owned(),
            retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[tokio::test]
    async fn a_full_queue_is_refused_at_once_and_a_waiter_times_out() {
        let limiter = Arc::new(HashLimiter::new(1, 1, Duration::from_millis(50)));
        let (release, hold) = mpsc::channel::<()>();
        let holder = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { limiter.run(move || hold.recv().is_ok()).await })
        };
        while limiter.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(!limiter.is_saturated());
        // One may wait; it times out while the slot stays taken.
        let waiter = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { limiter.run(|| ()).await })
        };
        while limiter.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(limiter.is_saturated());
        let refused = limiter.run(|| ()).await.expect_err("queue is full");
        assert!(matches!(refused, ServiceError::Busy { .. }), "{refused}");
        let timed_out = waiter.await.expect("joins").expect_err("timed out");
        assert!(
            matches!(timed_out, ServiceError::Busy { .. }),
            "{timed_out}"
        );
        assert_eq!(limiter.waiting.load(Ordering::Acquire), 0);

        release.send(()).expect("holder waits");
        assert!(holder.await.expect("joins").expect("ran"));
        assert_eq!(limiter.run(|| 7).await.expect("free again"), 7);
    }
}
