#!/usr/bin/env node
'use strict';
/*
 * A Kafka-protocol broker for machines without Docker: the mock cluster built into
 * librdkafka (Debian `librdkafka1`), driven through koffi. Plain CommonJS so that bare
 * `node` runs it, from the Jest global setup or as its own process in a topology.
 *
 *   node launcher.js [--brokers N] [--topic name:partitions]... [--control-port P]
 *                    [--ignore-stdin]
 *
 * CASEGRID_LIBRDKAFKA overrides the library to load (default librdkafka.so.1).
 * Prints one JSON line when ready: {"bootstrap":"127.0.0.1:a,...","control":"http://..."}
 * then serves POST JSON commands on the control URL (see `commands` below).
 * Exits on SIGTERM/SIGINT, and when stdin closes so that it dies with its parent;
 * `--ignore-stdin` is for detached runs whose stdin is /dev/null.
 */
const http = require('node:http');

const fail = (message, code = 1) => {
  process.stderr.write(`kafka-mock: ${message}\n`);
  process.exit(code);
};

const parseArgs = (argv) => {
  const opts = { brokers: 1, topics: [], controlPort: 0, watchStdin: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    if (flag === '--brokers') opts.brokers = Number(value());
    else if (flag === '--control-port') opts.controlPort = Number(value());
    else if (flag === '--ignore-stdin') opts.watchStdin = false;
    else if (flag === '--topic') {
      const spec = value();
      const at = spec.lastIndexOf(':');
      const name = at > 0 ? spec.slice(0, at) : spec;
      const partitions = at > 0 ? Number(spec.slice(at + 1)) : 1;
      if (!Number.isInteger(partitions) || partitions < 1) fail(`bad --topic ${spec}`);
      opts.topics.push({ name, partitions });
    } else fail(`unknown argument ${flag}`);
  }
  if (!Number.isInteger(opts.brokers) || opts.brokers < 1) fail('--brokers must be >= 1');
  if (!Number.isInteger(opts.controlPort) || opts.controlPort < 0) fail('bad --control-port');
  return opts;
};

const bindLibrdkafka = () => {
  // Overridable for other platforms (e.g. librdkafka.dylib) and for testing the failure.
  const path = process.env.CASEGRID_LIBRDKAFKA || 'librdkafka.so.1';
  let koffi;
  let lib;
  try {
    koffi = require('koffi');
  } catch (e) {
    fail(`cannot load koffi (${e.message}); run npm ci in the workspace`);
  }
  try {
    lib = koffi.load(path);
  } catch (e) {
    // Exit code 3 lets the parent recognise a missing library and say what to install.
    fail(`cannot load ${path} (${e.message}); install it: apt-get install librdkafka1`, 3);
  }
  koffi.opaque('rd_kafka_conf_t');
  koffi.opaque('rd_kafka_t');
  koffi.opaque('rd_kafka_mock_cluster_t');
  const f = (proto) => lib.func(proto);
  return {
    version: f('const char *rd_kafka_version_str()'),
    err2name: f('const char *rd_kafka_err2name(int err)'),
    err2str: f('const char *rd_kafka_err2str(int err)'),
    confNew: f('rd_kafka_conf_t *rd_kafka_conf_new()'),
    confSet: f(
      'int rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t errstr_size)',
    ),
    // Takes ownership of conf on success.
    newHandle: f(
      'rd_kafka_t *rd_kafka_new(int type, rd_kafka_conf_t *conf, _Out_ uint8_t *errstr, size_t errstr_size)',
    ),
    destroyHandle: f('void rd_kafka_destroy(rd_kafka_t *rk)'),
    clusterNew: f(
      'rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt)',
    ),
    clusterDestroy: f('void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster)'),
    bootstraps: f(
      'const char *rd_kafka_mock_cluster_bootstraps(rd_kafka_mock_cluster_t *mcluster)',
    ),
    topicCreate: f(
      'int rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mcluster, const char *topic, int partition_cnt, int replication_factor)',
    ),
    pushRequestErrors: f(
      'void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey, size_t cnt, const int *errors)',
    ),
    clearRequestErrors: f(
      'void rd_kafka_mock_clear_request_errors(rd_kafka_mock_cluster_t *mcluster, int16_t ApiKey)',
    ),
    brokerDown: f(
      'int rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *mcluster, int32_t broker_id)',
    ),
    brokerUp: f(
      'int rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *mcluster, int32_t broker_id)',
    ),
    setLeader: f(
      'int rd_kafka_mock_partition_set_leader(rd_kafka_mock_cluster_t *mcluster, const char *topic, int32_t partition, int32_t broker_id)',
    ),
  };
};

