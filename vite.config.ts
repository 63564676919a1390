import { defineConfig } from 'vite';

/** Where `pnpm dev` runs the API server; `scripts/dev.ts` sets it, 4000 is the server's own default. */
const serverTarget = `http://127.0.0.1:${process.env.STARCATCH_SERVER_PORT ?? 4000}`;

export default defineConfig({
  root: 'client',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Phaser is one 1.4 MB chunk, loaded only when a player enters a room (see ui/arena-view.ts);
    // the chunks every page loads stay far below this.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': { target: serverTarget },
      '/socket': { target: serverTarget, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: serverTarget },
      '/socket': { target: serverTarget, ws: true },
    },
  },
});
