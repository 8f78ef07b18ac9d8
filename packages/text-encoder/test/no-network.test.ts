import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { forbidNetwork, NetworkForbiddenError } from './no-network';

describe('forbidNetwork', () => {
  it('makes fetch, http(s) and raw sockets throw, records the attempts, and restores them', async () => {
    const originalFetch = globalThis.fetch;
    const guard = forbidNetwork();
    try {
      await expect(async () => fetch('https://huggingface.co/')).rejects.toBeInstanceOf(
        NetworkForbiddenError,
      );
      expect(() => https.get('https://registry.npmjs.org/')).toThrow(NetworkForbiddenError);
      expect(() => http.request({ hostname: 'example.com', port: 80 })).toThrow(NetworkForbiddenError);
      expect(() => net.connect(443, 'example.com')).toThrow(NetworkForbiddenError);
      expect(guard.attempts).toEqual([
        'fetch https://huggingface.co/',
        'https.get https://registry.npmjs.org/',
        'http.request example.com:80',
        'net.connect 443',
      ]);
    } finally {
      guard.restore();
    }
    expect(globalThis.fetch).toBe(originalFetch);
  });
});
