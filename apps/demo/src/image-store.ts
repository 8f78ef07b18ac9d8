import { randomBytes } from 'node:crypto';
import { ImageNotFoundError } from './errors/image-not-found-error';

/** What the server keeps of an upload: its size and its embedding, never its file name or a path. */
export interface StoredImage<Embedding> {
  id: string;
  width: number;
  height: number;
  format: string;
  sha256: string;
  embedding: Embedding;
}

/** 16 random bytes, base64url: unguessable, and by construction never a path. */
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function newImageId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Uploaded images by random id, least recently used evicted first (an embedding is 4 MB). The same bytes
 * uploaded twice get two ids but share one embedding, so the encoder runs once per distinct image.
 */
export class ImageStore<Embedding> {
  private readonly images = new Map<string, StoredImage<Embedding>>();

  constructor(readonly capacity = 24) {}

  get size(): number {
    return this.images.size;
  }

  /** The embedding of an image with these bytes, when one is still held. */
  embeddingFor(sha256: string): Embedding | undefined {
    for (const image of this.images.values()) if (image.sha256 === sha256) return image.embedding;
    return undefined;
  }

  add(image: Omit<StoredImage<Embedding>, 'id'>): StoredImage<Embedding> {
    const stored = { id: newImageId(), ...image };
    this.images.set(stored.id, stored);
    while (this.images.size > this.capacity) {
      const oldest = this.images.keys().next().value as string;
      this.images.delete(oldest);
    }
    return stored;
  }

  /** Throws ImageNotFoundError for unknown, evicted or malformed ids; refreshes the image's recency. */
  get(id: unknown): StoredImage<Embedding> {
    const key = typeof id === 'string' ? id : String(id);
    const image = ID_PATTERN.test(key) ? this.images.get(key) : undefined;
    if (!image) throw new ImageNotFoundError(key);
    this.images.delete(key);
    this.images.set(key, image);
    return image;
  }
}
