//! The client's address: the TCP peer, or what `X-Forwarded-For` says when the peer is a trusted
//! reverse proxy (`FUYI_TRUSTED_PROXIES`). Rate limits and sign-in throttling key on it.

use std::{
    future::{Ready, ready},
    net::{IpAddr, Ipv4Addr, SocketAddr},
};

use actix_web::{
    FromRequest, HttpRequest,
    dev::Payload,
    http::header::{HeaderMap, HeaderName},
    web,
};
use ipnet::IpNet;

use super::error::ApiError;
use crate::startup::AppState;

/// The de-facto standard header proxies append the address of their peer to.
pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The address a request comes from, as [`client_ip`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client's address.
///
/// Starting from the TCP `peer`, while the address in hand is a trusted proxy, steps one entry
/// to the left in `X-Forwarded-For` (each proxy appends the address of its own peer, so the
/// right-most entries are the only ones written by proxies we trust). The first address that is
/// not a trusted proxy is the client. Anything a client wrote to the left of that is ignored, so
/// a client cannot choose its address. A malformed entry stops the walk at the last trusted hop.
/// Without a peer (not a TCP connection) the address is `0.0.0.0`.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let mut client = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ip| ip.to_canonical());
    if !is_trusted(client, trusted) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all(X_FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        if !is_trusted(client, trusted) {
            break;
        }
        match parse_hop(hop) {
            Some(address) => client = address,
            None => break,
        }
    }
    client
}

fn is_trusted(address: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&address))
}

/// One `X-Forwarded-For` entry: an address, or an address with a port as some proxies write it.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .map(|address| address.to_canonical())
}

impl ClientIp {
    /// The client address of `req` under the service's `FUYI_TRUSTED_PROXIES`.
    pub fn of(req: &HttpRequest) -> Self {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.settings.trusted_proxies.as_slice())
            .unwrap_or_default();
        Self(client_ip(
            req.peer_addr().map(|socket| socket.ip()),
            req.headers(),
            trusted,
        ))
    }
}

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                X_FORWARDED_FOR,
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        map
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|net| net.parse().expect("net")).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forwarded = headers(&["203.0.113.9"]);
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &forwarded, &[]),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &forwarded, &nets(&["10.0.0.0/8"])),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = nets(&["127.0.0.1/32"]);
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &headers(&["203.0.113.9"]), &trusted),
            ip("203.0.113.9")
        );
        // Without the header, the proxy itself is all we know.
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_right_most_untrusted_entry_wins_over_what_the_client_wrote() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client sent "1.1.1.1" itself; the edge proxy appended the real peer, 203.0.113.9;
        // an inner proxy appended the edge proxy's address.
        let forwarded = headers(&["1.1.1.1, 203.0.113.9", "10.0.0.5"]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.6")), &forwarded, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn malformed_entries_stop_at_the_last_trusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.6")), &headers(&["garbage"]), &trusted),
            ip("10.0.0.6")
        );
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.6")),
                &headers(&["203.0.113.9:4711"]),
                &trusted
            ),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn mapped_ipv4_addresses_are_plain_ipv4() {
        assert_eq!(
            client_ip(Some(ip("::ffff:192.0.2.1")), &HeaderMap::new(), &[]),
            ip("192.0.2.1")
        );
        assert_eq!(client_ip(None, &HeaderMap::new(), &[]), ip("0.0.0.0"));
    }
}
