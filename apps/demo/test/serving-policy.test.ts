import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { HealthResponse } from '../src/api-types';
import { createDemoServer, type DemoServerOptions } from '../src/demo-server';
import { FakeEngine } from './fake-engine';
import { WEB_ROOT } from './serve-for-test';

// The HTTP layer's policies, against a fake engine the test holds busy at will: Host and Origin checks, CORS
// preflights, multipart bodies, admission by expected time, cancellation of abandoned requests, and the image
// store's protection of live sessions. No assertion depends on how fast the machine is: the queue runs on a
// clock the test owns, and waits are polls for a state, never sleeps.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the server sent
  json: any;
}

interface Served {
  app: FastifyInstance;
  engine: FakeEngine;
  port: number;
  /** A request on its own connection; `abort()` closes that connection (a client that gave up: status 0). */
  send(options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
  }): { answer: Promise<Answer>; abort(): void };
  health(): Promise<HealthResponse>;
  json(path: string, body: object, headers?: Record<string, string>): Promise<Answer>;
  upload(bytes: Buffer, headers?: Record<string, string>): Promise<Answer>;
}

const servers: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of servers) await app.close();
});

async function serve(options: Partial<DemoServerOptions<string>> = {}): Promise<Served> {
  const engine = new FakeEngine();
  const app = await createDemoServer({ engine, webRoot: WEB_ROOT, ...options });
  servers.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('server did not bind');
  const port = address.port;
  const send: Served['send'] = ({ method = 'GET', path, headers = {}, body }) => {
    let abort = () => {};
    const answer = new Promise<Answer>((resolve) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent: false,
          headers: { host: `127.0.0.1:${port}`, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = text;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
          });
        },
      );
      // A client that gave up (abort) or a connection the server closed: status 0.
      const gone = () => resolve({ status: 0, headers: {}, json: undefined });
      req.on('error', gone);
      abort = () => {
        req.destroy();
        gone();
      };
      req.end(body);
    });
    return { answer, abort: () => abort() };
  };
  const json: Served['json'] = (path, body, headers = {}) =>
    send({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }).answer;
  return {
    app,
    engine,
    port,
    send,
    json,
    health: async () => (await send({ path: '/api/health' }).answer).json as HealthResponse,
    upload: (bytes, headers = {}) => {
      const { body, contentType } = multipart([
        { name: 'image', filename: 'x.png', type: 'image/png', value: bytes },
      ]);
      return send({
        method: 'POST',
        path: '/api/images',
        headers: { 'content-type': contentType, ...headers },
        body,
      }).answer;
    },
  };
}

