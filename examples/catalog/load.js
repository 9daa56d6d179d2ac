// Drives one catalog node with autocannon, as the seed's benchmark did, over a spread of storefront
// listing URLs, and prints autocannon's result as JSON on stdout.
//
//   node load.js <base url> <paths file> <connections> <amount | duration=Ns>
//
// Each connection walks the paths file (one path per line; popular paths appear more often) from
// its own starting point, so that the connections do not all ask for the same page at once.
//
// autocannon builds every request of every connection before it sends the first one, and counts
// that time into each connection's first request. Given the whole file per connection, 500
// connections took 1 to 2 s to build, which showed up as latency from p97.5 on in every mode;
// given the 20 paths each would send, 150 ms. So each connection gets five paths (or, with few
// connections, enough for all of them to cover the file once), in the file's order from its
// starting point, and walks them round; over the connections the paths keep the file's weights.
// A run of a fixed duration needs this as much as one of a fixed amount: with the whole file per
// connection, the mixed runs' first requests carried up to 3.5 s of building, above p99 in a run
// that answers few requests.
'use strict';
const fs = require('fs');
const autocannon = require('autocannon');

const [url, pathsFile, connections, budget] = process.argv.slice(2);
const paths = fs.readFileSync(pathsFile, 'utf8').split('\n').filter((p) => p.length > 0);
const duration = budget.startsWith('duration=');
const perConnection = Math.min(paths.length,
  Math.max(5, Math.ceil(paths.length / Number(connections))));
const request = (i) => ({ method: 'GET', path: paths[i % paths.length] });
const options = {
  url,
  connections: Number(connections),
  // A run of a fixed amount ends at autocannon's next sample, once a second by default: that
  // rounded a run of 1.1 s up to 2.1 s and halved its requests a second. Sampling every 10 ms
  // makes the run's duration good to 10 ms (its per-sample request counts are not used).
  sampleInt: 10,
  requests: [request(0)],
  setupClient: (client) => {
    const start = Math.floor(Math.random() * paths.length);
    client.setRequests(Array.from({ length: perConnection }, (_, i) => request(start + i)));
  },
};
if (duration) {
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
