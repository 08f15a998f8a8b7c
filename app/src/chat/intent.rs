//! The offline intent engine: plain English requests about the to-do list, parsed without a
//! model. Pure: text in, [`Intent`] out; the engine in `offline.rs` carries it out.

use std::sync::LazyLock;

use regex::Regex;

use crate::tasks::TaskFilter;

/// Which task a request refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskRef {
    /// By the number the person's list shows ("task 3", "#3", "3").
    Number(i64),
    /// By words of its title ("the milk task").
    Text(String),
}

/// What the person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Add a task with this title.
    Add(String),
    /// List tasks.
    List(TaskFilter),
    /// Complete a task.
    Complete(TaskRef),
    /// Rename a task.
    Rename(TaskRef, String),
    /// Delete a task.
    Delete(TaskRef),
    /// Delete every completed task.
    ClearCompleted,
    /// Mark every pending task done ("mark all as done").
    CompleteAll,
    /// Delete every task: asked first, done when the person confirms ("yes, delete all").
    DeleteAll {
        /// The message is the confirmation.
        confirmed: bool,
    },
    /// Several tasks named at once ("add 'walk dog' and 'feed cat'").
    AddMany(Vec<String>),
    /// Put back what the last turn changed.
    Undo,
    /// A bare phrase that reads as a task ("buy groceries"): added, with a way back.
    AddGuessed(String),
    /// Tasks due in a span of days ("what's due tomorrow?"), said as a phrase.
    Due(String),
    /// Thanks or an acknowledgement: nothing to do.
    Thanks,
    /// A greeting or a request for help.
    Help,
    /// Not understood.
    Unknown,
}

fn re(pattern: &str) -> Regex {
    // The patterns are constants checked by the table test; a bad one is a bug.
    #[allow(clippy::expect_used)]
    Regex::new(&format!("(?i)^{pattern}$")).expect("intent pattern compiles")
}

const TASK_WORD: &str = r"(?:the\s+)?(?:task|todo|to-do|item)?\s*(?:number\s+|no\.?\s*)?";

static RENAME: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(&format!(
            r"(?:rename|change|update|edit|modify|retitle)\s+{TASK_WORD}(?P<target>.+?)\s+(?:to|into|as)\s+(?P<title>.+)"
        )),
        re(&format!(
            r"(?:rename|change|update|edit|modify)\s+{TASK_WORD}(?P<target>#?\d+)\s*:\s*(?P<title>.+)"
        )),
    ]
});

static COMPLETE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(&format!(
            r"(?:mark|set|flag)\s+{TASK_WORD}(?P<target>.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)"
        )),
        re(&format!(
            r"(?:complete|finish|check\s+off|tick\s+off|cross\s+off|close)\s+{TASK_WORD}(?P<target>.+?)(?:\s+(?:off|from\s+my\s+list))?"
        )),
        re(&format!(
            r"(?:i\s+|i'?ve\s+|i\s+have\s+)?(?:finished|completed|did|done\s+with|am\s+done\s+with)\s+{TASK_WORD}(?P<target>.+)"
        )),
        re(&format!(
            r"{TASK_WORD}(?P<target>.+?)\s+is\s+(?:now\s+)?(?:done|finished|complete|completed)"
        )),
    ]
});

static CLEAR_COMPLETED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:clear|delete|remove|drop|erase|purge|get\s+rid\s+of|clean\s+up)\s+(?:out\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|my\s+)?(?:completed|finished|done|checked(?:\s+off)?|ticked(?:\s+off)?)(?:\s+(?:tasks?|todos?|to-?dos?|items?|ones|stuff))?(?:\s+from\s+(?:my\s+|the\s+)?list)?",
    )
});

const ALL: &str = r"(?:all|everything|every\s+(?:single\s+)?(?:task|todo|item))(?:\s+(?:of\s+)?(?:my\s+|the\s+)?(?:tasks?|todos?|to-?dos?|items?|things))?";

