// The demo under load, as issue 18 pushed it: many concurrent clients against the real server (real models,
// started as `tasam-demo` starts: `node dist/bin.js`, a child process whose peak RSS is read from /proc).
// - run A: point requests only (one image, uploaded by the clients' session);
// - run B: one request in five an anonymous upload, 3 in 8 of them bad (empty, not an image, truncated JPEG).
// Meanwhile a tracked session (its own image, uploaded with its session header) clicks about once a second and
// must never get a 404 (its image evicted). Per run: requests, status counts, p50/p99 of accepted requests,
// accepted requests answered over the admission bound, 503s with and without Retry-After, the tracked session,
// the server's peak RSS, and how long its queue took to drain once the clients left.
// Usage (after `pnpm --filter @tasam/demo... build`):
//   pnpm --filter @tasam/demo load [-- --connections 50 --duration 30 --runs A,B --timeout 20 --max-wait 10
//     --no-model-worker]
// `--no-model-worker` starts the server with the models on its own thread (as before the model worker).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import autocannon = require('autocannon');

import sharp from 'sharp';
import type { HealthResponse, UploadResponse } from '../src/api-types';

const root = join(__dirname, '..', '..');
const examples = join(root, '..', '..', 'examples');

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const CONNECTIONS = Number(option('connections', '50'));
const DURATION_S = Number(option('duration', '30'));
const TIMEOUT_S = Number(option('timeout', '20'));
const MAX_WAIT_S = Number(option('max-wait', '10'));
const RUNS = option('runs', 'A,B').split(',');
const LOG_LEVEL = option('log-level', 'warn');
const MODEL_WORKER = !process.argv.includes('--no-model-worker');

const CLIENTS_SESSION = 'load-clients-session-0001';
const TRACKED_SESSION = 'tracked-session-000000001';
const BOUNDARY = 'tasamLoadBoundary0123456789';

// --- the server, as a child process -----------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  base: string;
  log: string[];
}

function startServer(): Promise<Server> {
  const bin = join(root, 'dist', 'bin.js');
  if (!existsSync(bin) || !existsSync(join(root, 'dist', 'web', 'index.html'))) {
    throw new Error(`${bin} or the page is missing: run \`pnpm --filter @tasam/demo... build\` first`);
  }
  const args = [bin, '--max-wait', String(MAX_WAIT_S), ...(MODEL_WORKER ? [] : ['--no-model-worker'])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  // Fastify's request log (JSON lines on stdout, with `--log-level info`).
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    log.push(...lines);
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        const serving = /serving (http:\/\/\S+?)\/?$/.exec(line);
        if (serving) resolve({ child, base: serving[1], log });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`the server exited (${code}) before serving:\n${log.join('\n')}`)),
    );
  });
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** VmHWM (peak resident set since start) and VmRSS of a process, in MB (Linux /proc). */
function memoryMb(pid: number): { peak: number; now: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const read = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
    return { peak: read('VmHWM'), now: read('VmRSS') };
  } catch {
    return { peak: Number.NaN, now: Number.NaN };
  }
}

// --- request bodies ---------------------------------------------------------------------------------------

function multipart(filename: string, bytes: Buffer, session?: string) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\n` +
      'Content-Type: image/jpeg\r\n\r\n',
  );
  return {
    body: Buffer.concat([head, bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]),
    headers: {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      ...(session ? { 'x-tasam-session': session } : {}),
    },
  };
}

async function upload(
  base: string,
  filename: string,
  bytes: Buffer,
  session?: string,
): Promise<UploadResponse> {
  const { body, headers } = multipart(filename, bytes, session);
  const response = await fetch(`${base}/api/images`, { method: 'POST', headers, body: new Uint8Array(body) });
  if (response.status !== 201)
    throw new Error(`upload ${filename}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as UploadResponse;
}

type UploadKind = 'upload' | 'upload-empty' | 'upload-not-image' | 'upload-truncated';

/** Distinct JPEGs (so the encoder runs for each) and the bad uploads, in the order the clients send them. */
async function uploadBodies(): Promise<
  { kind: UploadKind; body: Buffer; headers: Record<string, string> }[]
