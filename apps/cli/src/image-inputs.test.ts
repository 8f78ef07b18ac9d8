import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageInputError } from './errors/image-input-error';
import { cocoAnnotationsPath, listCocoSplit, listImageDir } from './image-inputs';

describe('image inputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tasam-inputs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists images recursively in code-point order, skipping hidden and non-image files', async () => {
    for (const name of ['b.jpg', 'A.PNG', 'a.jpeg', 'notes.txt', '.hidden.jpg'])
      writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'c.webp'), '');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git', 'x.jpg'), '');
    const inputs = await listImageDir(dir);
    expect(inputs.map((input) => input.name)).toEqual(['A.PNG', 'a.jpeg', 'b.jpg', 'sub/c.webp']);
    expect(inputs[3].path).toBe(join(dir, 'sub', 'c.webp'));
  });

  it('names the directory when it is missing, a file, or has no images', async () => {
    await expect(listImageDir(join(dir, 'nope'))).rejects.toThrow(`${join(dir, 'nope')}: no such directory`);
    writeFileSync(join(dir, 'f.jpg'), '');
    await expect(listImageDir(join(dir, 'f.jpg'))).rejects.toThrow('not a directory');
    mkdirSync(join(dir, 'empty'));
    await expect(listImageDir(join(dir, 'empty'))).rejects.toBeInstanceOf(ImageInputError);
  });

  it('lists a COCO split from its instances JSON, sorted by file name', async () => {
    mkdirSync(join(dir, 'annotations'));
    const images = [
      { id: 9, file_name: '000000000900.jpg' },
      { id: 1, file_name: '000000000100.jpg' },
    ];
    writeFileSync(cocoAnnotationsPath(dir, 'val2017'), JSON.stringify({ images, annotations: [] }));
    const inputs = await listCocoSplit(dir, 'val2017');
    expect(inputs).toEqual([
      { name: '000000000100.jpg', path: join(dir, 'val2017', '000000000100.jpg') },
      { name: '000000000900.jpg', path: join(dir, 'val2017', '000000000900.jpg') },
    ]);
  });

  it('names the annotations file when a split is missing or malformed', async () => {
    await expect(listCocoSplit(dir, 'val2017')).rejects.toThrow(
      `${cocoAnnotationsPath(dir, 'val2017')}: cannot read the annotations of split "val2017"`,
    );
    mkdirSync(join(dir, 'annotations'));
    writeFileSync(cocoAnnotationsPath(dir, 'bad'), '{');
    await expect(listCocoSplit(dir, 'bad')).rejects.toThrow('not valid JSON');
    writeFileSync(cocoAnnotationsPath(dir, 'noimg'), JSON.stringify({ images: [{ id: 1 }] }));
    await expect(listCocoSplit(dir, 'noimg')).rejects.toThrow('images[0] has no file_name');
  });
});