static COMPLETE_ALL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?:mark|set|flag)\s+{ALL}\s+(?:as\s+)?(?:done|complete|completed|finished)|(?:complete|finish|check\s+off|tick\s+off|cross\s+off)\s+{ALL}|{ALL}\s+(?:is|are)\s+(?:done|finished|complete|completed))"
    ))
});

static DELETE_ALL: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?P<yes>(?:yes|yep|yeah|sure|confirm(?:ed)?)[,!.]?\s+(?:please\s+)?)?(?:(?:delete|remove|clear|erase|wipe|drop|trash)\s+{ALL}|(?:clear|wipe|empty)\s+(?:out\s+)?(?:my|the)\s+(?:whole\s+|entire\s+)?(?:list|to-?do\s+list|tasks))"
    ))
});

/// Quoted titles joined by "and" or commas: `'walk dog' and 'feed cat'`.
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a constant pattern; the table test compiles it
    Regex::new(r#"["“]([^"“”]+)["”]|['‘]([^'‘’]+)['’]"#).expect("quote pattern compiles")
});

/// The titles of a list of quoted titles; None unless there are two or more and nothing
/// but separators between them.
fn quoted_titles(text: &str) -> Option<Vec<String>> {
    let titles: Vec<String> = QUOTED
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let rest = QUOTED.replace_all(text, " ");
    let only_separators = rest
        .split(|c: char| c.is_whitespace() || c == ',' || c == '&' || c == ';')
        .all(|w| w.is_empty() || w.eq_ignore_ascii_case("and"));
    (titles.len() >= 2 && only_separators).then_some(titles)
}

static UNDO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:oops[,!]?\s+|no[,!]?\s+)?(?:undo|revert|reverse|take\s+(?:that|it)\s+back|cancel\s+that|put\s+it\s+back|that\s+was\s+(?:a\s+)?(?:mistake|wrong))(?:\s+(?:that|it|this|please|the\s+last\s+(?:change|action|one|thing)|(?:my\s+)?last\s+(?:change|action)))?",
    )
});

/// "what's due tomorrow", "anything due this week", "what is overdue", "show tasks due friday".
static DUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:(?:what|which|show|list|anything|is\s+anything|are\s+there|do\s+i\s+have)\b.*?\b)?(?:due\s+(?P<when>.+)|(?P<overdue>overdue|past\s+due)(?:\s+tasks?)?)",
    )
});

/// Words that start questions, chit-chat or statements, never a bare task.
const NOT_A_TASK_START: [&str; 48] = [
    "what", "whats", "what's", "why", "how", "who", "when", "where", "which", "is", "are", "do",
    "does", "can", "could", "would", "should", "will", "i", "i'm", "im", "it", "it's", "this",
    "that", "the", "my", "you", "we", "they", "there", "yes", "no", "maybe", "hello", "hi", "hey",
    "thanks", "thank", "please", "ok", "okay", "sure", "lol", "haha", "good", "nice", "wow",
];

/// Words that address the assistant ("sing me a song", "tell me a joke"): a request to it,
/// not a task for the list.
const ADDRESSES_THE_ASSISTANT: [&str; 5] = ["me", "you", "your", "yourself", "us"];

/// "buy groceries": two to eight plain words that do not start a question or a statement.
fn bare_task(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words.first()?.to_lowercase();
    let plain = words.iter().all(|w| {
        w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | ',' | '.' | '&' | '/'))
    });
    ((2..=8).contains(&words.len())
        && plain
        && first.chars().all(char::is_alphabetic)
        && !NOT_A_TASK_START.contains(&first.as_str())
        && !words
            .iter()
            .any(|w| ADDRESSES_THE_ASSISTANT.contains(&w.to_lowercase().as_str()))
        && !text.contains('?'))
    .then(|| clean_title(text))
}

static THANKS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:thanks?(?:\s+you)?|thx|ty|cheers|great|perfect|awesome|cool|nice|ok|okay|got\s+it|good)(?:\s+(?:so\s+much|a\s+lot|very\s+much))?",
    )
});

