import { defineConfig } from 'vite';

// The front end: plain TypeScript and canvas, bundled into dist/web for the Fastify server to serve.
export default defineConfig({
  root: 'src/web',
  base: '/',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing: the server's Content-Security-Policy allows only same-origin files.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    // `pnpm --filter @tasam/demo dev:web` next to a running server: the page from vite, the API from Fastify.
    // The server answers only its own Host and Origin (DNS rebinding, no CORS), so the proxy speaks as the page
    // the server itself would have served.
    proxy: Object.fromEntries(
      ['/api', '/samples'].map((path) => [
        path,
        {
          target: 'http://127.0.0.1:8787',
          changeOrigin: true,
          headers: { origin: 'http://127.0.0.1:8787' },
        },
      ]),
    ),
  },
});
