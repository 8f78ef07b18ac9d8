// A built checkout of another commit beside this one, for the tools that compare against it
// (train-throughput, segment-ab): a git worktree in `<work>/base`, installed offline from the pnpm store and its
// CLI built. Reused when it exists (install and build are then quick no-ops).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status})`);
}

/** The directory of a built checkout of `rev` under `work`. */
function prepareBaseCheckout(rev, work) {
  const dir = path.join(work, 'base');
  if (!fs.existsSync(dir)) run('git', ['worktree', 'add', '--detach', dir, rev], root);
  run('pnpm', ['install', '--frozen-lockfile', '--offline'], dir);
  run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter', '@tasam/cli...'], dir);
  return dir;
}

module.exports = { prepareBaseCheckout };