const opts = parseArgs(process.argv.slice(2));
const rd = bindLibrdkafka();

const errText = (err) => `${rd.err2name(err)}: ${rd.err2str(err)}`;
const check = (err, what) => {
  if (err !== 0) throw new Error(`${what} failed: ${errText(err)}`);
};

// The cluster needs an rd_kafka_t for its bookkeeping only; this producer never connects.
const errstr = Buffer.alloc(512);
const conf = rd.confNew();
// Level 3 (errors): the idle handle would otherwise warn that it has no bootstrap.servers.
const cString = (buf) => buf.toString('utf8').replace(/\0[\s\S]*$/, '');
if (rd.confSet(conf, 'log_level', '3', errstr, errstr.length) !== 0) {
  fail(`rd_kafka_conf_set log_level: ${cString(errstr)}`);
}
const rk = rd.newHandle(0 /* RD_KAFKA_PRODUCER */, conf, errstr, errstr.length);
if (!rk) fail(`rd_kafka_new: ${cString(errstr)}`);
const mcluster = rd.clusterNew(rk, opts.brokers);
if (!mcluster) fail('rd_kafka_mock_cluster_new returned NULL');

// Replicas > 1 give the leader-move and broker-down tests a follower to move to.
const replication = Math.min(3, opts.brokers);
const createTopic = (name, partitions) =>
  check(rd.topicCreate(mcluster, name, partitions, replication), `createTopic ${name}`);
try {
  for (const t of opts.topics) createTopic(t.name, t.partitions);
} catch (e) {
  fail(e.message);
}

const int = (v, what, min = 0) => {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}`);
  return v;
};
const str = (v, what) => {
  if (typeof v !== 'string' || v === '') throw new Error(`${what} must be a non-empty string`);
  return v;
};

const commands = {
  createTopic: (c) => createTopic(str(c.topic, 'topic'), int(c.partitions ?? 1, 'partitions', 1)),
  // Cluster-wide: the next N requests of this ApiKey, to any broker, fail with these codes.
  pushRequestErrors: (c) => {
    if (!Array.isArray(c.errors) || c.errors.length === 0)
      throw new Error('errors must be a non-empty array');
    const errors = c.errors.map((e) => int(e, 'error code', -200));
    rd.pushRequestErrors(mcluster, int(c.apiKey, 'apiKey'), errors.length, Int32Array.from(errors));
  },
  clearRequestErrors: (c) => rd.clearRequestErrors(mcluster, int(c.apiKey, 'apiKey')),
  // Id -1 means every broker. Neither call moves partition leaders.
  brokerDown: (c) => check(rd.brokerDown(mcluster, int(c.broker, 'broker', -1)), 'brokerDown'),
  brokerUp: (c) => check(rd.brokerUp(mcluster, int(c.broker, 'broker', -1)), 'brokerUp'),
  setPartitionLeader: (c) =>
    check(
      rd.setLeader(
        mcluster,
        str(c.topic, 'topic'),
        int(c.partition, 'partition'),
        int(c.broker, 'broker', -1),
      ),
      'setPartitionLeader',
    ),
};

const bootstrap = rd.bootstraps(mcluster);

const reply = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    reply(res, 200, { ok: true, bootstrap, brokers: opts.brokers, librdkafka: rd.version() });
    return;
  }
  if (req.method !== 'POST') return reply(res, 405, { ok: false, error: 'use POST' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    try {
      const command = JSON.parse(body);
      const run = commands[command && command.op];
      if (!run) throw new Error(`unknown op ${JSON.stringify(command && command.op)}`);
      run(command);
      reply(res, 200, { ok: true });
    } catch (e) {
      reply(res, 400, { ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
});

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  // Cluster first: it belongs to rk and its thread must be joined before rk goes.
  rd.clusterDestroy(mcluster);
  rd.destroyHandle(rk);
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (opts.watchStdin) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

server.listen(opts.controlPort, '127.0.0.1', () => {
  const address = server.address();
  const control = `http://127.0.0.1:${address.port}`;
  process.stdout.write(`${JSON.stringify({ bootstrap, control })}\n`);
});
