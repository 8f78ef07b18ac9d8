import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDigest } from './file-digest';

describe('fileDigest', () => {
  it('hashes content and remembers it until the file changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'digest-'));
    const file = join(dir, 'model.onnx');
    writeFileSync(file, 'first');
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(fileDigest(file)).toBe(sha('first'));
    expect(fileDigest(file, dir)).toBe(sha('first'));
    const memo = JSON.parse(readFileSync(join(dir, 'file-digests.json'), 'utf8'));
    expect(memo[file].sha256).toBe(sha('first'));

    // A memo entry for the same stat is trusted (that is its point)...
    memo[file].sha256 = sha('pretend');
    writeFileSync(join(dir, 'file-digests.json'), JSON.stringify(memo));
    expect(fileDigest(file, dir)).toBe(sha('pretend'));
    // ...but any change of size or mtime invalidates it.
    writeFileSync(file, 'second!');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(fileDigest(file, dir)).toBe(sha('second!'));
  });
});
