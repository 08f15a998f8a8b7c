//! Object metadata helpers: timestamps, uids, names.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use serde_json::Value;

/// RFC 3339 UTC time with second precision, as Kubernetes writes it.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Seconds since the epoch of an RFC 3339 UTC time ("2026-01-02T03:04:05Z").
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// kubectl's short age: "45s", "3m20s", "7m", "5h12m", "3d", …
pub fn human_age(seconds: i64) -> String {
    let s = seconds.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 => format!("{m}m{}s", s % 60),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if d < 8 => format!("{d}d{}h", h % 24),
        _ if d < 730 => format!("{d}d"),
        _ => format!("{}y", d / 365),
    }
}

/// The age of an object as kubectl shows it.
pub fn age_of(obj: &Value) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    obj["metadata"]["creationTimestamp"]
        .as_str()
        .and_then(parse_rfc3339)
        .map_or_else(|| "<unknown>".into(), |t| human_age(now - t))
}

/// Now, formatted.
pub fn now() -> String {
    rfc3339(SystemTime::now())
}

/// A random UUID (version 4) string.
pub fn uid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A random lowercase alphanumeric suffix, as `generateName` uses.
pub fn suffix(len: usize) -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| CHARS[*b as usize % CHARS.len()] as char)
        .collect()
}

/// Why `name` is not a valid name for an object of `rt`, if it is not: RBAC objects take any
/// path segment (`system:discovery`), Namespaces an RFC 1123 label, Services an RFC 1035
/// label, everything else an RFC 1123 subdomain — as the API server validates them.
pub fn invalid_name_for(rt: &crate::resources::ResourceType, name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("name or generateName is required".into());
    }
    let label = |first_alpha: bool| {
        name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && name.chars().next().is_some_and(|c| {
                if first_alpha {
                    c.is_ascii_lowercase()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            && name
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric())
    };
    match (rt.group, rt.kind) {
        ("rbac.authorization.k8s.io", _) => {
            if name == "." || name == ".." {
                Some(format!("may not be '{name}'"))
            } else {
                name.chars()
                    .find(|c| matches!(c, '/' | '%'))
                    .map(|c| format!("may not contain '{c}'"))
            }
        }
        ("", "Namespace") if !label(false) => Some(format!(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'); got {name:?}"
        )),
        ("", "Service") if !label(true) => Some(format!(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'); got {name:?}"
        )),
        _ => invalid_name(name),
    }
}

/// Why `name` is not a valid DNS-1123 subdomain, if it is not.
pub fn invalid_name(name: &str) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let edges = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if name.is_empty() {
        Some("name or generateName is required".into())
    } else if name.len() > 253 || !ok_chars || !edges {
        Some(format!(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'); got {name:?}"
        ))
    } else {
        None
    }
}

/// `metadata.<field>` as a string.
pub fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj.get("metadata")?.get(field)?.as_str()
}

/// Resolves a dotted path such as `status.phase` to a string, as field selectors compare.
pub fn path_str(obj: &Value, path: &str) -> Option<String> {
    let mut v = obj;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether `obj` names `uid` among its owners.
pub fn owned_by(obj: &Value, uid: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|r| r.iter().any(|o| o["uid"] == uid))
}

/// Name, namespace and uid of an object.
pub fn ident(obj: &Value) -> (String, String, String) {
    let m = &obj["metadata"];
    let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
    (s("name"), s("namespace"), s("uid"))
}

/// The annotation that records containerPort → host port for endpoints and the proxy.
pub const HOST_PORTS: &str = "kubesim.dev/host-ports";

/// The host port a pod's containerPort is reachable on (the containerPort itself when the
/// pod runs without processes).
pub fn host_port(pod: &Value, container_port: i64) -> i64 {
    let map = pod["metadata"]["annotations"][HOST_PORTS]
        .as_str()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    let Some(map) = map else {
        return container_port;
    };
    // A container that names no port listens on the one it was given (`ANY_PORT`),
    // whatever port a Service or port-forward names; otherwise an undeclared port has
    // nothing behind it.
    map[container_port.to_string()]
        .as_i64()
        .or_else(|| map[ANY_PORT.to_string()].as_i64())
        .unwrap_or(container_port)
}

/// Every (container port, loopback port) a pod's containers were given on this machine.
pub fn host_ports(pod: &Value) -> Vec<(i64, u16)> {
    pod["metadata"]["annotations"][HOST_PORTS]
        .as_str()
        .and_then(|t| serde_json::from_str::<serde_json::Map<String, Value>>(t).ok())
        .into_iter()
        .flatten()
        .filter_map(|(c, h)| Some((c.parse().ok()?, u16::try_from(h.as_u64()?).ok()?)))
        .collect()
}

/// The container port recorded for a container that names none: its one port answers for
/// any port.
pub const ANY_PORT: i64 = 0;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_772_000_000);
        assert_eq!(rfc3339(t), "2026-02-25T06:13:20Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn parses_what_it_formats_and_ages_like_kubectl() {
        let t = UNIX_EPOCH + Duration::from_secs(1_772_000_000);
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(1_772_000_000));
        assert_eq!(human_age(59), "59s");
        assert_eq!(human_age(200), "3m20s");
        assert_eq!(human_age(3 * 3600 + 5), "3h0m");
        assert_eq!(human_age(3 * 86_400), "3d0h");
    }

    #[test]
    fn names_and_uids() {
        assert!(invalid_name("todo-backend").is_none());
        assert!(invalid_name("Todo").is_some());
        assert!(invalid_name("-x").is_some());
        let u = uid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