> {
  const samples = ['cats.jpg', 'elephants.jpg', 'suitcases.jpg', 'fruit-bowl.jpg'].filter((name) =>
    existsSync(join(examples, name)),
  );
  const good: Buffer[] = [];
  for (let i = 0; i < 60; i++) {
    const source = readFileSync(join(examples, samples[i % samples.length]));
    good.push(
      await sharp(source)
        .jpeg({ quality: 95 - Math.floor(i / samples.length) })
        .toBuffer(),
    );
  }
  const bad: Record<Exclude<UploadKind, 'upload'>, Buffer> = {
    'upload-empty': Buffer.alloc(0),
    'upload-not-image': Buffer.from('this is a text file, not a picture\n'.repeat(20)),
    'upload-truncated': good[0].subarray(0, Math.floor(good[0].length / 2)),
  };
  // Of every 8 uploads, 5 good and 3 bad (one of each kind).
  const pattern: UploadKind[] = [
    'upload',
    'upload-empty',
    'upload',
    'upload-not-image',
    'upload',
    'upload-truncated',
    'upload',
    'upload',
  ];
  const bodies: { kind: UploadKind; body: Buffer; headers: Record<string, string> }[] = [];
  let next = 0;
  for (let i = 0; i < good.length * 2; i++) {
    const kind = pattern[i % pattern.length];
    const bytes = kind === 'upload' ? good[next++ % good.length] : bad[kind];
    bodies.push({ kind, ...multipart(`${kind}-${i}.jpg`, bytes) });
  }
  return bodies;
}

// --- one run ----------------------------------------------------------------------------------------------

interface Outcome {
  /** ms since the load started, when the response arrived. */
  at?: number;
  kind: string;
  status: number;
  latencyMs: number;
  retryAfter?: string;
  queueMs?: number;
  /** The server's own time for it, from its handler's start (timings.totalMs). */
  serverMs?: number;
  code?: string;
  /** A 503 for a job admitted, then shed before it ran (it could no longer be answered within the bound). */
  shed?: boolean;
}

