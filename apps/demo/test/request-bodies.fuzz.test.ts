import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TasamError } from '@tasam/errors';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { createDemoServer } from '../src/demo-server';
import { parseSegmentRequest } from '../src/segment-request';
import { FakeEngine } from './fake-engine';
import { WEB_ROOT } from './serve-for-test';

// Property tests of everything the demo parses from a request: the segment body (the parser, then over HTTP),
// multipart uploads, paths and query strings, and the headers it reads (Host, Origin, x-tasam-session). Every
// outcome must be a result or a 4xx with a clear message (`{ error: { code, message } }`): never a 5xx, never
// a crash. The model is a fake (the HTTP layer is what is under test) and requests go through `inject`.
//
// TASAM_FUZZ_RUNS runs per property (default 100: seconds, in every `pnpm test`); TASAM_FUZZ_SEED the seed
// (default 182, as the repository's other fuzz tests). `pnpm --filter @tasam/demo fuzz` runs 10 000 and writes
// one row per parser to test-artifacts/fuzz/demo.json (only fuzz runs, TASAM_FUZZ_RUNS set, write it). A case
// slower than TASAM_FUZZ_HANG_MS (default 10 000) counts as a hang: reported, never asserted.

const RUNS = readPositiveInteger('TASAM_FUZZ_RUNS', 100);
const SEED = readPositiveInteger('TASAM_FUZZ_SEED', 182);
const HANG_MS = readPositiveInteger('TASAM_FUZZ_HANG_MS', 10_000);
const REPORT = (process.env.TASAM_FUZZ_RUNS ?? '').trim() !== '';
const ARTIFACT = join(__dirname, '..', 'test-artifacts', 'fuzz', 'demo.json');
jest.setTimeout(Math.max(300_000, RUNS * 300));

function readPositiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive integer`);
  return value;
}

interface Row {
  parser: string;
  cases: number;
  results: number;
  '4xx': number;
  crashes: number;
  hangs: number;
  maxMs: number;
}
const rows: Row[] = [];

/** Counts one property's outcomes; `check` returns false (a counterexample for fast-check) on a crash. */
function tally(parser: string) {
  const row: Row = { parser, cases: 0, results: 0, '4xx': 0, crashes: 0, hangs: 0, maxMs: 0 };
  rows.push(row);
  const crashes: string[] = [];
  return {
    row,
    crashes,
    async check(run: () => Promise<'result' | '4xx' | string>): Promise<boolean> {
      const started = performance.now();
      let outcome: string;
      try {
        outcome = await run();
      } catch (error) {
        outcome = `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      }
      const ms = performance.now() - started;
      row.maxMs = Math.max(row.maxMs, Math.round(ms * 10) / 10);
      if (ms > HANG_MS) row.hangs++;
      row.cases++;
      if (outcome === 'result') row.results++;
      else if (outcome === '4xx') row['4xx']++;
      else {
        row.crashes++;
        if (crashes.length < 5) crashes.push(outcome);
        return false;
      }
      return true;
    },
  };
}

/**
 * An HTTP answer is a result (2xx/3xx), or a 4xx whose body names an error code and says what was wrong in a
 * message of reasonable length (not an echo of a 64 KB field).
 */
function classify(
  response: { statusCode: number; body: string },
  method = 'POST',
): 'result' | '4xx' | string {
  if (response.statusCode < 400) return 'result';
  if (response.statusCode >= 500) return `${response.statusCode} ${response.body.slice(0, 200)}`;
  // A HEAD answer has no body to say anything in.
  if (method === 'HEAD') return '4xx';
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(response.body) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  if (
    typeof error?.code !== 'string' ||
    typeof error.message !== 'string' ||
    error.message.length < 8 ||
    error.message.length > 400
  ) {
    return `${response.statusCode} without a clear error body: ${response.body.slice(0, 200)}`;
  }
  return '4xx';
}

const params = () => ({ numRuns: RUNS, seed: SEED });

let app: FastifyInstance;
let imageId: string;
let validPng: Buffer;
let validJpeg: Buffer;
let hugePng: Buffer;
const WIDTH = 64;
const HEIGHT = 48;

