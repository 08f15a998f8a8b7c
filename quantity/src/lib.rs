//! Kubernetes resource quantities ("100m", "64Mi", "2", "1.5Gi") as numbers: the one parser
//! and printer that kubesim's scheduler, kubelet and quota admission and the agent's typed
//! values and repairs all use.

/// Millicores of a CPU quantity ("100m", "0.5", "2").
pub fn cpu_milli(q: &str) -> Option<i64> {
    milli(q).and_then(|v| i64::try_from(v).ok())
}

/// Bytes of a memory quantity ("64Mi", "1G", "512", "1.5Gi"), rounded up.
pub fn bytes(q: &str) -> Option<i64> {
    milli(q).and_then(|v| i64::try_from((v + 999).div_euclid(1000)).ok())
}

const SUFFIXES: [(&str, i128); 13] = [
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("Pi", 1 << 50),
    ("Ei", 1 << 60),
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("P", 1_000_000_000_000_000),
    ("E", 1_000_000_000_000_000_000),
    ("m", 1),
];

/// Any quantity in thousandths of its unit (`"2"` → 2000, `"100m"` → 100, `"1Ki"` →
/// 1,024,000), rounded up as the API server rounds; None when it is not a quantity.
pub fn milli(q: &str) -> Option<i128> {
    let q = q.trim();
    let (number, scale) = SUFFIXES
        .iter()
        .find_map(|(suffix, mult)| {
            q.strip_suffix(suffix)
                .map(|n| (n, if *suffix == "m" { 1 } else { mult * 1000 }))
        })
        .unwrap_or((q, 1000));
    // A decimal exponent ("1e3", "5E-1") when no suffix was found.
    let (number, scale) = match number.split_once(['e', 'E']) {
        Some((mantissa, exp)) if scale == 1000 => {
            let exp: i32 = exp.parse().ok()?;
            if !(-3..=18).contains(&exp) {
                return None;
            }
            let factor = 10i128.pow(exp.unsigned_abs());
            let scale = if exp >= 0 {
                scale * factor
            } else {
                scale / factor
            };
            (mantissa, scale)
        }
        _ => (number, scale),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || frac.len() > 18 {
        return None;
    }
    let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_value: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let denominator = 10i128.pow(frac.len() as u32);
    let total = whole.checked_mul(scale)? + (frac_value * scale + denominator - 1) / denominator;
    Some(total)
}

/// A thousandths value as the API server prints a sum: `32575m`, `2`, `90368Mi`, `10`.
pub fn format_milli(v: i128) -> String {
    if v % 1000 != 0 {
        return format!("{v}m");
    }
    let n = v / 1000;
    if n == 0 || n % 1024 != 0 {
        return n.to_string();
    }
    let mut unit = 0;
    let mut rest = n;
    while rest % 1024 == 0 && unit < 6 {
        rest /= 1024;
        unit += 1;
    }
    format!("{rest}{}", ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][unit])
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

    #[test]
    fn thousandths_round_trip_as_the_server_prints_them() {
        use super::{format_milli, milli};
        assert_eq!(milli("2"), Some(2000));
        assert_eq!(milli("100m"), Some(100));
        assert_eq!(milli("1.5Gi"), Some(1536 * 1024 * 1024 * 1000));
        assert_eq!(milli("0.1"), Some(100));
        assert_eq!(milli(".5"), Some(500));
        assert_eq!(milli("1e3"), Some(1_000_000));
        assert_eq!(milli("5E-1"), Some(500));
        assert_eq!(super::bytes("1.5Gi"), Some(1536 * 1024 * 1024));
        assert_eq!(super::bytes("500m"), Some(1), "rounded up");
        for bad in ["", "m", "-1", "1x", "Gi", "1.2.3"] {
            assert_eq!(milli(bad), None, "{bad}");
        }
        assert_eq!(format_milli(32575), "32575m");
        assert_eq!(format_milli(2000), "2");
        assert_eq!(format_milli(milli("90368Mi").unwrap()), "90368Mi");
        assert_eq!(format_milli(milli("140Gi").unwrap()), "140Gi");
        assert_eq!(format_milli(0), "0");
    }
}
