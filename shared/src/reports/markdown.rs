//! The team's summary: markdown (CommonMark with tables, strikethrough and task lists, by
//! pulldown-cmark). What a report never shows is taken out of the parse first ([`events`]): raw
//! HTML (its tags, and the text inside `<script>` and `<style>`) and images (with their alt text:
//! the report makes no request of its own, and an `<img src="https://...">` would be one, a
//! tracking pixel). The HTML and the PDF (`cc-report-pdf`) both draw from those events, so they say
//! the same words. The HTML is then also sanitised by ammonia's allow-list, so whatever the summary
//! holds (`javascript:` links, event handlers, styles) the page carries only inert markup.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// The parser options the summary is read with (the HTML's and the PDF's).
pub const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

/// Elements whose text is dropped with their tags (ammonia's `clean_content_tags` default).
const CONTENT_DROPPED: [&str; 2] = ["script", "style"];

/// `markdown`'s events without raw HTML and images (see the module).
pub fn events(markdown: &str) -> Vec<Event<'_>> {
    let mut out = Vec::new();
    // Inside an inline `<script>`/`<style>` (its text is dropped), inside an image (its alt text).
    let (mut in_raw, mut in_image) = (0usize, 0usize);
    for event in Parser::new_ext(markdown, OPTIONS) {
        match event {
            Event::Html(_) | Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::InlineHtml(tag) => {
                let t = tag.trim_start_matches('<').to_ascii_lowercase();
                if let Some(closing) = t.strip_prefix('/') {
                    if CONTENT_DROPPED.iter().any(|n| closing.starts_with(n)) {
                        in_raw = in_raw.saturating_sub(1);
                    }
                } else if CONTENT_DROPPED.iter().any(|n| t.starts_with(n)) && !t.trim_end_matches('>').ends_with('/') {
                    in_raw += 1;
                }
            }
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            e @ (Event::Start(_) | Event::End(_)) => out.push(e),
            _ if in_raw > 0 || in_image > 0 => {}
            e => out.push(e),
        }
    }
    out
}

/// `markdown` as sanitised HTML (a fragment for the report's summary section).
pub fn to_safe_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events(markdown).into_iter());
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
    fn raw_html_goes_with_script_text_and_images_with_their_alt_text() {
        let html = to_safe_html(
            "Before <b>bold html</b> <script>alert('xss')</script> <STYLE>p{}</STYLE> after.\n\n\
             <form><input type=\"text\" value=\"x\"></form>\n\n![alt text here](https://example.com/x.png) \
             <iframe src=\"https://example.com\"></iframe> <meta http-equiv=\"refresh\" content=\"0\">\n\n- [ ] open\n",
        );
        assert!(html.contains("Before bold html"), "{html}");
        assert!(html.contains("after."), "{html}");
        for gone in [
            "<b>",
            "alert",
            "p{}",
            "<form",
            "value",
            "alt text",
            "<img",
            "<iframe",
            "<meta",
            "type=\"text\"",
        ] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
        assert!(html.contains(r#"type="checkbox""#), "task lists keep their box: {html}");
    }
}
