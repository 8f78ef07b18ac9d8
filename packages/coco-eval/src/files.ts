import { readFile, stat } from 'node:fs/promises';
import { CocoDataset, type ReadJsonOptions } from '@tasam/coco-data';
import { JsonFileError } from './errors';
import { GroundTruth } from './ground-truth';
import { type CocoResults, loadResults } from './results';

/** Reads and parses a JSON file; unreadable files and invalid JSON become JsonFileError naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new JsonFileError(path, `cannot read: ${why}`, { cause: error });
  }
  try {
    // one native UTF-8 decode (reading with an encoding goes through a chunked string decoder)
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new JsonFileError(path, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Ground-truth files up to this size are read whole and parsed by one JSON.parse: about a third less CPU than
 * the streamed read for a COCO-val-sized file, for twice the file's size in passing memory. Bigger files
 * (instances_train2017 is 448 MB) are streamed.
 */
export const WHOLE_GT_FILE_BYTES = 256 << 20;

/**
 * A COCO instances JSON file as ground truth, validated and indexed by @tasam/coco-data's CocoDataset (its
 * CocoReadError / CocoFormatError name the file and the problem). Files up to WHOLE_GT_FILE_BYTES are
 * parsed whole; bigger ones, and any file that does not parse as a JSON object, go through
 * CocoDataset.fromFile (streamed), which also words the error for a file it cannot read or parse.
 */
export async function loadGroundTruthFile(path: string, options: ReadJsonOptions = {}): Promise<GroundTruth> {
  const json = await readWholeObject(path);
  if (json === undefined) return new GroundTruth(await CocoDataset.fromFile(path, options), path);
  options.onProgress?.({ bytesRead: json.bytes, totalBytes: json.bytes });
  return new GroundTruth(CocoDataset.fromJson(json.value, path), path);
}

/** The file parsed in one piece when it is small enough and a JSON object; undefined otherwise. */
async function readWholeObject(path: string): Promise<{ value: object; bytes: number } | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > WHOLE_GT_FILE_BYTES) return undefined;
    const bytes = await readFile(path);
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return { value, bytes: bytes.length };
  } catch {
    return undefined;
  }
}

/** A COCO results JSON file, loaded against `gt` with loadRes semantics. */
export async function loadResultsFile(gt: GroundTruth, path: string): Promise<CocoResults> {
  return loadResults(gt, await readJsonFile(path), path);
}
