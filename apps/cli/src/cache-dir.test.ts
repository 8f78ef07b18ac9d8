import { homedir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, cacheRoot } from './cache-dir';

describe('cacheRoot', () => {
  it('prefers TASAM_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheRoot({ TASAM_CACHE: '/tmp/t', XDG_CACHE_HOME: '/x' })).toBe('/tmp/t');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/tasam');
    expect(cacheRoot({})).toBe(join(homedir(), '.cache', 'tasam'));
    expect(cacheDir('embeddings', { TASAM_CACHE: '/tmp/t' })).toBe('/tmp/t/embeddings');
  });
});