beforeAll(async () => {
  validPng = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();
  validJpeg = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#a37' } })
    .jpeg()
    .toBuffer();
  hugePng = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  app = await createDemoServer({
    engine: new FakeEngine({ tasks: true }),
    webRoot: WEB_ROOT,
    maxUploadBytes: 32 * 1024,
    maxPixels: 256 * 256,
  });
  const boundary = 'setupBoundary';
  const upload = await app.inject({
    method: 'POST',
    url: '/api/images',
    // A session's latest image: the anonymous uploads below never evict it.
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'x-tasam-session': 'fuzz-setup-session-0000',
    },
    payload: multipartBody(boundary, [
      { name: 'image', filename: 'a.png', type: 'image/png', content: validPng },
    ]),
  });
  imageId = JSON.parse(upload.body).imageId;
  expect(imageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
});

afterAll(async () => {
  await app?.close();
  if (!REPORT) return;
  mkdirSync(join(ARTIFACT, '..'), { recursive: true });
  writeFileSync(
    ARTIFACT,
    `${JSON.stringify({ package: '@tasam/demo', runsPerProperty: RUNS, seed: SEED, rows }, null, 2)}\n`,
  );
});

interface Part {
  name: string;
  filename?: string;
  type?: string;
  content: Buffer | string;
}

