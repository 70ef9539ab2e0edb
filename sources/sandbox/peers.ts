/**
 * Peer lists: each active stock's peers are the stocks of similar size in its industry
 * (nearest by size rank), topped up from its sector when the industry is small. Lists are
 * asymmetric, like FMP's, and never include the stock itself.
 */

interface PeerCandidate {
  symbol: string;
  sector: string;
  industry: string;
  /** Any size measure; only the order matters. */
  size: number;
}

const PEERS_PER_STOCK = 8;
const MINIMUM_FROM_INDUSTRY = 3;

function nearestBySize(
  group: readonly PeerCandidate[],
  position: number,
  count: number,
): PeerCandidate[] {
  const picked: PeerCandidate[] = [];
  let below = position - 1;
  let above = position + 1;
  while (picked.length < count && (below >= 0 || above < group.length)) {
    const lower = group[below];
    const upper = group[above];
    const self = group[position] as PeerCandidate;
    const takeLower =
      lower !== undefined &&
      (upper === undefined || Math.abs(self.size - lower.size) <= Math.abs(upper.size - self.size));
    if (takeLower) {
      picked.push(lower);
      below--;
    } else if (upper !== undefined) {
      picked.push(upper);
      above++;
    }
  }
  return picked;
}

function groupBy(candidates: readonly PeerCandidate[], key: (c: PeerCandidate) => string) {
  const groups = new Map<string, PeerCandidate[]>();
  for (const candidate of candidates) {
    const name = key(candidate);
    let group = groups.get(name);
    if (!group) {
      group = [];
      groups.set(name, group);
    }
    group.push(candidate);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => a.size - b.size || (a.symbol < b.symbol ? -1 : 1));
  }
  return groups;
}

function positions(groups: Map<string, PeerCandidate[]>): Map<PeerCandidate, number> {
  const position = new Map<PeerCandidate, number>();
  for (const group of groups.values()) {
    group.forEach((candidate, i) => {
      position.set(candidate, i);
    });
  }
  return position;
}

/** Peers per symbol, in order of closeness. */
export function buildPeers(candidates: readonly PeerCandidate[]): Map<string, string[]> {
  const byIndustry = groupBy(candidates, (c) => c.industry);
  const bySector = groupBy(candidates, (c) => c.sector);
  const industryPosition = positions(byIndustry);
  const sectorPosition = positions(bySector);

  const peers = new Map<string, string[]>();
  for (const candidate of candidates) {
    const industry = byIndustry.get(candidate.industry) ?? [];
    const chosen = nearestBySize(industry, industryPosition.get(candidate) ?? 0, PEERS_PER_STOCK);
    if (chosen.length < MINIMUM_FROM_INDUSTRY) {
      const sector = bySector.get(candidate.sector) ?? [];
      const extra = nearestBySize(sector, sectorPosition.get(candidate) ?? 0, PEERS_PER_STOCK);
      for (const peer of extra) {
        if (chosen.length >= PEERS_PER_STOCK) break;
        if (!chosen.includes(peer)) chosen.push(peer);
      }
    }
    peers.set(
      candidate.symbol,
      chosen.map((peer) => peer.symbol),
    );
  }
  return peers;
}
