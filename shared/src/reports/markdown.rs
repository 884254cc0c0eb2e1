//! The team's summary: markdown (CommonMark with tables, strikethrough and task lists, by
//! pulldown-cmark) rendered to HTML and then sanitised by ammonia's allow-list, so whatever the
//! summary holds (raw HTML, `<script>`, `javascript:` links, event handlers, styles) the report
//! carries only inert markup. Images are removed as well: the report makes no request of its own
//! (an `<img src="https://...">` would be a request, and a tracking pixel).

use pulldown_cmark::{Options, Parser, html};

/// `markdown` as sanitised HTML (a fragment for the report's summary section).
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .rm_tags(["img"])
        // Task lists render as disabled checkboxes; keep them (inert) rather than lose the state.
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") if value != "checkbox" => None,
            _ => Some(value.into()),
        })
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_script_is_removed() {
        let html = to_safe_html(
            "# Month\n\nAll **good**. <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
             [click](javascript:alert(3)) and [docs](https://example.com)\n\n<div onclick=\"x()\" style=\"color:red\">d</div>\n\n\
             | a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n",
        );
        assert!(html.contains("<h1>Month</h1>"), "{html}");
        assert!(html.contains("<strong>good</strong>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        for bad in [
            "<script",
            "alert(1)",
            "onerror",
            "<img",
            "javascript:",
            "onclick",
            "style=",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains(r#"href="https://example.com""#), "{html}");
        assert!(html.contains("noopener"), "{html}");
        assert!(html.contains(r#"type="checkbox""#), "{html}");
    }

    #[test]
    fn an_input_other_than_a_checkbox_loses_its_type() {
        let html = to_safe_html(r#"<input type="text" value="x" checked>"#);
        assert!(!html.contains("text"), "{html}");
        assert!(!html.contains("value"), "{html}");
    }
}
