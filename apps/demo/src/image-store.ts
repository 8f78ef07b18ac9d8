import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ImageNotFoundError } from './errors/image-not-found-error';
import { ImageStoreFullError } from './errors/image-store-full-error';

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

export interface ImageStoreOptions {
  /** Images (with their embeddings, 4 MB each) held in memory. Default 24. */
  capacity?: number;
  /** Images one session may hold; its next upload evicts its own least recently used one. Default 4. */
  perSession?: number;
  /** Images all uploads without a session hold together (one shared pool). Default 8. */
  anonymous?: number;
  /** A session that touched none of its images for this long is idle: its images may go. Default 15 min. */
  sessionIdleMs?: number;
  /** Milliseconds, monotonic; injectable for tests. */
  now?: () => number;
}

export const DEFAULT_IMAGE_STORE: Required<Omit<ImageStoreOptions, 'now'>> = {
  capacity: 24,
  perSession: 4,
  anonymous: 8,
  sessionIdleMs: 15 * 60_000,
};

interface Entry<Embedding> {
  image: StoredImage<Embedding>;
  /** The session that uploaded it; undefined: an anonymous upload. */
  owner: string | undefined;
  lastUsed: number;
}

/**
 * Uploaded images by random id, with an eviction policy that keeps a live session's images safe from other
 * people's uploads (an embedding is 4 MB, so the store is bounded):
 *
 * 1. Quota: a session holds at most `perSession` images, anonymous uploads (no session header) together at
 *    most `anonymous`; an upload over its quota evicts the uploader's own least recently used image.
 * 2. When the store is full, an upload evicts, in this order: the least recently used image nobody touched for
 *    `sessionIdleMs` (an idle session's or an anonymous one); else the uploader's own least recently used
 *    image (the anonymous pool's, for an anonymous upload); else, for an upload from a session only, the least
 *    recently used anonymous image, then the least recently used image of another session that is not that
 *    session's most recent one.
 * 3. Nothing else: an anonymous upload never evicts an image of a session that touched one of its images within
 *    `sessionIdleMs`, and no upload evicts a live session's most recent image. When nothing may go, the upload
 *    is refused with ImageStoreFullError (503, Retry-After).
 *
 * "Touched" is an upload or any request naming the image (`get`). The same bytes uploaded twice get two ids
 * but share one embedding, so the encoder runs once per distinct image.
 */
export class ImageStore<Embedding> {
  readonly capacity: number;
  readonly perSession: number;
  readonly anonymous: number;
  readonly sessionIdleMs: number;
  private readonly now: () => number;
  /** Least recently used first (Map order: touched entries are moved to the end). */
  private readonly entries = new Map<string, Entry<Embedding>>();

  constructor(options: ImageStoreOptions = {}) {
    const settings = { ...DEFAULT_IMAGE_STORE, ...options };
    for (const name of ['capacity', 'perSession', 'anonymous', 'sessionIdleMs'] as const) {
      if (!Number.isInteger(settings[name]) || settings[name] < (name === 'sessionIdleMs' ? 0 : 1)) {
        throw new RangeError(`ImageStore ${name}: ${settings[name]} is not a positive integer`);
      }
    }
    this.capacity = settings.capacity;
    this.perSession = Math.min(settings.perSession, settings.capacity);
    this.anonymous = Math.min(settings.anonymous, settings.capacity);
    this.sessionIdleMs = settings.sessionIdleMs;
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.entries.size;
  }

  /** The embedding of an image with these bytes, when one is still held. */
  embeddingFor(sha256: string): Embedding | undefined {
    for (const entry of this.entries.values())
      if (entry.image.sha256 === sha256) return entry.image.embedding;
    return undefined;
  }

  /**
   * Throws ImageStoreFullError when an upload from `owner` could not be stored now (checked before the encoder
   * runs, so a refused upload costs no encoder time).
   */
  assertRoomFor(owner: string | undefined): void {
    if (this.victimFor(owner) === null) throw this.fullError();
  }

  /** Stores an upload for `owner` (undefined: anonymous), evicting by the policy above. */
  add(image: Omit<StoredImage<Embedding>, 'id'>, owner?: string): StoredImage<Embedding> {
    for (;;) {
      const victim = this.victimFor(owner);
      if (victim === null) throw this.fullError();
      if (victim === undefined) break;
      this.entries.delete(victim);
    }
    const stored = { id: newImageId(), ...image };
    this.entries.set(stored.id, { image: stored, owner, lastUsed: this.now() });
    return stored;
  }

  /** Throws ImageNotFoundError for unknown, evicted or malformed ids; refreshes the image's recency. */
  get(id: unknown): StoredImage<Embedding> {
    const key = typeof id === 'string' ? id : String(id);
    const entry = ID_PATTERN.test(key) ? this.entries.get(key) : undefined;
    if (!entry) throw new ImageNotFoundError(key);
    this.entries.delete(key);
    entry.lastUsed = this.now();
    this.entries.set(key, entry);
    return entry.image;
  }

  /** Images held per owner kind, for /api/health. */
  census(): { images: number; sessions: number; anonymous: number } {
    const sessions = new Set<string>();
    let anonymous = 0;
    for (const entry of this.entries.values()) {
      if (entry.owner === undefined) anonymous++;
      else sessions.add(entry.owner);
    }
    return { images: this.entries.size, sessions: sessions.size, anonymous };
  }

  /**
   * The id an upload from `owner` must evict before it is stored: undefined when none needs to go, null when
   * one would have to go but none may.
   */
  private victimFor(owner: string | undefined): string | null | undefined {
    const own = [...this.entries].filter(([, entry]) => entry.owner === owner);
    if (own.length >= (owner === undefined ? this.anonymous : this.perSession)) return own[0][0];
    if (this.entries.size < this.capacity) return undefined;
    const now = this.now();
    const idle = (entry: Entry<Embedding>) => now - entry.lastUsed >= this.sessionIdleMs;
    const liveSessions = new Set<string>();
    for (const entry of this.entries.values()) {
      if (entry.owner !== undefined && !idle(entry)) liveSessions.add(entry.owner);
    }
    for (const [id, entry] of this.entries) {
      if (entry.owner === undefined ? idle(entry) : !liveSessions.has(entry.owner)) return id;
    }
    if (own.length > 0) return own[0][0];
    if (owner === undefined) return null;
    for (const [id, entry] of this.entries) if (entry.owner === undefined) return id;
    const latest = new Map<string, string>();
    for (const [id, entry] of this.entries) if (entry.owner !== undefined) latest.set(entry.owner, id);
    for (const [id, entry] of this.entries) {
      if (entry.owner !== undefined && latest.get(entry.owner) !== id) return id;
    }
    return null;
  }

  private fullError(): ImageStoreFullError {
    // Until the first session goes idle: its most recent touch plus the idle time.
    const lastTouch = new Map<string | undefined, number>();
    for (const entry of this.entries.values()) {
      lastTouch.set(entry.owner, Math.max(lastTouch.get(entry.owner) ?? 0, entry.lastUsed));
    }
    const soonest = Math.min(...lastTouch.values()) + this.sessionIdleMs - this.now();
    const seconds = Number.isFinite(soonest) ? Math.ceil(soonest / 1000) : 1;
    return new ImageStoreFullError(this.capacity, Math.max(1, seconds));
  }
}
