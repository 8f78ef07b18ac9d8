export {
  isProcessAlive,
  removeStaleTempFiles,
  STALE_TEMP_AGE_MS,
  type StaleTempOptions,
  sweepStaleTempFilesOnce,
  tempPathFor,
  tempWriterPid,
} from './temp-files';
export {
  type AtomicData,
  type AtomicWriteOptions,
  writeFileAtomic,
  writeFileAtomicSync,
} from './write-file-atomic';
