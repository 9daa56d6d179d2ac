// Drives one catalog node with autocannon, as the seed's benchmark did, over a spread of storefront
// listing URLs, and prints autocannon's result as JSON on stdout.
//
//   node load.js <base url> <paths file> <connections> <amount | duration=Ns>
//
// Each connection walks the paths file (one path per line; popular paths appear more often) from
// its own starting point, so that the connections do not all ask for the same page at once.
'use strict';
const fs = require('fs');
const autocannon = require('autocannon');

const [url, pathsFile, connections, budget] = process.argv.slice(2);
const paths = fs.readFileSync(pathsFile, 'utf8').split('\n').filter((p) => p.length > 0);
const requests = paths.map((path) => ({ method: 'GET', path }));
const options = {
  url,
  connections: Number(connections),
  requests,
  setupClient: (client) => {
    const start = Math.floor(Math.random() * requests.length);
    client.setRequests(requests.slice(start).concat(requests.slice(0, start)));
  },
};
if (budget.startsWith('duration=')) {
  options.duration = Number(budget.slice('duration='.length).replace(/s$/, ''));
} else {
  options.amount = Number(budget);
}
const instance = autocannon(options, (err, result) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(result));
});
// A run for a duration may be ended early by SIGTERM; it still reports what it measured.
process.on('SIGTERM', () => instance.stop());
