// Stops a command at once, with one line, when Node.js is older than package.json's `engines.node`.
// package.json runs it first in `dev`, `start`, `test`, `cluster` and `bench`, and as `preinstall`
// (so `pnpm install` too). It is plain CommonJS with nothing newer than ES2015 and no `node:`
// imports, so that an old Node runs it and says what is wrong instead of failing on the TypeScript.
'use strict';

const engines = require('../package.json').engines;

/** `>=22.18` → [22, 18]. */
function minimumOf(range) {
  const match = /^>=\s*(\d+)\.(\d+)/.exec(range);
  if (!match) throw new Error(`check-node: cannot read engines.node "${range}" in package.json`);
  return [Number(match[1]), Number(match[2])];
}

/** Null when `version` (`20.20.2`, or `v20.20.2`) is new enough, else the line to print. */
function checkNode(version, executable) {
  const minimum = minimumOf(engines.node);
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  const major = parts[0];
  const minor = parts[1] || 0;
  if (major > minimum[0] || (major === minimum[0] && minor >= minimum[1])) return null;
  const where = executable ? ` (${executable})` : '';
  return (
    `Starcatch needs Node.js >= ${minimum[0]}.${minimum[1]}, but this is Node.js ${parts.join('.')}${where}. ` +
    'Get Node 24: "nvm install" in this directory (it reads .nvmrc), or "npm install -g node@24".'
  );
}

module.exports = { checkNode };

if (require.main === module) {
  const problem = checkNode(process.versions.node, process.execPath);
  if (problem !== null) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
