import { readFile } from 'node:fs/promises';
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
 * A COCO instances JSON file as ground truth, read by @tasam/coco-data's CocoDataset (streamed, validated:
 * its CocoReadError / CocoFormatError name the file and the problem).
 */
export async function loadGroundTruthFile(path: string, options: ReadJsonOptions = {}): Promise<GroundTruth> {
  return new GroundTruth(await CocoDataset.fromFile(path, options), path);
}

/** A COCO results JSON file, loaded against `gt` with loadRes semantics. */
export async function loadResultsFile(gt: GroundTruth, path: string): Promise<CocoResults> {
  return loadResults(gt, await readJsonFile(path), path);
}
