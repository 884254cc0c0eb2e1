/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies /api to a running `cc serve` (CC_API_URL, default :8080).
export default defineConfig({
  plugins: [react()],
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
