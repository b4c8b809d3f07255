// Drives the Trust Observatory in Debian's Chromium with playwright-core: the directory lists the
// seeded agents, the trust graph renders, the path explorer shows the path through the network,
// and a profile holding "<script>" shows it as text and runs nothing. Screenshots go to ARTIFACTS.
//
// node observatory.mjs NODE_TOOLS_DIR REGISTRY_URL SEED_JSON ARTIFACTS
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const [toolsDir, base, seedFile, artifacts] = process.argv.slice(2);
const require = createRequire(path.join(toolsDir, 'package.json'));
const { chromium } = require('playwright-core');
const seed = JSON.parse(fs.readFileSync(seedFile, 'utf8'));
fs.mkdirSync(artifacts, { recursive: true });

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else { failed++; console.log(`FAIL: ${name} ${detail}`); }
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                        args: ['--no-sandbox', '--headless=new'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', async (d) => { errors.push('dialog: ' + d.message()); await d.dismiss(); });

  // Directory.
  await page.goto(base + '/#/');
  await page.waitForSelector('#agents tbody tr');
  await page.waitForFunction((n) => document.querySelectorAll('#agents tbody tr').length >= n, seed.agents.length);
  const rows = await page.$$eval('#agents tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  check('directory lists every registered agent', seed.agents.every((a) => rows.includes(a.name)), JSON.stringify(rows));
  await page.waitForFunction(() => document.getElementById('count-agents').textContent !== '–');
  check('live counts', (await page.textContent('#count-agents')) === String(seed.agents.length));
  await page.screenshot({ path: path.join(artifacts, 'directory.png'), fullPage: true });

  // Search.
  await page.fill('#search', 'hub');
  await page.click('#search-form button');
  await page.waitForFunction(() => document.querySelectorAll('#agents tbody tr').length === 1);
  check('search narrows the directory', (await page.textContent('#agents tbody tr td')).includes('hub'));

  // A hostile profile shows as text.
  const evil = seed.agents.find((a) => a.name.includes('<script>'));
  await page.goto(base + '/#/agent/' + encodeURIComponent(evil.did));
  await page.waitForFunction(() => document.getElementById('agent-name').textContent.length > 0);
  check('<script> in a profile appears as text', (await page.textContent('#agent-name')) === evil.name);
  check('... and nothing ran', (await page.evaluate(() => window.__xss)) === undefined && !errors.some((e) => e.startsWith('dialog')),
        JSON.stringify(errors));
  check('no <script> element was injected', (await page.$$eval('script', (s) => s.length)) === 2);
  await page.waitForSelector('#agent-document:not(:empty)');
  check('agent page shows its DID document', (await page.textContent('#agent-document')).includes(evil.did));
  await page.screenshot({ path: path.join(artifacts, 'agent-with-script-in-profile.png'), fullPage: true });

  // Graph.
  await page.goto(base + '/#/graph');
  await page.waitForFunction(() => document.getElementById('graph').dataset.nodes !== undefined, null, { timeout: 20000 });
  const nodes = Number(await page.getAttribute('#graph', 'data-nodes'));
  const edges = Number(await page.getAttribute('#graph', 'data-edges'));
  check('the trust graph renders every vouch', nodes === seed.graph_nodes && edges === seed.vouches, `${nodes} nodes, ${edges} edges`);
  check('... on a canvas', (await page.$$eval('#graph canvas', (c) => c.length)) > 0);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(artifacts, 'graph.png') });

  // Path explorer.
  await page.goto(base + '/#/paths');
  await page.fill('#paths-anchors', seed.anchor);
  await page.fill('#paths-subject', seed.subject);
  await page.click('#paths-form button');
  await page.waitForSelector('#paths-result .score');
  const score = await page.textContent('#paths-result .score');
  check('the explorer shows the score', score === 'Score ' + seed.expected_score.toFixed(4), score);
  const hops = await page.$$eval('#paths-result .path:first-of-type li a', (as) => as.map((a) => a.textContent));
  check('... and the path through the network', JSON.stringify(hops) === JSON.stringify(seed.path), JSON.stringify(hops));
  await page.screenshot({ path: path.join(artifacts, 'path-explorer.png'), fullPage: true });
  check('no page errors', errors.length === 0, JSON.stringify(errors));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
