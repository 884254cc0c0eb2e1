import { useState } from "react";

export const MAIN_CONTENT_ID = "main-content";

/** The first tab stop: "Skip to main content", visible only while it has focus. */
export default function SkipLink() {
  const [focused, setFocused] = useState(false);
  return (
    <a
      href={`#${MAIN_CONTENT_ID}`}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      onClick={(event) => {
        event.preventDefault();
        const main = document.getElementById(MAIN_CONTENT_ID);
        if (!main) return;
        // The page's h1 when there is one, else the content area itself.
        const heading = main.querySelector<HTMLElement>("h1");
        if (heading) {
          heading.tabIndex = -1;
          heading.focus();
        } else main.focus();
      }}
      style={
        focused
          ? {
              position: "fixed",
              top: 8,
              left: 8,
              zIndex: 2000,
              padding: "8px 16px",
              background: "#ffffff",
              color: "#0f141a",
              border: "2px solid #006ce0",
              borderRadius: 8,
              fontWeight: 700,
            }
          : {
              position: "absolute",
              width: 1,
              height: 1,
              overflow: "hidden",
              clip: "rect(0 0 0 0)",
              whiteSpace: "nowrap",
            }
      }
    >
      Skip to main content
    </a>
  );
}