/// "I already bought the milk": a past-tense verb says the task is done. Verbs that only say
/// what someone meant to do ("wanted to", "forgot to") are not completions.
static DONE_IN_PAST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"i(?:'ve|\s+have)?\s+(?:already\s+|just\s+|finally\s+)?(?P<verb>did|bought|paid|sent|made|wrote|took|got|read|fed|met|found|gave|sold|built|cut|washed|called|cleaned|fixed|booked|mailed|posted|returned|picked\s+up|watered|walked|emailed|texted|filed|submitted|ordered|packed|emptied|[a-z]{2,}[^e\s]ed)\s+(?P<target>.+)",
    )
});

/// Past tenses that say what was meant, not what was done.
const NOT_DONE: [&str; 8] = [
    "wanted", "needed", "forgot", "tried", "planned", "decided", "hoped", "used",
];

static DELETE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![re(&format!(
        r"(?:delete|remove|cancel|drop|erase|trash|get\s+rid\s+of|forget\s+about|forget)\s+{TASK_WORD}(?P<target>.+?)(?:\s+from\s+(?:my\s+|the\s+)?(?:list|tasks|to-?do\s+list|todos))?"
    ))]
});

static LIST_EXACT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:list|ls|tasks|todos|my\s+tasks|my\s+list|my\s+todos|to-?do\s+list|my\s+to-?do\s+list|list\s+all|show\s+all|everything)",
    )
});

static LIST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:show|list|display|see|view|what|whats|what's|which|give|tell|read|how\s+many|do\s+i\s+have|anything)\b.*\b(?:tasks?|list|todos?|to-?dos?|to\s+do|everything|pending|left|remaining|done|completed|finished|agenda|plate|outstanding)\b.*",
    )
});

static ADD: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(
            // `\b` after each lead-in: "remind me tomorrow" is not "remind me to" + "morrow".
            r"(?:remind\s+me\s+(?:(?P<when>tomorrow|today|tonight|later|next\s+\w+|on\s+\w+|this\s+\w+)\s+)?(?:to|about)\b|i\s+need\s+to\b|i\s+have\s+to\b|i\s+must\b|i\s+should\b|i\s+gotta\b|don'?t\s+let\s+me\s+forget\s+(?:to\s+)?|don'?t\s+forget\s+(?:to\s+)?|remember\s+to\b|note\s+to\s+self:?|todo:|to-do:|task:|add:)\s*(?P<title>.+)",
        ),
        re(
            r"(?:add|create|new|make|put|save|schedule)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:task|todo|to-do|item|reminder|entry)?\s*(?:(?::|to|called|named|for|that\s+says)\s+)?(?P<title>.+?)(?:\s+(?:to|on|in|onto)\s+(?:my\s+|the\s+)?(?:list|tasks|to-?do\s+list|todos))?",
        ),
    ]
});

static HELP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:hi|hello|hey|help|yo|good\s+(?:morning|afternoon|evening)|what\s+can\s+you\s+do|how\s+does\s+this\s+work|\?)(?:\s+there)?",
    )
});

/// Cleans the edges of a request: polite words, trailing punctuation.
fn normalise(text: &str) -> String {
    let mut t = text
        .trim()
        .trim_end_matches(['.', '!', '?', ' '])
        .trim()
        .to_string();
    loop {
        let lower = t.to_lowercase();
        let prefix = [
            "please ",
            "pls ",
            "can you ",
            "could you ",
            "would you ",
            "hey ",
            "ok ",
            "okay ",
            "now ",
            "also ",
        ]
        .into_iter()
        .find(|p| lower.starts_with(p));
        match prefix {
            Some(p) => t = t[p.len()..].trim_start().to_string(),
            None => break,
        }
    }
    let lower = t.to_lowercase();
    if let Some(stripped) = lower.strip_suffix(" please") {
        t.truncate(stripped.len());
    }
    t.trim().trim_end_matches([',', '.']).to_string()
}

