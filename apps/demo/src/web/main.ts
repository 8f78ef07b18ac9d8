import './styles.css';
import type { SegmentBody, SegmentResponse, UploadResponse } from '../api-types';
import { ApiCallError, api } from './api-client';
import { downloadMaskPng, downloadRleJson } from './downloads';
import { describeGrounding } from './grounding-note';
import { attachPromptGestures, type KeyboardCursor } from './prompt-gestures';
import { PromptState } from './prompt-state';
import { type ResultKind, ResultPanel } from './result-panel';
import { renderSamples } from './sample-picker';
import { formatMs, TimingList } from './timing-list';

type View = ResultKind | 'both';

interface CurrentImage {
  id: string;
  name: string;
  width: number;
  height: number;
  /**
   * performance.now() when its upload started, while the first masks are requested straight after the upload
   * (a task was waiting in the task box); null otherwise, so the user's pause before a click is never counted.
   */
  uploadStartedAt: number | null;
}

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found as T;
};

const panels: Record<ResultKind, ResultPanel> = {
  sam: new ResultPanel(element('panel-sam'), 'sam'),
  tasam: new ResultPanel(element('panel-tasam'), 'tasam'),
};
const prompts = new PromptState();
const statusLine = element<HTMLParagraphElement>('status');
const errorLine = element<HTMLParagraphElement>('error');
const taskInput = element<HTMLInputElement>('task-input');
const groundingLine = element<HTMLParagraphElement>('grounding');
const fileInput = element<HTMLInputElement>('file-input');
const dropZone = element<HTMLDivElement>('drop-zone');
const timings = new TimingList(element<HTMLDListElement>('timings'));

let image: CurrentImage | null = null;
/** The task whose masks are showing; clicks refine with it too. */
let activeTask: string | null = null;
let cursor: KeyboardCursor | null = null;
let requestSeq = 0;
let busyCount = 0;

function setStatus(message: string): void {
  statusLine.textContent = message;
}

/** How the task on show was grounded (categories, colour) and which path found its masks; null hides it. */
function setGrounding(text: string | null): void {
  groundingLine.textContent = text ?? '';
  groundingLine.hidden = text === null;
}

function setError(message: string | null): void {
  errorLine.textContent = message ?? '';
  errorLine.hidden = message === null;
}

