//! Failed authentication, limited per client address and logged in aggregate.
//!
//! A request to a route that needs a token and comes without a valid one is a failure. After
//! `[server] failed_auth_limit` failures within `failed_auth_window_secs` of the first, the address
//! is answered `429` with `Retry-After` until the window ends, on every route that needs a token,
//! without the token being looked at: answering a right token normally during the lockout would
//! tell a guesser which guess was right. A window ends `failed_auth_window_secs` after its first
//! failure; its summary (failures, refusals) is logged then, one line per address and window, at
//! WARN when the address was refused, INFO otherwise: a client sending bad tokens in a loop costs
//! a counter, not a log line a request.
//!
//! The address is the TCP peer's, or, when the peer is one of `[server] trusted_proxies`, the last
//! address of its `X-Forwarded-For` (the one that proxy added). IPv6 addresses count by their /64
//! network, which one client usually holds whole. At most [`MAX_ADDRESSES`] addresses are tracked;
//! past that, new ones share one count, so memory stays bounded whatever the number of clients.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::config::ServerConfig;

/// Addresses tracked at once (an entry is a few dozen bytes).
pub const MAX_ADDRESSES: usize = 65_536;

/// Whom failures are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// An IPv4 address, or an IPv6 address with its last 64 bits cleared.
    Address(IpAddr),
    /// Every new address while [`MAX_ADDRESSES`] are tracked.
    Overflow,
    /// A request without a peer address (a router driven without a listener, as in unit tests).
    Unknown,
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Client::Address(IpAddr::V6(a)) => write!(f, "{a}/64"),
            Client::Address(a) => write!(f, "{a}"),
            Client::Overflow => write!(f, "other addresses (more than {MAX_ADDRESSES} at once)"),
            Client::Unknown => write!(f, "unknown address"),
        }
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    failures: u64,
    refused: u64,
}

pub struct FailedAuth {
    limit: u64,
    window: Duration,
    trusted_proxies: Vec<IpAddr>,
    windows: Mutex<HashMap<Client, Window>>,
}

/// Refused for too many failures: how long until the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub retry_after: Duration,
    pub limit: u64,
    pub window: Duration,
}

impl FailedAuth {
    pub fn new(server: &ServerConfig) -> FailedAuth {
        FailedAuth {
            limit: u64::from(server.failed_auth_limit.max(1)),
            window: Duration::from_secs(server.failed_auth_window_secs.max(1)),
            trusted_proxies: server.trusted_proxies.clone(),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Whom a request's failures count against: see the module.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Client {
        let Some(peer) = peer else {
            return Client::Unknown;
        };
        let mut address = peer;
        if self.trusted_proxies.contains(&peer) {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|a| a.trim().parse::<IpAddr>().ok());
            if let Some(client) = forwarded {
                address = client;
            }
        }
        Client::Address(network(address))
    }

    /// Whether `client` is locked out now; counts the refusal if so.
    pub fn check(&self, client: Client, now: Instant) -> Option<Locked> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.get_mut(&client)?;
        let ends = window.started + self.window;
        if now >= ends || window.failures < self.limit {
            return None;
        }
        window.refused += 1;
        Some(Locked {
            retry_after: ends - now,
            limit: self.limit,
            window: self.window,
        })
    }

    /// Counts a failed authentication of `client`.
    pub fn failed(&self, client: Client, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(window) = windows.get_mut(&client) {
            if now < window.started + self.window {
                window.failures += 1;
                return;
            }
            // Its window ended and the sweep has not run yet: report it, start a new one.
            let ended = windows.remove(&client).expect("just found");
            self.report(client, &ended);
        }
        let key = if windows.len() >= MAX_ADDRESSES {
            self.sweep_locked(&mut windows, now);
            if windows.len() >= MAX_ADDRESSES {
                Client::Overflow
            } else {
                client
            }
        } else {
            client
        };
        windows
            .entry(key)
            .and_modify(|w| w.failures += 1)
            .or_insert(Window {
                started: now,
                failures: 1,
                refused: 0,
            });
    }

    /// Ends the windows that are over, logging one line for each (the server calls it every second).
    pub fn sweep(&self, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        self.sweep_locked(&mut windows, now);
    }

    fn sweep_locked(&self, windows: &mut HashMap<Client, Window>, now: Instant) {
        windows.retain(|client, window| {
            let over = now >= window.started + self.window;
            if over {
                self.report(*client, window);
            }
            !over
        });
    }

    fn report(&self, client: Client, window: &Window) {
        let secs = self.window.as_secs();
        if window.refused > 0 {
            tracing::warn!(
                client = %client,
                failures = window.failures,
                refused = window.refused,
                window_secs = secs,
                "failed authentication: this address reached the limit and was refused until its window ended"
            );
        } else {
            tracing::info!(
                client = %client,
                failures = window.failures,
                window_secs = secs,
                "failed authentication: requests without a valid token from this address"
            );
        }
    }
}

