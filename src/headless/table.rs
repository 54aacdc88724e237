//! Plain aligned columns for people; `--json` is for scripts.

use crate::sanitize;

/// A cell longer than this is cut with an ellipsis: a table is for reading,
/// and `--json` carries every value whole.
pub const CELL_MAX: usize = 200;

/// Every cell is server text: escaped and cut before it is measured.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize::line(c, CELL_MAX)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                // Padding by hand: `format!` widths are capped at u16::MAX.
                s.push_str(cell);
                let pad = w.saturating_sub(cell.chars().count()) + 2;
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(headers.to_vec());
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns() {
        let t = super::render(
            &["A", "BB"],
            &[
                vec!["long".into(), "x".into()],
                vec!["s".into(), "yy".into()],
            ],
        );
        assert_eq!(t, "A     BB\nlong  x\ns     yy\n");
    }

    #[test]
    fn huge_and_hostile_cells_are_cut_and_escaped() {
        let huge = "x".repeat(70_000);
        let t = super::render(&["A", "B"], &[vec![huge, "\u{1b}]52;c;AAAA\u{7}".into()]]);
        assert!(t.lines().all(|l| l.chars().count() < 400), "{}", t.len());
        assert!(t.contains('…'));
        assert!(
            !t.contains('\u{1b}') && t.contains("\\e]52;c;AAAA\\x07"),
            "{t}"
        );
    }
}
