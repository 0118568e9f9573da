//! A per-address rate limit on `/api/v1/auth/*`, kept in memory and checked before any database
//! or password work, so a flood from one address costs the service almost nothing.

use std::{
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
    time::Duration,
};

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use super::{client_ip::client_ip, error::ApiError};
use crate::startup::AppState;

/// The routes the limit covers.
const LIMITED_PREFIX: &str = "/api/v1/auth/";

/// Requests per minute per client address (a GCRA bucket per address). Each replica keeps its own
/// counts: behind N replicas an address gets up to N times the rate, which is fine for a limit
/// whose job is to keep floods away from Argon2.
pub struct AuthRateLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AuthRateLimiter {
    /// `per_minute` requests a minute after a burst of `burst`; `per_minute == 0` turns it off.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        Self { limiter }
    }

    /// `Ok` when `address` may make a request now; otherwise how long until it may.
    pub fn check(&self, address: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(&key(address))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets addresses whose buckets are full again (they behave as new ones); returns how many
    /// addresses are still remembered.
    pub fn purge(&self) -> usize {
        match &self.limiter {
            Some(limiter) => {
                limiter.retain_recent();
                limiter.shrink_to_fit();
                limiter.len()
            }
            None => 0,
        }
    }
}

/// IPv6 clients usually hold a whole /64, so one bucket covers it; otherwise each address of it
/// would be a fresh bucket.
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
    }
}

/// Middleware: answers 429 problem+json with `Retry-After` to an address over its rate on
/// `/api/v1/auth/*`, before the handler (and its body parsing) runs.
pub async fn limit_auth_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.path().starts_with(LIMITED_PREFIX)
        && let Some(state) = req.app_data::<web::Data<AppState>>()
    {
        let address = client_ip(
            req.peer_addr().map(|socket| socket.ip()),
            req.headers(),
            &state.settings.trusted_proxies,
        );
        if let Err(wait) = state.auth_rate.check(address) {
            let retry_after = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            // Debug only: under a flood a line per refusal would flood the logs too; the request
            // log and the metrics already count the 429s.
            tracing::debug!(%address, retry_after, "auth rate limit exceeded");
            let err = ApiError::too_many_requests(
                format!(
                    "too many requests to the sign-in routes from your address; try again in {retry_after} seconds"
                ),
                retry_after,
            );
            return Ok(req.error_response(err));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_with_a_wait() {
        let limiter = AuthRateLimiter::new(60, 3);
        let address: IpAddr = "192.0.2.1".parse().expect("address");
        for _ in 0..3 {
            assert!(limiter.check(address).is_ok());
        }
        let wait = limiter.check(address).expect_err("over the burst");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        // Another address has its own bucket.
        assert!(limiter.check("192.0.2.2".parse().expect("address")).is_ok());
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let limiter = AuthRateLimiter::new(60, 1);
        assert!(
            limiter
                .check("2001:db8::1".parse().expect("address"))
                .is_ok()
        );
        assert!(
            limiter
                .check("2001:db8::2".parse().expect("address"))
                .is_err()
        );
        assert!(
            limiter
                .check("2001:db8:0:1::1".parse().expect("address"))
                .is_ok()
        );
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = AuthRateLimiter::new(0, 1);
        let address: IpAddr = "192.0.2.1".parse().expect("address");
        for _ in 0..100 {
            assert!(limiter.check(address).is_ok());
        }
    }
}