function describeError(error: unknown): string {
  if (error instanceof ApiCallError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

async function busy<T>(message: string, work: () => Promise<T>): Promise<T> {
  busyCount++;
  document.body.dataset.busy = 'true';
  setStatus(message);
  try {
    return await work();
  } finally {
    busyCount--;
    if (busyCount === 0) document.body.dataset.busy = 'false';
  }
}

function setView(view: View): void {
  const radio = document.querySelector<HTMLInputElement>(`input[name="view"][value="${view}"]`);
  if (radio) radio.checked = true;
  element('panels').dataset.view = view;
  panels.sam.root.hidden = view === 'tasam';
  panels.tasam.root.hidden = view === 'sam';
  redrawPrompts();
}

function redrawPrompts(): void {
  for (const panel of Object.values(panels)) panel.drawPrompts(prompts.current, cursor);
}

async function loadImage(blob: Blob, name: string): Promise<void> {
  setError(null);
  const started = performance.now();
  let uploaded: UploadResponse;
  let bitmap: ImageBitmap;
  try {
    uploaded = await busy(`Uploading ${name} and computing its embedding…`, () => api.upload(blob, name));
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch (error) {
    setStatus('');
    setError(describeError(error));
    return;
  }
  const roundTrip = performance.now() - started;
  const task = taskInput.value.trim();
  image = {
    id: uploaded.imageId,
    name,
    width: uploaded.width,
    height: uploaded.height,
    uploadStartedAt: task ? started : null,
  };
  prompts.reset();
  activeTask = null;
  for (const panel of Object.values(panels)) panel.setImage(bitmap, uploaded.width, uploaded.height);
  bitmap.close();
  element('image-name').textContent = `${name} (${uploaded.width}×${uploaded.height})`;
  timings.show(
    'Upload and embedding',
    `${formatMs(roundTrip)} (encoder ${uploaded.cached ? 'cached' : formatMs(uploaded.timings.encoderMs)})`,
  );
  emptyResults();
  setStatus(`${name} is ready. Click an object, drag a box, or type a task.`);
  if (task) await runTask(task);
}

function emptyResults(): void {
  setGrounding(null);
  panels.sam.setResult(undefined, image ? 'Click an object or drag a box.' : 'Choose an image first.');
  panels.tasam.setResult(undefined, 'Type a task to see tasam’s masks.');
}

async function segment(body: Omit<SegmentBody, 'imageId'>, what: string): Promise<SegmentResponse | null> {
  if (!image) {
    setError('Choose an image first (drop one, pick a file, or try a sample).');
    return null;
  }
  setError(null);
  const seq = ++requestSeq;
  const current = image;
  const started = performance.now();
  try {
    const response = await busy(`${what}…`, () => api.segment({ ...body, imageId: current.id }));
    // A newer request or image superseded this one: its masks would be stale.
    if (seq !== requestSeq || image !== current) return null;
    const roundTrip = performance.now() - started;
    // Automatic mode says how its task was read; a prompt refined with the task keeps that line.
    if (response.mode === 'automatic') setGrounding(describeGrounding(response));
    panels.sam.setResult(response.results.sam, 'Click an object or drag a box.');
    panels.tasam.setResult(
      response.results.tasam,
      response.task ? 'No task result.' : 'Type a task to see tasam’s masks.',
    );
    const t = response.timings;
    timings.show(
      'Masks',
      `${formatMs(roundTrip)} round trip (server: wait ${formatMs(t.queueMs)}, task ${formatMs(t.taskMs)}, ${
        response.path === 'detector'
          ? `detector ${formatMs(t.detectMs ?? 0)}, boxes ${formatMs(t.trunkMs)}`
          : response.mode === 'automatic'
            ? `grid pass ${formatMs(t.trunkMs)}`
            : `trunk ${formatMs(t.trunkMs)}, heads ${formatMs((response.results.sam?.headsMs ?? 0) + (response.results.tasam?.headsMs ?? 0))}`
      })`,
    );
    if (current.uploadStartedAt !== null) {
      timings.show('Upload to first mask', formatMs(performance.now() - current.uploadStartedAt));
      current.uploadStartedAt = null;
    }
    const counts = (['tasam', 'sam'] as const)
      .filter((kind) => response.results[kind])
      .map((kind) => {
        const found = response.results[kind]!.instances.length;
        return `${found} mask${found === 1 ? '' : 's'} (${kind === 'sam' ? 'plain SAM' : 'tasam'})`;
      });
    setStatus(`${counts.join(', ')} in ${formatMs(roundTrip)}.`);
    return response;
  } catch (error) {
    if (seq === requestSeq) {
      setStatus('');
      setError(describeError(error));
    }
    return null;
  }
}

async function runTask(task: string): Promise<void> {
  const response = await segment({ mode: 'automatic', task, compare: true }, `Segmenting “${task}”`);
  if (!response) return;
  activeTask = task;
  prompts.reset();
  redrawPrompts();
  setView('both');
}

async function promptsChanged(): Promise<void> {
  redrawPrompts();
  if (!image) return;
  if (prompts.isEmpty) {
    requestSeq++;
    emptyResults();
    setStatus('Prompts cleared.');
    return;
  }
  const { points, box } = prompts.current;
  await segment(
    {
      mode: 'prompt',
      points: [...points],
      ...(box ? { box } : {}),
      ...(activeTask ? { task: activeTask, compare: true } : {}),
    },
    'Segmenting your prompt',
  );
}

async function loadSample(url: string, name: string): Promise<void> {
  setError(null);
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    await loadImage(await response.blob(), `${name}.jpg`);
  } catch (error) {
    setError(describeError(error));
  }
}

function wireInputs(): void {
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void loadImage(file, file.name);
    fileInput.value = '';
  });
  const dropTargets = [dropZone, element('panels')];
  for (const target of dropTargets) {
    target.addEventListener('dragover', (event) => {
      event.preventDefault();
      dropZone.classList.add('dragging');
    });
    target.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
    target.addEventListener('drop', (event) => {
      event.preventDefault();
      dropZone.classList.remove('dragging');
      const file = event.dataTransfer?.files?.[0];
      if (file) void loadImage(file, file.name);
    });
  }
  element<HTMLFormElement>('task-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const task = taskInput.value.trim();
    if (!task) {
      setError('Type a task first, e.g. “segment all cats”.');
      taskInput.focus();
      return;
    }
    void runTask(task);
  });
  element<HTMLButtonElement>('everything-button').addEventListener('click', async () => {
    const response = await segment({ mode: 'automatic' }, 'Segmenting everything with plain SAM');
    if (!response) return;
    activeTask = null;
    prompts.reset();
    redrawPrompts();
    setView('sam');
  });
  element<HTMLButtonElement>('undo-button').addEventListener('click', () => {
    if (prompts.undo()) void promptsChanged();
  });
  element<HTMLButtonElement>('clear-button').addEventListener('click', () => {
    prompts.clear();
    void promptsChanged();
  });
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) {
    radio.addEventListener('change', () => setView(radio.value as View));
  }
  for (const panel of Object.values(panels)) {
    attachPromptGestures(panel.promptLayer, () => image, {
      onPoint: (point) => {
        prompts.addPoint(point);
        void promptsChanged();
      },
      onBox: (box) => {
        prompts.setBox(box);
        void promptsChanged();
      },
      onUndo: () => {
        if (prompts.undo()) void promptsChanged();
      },
      onClear: () => {
        prompts.clear();
        void promptsChanged();
      },
      onCursor: (next) => {
        cursor = next;
        redrawPrompts();
      },
    });
    for (const button of panel.root.querySelectorAll<HTMLButtonElement>('.download')) {
      button.addEventListener('click', () => {
        if (!image || !panel.result) return;
        const base = `${image.name.replace(/\.[^.]+$/, '')}-${panel.kind}`;
        if (button.dataset.format === 'png') {
          downloadMaskPng(panel.masks, image.width, image.height, `${base}-masks.png`);
        } else {
          downloadRleJson(
            panel.result,
            image,
            { model: panel.kind, task: panel.kind === 'tasam' ? activeTask : null },
            `${base}-rle.json`,
          );
        }
      });
    }
  }
}