interface RunReport {
  run: string;
  connections: number;
  durationS: number;
  requests: number;
  byStatus: Record<string, number>;
  byKindAndStatus: Record<string, number>;
  errorCodes: Record<string, number>;
  timeouts: number;
  errors: number;
  accepted: { count: number; p50: number; p99: number; max: number; overBound: number };
  acceptedByKind: Record<string, { count: number; p50: number; p99: number; max: number }>;
  serverQueueMsMax: number;
  refused: {
    count: number;
    withRetryAfter: number;
    shed: number;
    retryAfterRange: [number, number] | null;
    p50: number;
    p99: number;
    byKind: Record<string, { count: number; p50: number; p99: number }>;
  };
  tracked: {
    clicks: number;
    ok: number;
    busy: number;
    notFound: number;
    other: number;
    p50: number;
    max: number;
    /** Every click: when it was sent (ms into the load), its status, latency and the server's own timings. */
    log: {
      at: number;
      status: number;
      latencyMs: number;
      queueMs?: number;
      serverMs?: number;
      body?: string;
    }[];
  };
  clientsImageNotFound: number;
  peakRssMb: number;
  peakRssDuringLoadMb: number;
  queueAtEnd: number;
  drainMs: number;
  expectedJobMs: HealthResponse['queue']['expectedJobMs'];
  /** The server's event-loop reserve (its loop's longest recent block) over the 1 s /api/health samples, ms. */
  reserveMs: { p50: number; max: number };
  /** /api/health's round trip over those samples, ms: how long a request waits to be read and answered. */
  healthMs: { p50: number; max: number };
  /**
   * /api/health once a second during the load: queue length, expected drain time, job means, the reserve and
   * the sample's round trip.
   */
  timeline: {
    t: number;
    pending: number;
    drainMs: number;
    promptMs: number;
    encodeMs: number;
    reserveMs: number;
    healthMs: number;
  }[];
  /** Every accepted request: when it was answered, its latency and its server-side queue wait. */
  acceptedTimeline: { at: number; kind: string; latencyMs: number; queueMs: number; serverMs: number }[];
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function health(base: string): Promise<HealthResponse> {
  const response = await fetch(`${base}/api/health`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/api/health: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as HealthResponse;
}

async function run(name: string, withUploads: boolean): Promise<RunReport> {
  process.stderr.write(`run ${name}: starting the server (real models)…\n`);
  const server = await startServer();
  const pid = server.child.pid ?? 0;
  try {
    const cats = readFileSync(join(examples, 'cats.jpg'));
    const clientsImage = await upload(server.base, 'cats.jpg', cats, CLIENTS_SESSION);
    const trackedBytes = await sharp(readFileSync(join(examples, 'elephants.jpg')))
      .jpeg({ quality: 77 })
      .toBuffer();
    const trackedImage = await upload(server.base, 'tracked.jpg', trackedBytes, TRACKED_SESSION);
    const uploads = withUploads ? await uploadBodies() : [];
    process.stderr.write(
      `run ${name}: ${CONNECTIONS} clients for ${DURATION_S} s${withUploads ? ', one request in five an upload' : ''}…\n`,
    );

    let seed = 1;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const outcomes: Outcome[] = [];
    let last: Omit<Outcome, 'latencyMs'> | undefined;
    const pointRequest = {
      method: 'POST',
      path: '/api/segment',
      headers: { 'content-type': 'application/json', 'x-tasam-session': CLIENTS_SESSION },
      setupRequest: (request: autocannon.Request) => ({
        ...request,
        body: JSON.stringify({
          imageId: clientsImage.imageId,
          points: [{ x: random() * clientsImage.width, y: random() * clientsImage.height, label: 1 }],
        }),
      }),
      onResponse: (status: number, body: string, _context: unknown, headers: Record<string, string>) => {
        last = { kind: 'point', status, ...details(status, body, headers) };
      },
    };
    let nextUpload = 0;
    const uploadRequest = {
      method: 'POST',
      path: '/api/images',
      setupRequest: (request: autocannon.Request, context: Record<string, unknown>) => {
        const chosen = uploads[nextUpload++ % uploads.length];
        context.kind = chosen.kind;
        return { ...request, headers: chosen.headers, body: chosen.body };
      },
      onResponse: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, string>,
      ) => {
        // autocannon resets a connection's context when it reconnects (after a 503 that closed it).
        last = { kind: String(context.kind ?? 'upload-any'), status, ...details(status, body, headers) };
      },
    };
    const requests = withUploads
      ? [pointRequest, pointRequest, pointRequest, pointRequest, uploadRequest]
      : [pointRequest];

    const loadStarted = performance.now();
    // The tracked session: a person clicking on their own image throughout, honouring Retry-After (up to 3 s).
    const tracked = {
      clicks: 0,
      ok: 0,
      busy: 0,
      notFound: 0,
      other: 0,
      latencies: [] as number[],
      log: [] as {
        at: number;
        status: number;
        latencyMs: number;
        queueMs?: number;
        serverMs?: number;
        body?: string;
      }[],
    };
    let loading = true;
    const trackedLoop = (async () => {
      while (loading) {
        const started = performance.now();
        const response = await fetch(`${server.base}/api/segment`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tasam-session': TRACKED_SESSION },
          body: JSON.stringify({
            imageId: trackedImage.imageId,
            points: [{ x: random() * trackedImage.width, y: random() * trackedImage.height, label: 1 }],
          }),
        }).catch(() => undefined);
        tracked.clicks++;
        const status = response?.status ?? 0;
        const text = await response?.text().catch(() => undefined);
        let timings: { queueMs?: number; totalMs?: number } | undefined;
        try {
          timings = status === 200 && text ? JSON.parse(text).timings : undefined;
        } catch {
          timings = undefined;
        }
        tracked.log.push({
          at: Math.round(started - loadStarted),
          status,
          latencyMs: Math.round(performance.now() - started),
          queueMs: timings?.queueMs,
          serverMs: timings?.totalMs,
          ...(status !== 200 && text ? { body: text.slice(0, 300) } : {}),
        });
        if (status === 200) {
          tracked.ok++;
          tracked.latencies.push(performance.now() - started);
        } else if (status === 503) tracked.busy++;
        else if (status === 404) tracked.notFound++;
        else tracked.other++;
        const retryAfter = Number(response?.headers.get('retry-after'));
        await sleep(status === 503 && retryAfter > 0 ? Math.min(retryAfter, 3) * 1000 : 1000);
      }
    })();

    let peakDuringLoad = 0;
    const ownLoop = monitorEventLoopDelay({ resolution: 20 });
    ownLoop.enable();
    const timeline: RunReport['timeline'] = [];
    const sampler = setInterval(() => {
      peakDuringLoad = Math.max(peakDuringLoad, memoryMb(pid).now);
    }, 250);
    const healthErrors: string[] = [];
    const queueSampler = setInterval(() => {
      const sent = performance.now();
      health(server.base)
        .then((h) =>
          timeline.push({
            t: Math.round(sent - loadStarted),
            pending: h.queue.pending,
            drainMs: h.queue.expectedDrainMs,
            promptMs: h.queue.expectedJobMs.prompt,
            encodeMs: h.queue.expectedJobMs.encode,
            reserveMs: h.queue.reserveMs,
            healthMs: Math.round(performance.now() - sent),
          }),
        )
        .catch((error: unknown) => {
          if (healthErrors.length < 5) healthErrors.push(String(error));
        });
    }, 1000);
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: server.base,
          connections: CONNECTIONS,
          duration: DURATION_S,
          timeout: TIMEOUT_S,
          requests,
        },
        (error, finished) => (error ? reject(error) : resolve(finished)),
      );
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
        if (last)
          outcomes.push({
            ...last,
            latencyMs: responseTime,
            at: Math.round(performance.now() - loadStarted),
          });
        last = undefined;
      });
    });
    // The clients have gone (autocannon closed their connections): how fast does the queue empty?
    const leftAt = performance.now();
    loading = false;
    const queueAtEnd = (await health(server.base)).queue.pending;
    let drained = await health(server.base);
    while (drained.queue.pending > 0) {
      await sleep(50);
      drained = await health(server.base);
    }
    const drainMs = performance.now() - leftAt;
    await trackedLoop;
    clearInterval(sampler);
    clearInterval(queueSampler);
    ownLoop.disable();
    process.stderr.write(
      `run ${name}: the load script's own event loop delay: p50 ${Math.round(ownLoop.percentile(50) / 1e6)} ms, ` +
        `p99 ${Math.round(ownLoop.percentile(99) / 1e6)} ms, max ${Math.round(ownLoop.max / 1e6)} ms\n`,
    );
    for (const error of healthErrors) process.stderr.write(`run ${name}: health sample failed: ${error}\n`);
    const memory = memoryMb(pid);

    const count = (key: (outcome: Outcome) => string) => {
      const counts: Record<string, number> = {};
      for (const outcome of outcomes) counts[key(outcome)] = (counts[key(outcome)] ?? 0) + 1;
      return counts;
    };
    const accepted = outcomes.filter((outcome) => outcome.status >= 200 && outcome.status < 300);
    const refused = outcomes.filter((outcome) => outcome.status === 503);
    const retryAfters = refused
      .map((outcome) => Number(outcome.retryAfter))
      .filter((n) => Number.isInteger(n) && n > 0);
    const acceptedByKind: RunReport['acceptedByKind'] = {};
    for (const kind of new Set(accepted.map((outcome) => outcome.kind))) {
      const latencies = accepted
        .filter((outcome) => outcome.kind === kind)
        .map((outcome) => outcome.latencyMs);
      acceptedByKind[kind] = {
        count: latencies.length,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
      };
    }
    const latencies = accepted.map((outcome) => outcome.latencyMs);
    return {
      run: name,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      requests: outcomes.length,
      byStatus: count((outcome) => String(outcome.status)),
      byKindAndStatus: count((outcome) => `${outcome.kind} ${outcome.status}`),
      errorCodes: count((outcome) => outcome.code ?? '-'),
      timeouts: result.timeouts,
      errors: result.errors,
      accepted: {
        count: accepted.length,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.length ? Math.max(...latencies) : Number.NaN,
        overBound: latencies.filter((ms) => ms > MAX_WAIT_S * 1000).length,
      },
      acceptedByKind,
      serverQueueMsMax: Math.max(0, ...accepted.map((outcome) => outcome.queueMs ?? 0)),
      refused: {
        count: refused.length,
        withRetryAfter: retryAfters.length,
        shed: refused.filter((outcome) => outcome.shed).length,
        retryAfterRange: retryAfters.length ? [Math.min(...retryAfters), Math.max(...retryAfters)] : null,
        p50: percentile(
          refused.map((outcome) => outcome.latencyMs),
          50,
        ),
        p99: percentile(
          refused.map((outcome) => outcome.latencyMs),
          99,
        ),
        byKind: Object.fromEntries(
          [...new Set(refused.map((outcome) => outcome.kind))].map((kind) => {
            const latencies = refused
              .filter((outcome) => outcome.kind === kind)
              .map((outcome) => outcome.latencyMs);
            return [
              kind,
              { count: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
            ];
          }),
        ),
      },
      tracked: {
        clicks: tracked.clicks,
        ok: tracked.ok,
        busy: tracked.busy,
        notFound: tracked.notFound,
        other: tracked.other,
        p50: percentile(tracked.latencies, 50),
        max: tracked.latencies.length ? Math.max(...tracked.latencies) : Number.NaN,
        log: tracked.log,
      },
      clientsImageNotFound: outcomes.filter((outcome) => outcome.kind === 'point' && outcome.status === 404)
        .length,
      peakRssMb: memory.peak,
      peakRssDuringLoadMb: peakDuringLoad,
      queueAtEnd,
      drainMs,
      expectedJobMs: drained.queue.expectedJobMs,
      reserveMs: {
        p50: percentile(
          timeline.map((sample) => sample.reserveMs),
          50,
        ),
        max: Math.max(...timeline.map((sample) => sample.reserveMs)),
      },
      healthMs: {
        p50: percentile(
          timeline.map((sample) => sample.healthMs),
          50,
        ),
        max: Math.max(...timeline.map((sample) => sample.healthMs)),
      },
      timeline,
      acceptedTimeline: accepted.map((outcome) => ({
        at: outcome.at ?? 0,
        kind: outcome.kind,
        latencyMs: Math.round(outcome.latencyMs),
        queueMs: Math.round(outcome.queueMs ?? 0),
        serverMs: Math.round(outcome.serverMs ?? 0),
      })),
    };
  } finally {
    await stopServer(server);
    // The server's own log (per-request lines with `--log-level info`), for reading the server's view.
    const out = join(root, 'test-artifacts', 'load');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `server-${name}.log`), `${server.log.join('\n')}\n`);
  }
}

