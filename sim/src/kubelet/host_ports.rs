//! Loopback ports for containers. They are taken below the kernel's ephemeral range: a port
//! found free by binding port 0 comes from that range, and any outgoing connection on the
//! machine may take it as its source port before the container binds it — the container
//! then fails with "address in use" at every restart (seen under a loaded test run).

use std::collections::HashSet;
use std::sync::Mutex;

use rand::Rng;

/// Where the kernel's ephemeral range starts when it cannot be read (Linux's default).
const EPHEMERAL_START: u16 = 32768;
/// The lowest port handed out (above the well-known and most registered services).
const LOWEST: u16 = 20000;
/// Ports handed out by this process, never handed out twice.
static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// The first port of the kernel's ephemeral range.
fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(EPHEMERAL_START)
}

/// A free loopback port below the ephemeral range, not handed out before by this process;
/// `None` only when no such port can be bound after many tries.
pub fn free_port() -> Option<u16> {
    let top = ephemeral_start().max(LOWEST + 1000);
    let mut rng = rand::rng();
    let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    let given = given.get_or_insert_with(HashSet::new);
    for _ in 0..256 {
        let port = rng.random_range(LOWEST..top);
        if given.contains(&port) {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.insert(port);
            return Some(port);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_distinct_and_outside_the_ephemeral_range() {
        let start = ephemeral_start();
        let ports: Vec<u16> = (0..50).map(|_| free_port().unwrap()).collect();
        let distinct: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(distinct.len(), ports.len(), "a port was handed out twice");
        for p in ports {
            assert!((LOWEST..start.max(LOWEST + 1000)).contains(&p), "{p}");
            std::net::TcpListener::bind(("127.0.0.1", p)).expect("the port is free");
        }
    }
}
