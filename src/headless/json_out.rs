//! `--json` written straight from typed rows to stdout: no intermediate
//! `serde_json::Value` tree and no whole-document string. Strings are
//! escaped for a terminal on the way (DEL, C1 and bidi controls as `\uXXXX`,
//! which JSON reads as the same characters).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use atlas_client::sanitize::is_unsafe;

/// serde_json's pretty printer, but string fragments never carry a raw
/// control a terminal would act on (serde_json already escapes C0).
pub struct TerminalSafe(PrettyFormatter<'static>);

impl TerminalSafe {
    pub fn new() -> Self {
        Self(PrettyFormatter::new())
    }
}

impl Default for TerminalSafe {
    fn default() -> Self {
        Self::new()
    }
}

impl Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Nearly all text is ASCII, where only DEL needs escaping.
        if fragment.bytes().all(|b| b < 0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|(_, c)| is_unsafe(*c)) {
            writer.write_all(&rest.as_bytes()[..i])?;
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Pretty JSON of `value` and a newline, into `w`.
pub fn write<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(64 * 1024, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut w, TerminalSafe::new());
    value.serialize(&mut ser).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// A timestamp as `2026-11-23T10:00:00Z`, written without a `String`.
pub struct Ts(pub Option<jiff::Timestamp>);

impl Serialize for Ts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => s.collect_str(&crate::format::IsoUtc(t)),
            None => s.serialize_str(""),
        }
    }
}

/// A serial in JSON: a decimal string. A 64-bit number is rounded by
/// readers whose numbers are doubles (jq 1.6, JavaScript), so `serial` is
/// always text; Atlas's own `_id` stays a number beside it.
pub fn serial<S: serde::Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(n)
}

/// [`serial`] for a serial that may be absent (absent fields are skipped).
pub fn serial_opt<S: serde::Serializer>(n: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match n {
        Some(n) => s.collect_str(n),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        write(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_json_as_serde_json_pretty_for_plain_text() {
        let v = serde_json::json!({"a": [1, 2, {"b": "c"}], "d": null, "e": []});
        assert_eq!(
            text(&v),
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
        );
    }

    #[test]
    fn terminal_controls_are_escaped_and_the_value_is_unchanged() {
        let hostile = "a\u{1b}]0;x\u{7}b\u{9b}2J\u{7f}\u{202e}z é";
        let out = text(&serde_json::json!({ "name": hostile }));
        assert!(!out.chars().any(|c| c != '\n' && is_unsafe(c)), "{out:?}");
        assert!(out.contains("\\u009b") && out.contains("\\u202e") && out.contains('é'));
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["name"], hostile);
    }

    #[test]
    fn timestamps() {
        let t: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&Ts(Some(t))).unwrap(),
            "\"2026-11-23T10:00:00Z\""
        );
        assert_eq!(serde_json::to_string(&Ts(None)).unwrap(), "\"\"");
    }
}
