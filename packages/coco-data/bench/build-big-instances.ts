// Writes a big COCO instances file (default ~450 MB, the size of instances_train2017.json) by replicating the
// images and annotations of a COCO directory's train2017 and val2017 under fresh ids. Streamed to a temp file
// and renamed, so no 450 MB string is ever built. Only benchmarks use it, never tests.
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJsonFile } from '../src';

export async function buildBigInstances(coco: string, out: string, targetBytes: number): Promise<void> {
  if (existsSync(out) && Math.abs(statSync(out).size - targetBytes) < targetBytes * 0.1) return;
  const sources = [];
  for (const split of ['train2017', 'val2017']) {
    const file = join(coco, 'annotations', `instances_${split}.json`);
    if (existsSync(file)) sources.push(await readJsonFile(file));
  }
  const images = sources.flatMap((s) => s.images as { id: number }[]);
  const annotations = sources.flatMap((s) => s.annotations as { id: number; image_id: number }[]);
  const perCopy = JSON.stringify(images).length + JSON.stringify(annotations).length;
  const copies = Math.max(1, Math.round(targetBytes / perCopy));
  const stride = Math.max(...images.map((i) => i.id)) + 1;
  mkdirSync(dirname(out), { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  const stream = createWriteStream(temp);
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  const head = sources[0];
  await write(
    `{"info":${JSON.stringify(head.info ?? {})},"licenses":${JSON.stringify(head.licenses ?? [])},"images":[`,
  );
  for (let c = 0; c < copies; c++) {
    const part = images.map((image) => JSON.stringify({ ...image, id: image.id + c * stride })).join(',');
    await write(c === 0 ? part : `,${part}`);
  }
  await write('],"annotations":[');
  let id = 1;
  for (let c = 0; c < copies; c++) {
    const part = annotations
      .map((a) => JSON.stringify({ ...a, id: id++, image_id: a.image_id + c * stride }))
      .join(',');
    await write(c === 0 ? part : `,${part}`);
    if (c % 50 === 49) process.stderr.write(`  writing ${out}: ${c + 1}/${copies} copies\r`);
  }
  await write(`],"categories":${JSON.stringify(head.categories)}}`);
  stream.end();
  await once(stream, 'finish');
  renameSync(temp, out);
  process.stderr.write('\n');
}
