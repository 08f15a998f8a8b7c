//! CPU and memory quantities as the scheduler adds them up.

/// Millicores of a CPU quantity ("100m", "0.5", "2").
pub fn cpu_milli(q: &str) -> Option<i64> {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m.parse::<f64>().ok().map(|v| v.ceil() as i64);
    }
    q.parse::<f64>().ok().map(|v| (v * 1000.0).ceil() as i64)
}

/// Bytes of a memory quantity ("64Mi", "1G", "512", "1.5Gi").
pub fn bytes(q: &str) -> Option<i64> {
    let q = q.trim();
    let units: [(&str, f64); 13] = [
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("Ti", 1024f64.powi(4)),
        ("Pi", 1024f64.powi(5)),
        ("Ei", 1024f64.powi(6)),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
        ("m", 1e-3),
    ];
    for (suffix, mult) in units {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|v| (v * mult).ceil() as i64);
        }
    }
    q.parse::<f64>().ok().map(|v| v.ceil() as i64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        assert_eq!(super::cpu_milli("100m"), Some(100));
        assert_eq!(super::cpu_milli("2"), Some(2000));
        assert_eq!(super::cpu_milli("0.25"), Some(250));
        assert_eq!(super::bytes("64Mi"), Some(64 * 1024 * 1024));
        assert_eq!(super::bytes("1G"), Some(1_000_000_000));
        assert_eq!(super::bytes("junk"), None);
    }
}