/// The address failures are counted against: IPv6 by its /64 network.
fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(a) => IpAddr::V4(a),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(a) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn limiter(limit: u32, secs: u64, proxies: &[&str]) -> FailedAuth {
        FailedAuth::new(&ServerConfig {
            failed_auth_limit: limit,
            failed_auth_window_secs: secs,
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            ..ServerConfig::default()
        })
    }

    #[test]
    fn an_address_is_locked_after_the_limit_until_its_window_ends() {
        let f = limiter(3, 60, &[]);
        let t0 = Instant::now();
        let a = f.client(Some("10.0.0.5".parse().unwrap()), &HeaderMap::new());
        let b = f.client(Some("10.0.0.6".parse().unwrap()), &HeaderMap::new());
        for i in 0..3 {
            assert_eq!(f.check(a, t0), None, "attempt {i} is not refused");
            f.failed(a, t0 + Duration::from_secs(i));
        }
        let locked = f.check(a, t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(locked.retry_after, Duration::from_secs(50));
        assert_eq!(
            f.check(b, t0 + Duration::from_secs(10)),
            None,
            "per address"
        );
        assert_eq!(
            f.check(a, t0 + Duration::from_secs(60)),
            None,
            "the window ended"
        );
        f.sweep(t0 + Duration::from_secs(60));
        assert!(f.windows.lock().unwrap().is_empty());
    }

    #[test]
    fn ipv6_counts_by_network_and_a_trusted_proxy_names_the_client() {
        let f = limiter(3, 60, &["127.0.0.1"]);
        let none = HeaderMap::new();
        assert_eq!(
            f.client(Some("2001:db8:1:2:aaaa::1".parse().unwrap()), &none),
            f.client(Some("2001:db8:1:2:bbbb::9".parse().unwrap()), &none)
        );
        assert_ne!(
            f.client(Some("2001:db8:1:2::1".parse().unwrap()), &none),
            f.client(Some("2001:db8:1:3::1".parse().unwrap()), &none)
        );
        let mut forwarded = HeaderMap::new();
        forwarded.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.7, 203.0.113.9"),
        );
        assert_eq!(
            f.client(Some("127.0.0.1".parse().unwrap()), &forwarded),
            Client::Address("203.0.113.9".parse().unwrap()),
            "the address the trusted proxy added, not one the client wrote"
        );
        assert_eq!(
            f.client(Some("192.0.2.1".parse().unwrap()), &forwarded),
            Client::Address("192.0.2.1".parse().unwrap()),
            "an untrusted peer cannot choose its address"
        );
    }

    #[test]
    fn the_number_of_addresses_tracked_is_bounded() {
        let f = limiter(3, 60, &[]);
        let t0 = Instant::now();
        for i in 0..(MAX_ADDRESSES as u32 + 10) {
            let client = Client::Address(IpAddr::V4(i.into()));
            f.failed(client, t0);
        }
        let windows = f.windows.lock().unwrap();
        assert_eq!(windows.len(), MAX_ADDRESSES + 1);
        assert_eq!(windows[&Client::Overflow].failures, 10);
    }
}
