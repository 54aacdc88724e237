//! Every status message, kept whole: the status line is one row and cuts a
//! long one (an expired token's renewal advice, an Atlas `detail`), so the
//! last messages stay here to be read in full, newest first.

use std::collections::VecDeque;

use jiff::Timestamp;

use super::Level;
use crate::format::wrap;

/// Enough for a long session's worth of errors; older ones fall off.
pub const KEPT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub at: Timestamp,
    pub level: Level,
    pub text: String,
    /// The same text said again in a row counts here, not as a new row.
    pub repeats: u32,
}

#[derive(Debug, Default)]
pub struct MessageLog {
    /// Oldest first.
    entries: VecDeque<Message>,
}

impl MessageLog {
    /// Kept as it will be shown: escaped, redacted, capped (a status may
    /// quote a server).
    pub fn push(&mut self, at: Timestamp, level: Level, text: &str) {
        let text = atlas_client::sanitize::lines(text, 4 * atlas_client::sanitize::DETAIL_MAX);
        let text = text.as_str();
        if let Some(last) = self.entries.back_mut()
            && last.text == text
            && last.level == level
        {
            last.repeats = last.repeats.saturating_add(1);
            last.at = at;
            return;
        }
        if self.entries.len() == KEPT {
            self.entries.pop_front();
        }
        self.entries.push_back(Message {
            at,
            level,
            text: text.to_string(),
            repeats: 1,
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn newest_first(&self) -> impl Iterator<Item = &Message> {
        self.entries.iter().rev()
    }
}

/// The open message list, scrolled.
#[derive(Debug, Default)]
pub struct MessagesView {
    pub scroll: u16,
}

/// One row of the list as drawn: the first row of a message carries its
/// time and level, the rest continue its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub head: Option<(String, Level)>,
    pub text: String,
}

/// Time and level take this many columns before the text.
pub const HEAD_WIDTH: usize = 16;

/// Every message, newest first, wrapped at word boundaries to `width`
/// columns (time and level included), a blank row between messages.
pub fn rows(log: &MessageLog, width: usize) -> Vec<Row> {
    let text_width = width.saturating_sub(HEAD_WIDTH).max(8);
    let mut out = Vec::new();
    for (i, m) in log.newest_first().enumerate() {
        if i > 0 {
            out.push(Row {
                head: None,
                text: String::new(),
            });
        }
        let mut text = m.text.clone();
        if m.repeats > 1 {
            text.push_str(&format!(" (×{})", m.repeats));
        }
        let head = format!(
            "{} {:<6}",
            m.at.strftime("%H:%M:%S"),
            match m.level {
                Level::Info => "info",
                Level::Warn => "warn",
                Level::Error => "error",
            }
        );
        for (j, line) in wrap(&text, text_width).into_iter().enumerate() {
            out.push(Row {
                head: (j == 0).then(|| (head.clone(), m.level)),
                text: line,
            });
        }
    }
    out
}

/// Rows the list box shows at once, and the furthest scroll.
pub fn max_scroll(log: &MessageLog, size: (u16, u16)) -> u16 {
    let (inner_w, rows_shown) = crate::layout::messages_inner(size);
    let total = rows(log, usize::from(inner_w)).len();
    crate::layout::max_scroll(total, rows_shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    #[test]
    fn words_are_never_cut_unless_longer_than_a_line() {
        assert_eq!(
            wrap("renew it with atlas auth login --profile work", 14),
            ["renew it with", "atlas auth", "login", "--profile work"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefgh", 4), ["abcd", "efgh"]);
        assert_eq!(wrap("a\nb c", 10), ["a", "b c"]);
        assert_eq!(wrap("", 10), [""]);
        let long = "word ".repeat(100);
        for line in wrap(&long, 23) {
            assert!(line.chars().count() <= 23);
        }
        assert_eq!(wrap(&long, 23).join(" "), long.trim_end());
    }

    #[test]
    fn newest_first_repeats_counted_oldest_dropped() {
        let mut log = MessageLog::default();
        log.push(at(0), Level::Info, "one");
        log.push(at(1), Level::Error, "two");
        log.push(at(2), Level::Error, "two");
        assert_eq!(log.len(), 2);
        let texts: Vec<_> = log.newest_first().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["two", "one"]);
        assert_eq!(log.newest_first().next().unwrap().repeats, 2);
        for i in 0..(KEPT + 5) {
            log.push(at(3), Level::Info, &format!("m{i}"));
        }
        assert_eq!(log.len(), KEPT);
        assert_eq!(
            log.newest_first().last().unwrap().text,
            format!("m{}", 5),
            "the oldest fell off"
        );
    }

    #[test]
    fn rows_carry_time_and_level_once_per_message() {
        let mut log = MessageLog::default();
        log.push(at(0), Level::Warn, "short");
        log.push(at(60), Level::Error, &"long words here ".repeat(8));
        let rows = rows(&log, 40);
        assert!(
            rows[0]
                .head
                .as_ref()
                .unwrap()
                .0
                .starts_with("08:01:00 error")
        );
        assert!(
            rows.iter()
                .all(|r| r.text.chars().count() <= 40 - HEAD_WIDTH)
        );
        let heads = rows.iter().filter(|r| r.head.is_some()).count();
        assert_eq!(heads, 2);
        assert_eq!(rows.last().unwrap().text, "short");
    }
}
