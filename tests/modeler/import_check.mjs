#!/usr/bin/env node
// Loads .bpmn files into the bpmn-js Modeler running in headless Chromium, the way a
// process owner opens them, and reports what bpmn-js reports on import.
//
// Usage: node import_check.mjs [--screenshot-dir DIR] [--timeout-ms N] FILE.bpmn...
//
// Prints one JSON line per file on stdout:
//   {"file": "<path as given>", "error": null | "<message>", "warnings": ["<message>", ...],
//    "elements": <number of elements in the canvas' element registry, root elements excluded>}
// A file with several BPMNDiagram elements has each diagram opened; the warnings of all of
// them are reported and "elements" is the largest count among them.
//
// Exit status: 0 = every file imported without error or warning; 1 = at least one file had an
// error or a warning; 2 = the check itself could not run (no browser, no bpmn-js, bad
// arguments...), with the reason on stderr.
//
// The page is built in memory (about:blank + inline script and styles): no server is started
// and the browser makes no network request. Chromium: /usr/bin/chromium, or $CHROMIUM_PATH.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'node_modules', 'bpmn-js', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function die(message) {
  process.stderr.write(`import_check: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { files: [], screenshotDir: null, timeoutMs: 30000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--screenshot-dir') {
      if (i + 1 >= argv.length) die('--screenshot-dir needs a directory');
      opts.screenshotDir = argv[++i];
    } else if (arg.startsWith('--screenshot-dir=')) {
      opts.screenshotDir = arg.slice('--screenshot-dir='.length);
    } else if (arg === '--timeout-ms') {
      opts.timeoutMs = Number(argv[++i]);
      if (!(opts.timeoutMs > 0)) die('--timeout-ms needs a positive number');
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: node import_check.mjs [--screenshot-dir DIR] [--timeout-ms N] FILE.bpmn...\n');
      process.exit(0);
    } else if (arg === '--') {
      opts.files.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith('--')) {
      die(`unknown option ${arg}`);
    } else {
      opts.files.push(arg);
    }
  }
  if (opts.files.length === 0) die('no .bpmn files given');
  return opts;
}

// Runs in the page: import one diagram file, open each of its diagrams, collect what bpmn-js says.
async function importInPage(xml) {
  const modeler = window.__modeler;
  const messages = (list) => (list || []).map((w) => String((w && w.message) || w));
  const countElements = () =>
    modeler.get('elementRegistry').filter((element) => element.parent).length;
  const result = { error: null, warnings: [], elements: 0 };
  try {
    const { warnings } = await modeler.importXML(xml);
    result.warnings.push(...messages(warnings));
    result.elements = countElements();
    const diagrams = (modeler.getDefinitions() || {}).diagrams || [];
    for (let i = 1; i < diagrams.length; i++) {
      const label = `diagram ${diagrams[i].id || i + 1}`;
      try {
        const opened = await modeler.open(diagrams[i]);
        result.warnings.push(...messages(opened.warnings).map((m) => `${label}: ${m}`));
        result.elements = Math.max(result.elements, countElements());
      } catch (err) {
        result.error = `${label}: ${String((err && err.message) || err)}`;
        result.warnings.push(...messages(err && err.warnings).map((m) => `${label}: ${m}`));
      }
    }
    if (diagrams.length > 1) {
      await modeler.open(diagrams[0]);
    }
  } catch (err) {
    result.error = String((err && err.message) || err);
    result.warnings.push(...messages(err && err.warnings));
  }
  return result;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function screenshotName(file, used) {
  let name = relative(process.cwd(), resolve(file)).replace(/^(\.\.\/)+/, '');
  name = name.replace(/\.bpmn$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || basename(file);
  let candidate = `${name}.png`;
  for (let n = 2; used.has(candidate); n++) candidate = `${name}-${n}.png`;
  used.add(candidate);
  return candidate;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  const script = join(dist, 'bpmn-modeler.development.js');
  const styles = [
    join(dist, 'assets', 'diagram-js.css'),
    join(dist, 'assets', 'bpmn-js.css'),
    join(dist, 'assets', 'bpmn-font', 'css', 'bpmn-embedded.css'),
  ];
  for (const needed of [script, ...styles]) {
    if (!existsSync(needed)) {
      die(`${relative(process.cwd(), needed)} is missing: run tests/modeler/setup.sh (npm ci in tests/modeler)`);
    }
  }
  if (!existsSync(CHROMIUM)) {
    die(`no Chromium at ${CHROMIUM}: install the Debian package chromium (tests/modeler/setup.sh) or set CHROMIUM_PATH`);
  }

  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    die(`cannot load playwright-core (${err.message}): run tests/modeler/setup.sh`);
  }

  if (opts.screenshotDir) mkdirSync(opts.screenshotDir, { recursive: true });

  let browser;
  try {
    // Playwright gives the browser a fresh temporary --user-data-dir and removes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      timeout: 60000,
    });
  } catch (err) {
    die(`cannot start ${CHROMIUM}: ${err.message}`);
  }

  let failed = false;
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const pageProblems = [];
    // Nothing of the page may go to the network: everything it needs is inline.
    await context.route('**/*', (route) => {
      pageProblems.push(`page tried to load ${route.request().url()} (blocked)`);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageProblems.push(`uncaught exception in page: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        // First line only: bpmn-js logs each failed element with a stack trace.
        pageProblems.push(`console.${msg.type()}: ${msg.text().split('\n')[0].slice(0, 500)}`);
      }
    });

    await page.setContent(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>bpmn-js import check</title>' +
        '<style>html, body, #canvas { margin: 0; width: 100%; height: 100%; }</style>' +
        '</head><body><div id="canvas"></div></body></html>',
    );
    for (const path of styles) await page.addStyleTag({ path });
    await page.addScriptTag({ path: script });
    await page.evaluate(() => {
      if (typeof window.BpmnJS !== 'function') throw new Error('window.BpmnJS is not defined');
      window.__modeler = new window.BpmnJS({ container: '#canvas' });
    });
    if (pageProblems.length) {
      throw new Error(`the modeler page did not load cleanly: ${pageProblems.join('; ')}`);
    }

    const used = new Set();
    for (const file of opts.files) {
      const record = { file, error: null, warnings: [], elements: 0 };
      let xml = null;
      try {
        xml = readFileSync(file, 'utf8');
      } catch (err) {
        record.error = `cannot read file: ${err.message}`;
      }
      if (xml !== null) {
        pageProblems.length = 0;
        try {
          Object.assign(
            record,
            await withTimeout(page.evaluate(importInPage, xml), opts.timeoutMs, 'import'),
          );
        } catch (err) {
          if (!browser.isConnected()) throw new Error(`browser died while importing ${file}: ${err.message}`);
          record.error = err.message.split('\n')[0];
        }
        record.warnings.push(...pageProblems);
        if (opts.screenshotDir && record.error === null) {
          try {
            await page.evaluate(() => window.__modeler.get('canvas').zoom('fit-viewport', 'auto'));
            await page.locator('#canvas').screenshot({
              path: join(opts.screenshotDir, screenshotName(file, used)),
            });
          } catch (err) {
            process.stderr.write(`import_check: no screenshot of ${file}: ${err.message}\n`);
          }
        }
      }
      if (record.error !== null || record.warnings.length > 0) failed = true;
      process.stdout.write(`${JSON.stringify(record)}\n`);
    }
  } catch (err) {
    await browser.close().catch(() => {});
    die(err.message);
  }
  await browser.close();
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => die(err && err.stack ? err.stack : String(err)));
