//! Plain aligned columns for people; `--json` is for scripts.
//!
//! A table is written, not built: a first pass over the caller's compact
//! rows sizes the columns, a second formats and writes one row at a time.
//! Nothing but one row's cells is held beside the rows themselves (100,000
//! users as a table cost what they cost as `--json`).

use std::borrow::Cow;
use std::io::{self, Write};

use atlas_client::sanitize;

/// A cell longer than this is cut with an ellipsis: a table is for reading,
/// and `--json` carries every value whole.
pub const CELL_MAX: usize = 200;

/// Every cell is server text: escaped and cut before it is measured.
fn clean(cell: &str) -> Cow<'_, str> {
    sanitize::line_cow(cell, CELL_MAX)
}

/// An optional number or word as a cell: empty when absent.
pub fn opt<T: std::fmt::Display>(v: Option<T>) -> Cow<'static, str> {
    v.map(|v| Cow::Owned(v.to_string())).unwrap_or_default()
}

/// Writes `headers` and one line per row, the cells of a row given by
/// `cells` (called twice per row: once to measure, once to write).
pub fn write<T>(
    out: &mut dyn Write,
    headers: &[&str],
    rows: &[T],
    cells: impl for<'a> Fn(&'a T) -> Vec<Cow<'a, str>>,
) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(cells(row)) {
            *w = (*w).max(clean(&cell).chars().count());
        }
    }
    let mut line = String::new();
    let headers: Vec<Cow<str>> = headers.iter().map(|h| Cow::Borrowed(*h)).collect();
    write_line(out, &mut line, &headers, &widths)?;
    for row in rows {
        let raw = cells(row);
        let cleaned: Vec<Cow<str>> = raw.iter().map(|c| clean(c)).collect();
        write_line(out, &mut line, &cleaned, &widths)?;
    }
    Ok(())
}

fn write_line(
    out: &mut dyn Write,
    line: &mut String,
    cells: &[Cow<str>],
    widths: &[usize],
) -> io::Result<()> {
    line.clear();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        line.push_str(cell);
        if i + 1 < cells.len() {
            // Padding by hand: `format!` widths are capped at u16::MAX.
            let pad = w.saturating_sub(cell.chars().count()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    let kept = line.trim_end().len();
    line.truncate(kept);
    line.push('\n');
    out.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
        let mut out = Vec::new();
        super::write(&mut out, headers, rows, |r| {
            r.iter().map(|c| Cow::Borrowed(c.as_str())).collect()
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn aligns() {
        let t = render(
            &["A", "BB"],
            &[
                vec!["long".into(), "x".into()],
                vec!["s".into(), "yy".into()],
            ],
        );
        assert_eq!(t, "A     BB\nlong  x\ns     yy\n");
        let t = render(&["A", "B"], &[vec!["x".into(), String::new()]]);
        assert_eq!(t, "A  B\nx\n", "no trailing spaces");
    }

    #[test]
    fn huge_and_hostile_cells_are_cut_and_escaped() {
        let huge = "x".repeat(70_000);
        let t = render(&["A", "B"], &[vec![huge, "\u{1b}]52;c;AAAA\u{7}".into()]]);
        assert!(t.lines().all(|l| l.chars().count() < 400), "{}", t.len());
        assert!(t.contains('…'));
        assert!(
            !t.contains('\u{1b}') && t.contains("\\e]52;c;AAAA\\x07"),
            "{t}"
        );
        let t = render(&["A"], &[vec!["Authorization: Bearer abc.def".into()]]);
        assert!(!t.contains("abc.def"), "{t}");
    }
}
