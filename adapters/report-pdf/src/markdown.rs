//! The team's summary (markdown) as a tree of nodes the template draws, never as Typst markup.
//!
//! pulldown-cmark parses the markdown with the same options as the HTML
//! ([`cc_domain::reports::markdown`]: tables, strikethrough, task lists); its events become nested
//! JSON nodes `{"t": kind, ...}`: blocks (`par`, `heading` with `level`, `list` with `ordered` and
//! `start` and `items`, `quote`, `codeblock` with `s`, `rule`, `table` with `rows`) holding inlines
//! (`text` and `code` with `s`, `strong`, `emph`, `strike`, `link` with `url`, `br`). Every string
//! reaches Typst as a string value, so it is text whatever it contains. The events are the HTML's
//! ([`cc_domain::reports::markdown::events`]: raw HTML and images already taken out), so the PDF
//! says the same words as the page; a link is one only for `http`, `https` and `mailto` (else its
//! text).

use pulldown_cmark::{Event, Tag, TagEnd};
use serde_json::{Map, Value, json};

/// `markdown` as a list of block nodes (see the module).
pub fn to_nodes(markdown: &str) -> Value {
    // The root, then one frame per open tag: the node so far (without children) and its children.
    let mut stack: Vec<(Map<String, Value>, Vec<Value>)> = vec![(Map::new(), Vec::new())];
    let push = |stack: &mut Vec<(Map<String, Value>, Vec<Value>)>, node: Value| {
        if let Some((_, children)) = stack.last_mut() {
            children.push(node);
        }
    };
    for event in cc_domain::reports::markdown::events(markdown) {
        match event {
            Event::Start(tag) => stack.push((open(&tag), Vec::new())),
            Event::End(end) => {
                if stack.len() < 2 {
                    continue;
                }
                let Some((mut node, children)) = stack.pop() else {
                    continue;
                };
                match end {
                    // A list's children are its items, each a list of nodes.
                    TagEnd::List(_) => {
                        let items = children
                            .into_iter()
                            .map(|item| item.get("c").cloned().unwrap_or(Value::Array(Vec::new())))
                            .collect();
                        node.insert("items".into(), Value::Array(items));
                    }
                    // A code block's text is one string.
                    TagEnd::CodeBlock => {
                        let text: String = children
                            .iter()
                            .filter_map(|c| c.get("s").and_then(Value::as_str))
                            .collect();
                        node.insert("s".into(), Value::String(text.trim_end_matches('\n').to_string()));
                    }
                    // A table's rows: the head's cells, then each row's (each cell a list of inlines).
                    TagEnd::Table => {
                        let rows: Vec<Value> = children
                            .into_iter()
                            .map(|row| {
                                let cells = row
                                    .get("c")
                                    .and_then(Value::as_array)
                                    .map(|cells| {
                                        cells
                                            .iter()
                                            .map(|cell| cell.get("c").cloned().unwrap_or(Value::Array(Vec::new())))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                Value::Array(cells)
                            })
                            .collect();
                        node.insert("rows".into(), Value::Array(rows));
                    }
                    _ => {
                        node.insert("c".into(), Value::Array(children));
                    }
                }
                push(&mut stack, Value::Object(node));
            }
            Event::Text(s) => push_text(&mut stack, &s),
            Event::Code(s) => push(&mut stack, json!({"t": "code", "s": s.as_ref()})),
            // Taken out by `events` (as the HTML does not show them either).
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::SoftBreak => push_text(&mut stack, " "),
            Event::HardBreak => push(&mut stack, json!({"t": "br"})),
            Event::Rule => push(&mut stack, json!({"t": "rule"})),
            Event::TaskListMarker(done) => push(
                &mut stack,
                json!({"t": "text", "s": if done { "[x] " } else { "[ ] " }}),
            ),
            // Not enabled (math, footnotes, metadata): kept as their text if they ever appear.
            Event::InlineMath(s) | Event::DisplayMath(s) | Event::FootnoteReference(s) => {
                push(&mut stack, json!({"t": "text", "s": s.as_ref()}))
            }
        }
    }
    let root = stack.into_iter().next().map(|(_, c)| c).unwrap_or_default();
    Value::Array(root)
}

/// Adds a text node, with the whitespace a browser would collapse collapsed: where raw HTML was
/// taken out between two spaces (`a <b>x</b> <script>..</script> b`), the page shows one space, and
/// so does the PDF (Typst keeps both of two adjacent strings' spaces).
fn push_text(stack: &mut [(Map<String, Value>, Vec<Value>)], text: &str) {
    let Some((node, children)) = stack.last_mut() else {
        return;
    };
    // A code block's text is kept as written (its indentation is meaning).
    let after_space = node.get("t").and_then(Value::as_str) != Some("codeblock")
        && children
            .last()
            .and_then(|n| (n["t"] == "text").then(|| n["s"].as_str()).flatten())
            .is_some_and(|s| s.ends_with(char::is_whitespace));
    let text = if after_space { text.trim_start() } else { text };
    if !text.is_empty() {
        children.push(json!({"t": "text", "s": text}));
    }
}

/// The node a tag opens (children come later).
fn open(tag: &Tag<'_>) -> Map<String, Value> {
    let node = match tag {
        Tag::Paragraph => json!({"t": "par"}),
        Tag::Heading { level, .. } => json!({"t": "heading", "level": *level as u8}),
        Tag::BlockQuote(_) => json!({"t": "quote"}),
        Tag::CodeBlock(_) => json!({"t": "codeblock"}),
        Tag::List(start) => json!({"t": "list", "ordered": start.is_some(), "start": start.unwrap_or(1)}),
        Tag::Item => json!({"t": "item"}),
        Tag::Table(_) => json!({"t": "table"}),
        Tag::TableHead | Tag::TableRow => json!({"t": "row"}),
        Tag::TableCell => json!({"t": "cell"}),
        Tag::Emphasis => json!({"t": "emph"}),
        Tag::Strong => json!({"t": "strong"}),
        Tag::Strikethrough => json!({"t": "strike"}),
        Tag::Link { dest_url, .. } => json!({"t": "link", "url": safe_url(dest_url)}),
        // (Images never come: `events` takes them out.)
        _ => json!({"t": "span"}),
    };
    match node {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The link's target when it is one a reader may follow (`http`, `https`, `mailto`), else null
/// (the template then shows the link's text only).
fn safe_url(url: &str) -> Value {
    let lower = url.trim().to_ascii_lowercase();
    if ["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p)) {
        Value::String(url.trim().to_string())
    } else {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_inlines_become_nodes() {
        let nodes = to_nodes(
            "## Done\n\nAll **good** and *fine*, see [docs](https://example.com).\n\n- one\n- two\n\n3. three\n",
        );
        assert_eq!(
            nodes[0],
            json!({"t": "heading", "level": 2, "c": [{"t": "text", "s": "Done"}]})
        );
        let par = &nodes[1]["c"];
        assert_eq!(par[1], json!({"t": "strong", "c": [{"t": "text", "s": "good"}]}));
        assert_eq!(par[3], json!({"t": "emph", "c": [{"t": "text", "s": "fine"}]}));
        assert_eq!(par[5]["url"], "https://example.com");
        assert_eq!(nodes[2]["t"], "list");
        assert_eq!(nodes[2]["ordered"], false);
        assert_eq!(nodes[2]["items"][1], json!([{"t": "text", "s": "two"}]));
        assert_eq!(nodes[3]["ordered"], true);
        assert_eq!(nodes[3]["start"], 3);
    }

    #[test]
    fn html_and_images_go_as_in_the_page_and_only_web_links_are_links() {
        let nodes = to_nodes(
            "<script>alert(1)</script>\n\nHi <b>x</b> <script>alert(3)</script>[a](javascript:alert(2)) \
             ![pixel](https://t.example/p.gif)\n",
        );
        assert_eq!(
            nodes.as_array().unwrap().len(),
            1,
            "the raw HTML block is gone: {nodes}"
        );
        let par = &nodes[0]["c"];
        assert_eq!(par[0], json!({"t": "text", "s": "Hi "}));
        assert_eq!(par[1], json!({"t": "text", "s": "x"}));
        let link = par.as_array().unwrap().iter().find(|n| n["t"] == "link").unwrap();
        assert_eq!(link["url"], Value::Null);
        assert_eq!(
            par[2],
            json!({"t": "text", "s": " "}),
            "one space where the HTML was: {par}"
        );
        assert_eq!(par[3]["t"], "link", "{par}");
        for gone in ["<b>", "alert", "pixel", "p.gif", "script"] {
            assert!(!nodes.to_string().contains(gone), "{gone} in {nodes}");
        }
    }

    #[test]
    fn code_blocks_and_tables_keep_their_text() {
        let nodes = to_nodes("```\n#import \"x\": *\n  $y$\n```\n\n| a | b |\n|---|---|\n| 1 | `2` |\n");
        assert_eq!(nodes[0], json!({"t": "codeblock", "s": "#import \"x\": *\n  $y$"}));
        assert_eq!(nodes[1]["rows"][0][0], json!([{"t": "text", "s": "a"}]));
        assert_eq!(nodes[1]["rows"][1][1], json!([{"t": "code", "s": "2"}]));
    }
}