fn clean_title(title: &str) -> String {
    // A title that opens with a quote loses that quote and its last partner: "'walk dog'
    // after lunch" is "walk dog after lunch", "'mom's birthday'" keeps its apostrophe.
    let t = title.trim();
    let unquoted;
    let title = match t.chars().next() {
        Some(open @ ('"' | '\'' | '“' | '‘')) => {
            let close = match open {
                '“' => '”',
                '‘' => '’',
                q => q,
            };
            let inner = &t[open.len_utf8()..];
            match inner.rfind(close) {
                Some(at) => {
                    unquoted = format!("{}{}", &inner[..at], &inner[at + close.len_utf8()..]);
                    unquoted.as_str()
                }
                None => t,
            }
        }
        _ => t,
    };
    title
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | ':'))
        .trim()
        .to_string()
}

/// Turns "3", "#3", "the milk task", "buy milk" into a reference.
fn task_ref(raw: &str) -> Option<TaskRef> {
    let t = clean_title(raw);
    let t = t.trim_start_matches('#');
    if let Ok(id) = t.parse::<i64>() {
        return Some(TaskRef::Number(id));
    }
    let mut words: Vec<&str> = t.split_whitespace().collect();
    while words.first().is_some_and(|w| {
        ["the", "my", "a", "an", "task", "todo", "item", "one"].contains(&w.to_lowercase().as_str())
    }) {
        words.remove(0);
    }
    while words.last().is_some_and(|w| {
        ["task", "todo", "item", "one", "thing", "please"].contains(&w.to_lowercase().as_str())
    }) {
        words.pop();
    }
    let text = clean_title(&words.join(" "));
    if text.is_empty() {
        None
    } else {
        Some(TaskRef::Text(text))
    }
}

fn list_filter(lower: &str) -> TaskFilter {
    let pending = [
        "pending",
        "left",
        "remaining",
        "open",
        "incomplete",
        "unfinished",
        "not done",
        "outstanding",
        "have to do",
        "need to do",
        "still",
        "undone",
    ];
    let completed = ["completed", "done", "finished", "complete"];
    if pending.iter().any(|w| lower.contains(w)) {
        TaskFilter::Pending
    } else if completed.iter().any(|w| lower.contains(w)) {
        TaskFilter::Completed
    } else {
        TaskFilter::All
    }
}

fn capture(re: &[Regex], text: &str, name: &str) -> Option<(String, Option<String>)> {
    re.iter().find_map(|r| {
        r.captures(text).and_then(|c| {
            let main = c.name(name)?.as_str().to_string();
            // "remind me tomorrow to call the bank": the when stays with the title.
            let main = match c.name("when") {
                Some(when) if name == "title" => format!("{main} {}", when.as_str()),
                _ => main,
            };
            Some((main, c.name("title").map(|m| m.as_str().to_string())))
        })
    })
}

/// Whether a message asks to undo (the chat route asks this before any engine runs).
pub fn is_undo(message: &str) -> bool {
    UNDO.is_match(&normalise(message))
}

