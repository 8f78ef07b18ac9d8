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
    const store = new ImageStore<string>({ capacity: 2 });
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

describe('ImageStore: sessions and anonymous uploads', () => {
  const MINUTE = 60_000;
  /** A store on a clock the test moves (minutes), idle after 10 minutes. */
  function storeOnClock(options: { capacity: number; perSession: number; anonymous: number }) {
    const clock = { ms: 0 };
    const store = new ImageStore<string>({ ...options, sessionIdleMs: 10 * MINUTE, now: () => clock.ms });
    return { store, clock, tick: () => (clock.ms += 1000) };
  }
  const alive = (store: ImageStore<string>, id: string) => notFoundCode(() => store.get(id)) === undefined;

  it('keeps each session to its quota: its own oldest image goes first', () => {
    const { store, tick } = storeOnClock({ capacity: 10, perSession: 2, anonymous: 3 });
    const mine = [store.add(image('1', 'e1'), 'session-a')];
    tick();
    const theirs = store.add(image('x', 'ex'), 'session-b');
    tick();
    mine.push(store.add(image('2', 'e2'), 'session-a'));
    tick();
    mine.push(store.add(image('3', 'e3'), 'session-a'));
    expect(alive(store, mine[0].id)).toBe(false);
    expect(alive(store, mine[1].id) && alive(store, mine[2].id) && alive(store, theirs.id)).toBe(true);
    expect(store.census()).toEqual({ images: 3, sessions: 2, anonymous: 0 });
  });

  it('never lets anonymous uploads evict a live session image: they recycle their own pool', () => {
    const { store, tick } = storeOnClock({ capacity: 4, perSession: 2, anonymous: 2 });
    const live = store.add(image('live', 'e-live'), 'session-a');
    tick();
    const other = store.add(image('other', 'e-other'), 'session-b');
    const uploads: { id: string }[] = [];
    for (let i = 0; i < 50; i++) {
      tick();
      uploads.push(store.add(image(`anon-${i}`, `e-${i}`)));
      // The session keeps working meanwhile (every few uploads).
      if (i % 5 === 0) store.get(live.id);
    }
    expect(alive(store, live.id)).toBe(true);
    // Session b has not touched its image for less than the idle time: kept too.
    expect(alive(store, other.id)).toBe(true);
    expect(alive(store, uploads[49].id) && alive(store, uploads[48].id)).toBe(true);
    expect(alive(store, uploads[47].id)).toBe(false);
    expect(store.size).toBe(4);
  });

  it('lets uploads evict images nobody touched for the idle time, least recently used first', () => {
    const { store, clock } = storeOnClock({ capacity: 3, perSession: 3, anonymous: 3 });
    const idle = store.add(image('idle', 'e1'), 'session-idle');
    clock.ms = 1 * MINUTE;
    const busy = store.add(image('busy', 'e2'), 'session-busy');
    clock.ms = 2 * MINUTE;
    const anon = store.add(image('anon', 'e3'));
    clock.ms = 10.5 * MINUTE;
    store.get(busy.id);
    // Full. The anonymous upload may take the idle session's image (idle since minute 0), not the busy one's.
    const next = store.add(image('next', 'e4'));
    expect(alive(store, idle.id)).toBe(false);
    expect([busy, anon, next].every((kept) => alive(store, kept.id))).toBe(true);
  });

  it('refuses an anonymous upload with 503 when only live sessions images are left, with a Retry-After', () => {
    const { store, clock } = storeOnClock({ capacity: 2, perSession: 2, anonymous: 2 });
    store.add(image('a', 'ea'), 'session-a');
    clock.ms = 3 * MINUTE;
    store.add(image('b', 'eb'), 'session-b');
    clock.ms = 4 * MINUTE;
    let refused: unknown;
    try {
      store.assertRoomFor(undefined);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'DEMO_STORE_FULL', retryAfterSeconds: 6 * 60 });
    expect(() => store.add(image('c', 'ec'))).toThrow(/image store is full/);
    expect(store.size).toBe(2);
    // Once session a has idled, the upload goes through and takes a's image.
    clock.ms = 10 * MINUTE;
    expect(() => store.assertRoomFor(undefined)).not.toThrow();
  });

  it('lets a session upload evict anonymous images, then other sessions older images, never their latest', () => {
    const { store, tick } = storeOnClock({ capacity: 4, perSession: 3, anonymous: 2 });
    const bOld = store.add(image('b1', 'eb1'), 'session-b');
    tick();
    const bLatest = store.add(image('b2', 'eb2'), 'session-b');
    tick();
    const anon = store.add(image('anon', 'ea'));
    tick();
    const c = store.add(image('c', 'ec'), 'session-c');
    tick();
    const a1 = store.add(image('a1', 'ea1'), 'session-a');
    expect(alive(store, anon.id)).toBe(false);
    tick();
    const a2 = store.add(image('a2', 'ea2'), 'session-a');
    // a's own oldest goes before anyone else's live image.
    expect(alive(store, a1.id)).toBe(false);
    expect([bOld, bLatest, c, a2].every((kept) => alive(store, kept.id))).toBe(true);
    tick();
    // A new session with nothing of its own: b's older image goes, not anyone's latest.
    const d = store.add(image('d', 'ed'), 'session-d');
    expect(alive(store, bOld.id)).toBe(false);
    expect([bLatest, c, a2, d].every((kept) => alive(store, kept.id))).toBe(true);
    // Now every session holds only its latest image: an anonymous upload is refused, a session's too.
    tick();
    expect(() => store.add(image('e', 'ee'))).toThrow(/image store is full/);
    expect(() => store.add(image('f', 'ef'), 'session-f')).toThrow(/image store is full/);
  });
});
