import { TasamError } from '@tasam/errors';
import { ImageStore, newImageId } from './image-store';

const image = (sha256: string, embedding: string) => ({
  width: 4,
  height: 3,
  format: 'png',
  sha256,
  embedding,
});

function notFoundCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return TasamError.isInstance(error) ? error.code : 'untyped';
  }
  return undefined;
}

describe('ImageStore', () => {
  it('hands out random url-safe ids that are never paths', () => {
    const ids = new Set(Array.from({ length: 1000 }, newImageId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('finds images by id and shares embeddings between identical uploads', () => {
    const store = new ImageStore<string>();
    const a = store.add(image('hash-a', 'embedding-a'));
    expect(store.get(a.id).embedding).toBe('embedding-a');
    expect(store.embeddingFor('hash-a')).toBe('embedding-a');
    expect(store.embeddingFor('hash-b')).toBeUndefined();
  });

  it('refuses unknown, malformed and path-like ids with DEMO_IMAGE_NOT_FOUND', () => {
    const store = new ImageStore<string>();
    store.add(image('h', 'e'));
    for (const id of ['../../etc/passwd', '', 'x'.repeat(22), newImageId(), 42, undefined, '/etc/passwd']) {
      expect(notFoundCode(() => store.get(id))).toBe('DEMO_IMAGE_NOT_FOUND');
    }
  });

  it('evicts the least recently used image beyond its capacity', () => {
    const store = new ImageStore<string>(2);
    const a = store.add(image('a', 'ea'));
    const b = store.add(image('b', 'eb'));
    store.get(a.id);
    const c = store.add(image('c', 'ec'));
    expect(store.size).toBe(2);
    expect(notFoundCode(() => store.get(b.id))).toBe('DEMO_IMAGE_NOT_FOUND');
    expect(store.get(a.id).embedding).toBe('ea');
    expect(store.get(c.id).embedding).toBe('ec');
  });
});
