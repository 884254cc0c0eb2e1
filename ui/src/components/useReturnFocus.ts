import { useLayoutEffect } from "react";

/**
 * For a dialog that is mounted while open: when it goes away (Escape, Close, Cancel or done),
 * focus goes back to what had it when the dialog opened (the button that opened it), if that is
 * still on the page.
 */
export function useReturnFocus() {
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      if (!opener || opener === document.body) return;
      // After the dialog's own focus handling has run.
      setTimeout(() => {
        if (opener.isConnected) opener.focus();
      }, 0);
    };
  }, []);
}
