//! Small text helpers shared by the screen and the commands: time left,
//! dates, counts, and server text as it may be shown.

use jiff::Timestamp;

pub use atlas_client::time_format::{HUMAN_UTC, ISO_UTC, IsoUtc, utc_seconds};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Fine,
    Soon,
    Imminent,
    Expired,
}

/// "23d", "5h", "expired"; amber under 30 days, red under 7.
pub fn time_left(now: Timestamp, end: Timestamp) -> (String, Urgency) {
    let secs = end.as_second() - now.as_second();
    if secs <= 0 {
        return ("expired".into(), Urgency::Expired);
    }
    let days = secs / 86_400;
    let text = if days >= 1 {
        format!("{days}d")
    } else if secs >= 3_600 {
        format!("{}h", secs / 3_600)
    } else {
        format!("{}m", (secs / 60).max(1))
    };
    let urgency = match days {
        0..7 => Urgency::Imminent,
        7..30 => Urgency::Soon,
        _ => Urgency::Fine,
    };
    (text, urgency)
}

/// [`shown`] without the cap, line breaks kept: an error drawn whole
/// (wrapped by its widget), its control characters still visible escapes.
pub fn shown_whole(s: &str) -> String {
    if s.chars().any(atlas_client::sanitize::is_unsafe) {
        atlas_client::sanitize::lines(s, usize::MAX)
    } else {
        s.to_string()
    }
}

/// Server text as the screen shows it: control characters as visible
/// escapes (`\e]0;…`), at most 300 characters. Plain text is not copied
/// through the sanitiser.
pub fn shown(s: &str) -> String {
    if s.len() <= 300 && !s.chars().any(atlas_client::sanitize::is_unsafe) {
        s.to_string()
    } else {
        atlas_client::sanitize::line(s, 300)
    }
}

/// At most `width` characters: cut with an ellipsis, never silently.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

/// Greedy word wrap by characters; a word longer than a line is broken.
/// Line breaks in the text are kept.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split_whitespace() {
            let len = word.chars().count();
            if used > 0 && used + 1 + len <= width {
                line.push(' ');
                line.push_str(word);
                used += 1 + len;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            let mut chars = word.chars().peekable();
            while chars.peek().is_some() {
                let piece: String = chars.by_ref().take(width).collect();
                used = piece.chars().count();
                if used == width && chars.peek().is_some() {
                    lines.push(piece);
                    used = 0;
                } else {
                    line = piece;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// `s` word-wrapped into at most `rows` lines of `width` characters;
/// text that does not fit ends the last line with `…`, never cut in
/// silence.
pub fn wrap_fit(s: &str, width: usize, rows: usize) -> Vec<String> {
    if width == 0 || rows == 0 {
        return Vec::new();
    }
    let mut lines = wrap(s, width);
    if lines.len() > rows {
        lines.truncate(rows);
        let last = lines.pop().unwrap_or_default();
        // The last line shown ends in `…`, whether or not it was full.
        let mut cut: String = last.chars().take(width - 1).collect();
        cut.push('…');
        lines.push(cut);
    }
    lines
}

/// "1 line", "2 lines".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A window in words: "30 days", "12 hours", "90 minutes".
pub fn duration_words(d: jiff::SignedDuration) -> String {
    let s = d.as_secs();
    if s != 0 && s % 86_400 == 0 {
        plural((s / 86_400) as usize, "day", "days")
    } else if s != 0 && s % 3_600 == 0 {
        plural((s / 3_600) as usize, "hour", "hours")
    } else if s % 60 == 0 {
        plural((s / 60) as usize, "minute", "minutes")
    } else {
        plural(s as usize, "second", "seconds")
    }
}

pub fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// 1201 → "1,201".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn spinner(mono_ms: u64) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[((mono_ms / 100) % 10) as usize]
}

/// Months from now, as Atlas computes the expiry.
pub fn expiry_after(now: Timestamp, months: u8) -> Option<Timestamp> {
    now.to_zoned(jiff::tz::TimeZone::UTC)
        .checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_buckets() {
        let now: Timestamp = "2026-11-22T00:00:00Z".parse().unwrap();
        let at = |s: &str| time_left(now, s.parse().unwrap());
        assert_eq!(at("2026-12-15T00:00:00Z"), ("23d".into(), Urgency::Soon));
        assert_eq!(at("2026-11-25T00:00:00Z"), ("3d".into(), Urgency::Imminent));
        assert_eq!(at("2026-11-22T05:00:00Z"), ("5h".into(), Urgency::Imminent));
        assert_eq!(at("2027-11-22T00:00:00Z"), ("365d".into(), Urgency::Fine));
        assert_eq!(
            at("2026-11-21T00:00:00Z"),
            ("expired".into(), Urgency::Expired)
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1201), "1,201");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn wrap_fit_breaks_at_words_and_marks_a_cut() {
        assert_eq!(wrap_fit("ab cd ef", 5, 3), ["ab cd", "ef"]);
        assert_eq!(wrap_fit("abcdefgh", 3, 5), ["abc", "def", "gh"]);
        assert_eq!(wrap_fit("ab cd ef gh", 5, 1), ["ab c…"]);
        assert_eq!(wrap_fit("ab\ncd", 9, 1), ["ab…"]);
        assert_eq!(wrap_fit("x", 0, 3), Vec::<String>::new());
        // Everything that fits is kept, and nothing is cut in silence.
        let text = "evil\\e]0;t\\x07 and more words than fit in the room given";
        let rows = wrap_fit(text, 10, 3);
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.chars().count() <= 10), "{rows:?}");
        assert!(rows[2].ends_with('…'), "{rows:?}");
    }
}
