//! Due days in plain English, relative to the person's today: "tomorrow", "on friday",
//! "by next monday", "in 3 days", "on 2026-12-24", "this week", "overdue". Pure.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;

/// A span of due days, both ends included; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueSpan {
    /// First day, if bounded.
    pub from: Option<NaiveDate>,
    /// Last day, if bounded.
    pub to: Option<NaiveDate>,
    /// Only tasks not done yet ("overdue").
    pub pending_only: bool,
}

const DAY: &str = r"today|tonight|tomorrow|tmrw|(?:(?:on|this|next)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day|in\s+\d{1,3}\s+days?|in\s+a\s+week|next\s+week|\d{4}-\d{2}-\d{2}";

/// A day phrase at the end of a title, with an optional lead-in ("by", "on", "due").
static TRAILING_DAY: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a constant pattern; the unit tests compile it
    Regex::new(&format!(
        r"(?i)^(?P<title>.+?)[\s,]+(?:(?:due|by|on|before|for)\s+)?(?P<day>{DAY})$"
    ))
    .expect("day pattern compiles")
});

/// A day phrase at the start of a title ("tomorrow call the bank").
static LEADING_DAY: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a constant pattern; the unit tests compile it
    Regex::new(&format!(
        r"(?i)^(?:(?:by|on)\s+)?(?P<day>{DAY})[\s,]+(?P<title>.+)$"
    ))
    .expect("day pattern compiles")
});

fn weekday(word: &str) -> Option<Weekday> {
    let w = word.to_lowercase();
    let days = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    days.iter()
        .find(|(prefix, _)| w.starts_with(prefix))
        .map(|(_, d)| *d)
}

/// The day a phrase names, counted from `today`: a weekday is the next one after today
/// ("friday" said on a Friday is a week away), "next friday" the same.
pub fn day(phrase: &str, today: NaiveDate) -> Option<NaiveDate> {
    let p = phrase.trim().to_lowercase();
    let words: Vec<&str> = p.split_whitespace().collect();
    match words.as_slice() {
        ["today"] | ["tonight"] => Some(today),
        ["tomorrow"] | ["tmrw"] => today.checked_add_days(Days::new(1)),
        ["in", "a", "week"] | ["next", "week"] => today.checked_add_days(Days::new(7)),
        ["in", n, unit] if unit.starts_with("day") => {
            today.checked_add_days(Days::new(n.parse().ok()?))
        }
        [date] if date.contains('-') => date.parse().ok(),
        [.., name] => {
            let target = weekday(name)?;
            let ahead =
                (7 + target.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
            let ahead = if ahead == 0 { 7 } else { ahead };
            today.checked_add_days(Days::new(u64::from(ahead)))
        }
        [] => None,
    }
}

/// Splits a day phrase off a new task's title: "call the bank tomorrow" → ("call the bank",
/// tomorrow). A title that only *is* a day, or names none, is left whole.
pub fn split_title(title: &str, today: NaiveDate) -> (String, Option<NaiveDate>) {
    for re in [&*TRAILING_DAY, &*LEADING_DAY] {
        if let Some(c) = re.captures(title.trim())
            && let Some(due) = day(&c["day"], today)
        {
            let rest = c["title"].trim().trim_end_matches(',').trim();
            if !rest.is_empty() {
                return (rest.to_string(), Some(due));
            }
        }
    }
    (title.trim().to_string(), None)
}

/// The span a question asks about: "tomorrow", "this week", "overdue", "friday".
pub fn span(phrase: &str, today: NaiveDate) -> Option<DueSpan> {
    let p = phrase.trim().to_lowercase();
    let p = p.trim_start_matches("by ").trim_start_matches("on ").trim();
    let until = |to: Option<NaiveDate>| DueSpan {
        from: Some(today),
        to,
        pending_only: false,
    };
    match p {
        "overdue" | "late" | "past due" => Some(DueSpan {
            from: None,
            to: today.checked_sub_days(Days::new(1)),
            pending_only: true,
        }),
        "this week" => {
            let left = 6 - today.weekday().num_days_from_monday();
            Some(until(today.checked_add_days(Days::new(u64::from(left)))))
        }
        "soon" => Some(until(today.checked_add_days(Days::new(7)))),
        _ => day(p, today).map(|d| DueSpan {
            from: Some(d),
            to: Some(d),
            pending_only: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    // 2026-12-05 is a Saturday.
    const TODAY: &str = "2026-12-05";

    #[test]
    fn days_are_counted_from_today() {
        let t = d(TODAY);
        let cases = [
            ("today", "2026-12-05"),
            ("tomorrow", "2026-12-06"),
            ("monday", "2026-12-07"),
            ("on friday", "2026-12-11"),
            ("next saturday", "2026-12-12"),
            ("saturday", "2026-12-12"),
            ("in 3 days", "2026-12-08"),
            ("next week", "2026-12-12"),
            ("2027-01-02", "2027-01-02"),
        ];
        for (phrase, want) in cases {
            assert_eq!(day(phrase, t), Some(d(want)), "{phrase}");
        }
        assert_eq!(day("someday", t), None);
        assert_eq!(day("2026-02-30", t), None, "not a real date");
    }

    #[test]
    fn a_day_phrase_leaves_the_title() {
        let t = d(TODAY);
        let cases = [
            (
                "call the bank tomorrow",
                "call the bank",
                Some("2026-12-06"),
            ),
            ("pay rent by friday", "pay rent", Some("2026-12-11")),
            ("tomorrow call mom", "call mom", Some("2026-12-06")),
            ("file taxes on 2027-04-15", "file taxes", Some("2027-04-15")),
            ("buy groceries", "buy groceries", None),
            ("read sunday paper", "read sunday paper", None),
            ("tomorrow", "tomorrow", None),
            ("plan the week", "plan the week", None),
            ("watch the sun", "watch the sun", None),
        ];
        for (title, want_title, want_due) in cases {
            let (got_title, got_due) = split_title(title, t);
            assert_eq!(got_title, want_title, "{title}");
            assert_eq!(got_due, want_due.map(d), "{title}");
        }
    }

    #[test]
    fn spans_asked_about() {
        let t = d(TODAY);
        let s = span("tomorrow", t).unwrap_or(DueSpan {
            from: None,
            to: None,
            pending_only: false,
        });
        assert_eq!(
            (s.from, s.to),
            (Some(d("2026-12-06")), Some(d("2026-12-06")))
        );
        let week = span("this week", t).map(|s| s.to);
        assert_eq!(
            week,
            Some(Some(d("2026-12-06"))),
            "Saturday: the week ends Sunday"
        );
        let overdue = span("overdue", t).map(|s| (s.to, s.pending_only));
        assert_eq!(overdue, Some((Some(d("2026-12-04")), true)));
        assert_eq!(span("whenever", t), None);
    }
}