/** A multipart/form-data body from parts, with a fixed boundary. */
function multipart(parts: { name: string; filename?: string; type?: string; value: Buffer | string }[]): {
  body: Buffer;
  contentType: string;
} {
  const boundary = 'tasamBoundary7MA4YWxk';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    const type = part.type ? `Content-Type: ${part.type}\r\n` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A small PNG whose bytes differ for each `seed` (so each upload runs the encoder). */
const png = (seed: number) =>
  sharp({
    create: { width: 8, height: 6, channels: 3, background: { r: seed % 256, g: (seed >> 8) % 256, b: 7 } },
  })
    .png()
    .toBuffer();

/** Polls /api/health until `ready` holds: waits for a state, not for a time. */
async function until(served: Served, ready: (health: HealthResponse) => boolean): Promise<HealthResponse> {
  for (;;) {
    const health = await served.health();
    if (ready(health)) return health;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const SESSION_A = 'session-a-0123456789abcdef';

describe('Host and Origin checks (DNS rebinding), CORS', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve({ allowedHosts: ['demo.example'] });
  });

  it('answers only the names it serves, on its port; others get 421 naming what it serves', async () => {
    const { port, send } = served;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'demo.example',
      'demo.example:80',
    ]) {
      expect({
        host,
        status: (await send({ path: '/api/health', headers: { host } }).answer).status,
      }).toEqual({
        host,
        status: 200,
      });
    }
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `localhost:${port + 1}`,
      `127.0.0.1.nip.io:${port}`,
    ]) {
      for (const path of ['/api/health', '/', '/samples/cats.jpg', '/no-such-route']) {
        const { status, json } = await send({ path, headers: { host } }).answer;
        expect({ host, path, status }).toEqual({ host, path, status: 421 });
        expect(json.error.code).toBe('DEMO_HOST_NOT_ALLOWED');
      }
    }
    const refused = await send({ path: '/api/health', headers: { host: 'evil.example' } }).answer;
    expect(refused.json.error.message).toBe(
      `Host "evil.example": this demo serves only localhost:${port}, 127.0.0.1:${port}, [::1]:${port}, ` +
        'demo.example; to serve another name, start it with --allowed-host NAME',
    );
    // A POST is refused before its body is read.
    const post = await served.json('/api/segment', { imageId: 'x' }, { host: 'evil.example' });
    expect(post.status).toBe(421);
  });

  it('refuses CORS preflights (403, no Access-Control-Allow-Origin) and answers other OPTIONS with 405', async () => {
    const { port, send } = served;
    for (const origin of [`http://127.0.0.1:${port}`, 'https://evil.example']) {
      const preflight = await send({
        method: 'OPTIONS',
        path: '/api/segment',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      }).answer;
      expect(preflight.status).toBe(403);
      expect(preflight.json.error.code).toBe('DEMO_CROSS_ORIGIN');
      expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    const options = await send({ method: 'OPTIONS', path: '/api/health' }).answer;
    expect(options.status).toBe(405);
    expect(options.headers.allow).toBe('GET, HEAD, POST');
  });

  it('refuses requests from pages of other origins; its own page and origin-less clients pass', async () => {
    const { port } = served;
    const foreign = await served.json('/api/segment', { imageId: 'x' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.message).toMatch(
      /^Origin "https:\/\/evil\.example": cross-origin requests are not allowed/,
    );
    const nullOrigin = await served.json('/api/segment', { imageId: 'x' }, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    const own = await served.json('/api/segment', { imageId: 'x' }, { origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(404);
    const curl = await served.json('/api/segment', { imageId: 'x' });
    expect(curl.status).toBe(404);
  });

  it('sends no CORS headers on normal responses, and keeps its CSP', async () => {
    for (const path of ['/api/health', '/', '/api/samples', '/nope']) {
      const { headers } = await served.send({ path }).answer;
      expect(Object.keys(headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
  });
});

describe('multipart uploads', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve();
  });

  const post = (body: Buffer | string, contentType: string) =>
    served.send({ method: 'POST', path: '/api/images', headers: { 'content-type': contentType }, body })
      .answer;

  it('answers a body without a file part with 400 saying so', async () => {
    const textOnly = multipart([{ name: 'image', value: 'cats.jpg' }]);
    const answer = await post(textOnly.body, textOnly.contentType);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toEqual({
      code: 'DEMO_REQUEST',
      message:
        'image: no file part: the multipart body has a text field "image"; send the image as a file in the ' +
        'field "image"',
    });
    const otherText = multipart([{ name: 'note', value: 'hello' }]);
    expect((await post(otherText.body, otherText.contentType)).json.error.message).toMatch(
      /text field "note"/,
    );
    const textThenFile = multipart([
      { name: 'note', value: 'hello' },
      { name: 'image', filename: 'a.png', value: await png(1) },
    ]);
    expect((await post(textThenFile.body, textThenFile.contentType)).status).toBe(400);
    const empty = multipart([]);
    const none = await post(empty.body, empty.contentType);
    expect(none.status).toBe(400);
    expect(none.json.error.message).toBe(
      'image: no file part: send the image as a file in the multipart field "image"',
    );
  });

  it('answers malformed multipart bodies with 400, never 500', async () => {
    const good = multipart([{ name: 'image', filename: 'a.png', value: await png(2) }]);
    const cases: [string, Buffer | string, string][] = [
      ['no boundary', good.body, 'multipart/form-data'],
      ['garbage', 'this is not multipart', good.contentType],
      ['truncated', good.body.subarray(0, good.body.length - 30), good.contentType],
      [
        'bad part header',
        '--tasamBoundary7MA4YWxk\r\nno colon here\r\n\r\nx\r\n--tasamBoundary7MA4YWxk--\r\n',
        good.contentType,
      ],
    ];
    for (const [name, body, contentType] of cases) {
      const { status, json } = await post(body, contentType);
      expect({ name, status, code: json.error.code }).toEqual({ name, status: 400, code: 'DEMO_REQUEST' });
      expect(json.error.message).toMatch(
        /^(body: not a well-formed multipart\/form-data body|image: no file part)/,
      );
    }
    expect((await post(good.body, good.contentType)).status).toBe(201);
  });
});

describe('admission by expected time, cancellation', () => {
  it('admits while the expected answer time fits the bound, then 503 with Retry-After from the drain time', async () => {
    // The queue's clock never moves: only the priors and the jobs queued decide.
    const served = await serve({
      maxWaitMs: 5000,
      jobPriorsMs: { prompt: 1000 },
      admissionDeviations: 0,
      now: () => 0,
    });
    const { imageId } = (await served.upload(await png(3))).json;
    served.engine.block();
    const point = { imageId, points: [{ x: 1, y: 1, label: 1 }] };
    // Each prompt is expected to take 1000 ms: the 5th is answered at ~5000 ms, within the bound.
    const admitted = Array.from({ length: 5 }, () =>
      served.send({
        method: 'POST',
        path: '/api/segment',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(point),
      }),
    );
    const queued = await until(served, (health) => health.queue.pending === 5);
    expect(queued.queue).toMatchObject({ expectedDrainMs: 5000, maxWaitMs: 5000 });
    const refused = await served.json('/api/segment', point);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json.error).toMatchObject({ code: 'DEMO_BUSY' });
    expect(refused.json.error.message).toMatch(
      /~6\.0 s \(5 requests queued\), over the 5\.0 s bound; retry in 5 s/,
    );

    // Clients 1 (its job running) and 2 (waiting) give up: 2's job leaves the queue and never runs; 1's runs
    // to its end, its result dropped.
    expect(served.engine.segmentCalls).toBe(1);
    admitted[0].abort();
    admitted[1].abort();
    await until(served, (health) => health.queue.pending === 4);
    served.engine.unblock();
    for (const request of admitted.slice(2)) expect((await request.answer).status).toBe(200);
    await until(served, (health) => health.queue.pending === 0);
    expect(served.engine.segmentCalls).toBe(4);
    expect((await admitted[0].answer).status).toBe(0);
  });

  it("serves another session's request in its fair place and refuses at once the prompts it pushed past the bound", async () => {
    // The queue's clock never moves: only the priors and the jobs queued decide.
    const served = await serve({
      maxWaitMs: 5000,
      jobPriorsMs: { prompt: 1000 },
      admissionDeviations: 0,
      now: () => 0,
    });
    const sessionA = { 'x-tasam-session': SESSION_A };
    const sessionB = { 'x-tasam-session': 'session-b-0123456789abcdef' };
    const imageA = (await served.upload(await png(11), sessionA)).json.imageId;
    const imageB = (await served.upload(await png(12), sessionB)).json.imageId;
    served.engine.block();
    const prompt = (imageId: string, headers: Record<string, string>) =>
      served.send({
        method: 'POST',
        path: '/api/segment',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ imageId, points: [{ x: 1, y: 1, label: 1 }] }),
      });
    // Session A fills the bound: 5 prompts of 1000 ms, the last answered at ~5000 ms.
    const fromA: ReturnType<typeof prompt>[] = [];
    for (let i = 0; i < 5; i++) {
      fromA.push(prompt(imageA, sessionA));
      await until(served, (health) => health.queue.pending === i + 1);
    }
    expect(
      (await served.json('/api/segment', { imageId: imageA, points: [{ x: 1, y: 1, label: 1 }] }, sessionA))
        .status,
    ).toBe(503);
    // Session B's prompt goes right after the running one (~2000 ms): admitted. A's last prompt would now end
    // at ~6000 ms: it gets its 503 (with Retry-After) now, not after waiting.
    const fromB = prompt(imageB, sessionB);
    const shed = await fromA[4].answer;
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBeDefined();
    expect(shed.json.error.message).toMatch(
      /has waited 0\.0 s and could no longer be answered within the 5\.0 s bound/,
    );
    expect((await served.health()).queue.pending).toBe(5);
    served.engine.unblock();
    expect((await fromB.answer).status).toBe(200);
    for (const request of fromA.slice(0, 4)) expect((await request.answer).status).toBe(200);
  });

  it('drops a request whose client ended its side of the connection while it waited', async () => {
    const served = await serve();
    const { imageId } = (await served.upload(await png(10))).json;
    served.engine.block();
    const body = JSON.stringify({ imageId, points: [{ x: 1, y: 1, label: 1 }] });
    const holding = served.json('/api/segment', JSON.parse(body));
    await until(served, (health) => health.queue.pending === 1);
    // A raw client that sends its request and half-closes (as a client that gives up may): no answer can
    // reach it any more, so its job must not run.
    const socket = connect(served.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.end(
      `POST /api/segment HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => socket.once('close', resolve));
    await until(served, (health) => health.queue.pending === 1);
    served.engine.unblock();
    expect((await holding).status).toBe(200);
    await until(served, (health) => health.queue.pending === 0);
    expect(served.engine.segmentCalls).toBe(1);
  });

  it('refuses an upload the encoder could not take in time before parsing or decoding it', async () => {
    const served = await serve({
      maxWaitMs: 3000,
      jobPriorsMs: { encode: 2000 },
      admissionDeviations: 0,
      now: () => 0,
    });
    served.engine.block();
    const first = served.upload(await png(8));
    await until(served, (health) => health.queue.pending === 1);
    // 2000 ms ahead plus its own 2000: over the 3 s bound.
    const second = await served.upload(await png(9));
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('2');
    expect(second.json.error.code).toBe('DEMO_BUSY');
    served.engine.unblock();
    expect((await first).status).toBe(201);
    expect(served.engine.embedCalls).toBe(1);
  });

  it('drops an abandoned upload: its encoder job leaves the queue and nothing is stored', async () => {
    const served = await serve();
    const { imageId } = (await served.upload(await png(4))).json;
    const before = (await served.health()).images;
    const embedsBefore = served.engine.embedCalls;
    served.engine.block();
    const holding = served.json('/api/segment', { imageId, points: [{ x: 1, y: 1, label: 1 }] });
    await until(served, (health) => health.queue.pending === 1);
    const { body, contentType } = multipart([{ name: 'image', filename: 'b.png', value: await png(5) }]);
    const abandoned = served.send({
      method: 'POST',
      path: '/api/images',
      headers: { 'content-type': contentType },
      body,
    });
    await until(served, (health) => health.queue.pending === 2);
    abandoned.abort();
    await until(served, (health) => health.queue.pending === 1);
    served.engine.unblock();
    expect((await holding).status).toBe(200);
    const after = await until(served, (health) => health.queue.pending === 0);
    expect(after.images).toBe(before);
    expect(served.engine.embedCalls).toBe(embedsBefore);
  });
});

describe('image store: live sessions keep their images', () => {
  it('anonymous uploads recycle their own pool and never evict a live session image', async () => {
    const served = await serve({ maxImages: 4, maxAnonymousImages: 2 });
    const session = { 'x-tasam-session': SESSION_A };
    const mine = await served.upload(await png(100), session);
    expect(mine.status).toBe(201);
    const anonymous: string[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await served.upload(await png(200 + i));
      expect(answer.status).toBe(201);
      anonymous.push(answer.json.imageId);
      const click = await served.json('/api/segment', {
        imageId: mine.json.imageId,
        points: [{ x: 1, y: 1, label: 1 }],
      });
      expect({ i, status: click.status }).toEqual({ i, status: 200 });
    }
    const health = await served.health();
    expect(health.imageStore).toEqual({ images: 3, sessions: 1, anonymous: 2, capacity: 4 });
    // The anonymous pool holds its 2 newest; the first anonymous upload is gone.
    const first = await served.json('/api/segment', {
      imageId: anonymous[0],
      points: [{ x: 1, y: 1, label: 1 }],
    });
    expect(first.status).toBe(404);
  });

  it('refuses a malformed session header with 400', async () => {
    const served = await serve();
    const answer = await served.upload(await png(7), { 'x-tasam-session': '../../etc' });
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toMatch(/^x-tasam-session: expected one header of 16 to 64 characters/);
  });
});
