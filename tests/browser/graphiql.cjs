// Drives the admins' console in headless Chromium, as an admin would: GraphiQL loads from Viva
// alone (every request that leaves loopback is refused and fails the run), the headers editor
// takes a bearer token, `{ me { email } }` runs and shows the result, and a `notifications`
// subscription started in GraphiQL shows an event that another user triggers.
//
// Run by the e2e test `graphiql_console`; it talks to that test over stdio:
//   stdout "SUBSCRIBED"  the subscription is open: trigger an event now
//   stdin  any line       an event was triggered (the test may trigger more than one)
//   stdout "RECEIVED <json>"  the notification appeared in GraphiQL's result pane
//   stdout "DONE"        every check passed; exit code 0
// Environment: VIVA_URL, VIVA_TOKEN, VIVA_EMAIL, CHROMIUM, SCREENSHOT_DIR; NODE_PATH finds
// playwright-core.
'use strict';

const { chromium } = require('playwright-core');
const readline = require('readline');

const base = process.env.VIVA_URL;
const token = process.env.VIVA_TOKEN;
const email = process.env.VIVA_EMAIL;
const screenshots = process.env.SCREENSHOT_DIR;

function fail(message) {
  console.error('graphiql test: ' + message);
  process.exit(1);
}

// Resolves once the console's result pane satisfies `check`, or fails after `ms`.
async function waitForResult(page, check, ms, what) {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    last = await page.evaluate(() => {
      const cm = document.querySelector('.graphiql-response .CodeMirror');
      return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
    });
    if (check(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error('timed out waiting for ' + what + '; the result pane shows: ' + last);
}

async function setEditor(page, selector, text) {
  const done = await page.evaluate(
    ([selector, text]) => {
      const editors = Array.from(document.querySelectorAll(selector));
      const visible = editors.find((e) => !e.closest('.hidden') && e.CodeMirror);
      if (!visible) return false;
      visible.CodeMirror.setValue(text);
      return true;
    },
    [selector, text]
  );
  if (!done) throw new Error('no editor matches ' + selector);
}

async function readEditor(page, selector) {
  return page.evaluate((selector) => {
    const editors = Array.from(document.querySelectorAll(selector));
    const visible = editors.find((e) => !e.closest('.hidden') && e.CodeMirror);
    return visible ? visible.CodeMirror.getValue() : null;
  }, selector);
}

let currentPage = null;
const problems = [];

async function main() {
  for (const [name, value] of Object.entries({ VIVA_URL: base, VIVA_TOKEN: token, VIVA_EMAIL: email, SCREENSHOT_DIR: screenshots })) {
    if (!value) fail(name + ' is not set');
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const offLoopback = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    offLoopback.push(url.toString());
    return route.abort();
  });
  const page = await context.newPage();
  currentPage = page;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push('console: ' + message.text());
  });
  page.on('pageerror', (error) => problems.push('page error: ' + error.message));
  let subscribeSent = false;
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      if (String(frame.payload).includes('"subscribe"')) subscribeSent = true;
    });
  });

  const response = await page.goto(base + '/graphiql', { waitUntil: 'load' });
  if (!response || response.status() !== 200) fail('/graphiql answered ' + (response && response.status()));
  await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { timeout: 30000 });

  // The console opens with the headers editor showing the bearer template and a query for `me`.
  const headersTemplate = await readEditor(page, '.graphiql-editor-tool .graphiql-editor .CodeMirror');
  if (!headersTemplate || !/Authorization/.test(headersTemplate) || !/Bearer/.test(headersTemplate)) {
    throw new Error('the headers editor is not pre-filled with the Authorization template: ' + headersTemplate);
  }
  const defaultQuery = await readEditor(page, '.graphiql-query-editor .CodeMirror');
  if (!defaultQuery || !/\bme\s*\{/.test(defaultQuery)) throw new Error('the default query does not show `me`: ' + defaultQuery);

  // Sign in through the headers editor and run `me`.
  await setEditor(page, '.graphiql-editor-tool .graphiql-editor .CodeMirror', JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2));
  await setEditor(page, '.graphiql-query-editor .CodeMirror', '{ me { email } }');
  await page.click('.graphiql-execute-button');
  const me = await waitForResult(page, (text) => text.includes('"email"'), 20000, 'the result of me');
  const parsed = JSON.parse(me);
  if (!parsed.data || !parsed.data.me || parsed.data.me.email !== email) throw new Error('me returned ' + me);

  // The schema's docs are there (introspection through the same fetcher).
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector('.graphiql-doc-explorer', { timeout: 20000 });
  await page.waitForSelector('.graphiql-doc-explorer-root-type, .graphiql-doc-explorer-content a', { timeout: 20000 });

  // A subscription runs over /graphql/ws from inside GraphiQL.
  await setEditor(page, '.graphiql-query-editor .CodeMirror', 'subscription { notifications { kind title body } }');
  await page.click('.graphiql-execute-button');
  const started = Date.now();
  while (!subscribeSent) {
    if (Date.now() - started > 20000) throw new Error('GraphiQL never sent the subscription over /graphql/ws');
    await page.waitForTimeout(50);
  }
  console.log('SUBSCRIBED');
  const notified = await waitForResult(page, (text) => text.includes('"notifications"'), 60000, 'a notification');
  console.log('RECEIVED ' + JSON.stringify(JSON.parse(notified)));

  await page.screenshot({ path: screenshots + '/graphiql.png', fullPage: true });
  if (offLoopback.length > 0) throw new Error('requests left loopback: ' + offLoopback.join(', '));
  if (problems.length > 0) throw new Error('the page reported errors:\n' + problems.join('\n'));
  await browser.close();
  console.log('DONE');
}

// Lines on stdin are the test's "triggered" signals; nothing to do but keep the stream open.
readline.createInterface({ input: process.stdin }).on('line', () => {});

main().then(
  () => process.exit(0),
  async (error) => {
    let detail = error && error.stack ? error.stack : String(error);
    if (problems.length > 0) detail += '\nthe page reported:\n' + problems.join('\n');
    if (currentPage) {
      await currentPage.screenshot({ path: screenshots + '/graphiql-failure.png', fullPage: true }).catch(() => {});
      detail += '\nscreenshot: ' + screenshots + '/graphiql-failure.png';
    }
    fail(detail);
  }
);
