#!/usr/bin/env node
// The installed `vmd` command. A file that exists before the build, so that npm links it into
// node_modules/.bin at install time; the program itself is the build output in ../dist.
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    process.stderr.write('vmd: not built yet; run `npm run build` (or `npm test` / `npm run serve`) first\n');
    process.exit(2);
  }
  throw err;
});