function multipartBody(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.type === undefined ? '' : `Content-Type: ${part.type}\r\n`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n${type}\r\n`,
      ),
    );
    chunks.push(Buffer.from(part.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

// --- arbitraries -------------------------------------------------------------------------------------------

const coordinate = fc.oneof(
  fc.integer({ min: -5, max: WIDTH + 5 }),
  fc.double(),
  fc.constantFrom(0, WIDTH, HEIGHT, -0, 1e308, Number.MAX_SAFE_INTEGER),
  fc.string({ maxLength: 5 }),
  fc.constant(null),
);
const validPoint = fc.record({
  x: fc.double({ min: 0, max: WIDTH, noNaN: true }),
  y: fc.double({ min: 0, max: HEIGHT, noNaN: true }),
  label: fc.constantFrom(0, 1),
});
const validBox = fc
  .tuple(
    fc.integer({ min: 0, max: WIDTH - 1 }),
    fc.integer({ min: 0, max: HEIGHT - 1 }),
    fc.integer({ min: 1, max: WIDTH }),
    fc.integer({ min: 1, max: HEIGHT }),
  )
  .map(([x0, y0, w, h]) => [x0, y0, Math.min(WIDTH, x0 + w), Math.min(HEIGHT, y0 + h)]);
const task = fc.oneof(fc.constantFrom('segment all cats', '  ', ''), fc.string({ maxLength: 220 }));
/** Valid bodies: prompt mode with points and/or a box, automatic mode, with or without a task. */
const validBody = (id: () => string) =>
  fc.oneof(
    fc.record(
      {
        imageId: fc.constant(null).map(() => id()),
        mode: fc.constant('prompt'),
        points: fc.array(validPoint, { minLength: 1, maxLength: 32 }),
        box: validBox,
        task,
        compare: fc.boolean(),
      },
      { requiredKeys: ['imageId', 'points'] },
    ),
    fc.record({ imageId: fc.constant(null).map(() => id()), box: validBox }),
    fc.record(
      {
        imageId: fc.constant(null).map(() => id()),
        mode: fc.constant('automatic'),
        task,
        compare: fc.boolean(),
      },
      { requiredKeys: ['imageId', 'mode'] },
    ),
  );
const FIELDS = [
  'imageId',
  'mode',
  'task',
  'points',
  'box',
  'compare',
  'unexpected',
  '__proto__',
  'constructor',
];
/** Bodies: valid ones, valid ones with one field replaced by anything, hostile shapes, and arbitrary JSON. */
const segmentBody = (id: () => string) =>
  fc.oneof(
    { weight: 4, arbitrary: validBody(id) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          validBody(id),
          fc.constantFrom(...FIELDS),
          fc.oneof(fc.jsonValue(), coordinate, fc.array(coordinate)),
        )
        .map(([body, key, value]) => JSON.parse(JSON.stringify({ ...body, [key]: value }))),
    },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          imageId: fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue()),
          mode: fc.oneof(fc.constantFrom('prompt', 'automatic'), fc.jsonValue()),
          points: fc.array(
            fc.record(
              { x: coordinate, y: coordinate, label: fc.oneof(fc.constantFrom(0, 1), fc.jsonValue()) },
              {
                requiredKeys: [],
              },
            ),
            { maxLength: 40 },
          ),
          box: fc.array(coordinate, { maxLength: 5 }),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue() },
  );

// --- properties --------------------------------------------------------------------------------------------

describe('request parsers under fuzzing: a result or a 4xx with a message, never a 5xx or a crash', () => {
  it('segment request JSON (parseSegmentRequest)', async () => {
    const { check, crashes } = tally('segment request (parseSegmentRequest)');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          segmentBody(() => 'AAAAAAAAAAAAAAAAAAAAAA'),
          fc.anything(),
        ),
        (body) =>
          check(async () => {
            try {
              const parsed = parseSegmentRequest(body, { width: WIDTH, height: HEIGHT });
              const inside = (x: number, limit: number) => Number.isFinite(x) && x >= 0 && x <= limit;
              const ok =
                parsed.points.every(
                  (p) => inside(p.x, WIDTH) && inside(p.y, HEIGHT) && (p.label === 0 || p.label === 1),
                ) &&
                (parsed.box === undefined ||
                  (parsed.box[0] < parsed.box[2] && parsed.box[1] < parsed.box[3])) &&
                (parsed.task === undefined || parsed.task.length <= 200);
              return ok ? 'result' : `accepted an invalid request: ${JSON.stringify(parsed).slice(0, 200)}`;
            } catch (error) {
              const { message } = error as Error;
              if (
                TasamError.hasCode(error, 'DEMO_REQUEST') &&
                /^.+: .+/.test(message) &&
                message.length <= 400
              ) {
                return '4xx';
              }
              throw error;
            }
          }),
      ),
      params(),
    );
    expect(crashes).toEqual([]);
  });

  it('POST /api/segment bodies over HTTP (JSON text, broken JSON, other content types)', async () => {
    const { check, crashes } = tally('POST /api/segment body (HTTP)');
    const text = fc.oneof(
      { weight: 4, arbitrary: segmentBody(() => imageId).map((body) => JSON.stringify(body)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            segmentBody(() => imageId),
            fc.nat(),
            fc.string({ maxLength: 4 }),
          )
          .map(([body, at, junk]) => {
            const json = JSON.stringify(body) ?? '';
            const cut = at % (json.length + 1);
            return json.slice(0, cut) + junk + json.slice(cut + 1);
          }),
      },
    );
    const contentType = fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      fc.constantFrom(
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'multipart/form-data; boundary=x',
      ),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z+.-]{1,12}$/),
    );
    await fc.assert(
      fc.asyncProperty(text, contentType, (payload, type) =>
        check(async () =>
          classify(
            await app.inject({
              method: 'POST',
              url: '/api/segment',
              headers: { 'content-type': type },
              payload,
            }),
          ),
        ),
      ),
      params(),
    );
    expect(crashes).toEqual([]);
  });

  it('multipart uploads to POST /api/images', async () => {
    const { check, crashes } = tally('POST /api/images multipart (HTTP)');
    const content = fc.oneof(
      fc.constant(validPng),
      fc.constant(validJpeg),
      fc.constant(hugePng),
      fc.constant(Buffer.alloc(0)),
      fc.constant(Buffer.alloc(40 * 1024, 0xff)),
      fc.constant(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')),
      fc.nat().map((n) => validJpeg.subarray(0, n % validJpeg.length)),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const copy = Buffer.from(validJpeg);
        copy[at % copy.length] = byte;
        return copy;
      }),
      fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ maxLength: 100 }),
    );
    const part = fc.record(
      {
        name: fc.oneof(
          { weight: 4, arbitrary: fc.constant('image') },
          fc.constantFrom('file', '__proto__', 'constructor', ''),
          fc.string({ maxLength: 20 }),
        ),
        filename: fc.oneof(
          fc.constantFrom('a.jpg', '../../etc/passwd', 'x.svg', ''),
          fc.string({ maxLength: 30 }),
        ),
        type: fc.constantFrom(
          'image/jpeg',
          'image/png',
          'text/plain',
          'application/json',
          'application/octet-stream',
          '',
        ),
        content,
      },
      { requiredKeys: ['name', 'content'] },
    );
    const boundary = fc.oneof(
      { weight: 3, arbitrary: fc.constant('fuzzBoundary42') },
      fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/),
    );
    const imagePart = fc.record({
      name: fc.constant('image'),
      filename: fc.constantFrom('a.png', 'photo.jpg', 'x'),
      type: fc.constantFrom('image/png', 'image/jpeg', 'application/octet-stream'),
      content: fc.constantFrom(validPng, validJpeg),
    });
    const upload = fc.record({
      parts: fc.oneof(
        { weight: 2, arbitrary: imagePart.map((one) => [one]) },
        { weight: 1, arbitrary: part.map((one) => [one]) },
        { weight: 1, arbitrary: fc.array(part, { maxLength: 3 }) },
      ),
      boundary,
      // What the Content-Type says about the boundary: right, missing, quoted, another one, or not multipart.
      header: fc.constantFrom(
        'right',
        'right',
        'right',
        'right',
        'right',
        'missing',
        'quoted',
        'other',
        'mixed',
        'png',
      ),
      // Now and then the body is cut short somewhere.
      cut: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.nat()),
      session: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        fc.constant('fuzz-session-0123456789'),
        fc.stringMatching(/^[\x21-\x7e]{0,70}$/),
      ),
    });
    await fc.assert(
      fc.asyncProperty(upload, ({ parts, boundary: b, header, cut, session }) =>
        check(async () => {
          let payload = multipartBody(b, parts);
          if (cut !== undefined) payload = payload.subarray(0, cut % (payload.length + 1));
          const contentType = {
            right: `multipart/form-data; boundary=${b}`,
            missing: 'multipart/form-data',
            quoted: `multipart/form-data; boundary="${b}"`,
            other: 'multipart/form-data; boundary=somethingElse',
            mixed: `multipart/mixed; boundary=${b}`,
            png: 'image/png',
          }[header];
          const headers: Record<string, string> = { 'content-type': contentType };
          if (session !== undefined) headers['x-tasam-session'] = session;
          return classify(await app.inject({ method: 'POST', url: '/api/images', headers, payload }));
        }),
      ),
      params(),
    );
    expect(crashes).toEqual([]);
  });

  it('paths and query parameters', async () => {
    const { check, crashes } = tally('paths and query params (HTTP)');
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '%2e%2e',
        '%2E%2e%2f',
        '%00',
        '%',
        '%zz',
        'cats.jpg',
        'index.html',
        'api',
        'health',
        '.',
        '//',
      ),
      fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,20}$/),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'PUT'),
      prefix: fc.constantFrom('/', '/samples/', '/api/', '/api/images/', '/assets/', '/api/segment/'),
      segments: fc.array(segment, { maxLength: 4 }),
      query: fc.option(fc.oneof(fc.webQueryParameters(), fc.stringMatching(/^[A-Za-z0-9=&%+._~-]{0,40}$/)), {
        nil: undefined,
      }),
    });
    await fc.assert(
      fc.asyncProperty(request, ({ method, prefix, segments, query }) =>
        check(async () => {
          const url = `${prefix}${segments.join('/')}${query === undefined ? '' : `?${query}`}`;
          return classify(await app.inject({ method: method as 'GET', url }), method);
        }),
      ),
      params(),
    );
    expect(crashes).toEqual([]);
  });

  it('Host, Origin and session headers', async () => {
    const { check, crashes } = tally('Host/Origin/x-tasam-session headers (HTTP)');
    const visible = (max: number) => fc.stringMatching(new RegExp(`^[\\x21-\\x7e]{0,${max}}$`));
    const headers = fc.record(
      {
        host: fc.oneof(
          fc.constantFrom(
            'localhost',
            'localhost:80',
            '127.0.0.1:8787',
            '[::1]',
            'evil.example',
            '[::1',
            ':',
          ),
          visible(60),
        ),
        origin: fc.oneof(
          fc.constantFrom('http://localhost', 'null', 'https://evil.example', 'file://'),
          fc.webUrl(),
          visible(60),
        ),
        'x-tasam-session': fc.oneof(fc.constant('fuzz-session-0123456789'), visible(80)),
        'access-control-request-method': fc.constantFrom('POST', 'GET', 'x'),
      },
      { requiredKeys: ['host'] },
    );
    const target = fc.constantFrom(
      { method: 'GET', url: '/api/health' },
      { method: 'GET', url: '/' },
      { method: 'OPTIONS', url: '/api/segment' },
      { method: 'POST', url: '/api/segment' },
    );
    await fc.assert(
      fc.asyncProperty(headers, target, (sent, { method, url }) =>
        check(async () =>
          classify(
            await app.inject({
              method: method as 'GET',
              url,
              headers: { ...sent, 'content-type': 'application/json' },
              ...(method === 'POST'
                ? { payload: JSON.stringify({ imageId, points: [{ x: 1, y: 1, label: 1 }] }) }
                : {}),
            }),
          ),
        ),
      ),
      params(),
    );
    expect(crashes).toEqual([]);
  });
});
