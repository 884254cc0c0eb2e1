//! An AWS config file read the way botocore (and so the AWS CLI v1 and v2) reads it, to find the
//! names a person already uses and the faults that make the AWS CLI refuse the whole file.
//!
//! botocore parses `~/.aws/config` with Python's `configparser.RawConfigParser` (strict, comment
//! lines start with `#` or `;`, no inline comments, indented lines continue the previous value,
//! blank lines inside a value belong to it) and then names sections in
//! `botocore.configloader.build_profile_map`: a section whose header starts with `profile`
//! (or `sso-session`) names the profile (session) `shlex.split(header)[1]` when the split gives
//! exactly two words, so `[profile "x"]`, `[profile 'x']` and `[profile  x ]` all name `x`;
//! `[default]` is the profile `default`; a later section of the same name wins.
//!
//! No Rust INI crate reproduces those rules (continuations by indentation, the greedy `[...]`
//! header, shlex naming), and a clash missed here means a config where the AWS CLI silently uses
//! the other profile, so this module mirrors them; `tests/ini_botocore.rs`-style differential
//! tests compare it with botocore itself.

/// What botocore makes of a section header.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Profile(String),
    SsoSession(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Profile(n) => write!(f, "profile {n}"),
            Target::SsoSession(n) => write!(f, "sso-session {n}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// 1-based line of the header.
    pub line: usize,
    /// The text between the brackets, as configparser keeps it.
    pub header: String,
    /// The profile or SSO session botocore files this section under, if any.
    pub target: Option<Target>,
    /// Options in file order: lower-cased key, value (continuation lines joined with `\n`).
    pub options: Vec<(String, String)>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// A fault that makes botocore refuse the file ("Unable to parse config file").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub line: usize,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub sections: Vec<Section>,
    /// Empty when botocore reads the file.
    pub faults: Vec<Fault>,
}

impl ConfigFile {
    /// Every profile and SSO session botocore sees, with the section that defines it (the last one
    /// when several do).
    pub fn targets(&self) -> std::collections::BTreeMap<&Target, &Section> {
        self.sections
            .iter()
            .filter_map(|s| s.target.as_ref().map(|t| (t, s)))
            .collect()
    }
}

/// Python's `str.isspace()`: Unicode white space plus the information separators U+001C-U+001F.
pub fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Lines as Python's universal-newline reading splits them (`\n`, `\r\n` and a lone `\r`).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .bytes()
            .position(|b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            usize::from(end < rest.len())
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

/// Parses `text` as botocore would (see the module comment). Never fails: faults are listed.
pub fn parse(text: &str) -> ConfigFile {
    scan(text, true)
}

/// [`parse`] without keeping headers and settings (several times faster on a large config):
/// sections carry only their line and target; the faults are all there.
pub fn scan_names(text: &str) -> ConfigFile {
    scan(text, false)
}

fn scan(text: &str, keep_options: bool) -> ConfigFile {
    let mut file = ConfigFile::default();
    let mut seen_headers: foldhash::HashSet<&str> = foldhash::HashSetExt::with_capacity(text.len() / 128);
    // The section being read and the keys set in it so far.
    let mut header_now = "";
    let mut keys_now: Vec<&str> = Vec::new();
    // The option whose value continuation lines extend, and the indentation of its line.
    let mut option: Option<usize> = None;
    let mut indent_level = usize::MAX;
    let mut in_default = false;
    let mut in_section = false;
    for (n, line) in lines(text).enumerate() {
        let n = n + 1;
        let value = line.trim_matches(is_python_space);
        // Comment lines are skipped without ending a value; blank lines belong to it (configparser's
        // `empty_lines_in_values`), so an indented line after either still continues the value.
        if value.starts_with('#') || value.starts_with(';') {
            continue;
        }
        if value.is_empty() {
            if let (Some(i), false, true, Some(s)) = (option, in_default, keep_options, file.sections.last_mut()) {
                s.options[i].1.push('\n');
            }
            continue;
        }
        let indent = line.chars().take_while(|c| is_python_space(*c)).count();
        if let Some(i) = option
            && indent > indent_level
        {
            if keep_options
                && !in_default
                && let Some(s) = file.sections.last_mut()
            {
                s.options[i].1.push('\n');
                s.options[i].1.push_str(value);
            }
            continue;
        }
        indent_level = indent;
        if let Some(header) = value
            .strip_prefix('[')
            .and_then(|v| v.rfind(']').map(|end| &v[..end]))
            .filter(|h| !h.is_empty())
        {
            option = None;
            in_section = true;
            in_default = header == "DEFAULT";
            if in_default {
                continue;
            }
            header_now = header;
            keys_now.clear();
            if !seen_headers.insert(header) {
                file.faults.push(Fault {
                    line: n,
                    message: format!("section [{header}] appears twice"),
                });
            }
            file.sections.push(Section {
                line: n,
                header: if keep_options {
                    header.to_string()
                } else {
                    String::new()
                },
                target: target(header),
                options: Vec::new(),
            });
            continue;
        }
        if !in_section {
            file.faults.push(Fault {
                line: n,
                message: "a setting before any [section] header".into(),
            });
            continue;
        }
        let Some(at) = value.find(['=', ':']) else {
            file.faults.push(Fault {
                line: n,
                message: format!("'{value}' is neither a [section] nor a key = value line"),
            });
            continue;
        };
        let key = value[..at].trim_matches(is_python_space);
        if key.is_empty() {
            file.faults.push(Fault {
                line: n,
                message: format!("'{value}' has no key before the '{}'", &value[at..=at]),
            });
        }
        if in_default {
            option = None;
            continue;
        }
        let same = |k: &str| k.eq_ignore_ascii_case(key) || (!k.is_ascii() && k.to_lowercase() == key.to_lowercase());
        if keys_now.iter().any(|k| same(k)) {
            file.faults.push(Fault {
                line: n,
                message: format!("'{}' is set twice in [{header_now}]", key.to_lowercase()),
            });
        }
        keys_now.push(key);
        if !keep_options {
            // Only whether a value is open matters (for continuation lines).
            option = Some(usize::MAX);
            continue;
        }
        let Some(section) = file.sections.last_mut() else {
            continue;
        };
        let key = key.to_lowercase();
        let val = value[at + 1..].trim_matches(is_python_space).to_string();
        section.options.push((key, val));
        option = Some(section.options.len() - 1);
    }
    for s in &mut file.sections {
        for (_, v) in &mut s.options {
            v.truncate(v.trim_end_matches(is_python_space).len());
        }
    }
    file
}

/// The profile or SSO session a header names for botocore (`build_profile_map`).
pub fn target(header: &str) -> Option<Target> {
    if header == "default" {
        return Some(Target::Profile("default".into()));
    }
    let second = |h: &str| match shlex_split(h) {
        Some(words) if words.len() == 2 => words.into_iter().nth(1),
        _ => None,
    };
    // The usual `profile NAME` needs no shell splitting.
    let plain = |name: &str| !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || "'\"\\".contains(c));
    if let Some(name) = header.strip_prefix("profile ").filter(|n| plain(n)) {
        return Some(Target::Profile(name.to_string()));
    }
    if let Some(name) = header.strip_prefix("sso-session ").filter(|n| plain(n)) {
        return Some(Target::SsoSession(name.to_string()));
    }
    if header.starts_with("profile") {
        second(header).map(Target::Profile)
    } else if header.starts_with("sso-session") {
        second(header).map(Target::SsoSession)
    } else {
        None
    }
}

/// Python's `shlex.split(s)` (POSIX mode, no comments): words split on space, tab, CR and LF;
/// single quotes keep everything; double quotes let `\` escape only `"` and `\`; outside quotes
/// `\` escapes any character. `None` where Python raises (an unclosed quote, a trailing `\`).
pub fn shlex_split(s: &str) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Between,
        Word,
        Quote(char),
        Escape(Option<char>),
    }
    let space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut state = State::Between;
    for c in s.chars() {
        state = match state {
            State::Between | State::Word if space(c) => {
                if state == State::Word || quoted {
                    words.push(std::mem::take(&mut word));
                    quoted = false;
                }
                State::Between
            }
            State::Between | State::Word if c == '\\' => State::Escape(None),
            State::Between | State::Word if c == '\'' || c == '"' => {
                quoted = true;
                State::Quote(c)
            }
            State::Between | State::Word => {
                word.push(c);
                State::Word
            }
            State::Quote(q) if c == q => State::Word,
            State::Quote('"') if c == '\\' => State::Escape(Some('"')),
            State::Quote(q) => {
                word.push(c);
                State::Quote(q)
            }
            State::Escape(inside) => {
                if let Some(q) = inside {
                    if c != '\\' && c != q {
                        word.push('\\');
                    }
                    word.push(c);
                    State::Quote(q)
                } else {
                    word.push(c);
                    State::Word
                }
            }
        };
    }
    match state {
        State::Quote(_) | State::Escape(_) => None,
        State::Word => {
            words.push(word);
            Some(words)
        }
        State::Between => {
            if quoted {
                words.push(word);
            }
            Some(words)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn botocore_names() {
        for (header, want) in [
            ("default", Some(Target::Profile("default".into()))),
            ("profile x", Some(Target::Profile("x".into()))),
            ("profile \"x\"", Some(Target::Profile("x".into()))),
            ("profile 'x'", Some(Target::Profile("x".into()))),
            ("profile  x ", Some(Target::Profile("x".into()))),
            ("profile \"a b\"", Some(Target::Profile("a b".into()))),
            ("profilex y", Some(Target::Profile("y".into()))),
            ("sso-session \"tau\"", Some(Target::SsoSession("tau".into()))),
            ("profile a b", None),
            ("profile \"x", None),
            ("profile", None),
            ("services s", None),
            ("preview", None),
        ] {
            assert_eq!(target(header), want, "{header}");
        }
    }

    #[test]
    fn continuations_comments_and_faults() {
        let f = parse(
            "[profile a]\nregion = x\n  [profile b]\n\n  more\n# c\n  [profile c]\n\n[profile a]\nRegion=y\nregion: z\n",
        );
        let names: Vec<_> = f.sections.iter().map(|s| s.header.as_str()).collect();
        assert_eq!(names, ["profile a", "profile a"]);
        assert_eq!(f.sections[0].get("region"), Some("x\n[profile b]\n\nmore\n[profile c]"));
        assert_eq!(f.faults.len(), 2, "{:?}", f.faults);
        assert!(parse("region = x\n").faults[0].message.contains("before any"));
        assert!(parse("[a]\r[profile b]\rx=1").faults.is_empty());
        assert_eq!(parse("[a]\r[profile b]\rx=1").sections[1].get("x"), Some("1"));
    }
}
