//! Free text people type (names, notes, justifications, comments, reasons): one rule for what it
//! may hold, so every field refuses the same things with the same message.
//!
//! Refused: control characters (except line breaks where a field may have several lines), and the
//! Unicode bidirectional controls that reorder what is shown (U+202A-U+202E, U+2066-U+2069: the
//! "Trojan Source" characters, CVE-2021-42574), so an approver reads what the requester wrote.

use crate::error::{Error, Result};

/// Why `c` may not be in a text field, if it may not.
fn refused(c: char, lines: bool) -> Option<&'static str> {
    match c {
        '\n' if lines => None,
        '\n' | '\u{2028}' | '\u{2029}' => Some("line break"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some("text-direction control"),
        c if c.is_control() => Some("control character"),
        _ => None,
    }
}

fn check(field: &str, value: &str, min: usize, max: usize, lines: bool) -> Result<()> {
    if let Some((at, c, what)) = value
        .chars()
        .enumerate()
        .find_map(|(i, c)| refused(c, lines).map(|w| (i + 1, c, w)))
    {
        let hint = if what == "line break" {
            "; it must be one line"
        } else {
            ""
        };
        return Err(Error::validation(
            field,
            format!(
                "{field} must not contain a {what} (U+{:04X} at character {at}){hint}",
                c as u32
            ),
        ));
    }
    let len = value.chars().count();
    if len < min || len > max {
        let what = if min > 0 {
            format!("{min}-{max}")
        } else {
            format!("at most {max}")
        };
        return Err(Error::validation(field, format!("{field} must be {what} characters")));
    }
    if min > 0 && value.trim().is_empty() {
        return Err(Error::validation(field, format!("{field} must not be blank")));
    }
    Ok(())
}

/// Text of `min..=max` characters that may span lines (notes, justifications, comments).
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    check(field, value, min, max, true)
}

/// Like [`text`], on one line: names end up in titles, lists, file names and config lines.
pub fn line(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    check(field, value, min, max, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<()>) -> String {
        match r {
            Err(Error::Validation { message, .. }) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_is_refused_is_named_not_blamed_on_the_length() {
        assert_eq!(
            message(text("notes", "a\u{0}b", 0, 4000)),
            "notes must not contain a control character (U+0000 at character 2)"
        );
        assert_eq!(
            message(line("name", "T\u{202E}evil", 1, 120)),
            "name must not contain a text-direction control (U+202E at character 2)"
        );
        assert_eq!(
            message(line("name", "Prod\tacct", 1, 120)),
            "name must not contain a control character (U+0009 at character 5)"
        );
        assert!(message(line("name", "a\nb", 1, 120)).ends_with("it must be one line"));
        assert!(message(text("notes", "a\u{2066}b", 0, 10)).contains("text-direction"));
        assert_eq!(message(line("name", "", 1, 120)), "name must be 1-120 characters");
        assert_eq!(message(line("name", "   ", 1, 120)), "name must not be blank");
        assert_eq!(
            message(text("notes", &"x".repeat(11), 0, 10)),
            "notes must be at most 10 characters"
        );
    }

    #[test]
    fn ordinary_text_passes() {
        assert!(text("notes", "Zoë's notes:\nline two — “quoted”, 日本語, emoji 🚀", 0, 4000).is_ok());
        assert!(line("name", "Acme Retail (EU) — Prod", 1, 120).is_ok());
    }
}
