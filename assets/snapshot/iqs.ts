/**
 * IQS, structural quality against the industry (spec/engines.md §7, the `ifs_fy` column):
 * the ticker's FY rows ranked among its industry members' FY rows known on D.
 */
import { calculateIqs, type IqsPeerIndex, iqsPeerIndex } from "../../engines/iqs.ts";
import { newest } from "./point-in-time.ts";
import type { DayContext, FinancialInput } from "./types.ts";

/** An industry's FY rows known on D, and what every member's row reads of them. */
export interface IndustryPeersOnDay {
  rows: readonly FinancialInput[];
  /** `iqsPeerIndex(rows)`: each member's IQS is then a few binary searches. */
  index: IqsPeerIndex;
  newestFiling: string | null;
  newestEnd: string | null;
}

const NO_ROWS: readonly FinancialInput[] = [];

// Prepared once per (industry's rows, D): a chunk holds whole industries, and without this
// every member would filter and rank all of its industry's rows (quadratic in its size).
// Keyed by the array itself: a context's arrays are read-only and never change after they
// are built, so a cached reading is the reading.
const preparedPeers = new WeakMap<readonly FinancialInput[], Map<string, IndustryPeersOnDay>>();

/** The FY rows of `rows` ended and filed by D, with their IQS index and newest dates. */
function industryPeersOn(rows: readonly FinancialInput[], day: string): IndustryPeersOnDay {
  let byDay = preparedPeers.get(rows);
  if (!byDay) {
    byDay = new Map();
    preparedPeers.set(rows, byDay);
  }
  const cached = byDay.get(day);
  if (cached) return cached;
  const known = rows.filter(
    (r) => r.period_end_date <= day && r.filing_date <= day && r.period_type === "FY",
  );
  const prepared: IndustryPeersOnDay = {
    rows: known,
    index: iqsPeerIndex(known),
    newestFiling: newest(known.map((r) => r.filing_date)),
    newestEnd: newest(known.map((r) => r.period_end_date)),
  };
  byDay.set(day, prepared);
  return prepared;
}

/** The ticker's IQS of D (null without an industry or data) and the peers it read. */
export function iqsOn(
  ticker: string,
  industry: string | null,
  fiscalYears: readonly FinancialInput[],
  context: DayContext,
) {
  const peers = industryPeersOn(
    industry ? (context.industryPeers.get(industry) ?? NO_ROWS) : NO_ROWS,
    context.day,
  );
  const iqs = calculateIqs({
    ticker,
    industry,
    rows: fiscalYears,
    peer_rows: peers.rows,
    peer_index: peers.index,
  });
  return { peers, iqs };
}