/// Parses one message.
pub fn parse(message: &str) -> Intent {
    let text = normalise(message);
    if text.is_empty() || HELP.is_match(&text) {
        return Intent::Help;
    }
    let lower = text.to_lowercase();
    if THANKS.is_match(&text) {
        return Intent::Thanks;
    }
    if CLEAR_COMPLETED.is_match(&text) {
        return Intent::ClearCompleted;
    }
    if UNDO.is_match(&text) {
        return Intent::Undo;
    }
    if let Some(c) = DELETE_ALL.captures(&text) {
        return Intent::DeleteAll {
            confirmed: c.name("yes").is_some(),
        };
    }
    if COMPLETE_ALL.is_match(&text) {
        return Intent::CompleteAll;
    }
    if let Some(c) = DUE.captures(&text) {
        let when = c
            .name("when")
            .or_else(|| c.name("overdue"))
            .map(|m| m.as_str().trim().to_string());
        if let Some(when) = when {
            return Intent::Due(when);
        }
    }
    if let Some((target, Some(title))) = capture(&RENAME, &text, "target")
        && let Some(r) = task_ref(&target)
    {
        let title = clean_title(&title);
        if !title.is_empty() {
            return Intent::Rename(r, title);
        }
    }
    if LIST_EXACT.is_match(&text) || LIST.is_match(&text) {
        // "what do I need to do" is a question about the list, never an addition.
        return Intent::List(list_filter(&lower));
    }
    if let Some((target, _)) = capture(&COMPLETE, &text, "target")
        && let Some(r) = task_ref(&target)
    {
        return Intent::Complete(r);
    }
    if let Some(c) = DONE_IN_PAST.captures(&text)
        && !NOT_DONE.contains(&c["verb"].to_lowercase().as_str())
        && let Some(r) = task_ref(&c["target"])
    {
        return Intent::Complete(r);
    }
    if let Some((target, _)) = capture(&DELETE, &text, "target")
        && let Some(r) = task_ref(&target)
    {
        return Intent::Delete(r);
    }
    if let Some((title, _)) = capture(&ADD, &text, "title") {
        if let Some(titles) = quoted_titles(&title) {
            return Intent::AddMany(titles);
        }
        let title = clean_title(&title);
        if !title.is_empty() {
            return Intent::Add(title);
        }
    }
    if message.trim_end().ends_with('?') {
        return Intent::Unknown;
    }
    bare_task(&text).map_or(Intent::Unknown, Intent::AddGuessed)
}

#[cfg(test)]
mod tests {
    use super::Intent::*;
    use super::TaskRef::{Number, Text};
    use super::*;

    fn t(s: &str) -> TaskRef {
        Text(s.to_string())
    }

