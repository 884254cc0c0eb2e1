// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderSummary } from "./markdown";

describe("renderSummary", () => {
  it("renders the markdown the team writes: headings, lists, emphasis, tables, task lists", () => {
    const html = renderSummary("## Month\n\n- one\n- **two**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~");
    expect(html).toContain("<h2>Month</h2>");
    expect(html).toContain("<strong>two</strong>");
    expect(html).toContain("<table>");
    expect(html).toContain('type="checkbox"');
    expect(html).toContain("<del>old</del>");
  });

  it("removes script, event handlers, styles, images and javascript: links", () => {
    const html = renderSummary(
      'Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [docs](https://example.com)\n\n<div onclick="x()" style="color:red">d</div>\n\n![pixel](https://tracker.example/p.gif)',
    );
    for (const bad of ["<script", "alert(1)", "onerror", "<img", "javascript:", "onclick", "style=", "tracker"]) {
      expect(html).not.toContain(bad);
    }
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain("noopener");
  });

  it("shows the text of raw HTML tags, not the tags, as the report does", () => {
    const html = renderSummary("Before <b>bold html</b> <u>u</u> <form><input type=\"text\" value=\"x\"></form> after");
    expect(html).toContain("bold html");
    for (const gone of ["<b>", "<u>", "<form", "<input", 'value="x"']) expect(html).not.toContain(gone);
  });

  it("drops data: and vbscript: links and keeps the link hook on every call", () => {
    for (let i = 0; i < 2; i++) {
      const html = renderSummary("[a](data:text/html,<b>x</b>) [b](vbscript:msgbox) [c](mailto:ops@example.com)");
      expect(html).not.toContain("data:");
      expect(html).not.toContain("vbscript:");
      expect(html).toContain('href="mailto:ops@example.com"');
      expect(html).toContain('rel="noopener noreferrer nofollow"');
    }
  });

  it("an empty summary renders nothing", () => {
    expect(renderSummary("").trim()).toBe("");
  });
});