/** What a response says: Retry-After for 503s, the server's queue wait for 2xx, the error code for 4xx/5xx. */
function details(status: number, body: string, headers: Record<string, string>): Partial<Outcome> {
  if (status === 503) {
    return { retryAfter: headers['retry-after'], code: errorCode(body), shed: /has waited/.test(body) };
  }
  if (status >= 400) return { code: errorCode(body) };
  try {
    const timings = (JSON.parse(body) as { timings?: { queueMs?: number; totalMs?: number } }).timings;
    return { queueMs: timings?.queueMs, serverMs: timings?.totalMs };
  } catch {
    return {};
  }
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

// --- report -----------------------------------------------------------------------------------------------

function table(reports: RunReport[]): string {
  const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '-');
  const rows: [string, (report: RunReport) => string][] = [
    ['clients × seconds', (r) => `${r.connections} × ${r.durationS}`],
    ['responses', (r) => String(r.requests)],
    [
      'status counts',
      (r) =>
        Object.entries(r.byStatus)
          .map(([status, n]) => `${status}: ${n}`)
          .join(', '),
    ],
    [
      'by request kind',
      (r) =>
        Object.entries(r.byKindAndStatus)
          .sort()
          .map(([key, n]) => `${key}: ${n}`)
          .join(', '),
    ],
    ['client timeouts / errors', (r) => `${r.timeouts} / ${r.errors}`],
    ['accepted (2xx)', (r) => String(r.accepted.count)],
    [
      'accepted p50 / p99 / max',
      (r) => `${ms(r.accepted.p50)} / ${ms(r.accepted.p99)} / ${ms(r.accepted.max)}`,
    ],
    [
      'accepted p50 / p99 by kind',
      (r) =>
        Object.entries(r.acceptedByKind)
          .map(([kind, s]) => `${kind} (${s.count}): ${ms(s.p50)} / ${ms(s.p99)}`)
          .join('; '),
    ],
    [`accepted answered over the ${MAX_WAIT_S} s bound`, (r) => String(r.accepted.overBound)],
    ['server-side queue wait, max (accepted)', (r) => ms(r.serverQueueMsMax)],
    [
      '503s / with Retry-After (range)',
      (r) =>
        `${r.refused.count} / ${r.refused.withRetryAfter}` +
        (r.refused.retryAfterRange
          ? ` (${r.refused.retryAfterRange[0]}-${r.refused.retryAfterRange[1]} s)`
          : ''),
    ],
    ['503s shed after admission (deadline)', (r) => String(r.refused.shed)],
    [
      '503 latency p50 / p99 (by kind)',
      (r) =>
        `${ms(r.refused.p50)} / ${ms(r.refused.p99)} (` +
        Object.entries(r.refused.byKind)
          .map(([kind, s]) => `${kind}: ${ms(s.p50)} / ${ms(s.p99)}`)
          .join('; ') +
        ')',
    ],
    ['clients image 404 (evicted)', (r) => String(r.clientsImageNotFound)],
    [
      'tracked session: answered over the bound',
      (r) => String(r.tracked.log.filter((c) => c.status === 200 && c.latencyMs > MAX_WAIT_S * 1000).length),
    ],
    [
      'tracked session: slowest answer, any status',
      (r) => ms(Math.max(...r.tracked.log.filter((c) => c.status !== 0).map((c) => c.latencyMs))),
    ],
    [
      'tracked session: clicks ok / 503 / 404 / other',
      (r) =>
        `${r.tracked.ok} / ${r.tracked.busy} / ${r.tracked.notFound} / ${r.tracked.other} (p50 ${ms(r.tracked.p50)})`,
    ],
    [
      'server peak RSS (VmHWM) / during load',
      (r) => `${Math.round(r.peakRssMb)} MB / ${Math.round(r.peakRssDuringLoadMb)} MB`,
    ],
    ['queue when clients left → drained after', (r) => `${r.queueAtEnd} → ${ms(r.drainMs)}`],
    [
      'server event-loop reserve p50 / max (1 s samples)',
      (r) => `${ms(r.reserveMs.p50)} / ${ms(r.reserveMs.max)}`,
    ],
    [
      '/api/health round trip p50 / max (1 s samples)',
      (r) => `${ms(r.healthMs.p50)} / ${ms(r.healthMs.max)}`,
    ],
    [
      'measured job means (encode / prompt)',
      (r) => `${r.expectedJobMs.encode} ms / ${r.expectedJobMs.prompt} ms`,
    ],
  ];
  const header = `| measure | ${reports.map((r) => `run ${r.run}`).join(' | ')} |`;
  const rule = `|---|${reports.map(() => '---').join('|')}|`;
  return [
    header,
    rule,
    ...rows.map(([label, cell]) => `| ${label} | ${reports.map(cell).join(' | ')} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const reports: RunReport[] = [];
  for (const name of RUNS) {
    if (name !== 'A' && name !== 'B') throw new Error(`--runs ${name}: expected A, B or A,B`);
    reports.push(await run(name, name === 'B'));
  }
  const out = join(root, 'test-artifacts', 'load');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'demo-load.json'),
    `${JSON.stringify({ maxWaitS: MAX_WAIT_S, modelWorker: MODEL_WORKER, reports }, null, 2)}\n`,
  );
  console.log(table(reports));
  console.log(`\n(JSON: ${join(out, 'demo-load.json')})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
