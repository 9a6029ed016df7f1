#!/usr/bin/env node
// Verifies an audit export offline, with nothing but Node.js (docs/audit.md):
//
//   curl -H "Authorization: Bearer $TOKEN" "$CASEGRID/api/v1/audit/export?from=…&to=…" > export.ndjson
//   node tools/audit/verify-export.mjs < export.ndjson
//
// Each line is {caseId, position, globalSeq, recordedAt, prevHash, hash, event}. For every
// case, in the order of the file, hash must equal SHA-256(prevHash ‖ JCS(event)) in hex,
// where JCS is RFC 8785 canonical JSON and ‖ joins the 64 hex characters of prevHash and
// the canonical event, hashed as UTF-8; each line's prevHash must be the previous line's
// hash of that case and positions must follow each other. A case's first line in the file
// is its anchor (position 1 has prevHash 64 zeros). Prints one JSON summary; exits 1 when
// any chain breaks, 2 on unreadable input.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';

const GENESIS = '0'.repeat(64);

// RFC 8785: ECMAScript's own serialisation of strings and numbers, members sorted by
// UTF-16 code units, no whitespace (the same rules as libs/audit/domain canonical-json.ts).
function jcs(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JCS: numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : jcs(v))).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(',')}}`;
  }
  throw new TypeError(`JCS: ${typeof value} is not a JSON value`);
}

const sha = (prevHash, event) =>
  createHash('sha256').update(prevHash, 'utf8').update(jcs(event), 'utf8').digest('hex');

const cases = new Map();
const failures = [];
let lines = 0;
for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (text.trim() === '') continue;
  lines += 1;
  let line;
  try {
    line = JSON.parse(text);
  } catch {
    process.stdout.write(
      `${JSON.stringify({ valid: false, error: `line ${lines} is not JSON` })}\n`,
    );
    process.exit(2);
  }
  const seen = cases.get(line.caseId);
  if (seen?.failed) continue;
  const problems = [];
  if (seen && line.position !== seen.position + 1)
    problems.push(`position ${line.position} follows ${seen.position}`);
  if (seen ? line.prevHash !== seen.hash : line.position === 1 && line.prevHash !== GENESIS) {
    problems.push('prevHash is not the hash before it');
  }
  if (sha(line.prevHash, line.event) !== line.hash)
    problems.push('the event does not give its hash');
  const state = {
    position: line.position,
    hash: line.hash,
    events: (seen?.events ?? 0) + 1,
    failed: problems.length > 0,
  };
  cases.set(line.caseId, state);
  if (state.failed)
    failures.push({ caseId: line.caseId, firstBadPosition: line.position, line: lines, problems });
}
process.stdout.write(
  `${JSON.stringify({ valid: failures.length === 0, events: lines, cases: cases.size, failures })}\n`,
);
process.exit(failures.length === 0 ? 0 : 1);
