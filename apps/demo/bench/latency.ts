// Latency of the demo as a user meets it, over real HTTP on 127.0.0.1 with the real model:
// - upload to first mask: POST /api/images (decode + encoder) then the first click's POST /api/segment;
// - click to mask: a further click on an uploaded image (trunk + heads + RLE, embedding cached);
// - automatic: "everything" over the demo's grid, and with a task (what a task submit runs) when a
//   hypernet checkpoint is available;
// - with --browser (Debian chromium): the same two in the page, until the mask is painted on the canvas.
// Prints medians. Usage: pnpm --filter @tasam/demo bench [-- --rounds 3 --clicks 5 --browser]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { SegmentResponse, UploadResponse } from '../src/api-types';
import { createDemoServer } from '../src/demo-server';
import { loadTaskLoras } from '../src/hypernet-task-loras';
import { SamEngine } from '../src/sam-engine';
import { loadGrounding } from '../src/task-grounding';

const root = join(__dirname, '..', '..');
const examples = join(root, '..', '..', 'examples');
const samples = ['cats.jpg', 'elephants.jpg', 'suitcases.jpg'];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (values: number[]) =>
  `median ${median(values).toFixed(0)} ms (n=${values.length}, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;

async function main(): Promise<void> {
  const rounds = option('rounds', 3);
  const clicks = option('clicks', 5);
  const tasks = await loadTaskLoras();
  const grounding = tasks.encoder ? await loadGrounding({ encoder: tasks.encoder }) : undefined;
  const engine = await SamEngine.create({
    taskLoras: tasks.generator,
    taskUnavailableReason: tasks.unavailableReason,
    grounding,
  });
  const app = await createDemoServer({ engine, webRoot: join(root, 'dist', 'web'), samplesDir: examples });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const post = async <T>(path: string, body: FormData | object): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      ...(body instanceof FormData
        ? { body }
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  const uploadToFirstMask: number[] = [];
  const encoder: number[] = [];
  const clickToMask: number[] = [];
  const trunk: number[] = [];
  const automatic: number[] = [];
  const taskAutomatic: number[] = [];
  let state = 12345;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let round = 0; round < rounds; round++) {
    for (const sample of samples) {
      // Re-encoded per round so the bytes differ and the encoder runs (the server caches by bytes).
      const bytes = await sharp(readFileSync(join(examples, sample)))
        .jpeg({ quality: 92 - round })
        .toBuffer();
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), sample);
      const started = performance.now();
      const uploaded = await post<UploadResponse>('/api/images', form);
      const { width, height, imageId } = uploaded;
      await post<SegmentResponse>('/api/segment', {
        imageId,
        points: [{ x: width / 2, y: height / 2, label: 1 }],
      });
      uploadToFirstMask.push(performance.now() - started);
      encoder.push(uploaded.timings.encoderMs);
      for (let c = 0; c < clicks; c++) {
        const clickStarted = performance.now();
        const result = await post<SegmentResponse>('/api/segment', {
          imageId,
          points: [{ x: random() * width, y: random() * height, label: 1 }],
        });
        clickToMask.push(performance.now() - clickStarted);
        trunk.push(result.timings.trunkMs);
      }
      if (round === 0) {
        const autoStarted = performance.now();
        await post<SegmentResponse>('/api/segment', { imageId, mode: 'automatic' });
        automatic.push(performance.now() - autoStarted);
        if (engine.taskMode.available) {
          const taskStarted = performance.now();
          const task = `segment all ${sample.replace(/\.jpg$/, '')}`;
          await post<SegmentResponse>('/api/segment', { imageId, mode: 'automatic', task, compare: true });
          taskAutomatic.push(performance.now() - taskStarted);
        }
      }
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  console.log(`HTTP, ${samples.length} images x ${rounds} rounds, ${clicks} clicks each (${engine.model})`);
  console.log(`  upload to first mask: ${fmt(uploadToFirstMask)}`);
  console.log(`    of which encoder:   ${fmt(encoder)}`);
  console.log(`  click to mask:        ${fmt(clickToMask)}`);
  console.log(`    of which trunk:     ${fmt(trunk)}`);
  console.log(`  automatic (8x8 grid): ${fmt(automatic)}`);
  console.log(
    taskAutomatic.length
      ? `  task, automatic + plain SAM compared (detector path when grounded, else 8x8 grid): ${fmt(taskAutomatic)}`
      : `  task mode: off (${engine.taskMode.reason})`,
  );
  if (process.argv.includes('--browser')) await browserLatency(base, rounds, clicks);
  await app.close();
}

/** Upload and click in Chromium until the mask is painted: adds the page's decode and drawing to HTTP. */
async function browserLatency(base: string, rounds: number, clicks: number): Promise<void> {
  const executablePath = process.env.TASAM_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.log(`  browser: skipped, ${executablePath} not installed (scripts/install-browser.sh)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]');
  const revision = () => page.$eval('#panel-sam', (e) => Number((e as HTMLElement).dataset.revision ?? 0));
  const waitForMask = (after: number) =>
    page.waitForFunction(
      (previous) =>
        Number(document.getElementById('panel-sam')?.dataset.revision) > previous &&
        document.getElementById('panel-sam')?.dataset.instances === '1',
      after,
      { timeout: 120_000, polling: 'raf' },
    );
  const uploadToFirstMask: number[] = [];
  const clickToMask: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const sample of samples) {
      const buffer = await sharp(readFileSync(join(examples, sample)))
        .jpeg({ quality: 82 - round })
        .toBuffer();
      const started = performance.now();
      await page.setInputFiles('#file-input', { name: sample, mimeType: 'image/jpeg', buffer });
      await page.waitForFunction(
        (name) => document.getElementById('image-name')?.textContent?.startsWith(name),
        sample,
        {
          timeout: 120_000,
        },
      );
      const surface = page.locator('#panel-sam .prompt-layer');
      const box = (await surface.boundingBox())!;
      let before = await revision();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await waitForMask(before);
      uploadToFirstMask.push(performance.now() - started);
      for (let c = 0; c < clicks; c++) {
        before = await revision();
        const clickStarted = performance.now();
        await page.mouse.click(
          box.x + box.width * (0.2 + 0.6 * Math.random()),
          box.y + box.height * (0.2 + 0.6 * Math.random()),
        );
        await waitForMask(before);
        clickToMask.push(performance.now() - clickStarted);
        await page.keyboard.press('Escape');
      }
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  console.log('Browser (Chromium, page painted), same images');
  console.log(`  upload to first mask: ${fmt(uploadToFirstMask)}`);
  console.log(`  click to mask:        ${fmt(clickToMask)}`);
  await browser.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
