import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The `prevHash` of a case's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = SHA-256(prevHash ‖ JCS(event)) in lower-case hex, where ‖ joins the previous hash's
 * 64 hex characters and the event's RFC 8785 canonical JSON, hashed as UTF-8 (docs/audit.md).
 */
export const chainHash = (prevHash: string, event: unknown): string =>
  createHash('sha256').update(prevHash, 'utf8').update(canonicalJson(event), 'utf8').digest('hex');

/** One stored event of a case's chain, as read back (in position order). */
export interface ChainLink {
  readonly position: number;
  readonly event: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * What broke the chain first: an event whose content no longer gives its hash
 * (`modified`), events missing before this one (`missing`), one that does not belong
 * between its neighbours (`inserted`), or one found before an event it follows
 * (`reordered`).
 */
export type ChainFault = 'modified' | 'missing' | 'inserted' | 'reordered';

export interface ChainVerdict {
  readonly valid: boolean;
  readonly events: number;
  readonly firstBadPosition?: number;
  readonly fault?: ChainFault;
  readonly detail?: string;
}

/** Where a partial chain starts (an export of a period): the first position and its prevHash. */
export interface ChainAnchor {
  readonly position: number;
  readonly prevHash: string;
}

const diagnose = (
  links: readonly ChainLink[],
  i: number,
  prev: string,
  expected: number,
  anchor: ChainAnchor,
): Omit<ChainVerdict, 'valid' | 'events'> => {
  const link = links[i]!;
  const selfOk = chainHash(link.prevHash, link.event) === link.hash;
  const linkOk = link.prevHash === prev;
  if (links.some((l, j) => j > i && l.hash === link.prevHash)) {
    return {
      firstBadPosition: link.position,
      fault: 'reordered',
      detail: 'it follows an event stored after it',
    };
  }
  // The next event links to what came before this one: this one was slipped in between.
  if (links[i + 1]?.prevHash === prev) {
    return {
      firstBadPosition: link.position,
      fault: 'inserted',
      detail: 'the next event follows the one before this',
    };
  }
  if (linkOk && link.position === expected && !selfOk) {
    return {
      firstBadPosition: link.position,
      fault: 'modified',
      detail: 'the event does not give its recorded hash',
    };
  }
  // It follows an event further back (or the anchor): those between were slipped in.
  const before = [anchor.prevHash, ...links.slice(0, i).map((l) => l.hash)];
  const earlier = before.findIndex((hash, j) => j < i && hash === link.prevHash);
  if (earlier >= 0) {
    return {
      firstBadPosition: links[earlier]!.position,
      fault: 'inserted',
      detail: `position ${link.position} follows ${earlier === 0 ? "the chain's start" : `position ${links[earlier - 1]!.position}`}`,
    };
  }
  if (link.position > expected) {
    return {
      firstBadPosition: expected,
      fault: 'missing',
      detail: `positions ${expected}–${link.position - 1} are missing`,
    };
  }
  if (selfOk) {
    return {
      firstBadPosition: link.position,
      fault: 'missing',
      detail: 'the event it follows is not in the chain (removed, or replaced with a new hash)',
    };
  }
  return {
    firstBadPosition: link.position,
    fault: 'modified',
    detail: 'neither its hash nor its link holds',
  };
};

/**
 * Recomputes a case's chain from its first event (or from `anchor`) and names the first
 * position where it breaks. Any edit, removal, insertion or reordering of events before
 * the last one breaks a link; the last event's own removal, or an append made with the
 * algorithm, is seen only against an anchor kept elsewhere (an export's last hash).
 */
export function verifyChain(
  links: readonly ChainLink[],
  anchor: ChainAnchor = { position: 1, prevHash: GENESIS_HASH },
): ChainVerdict {
  let prev = anchor.prevHash;
  let expected = anchor.position;
  for (let i = 0; i < links.length; i += 1) {
    const link = links[i]!;
    if (
      link.position !== expected ||
      link.prevHash !== prev ||
      chainHash(link.prevHash, link.event) !== link.hash
    ) {
      return { valid: false, events: links.length, ...diagnose(links, i, prev, expected, anchor) };
    }
    prev = link.hash;
    expected += 1;
  }
  return { valid: true, events: links.length };
}