async function start(): Promise<void> {
  wireInputs();
  setView('sam');
  emptyResults();
  try {
    const [health, { samples }] = await Promise.all([api.health(), api.samples()]);
    element('model-status').textContent = `Model: ${health.model}. Task mode: ${
      health.taskMode.available ? 'ready' : `unavailable (${health.taskMode.reason ?? 'no hypernet'})`
    }.`;
    element('task-mode-note').textContent = !health.taskMode.available
      ? 'Task mode is unavailable on this server: it needs the hypernet checkpoint. Clicks still work.'
      : health.taskMode.grounding?.available
        ? 'Submitting a task segments the whole image: a task naming COCO objects (cats, people, cars…) takes ' +
          'the detector’s boxes, any other the task scorer’s picks from SAM’s grid.'
        : 'Submitting a task segments the whole image and keeps the masks the task asks for.';
    renderSamples(samples, element('samples'), element('task-suggestions'), (sample) => {
      if (!taskInput.value.trim() && sample.suggestions[0]) taskInput.placeholder = sample.suggestions[0];
      void loadSample(sample.url, sample.name);
    });
    document.body.dataset.ready = 'true';
    setStatus('Choose an image to start.');
  } catch (error) {
    setError(`Could not reach the demo server: ${describeError(error)}`);
  }
}

void start();
