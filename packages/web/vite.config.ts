import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard and the portal are one single-page app, built into dist/ and served by hookd
// itself (src/api/web.ts). Everything is bundled: the server's Content-Security-Policy allows
// scripts, styles and connections to its own origin only.

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Small icons stay files rather than data: URLs, so the CSP needs no exception for them.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  // `npm run dev -w @hookd/web` serves the app with hot reload against a hookd on :8080.
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
