//! The existing name a missing one nearly is: the one general rule behind every repair of
//! a reference that does not resolve (a typo in a name, a key, a program, an image).

/// The candidate a few edits from `wanted` (Damerau–Levenshtein: a swap of two letters is
/// one edit), with its distance; none when no candidate is close enough for a typo, or when
/// two are equally close (the evidence does not decide).
pub fn nearest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, usize)> {
    let limit = typo_limit(wanted);
    let mut best: Option<(&str, usize)> = None;
    let mut tie = false;
    for c in candidates {
        if c == wanted {
            return None;
        }
        let d = strsim::damerau_levenshtein(wanted, c);
        if d > limit {
            continue;
        }
        match best {
            Some((b, bd)) if d == bd && b != c => tie = true,
            Some((_, bd)) if d >= bd => {}
            _ => {
                best = Some((c, d));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie)
}

/// How many edits a typo of a name this long may take: one in a short name, a quarter of
/// the letters in a long one.
fn typo_limit(name: &str) -> usize {
    match name.chars().count() {
        0..=2 => 0,
        3..=7 => 1,
        n => (n / 4).max(2),
    }
}

/// `text` with every command word `word` (bounded by the start, the end, blanks or the
/// shell's separators) replaced by `by`, and how many were.
pub fn replace_word(text: &str, word: &str, by: &str) -> (String, usize) {
    let bound = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || ";&|()`$\"'".contains(c));
    let mut out = String::with_capacity(text.len());
    let mut n = 0;
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = if at > 0 {
            rest[..at].chars().last()
        } else {
            out.chars().last()
        };
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if bound(before) && bound(after) {
            out.push_str(by);
            n += 1;
        } else {
            out.push_str(word);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_name_and_an_unrelated_name_finds_none() {
        let names = ["password", "username", "host"];
        assert_eq!(nearest("pasword", names), Some(("password", 1)));
        assert_eq!(nearest("passwrod", names), Some(("password", 1)));
        assert_eq!(nearest("token", names), None);
        // A name that exists is no typo.
        assert_eq!(nearest("host", names), None);
        // Two equally near: the evidence does not decide.
        assert_eq!(nearest("cat", ["bat", "cut"]), None);
        // Short names need a close match.
        assert_eq!(nearest("ls", ["ps"]), None);
        assert_eq!(nearest("slep", ["sleep", "sed"]), Some(("sleep", 1)));
    }
}
