import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointContentId } from './checkpoint-id';

const sha16 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

describe('checkpointContentId', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpoint-id-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is the first 16 hex digits of the SHA-256 of the content, with or without a memo', async () => {
    const file = join(dir, 'a.safetensors');
    writeFileSync(file, 'some checkpoint bytes');
    const expected = sha16(readFileSync(file));
    expect(await checkpointContentId(file)).toBe(expected);
    const memo = join(dir, 'ids.json');
    expect(await checkpointContentId(file, memo)).toBe(expected);
    expect(await checkpointContentId(file, memo)).toBe(expected);
  });

  it('answers from the memo while the file is unchanged, and hashes again once it changes', async () => {
    const file = join(dir, 'a.safetensors');
    const memo = join(dir, 'ids.json');
    writeFileSync(file, 'version 1');
    await checkpointContentId(file, memo);
    // Proof that the memo is read: an id planted for the same file identity comes back.
    const stored = JSON.parse(readFileSync(memo, 'utf8'));
    stored.files[file].id = '0123456789abcdef';
    writeFileSync(memo, JSON.stringify(stored));
    expect(await checkpointContentId(file, memo)).toBe('0123456789abcdef');
    appendFileSync(file, ', then version 2');
    expect(await checkpointContentId(file, memo)).toBe(sha16(readFileSync(file)));
  });

  it('ignores a memo that is not what it wrote', async () => {
    const file = join(dir, 'a.safetensors');
    const memo = join(dir, 'ids.json');
    writeFileSync(file, 'bytes');
    for (const junk of [
      '',
      '{',
      '[]',
      '{"version":2,"files":{}}',
      `{"version":1,"files":{"${file}":{"id":7}}}`,
    ]) {
      writeFileSync(memo, junk);
      expect(await checkpointContentId(file, memo)).toBe(sha16(readFileSync(file)));
    }
  });
});
