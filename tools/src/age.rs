//! Ages as kubectl prints them ("45s", "3m20s", "5h12m", "3d"); kubesim's server-side
//! Tables have their own copy because the emulator stands apart from the product's crates.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// kubectl's short age of a duration in seconds.
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

/// The age of an object created at `t` (`<unknown>` without a timestamp, as kubectl).
pub fn age_since(t: Option<&Time>) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    t.map_or_else(|| "<unknown>".into(), |t| human_age(now - t.0.as_second()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_like_kubectl() {
        let cases = [
            (5, "5s"),
            (119, "119s"),
            (200, "3m20s"),
            (1500, "25m"),
            (5 * 3600 + 12 * 60, "5h12m"),
            (30 * 3600, "30h"),
            (3 * 86_400 + 4 * 3600, "3d4h"),
            (40 * 86_400, "40d"),
            (-3, "0s"),
        ];
        for (secs, want) in cases {
            assert_eq!(super::human_age(secs), want, "{secs}s");
        }
        assert_eq!(super::age_since(None), "<unknown>");
    }
}