    #[test]
    fn phrasings() {
        let table: Vec<(&str, Intent)> = vec![
            // add
            ("add buy milk", Add("buy milk".into())),
            ("add: water plants", Add("water plants".into())),
            ("clear all completed tasks", ClearCompleted),
            ("delete the finished ones", ClearCompleted),
            ("remove done items from my list", ClearCompleted),
            ("clear completed", ClearCompleted),
            ("thanks!", Thanks),
            ("Thank you so much", Thanks),
            ("ok", Thanks),
            ("I already bought the milk", Complete(t("milk"))),
            ("I just called mom", Complete(t("mom"))),
            ("I already did the laundry", Complete(t("laundry"))),
            ("i've paid the rent", Complete(t("rent"))),
            ("I watered the plants", Complete(t("plants"))),
            ("I wanted to buy milk", Unknown),
            ("I forgot the milk", Unknown),
            ("Add a task to buy milk", Add("buy milk".into())),
            ("remind me to call mom", Add("call mom".into())),
            (
                "remind me tomorrow to call the bank",
                Add("call the bank tomorrow".into()),
            ),
            ("I need toothpaste", Unknown),
            ("create a task: pay bills", Add("pay bills".into())),
            ("new task walk the dog", Add("walk the dog".into())),
            ("I need to buy eggs", Add("buy eggs".into())),
            (
                "please add 'water the plants'",
                Add("water the plants".into()),
            ),
            ("todo: clean my room", Add("clean my room".into())),
            ("don't let me forget to email Bob", Add("email Bob".into())),
            ("put call the bank on my list", Add("call the bank".into())),
            (
                "add book dentist appointment to my list",
                Add("book dentist appointment".into()),
            ),
            ("Can you add renew passport?", Add("renew passport".into())),
            ("remember to water plants", Add("water plants".into())),
            // list
            ("what's on my list", List(TaskFilter::All)),
            ("show my tasks", List(TaskFilter::All)),
            ("list tasks", List(TaskFilter::All)),
            ("my tasks", List(TaskFilter::All)),
            ("what do I have to do?", List(TaskFilter::Pending)),
            ("show pending tasks", List(TaskFilter::Pending)),
            ("what's left", List(TaskFilter::Pending)),
            ("show completed tasks", List(TaskFilter::Completed)),
            ("which tasks are done", List(TaskFilter::Completed)),
            ("list", List(TaskFilter::All)),
            ("how many tasks do I have", List(TaskFilter::All)),
            // complete
            ("mark 2 as done", Complete(Number(2))),
            ("complete 3", Complete(Number(3))),
            ("complete task 3", Complete(Number(3))),
            ("I finished the milk task", Complete(t("milk"))),
            ("done with task 4", Complete(Number(4))),
            ("check off buy milk", Complete(t("buy milk"))),
            ("mark the milk task complete", Complete(t("milk"))),
            ("finish #5", Complete(Number(5))),
            ("task 6 is done", Complete(Number(6))),
            // rename
            (
                "rename task 3 to pay rent",
                Rename(Number(3), "pay rent".into()),
            ),
            (
                "change task 2 to buy oat milk",
                Rename(Number(2), "buy oat milk".into()),
            ),
            (
                "update 4: call grandma",
                Rename(Number(4), "call grandma".into()),
            ),
            (
                "rename the milk task to buy oat milk",
                Rename(t("milk"), "buy oat milk".into()),
            ),
            (
                "edit task 1 to walk the dog twice",
                Rename(Number(1), "walk the dog twice".into()),
            ),
            // delete
            ("delete the milk task", Delete(t("milk"))),
            ("delete task 2", Delete(Number(2))),
            ("remove 3", Delete(Number(3))),
            ("remove buy milk from my list", Delete(t("buy milk"))),
            ("cancel the dentist task", Delete(t("dentist"))),
            ("get rid of task 5", Delete(Number(5))),
            ("forget about the milk task", Delete(t("milk"))),
            ("drop #7", Delete(Number(7))),
            // help and unknown
            ("hello", Help),
            ("help", Help),
            ("what can you do?", Help),
            ("", Help),
            ("the weather is nice", Unknown),
            ("42", Unknown),
            // many at once
            ("mark all as done", CompleteAll),
            ("mark all my tasks as complete", CompleteAll),
            ("complete everything", CompleteAll),
            ("check off all tasks", CompleteAll),
            ("delete all", DeleteAll { confirmed: false }),
            ("delete all my tasks", DeleteAll { confirmed: false }),
            ("clear my list", DeleteAll { confirmed: false }),
            ("yes, delete all my tasks", DeleteAll { confirmed: true }),
            ("delete all completed", ClearCompleted),
            (
                "add 'walk dog' and 'feed cat'",
                AddMany(vec!["walk dog".into(), "feed cat".into()]),
            ),
            (
                "add \"milk\", \"eggs\" and \"bread\"",
                AddMany(vec!["milk".into(), "eggs".into(), "bread".into()]),
            ),
            (
                "add 'walk dog' after lunch",
                Add("walk dog after lunch".into()),
            ),
            ("add 'mom's birthday'", Add("mom's birthday".into())),
            // undo
            ("undo", Undo),
            ("undo that", Undo),
            ("oops, undo the last change", Undo),
            ("take that back", Undo),
            ("cancel that", Undo),
            ("that was a mistake", Undo),
            // bare titles
            ("buy groceries", AddGuessed("buy groceries".into())),
            ("Call the plumber", AddGuessed("Call the plumber".into())),
            (
                "pick up dry cleaning tomorrow",
                AddGuessed("pick up dry cleaning tomorrow".into()),
            ),
            ("is it raining", Unknown),
            ("why not", Unknown),
            ("sing me a song", Unknown),
            ("hello world", Unknown),
            ("groceries", Unknown),
            ("buy groceries?", Unknown),
            // due days
            ("what's due tomorrow?", Due("tomorrow".into())),
            ("what is due this week", Due("this week".into())),
            ("anything due today?", Due("today".into())),
            ("show tasks due friday", Due("friday".into())),
            ("what's overdue", Due("overdue".into())),
            ("which tasks are overdue?", Due("overdue".into())),
            ("due tomorrow", Due("tomorrow".into())),
        ];
        assert!(table.len() >= 40);
        let failures: Vec<String> = table
            .iter()
            .filter_map(|(input, want)| {
                let got = parse(input);
                (&got != want).then(|| format!("{input:?}: want {want:?}, got {got:?}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
