// Runs graphql-http's serverAudits (the GraphQL-over-HTTP spec's conformance checks) against a
// running Viva, and prints one line per audit:
//   <ok|warn|error|notice> <id> <name>[ — <reason>]
// followed, for each audit that did not pass, by indented lines showing the request sent and what
// the server answered (status, content-type, body excerpt), then
//   SUMMARY ok=N warn=N error=N notice=N
// `error` is a failed MUST, `warn` a failed SHOULD, `notice` a failed MAY (graphql-http's own
// levels); an audit that throws instead of answering counts as an error.
// Exit code: 1 if any audit is warn or error, else 0; 2 on a usage or setup problem.
//
// Environment: VIVA_GRAPHQL_URL (e.g. http://127.0.0.1:8080/graphql). graphql-http (and its
// peer graphql) are found through NODE_PATH, else in the cache directory where
// scripts/setup-browser-tests.sh installs them:
// ${XDG_CACHE_HOME:-$HOME/.cache}/viva/browser-tests/node_modules.
'use strict';

const path = require('path');
const os = require('os');

const url = process.env.VIVA_GRAPHQL_URL;
if (!url) {
  console.error('graphql-http audit: set VIVA_GRAPHQL_URL, e.g. http://127.0.0.1:8080/graphql');
  process.exit(2);
}

// The path of graphql-http's package directory: through NODE_PATH, else the setup script's cache.
function findGraphqlHttp() {
  try {
    return path.dirname(require.resolve('graphql-http/package.json'));
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const dir = path.join(cache, 'viva', 'browser-tests', 'node_modules', 'graphql-http');
  try {
    require.resolve(path.join(dir, 'package.json'));
    return dir;
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    console.error(
      'graphql-http audit: graphql-http is not installed (run scripts/setup-browser-tests.sh, ' +
        'or point NODE_PATH at a node_modules holding it)'
    );
    process.exit(2);
  }
}

const graphqlHttpDir = findGraphqlHttp();
const { serverAudits } = require(graphqlHttpDir);
const { version } = require(path.join(graphqlHttpDir, 'package.json'));

const EXCERPT = 300;
const TIMEOUT_MS = 10_000;

function excerpt(text) {
  if (text == null) return '';
  const flat = String(text).replace(/\s+/g, ' ');
  return flat.length > EXCERPT ? flat.slice(0, EXCERPT) + '…' : flat;
}

// Every exchange of the audit being run, so a failure can show what was sent and answered even
// when the audit has already read the response's body. Audits run one at a time.
let exchanges = [];

async function recordingFetch(input, init = {}) {
  const exchange = {
    method: (init.method || 'GET').toUpperCase(),
    url: String(input),
    headers: init.headers || {},
    body: typeof init.body === 'string' ? init.body : init.body == null ? '' : '<non-string body>',
  };
  exchanges.push(exchange);
  const res = await fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  exchange.status = res.status;
  exchange.contentType = res.headers.get('content-type');
  try {
    exchange.responseBody = await res.clone().text();
  } catch (err) {
    exchange.responseBody = '<body unreadable: ' + err.message + '>';
  }
  return res;
}

function describe(exchange) {
  const lines = [];
  const headers = Object.entries(exchange.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  lines.push(`    request:  ${exchange.method} ${exchange.url}` + (headers ? ` [${headers}]` : ' [no headers]'));
  if (exchange.body) lines.push(`    body:     ${excerpt(exchange.body)}`);
  if (exchange.status === undefined) {
    lines.push('    response: none');
  } else {
    lines.push(`    response: ${exchange.status} content-type: ${exchange.contentType ?? '(none)'}`);
    lines.push(`    answer:   ${excerpt(exchange.responseBody)}`);
  }
  return lines;
}

async function main() {
  console.log(`graphql-http ${version} serverAudits against ${url}`);
  const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
  for (const audit of serverAudits({ url, fetchFn: recordingFetch })) {
    exchanges = [];
    let result;
    try {
      result = await audit.fn();
    } catch (err) {
      result = { id: audit.id, name: audit.name, status: 'error', reason: 'the audit threw: ' + (err && err.message ? err.message : String(err)) };
    }
    counts[result.status] = (counts[result.status] || 0) + 1;
    const reason = result.status === 'ok' ? '' : ` — ${result.reason}`;
    console.log(`${result.status} ${result.id} ${result.name}${reason}`);
    if (result.status !== 'ok') {
      for (const exchange of exchanges) {
        for (const line of describe(exchange)) console.log(line);
      }
    }
  }
  console.log(`SUMMARY ok=${counts.ok} warn=${counts.warn} error=${counts.error} notice=${counts.notice}`);
  process.exit(counts.warn > 0 || counts.error > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error('graphql-http audit: ' + (err && err.stack ? err.stack : err));
  process.exit(2);
});
