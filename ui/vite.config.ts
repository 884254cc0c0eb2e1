/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { createHash } from "node:crypto";
import { defineConfig, type Plugin } from "vite";

/**
 * Cloudscape's global styles inline every Open Sans face as a base64 data URL, which puts ~170 kB
 * (gzipped) of fonts in the render-blocking CSS. Move each one to its own file: a browser then
 * downloads only the faces a page uses, in parallel, and caches them.
 */
function extractInlineFonts(): Plugin {
  return {
    name: "cc-extract-inline-fonts",
    apply: "build",
    generateBundle(_options, bundle) {
      const emitted = new Set<string>();
      for (const asset of Object.values(bundle)) {
        if (asset.type !== "asset" || !asset.fileName.endsWith(".css")) continue;
        const css = typeof asset.source === "string" ? asset.source : Buffer.from(asset.source).toString("utf8");
        asset.source = css.replace(
          /url\((["']?)data:font\/(woff2?);base64,([A-Za-z0-9+/=]+)\1\)/g,
          (_match, _quote, ext: string, base64: string) => {
            const source = Buffer.from(base64, "base64");
            const hash = createHash("sha256").update(source).digest("hex").slice(0, 12);
            const fileName = `assets/font-${hash}.${ext}`;
            if (!emitted.has(fileName)) {
              emitted.add(fileName);
              this.emitFile({ type: "asset", fileName, source });
            }
            return `url(/${fileName})`;
          },
        );
      }
    },
  };
}

// `npm run dev` proxies /api to a running `cc serve` (CC_API_URL, default :8080).
export default defineConfig({
  plugins: [react(), extractInlineFonts()],
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    // Cloudscape's shared internals land in one vendor chunk the lazy pages reuse.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: { "/api": process.env.CC_API_URL ?? "http://127.0.0.1:8080" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
