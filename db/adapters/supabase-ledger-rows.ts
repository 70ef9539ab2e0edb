/**
 * The ledger's rows as the REST ledger receives them: PostgREST's JSON is
 * decoded by the shared table declarations (ISO timestamps, numeric bigints)
 * and mapped like the SQL ledger's rows.
 */
import type { Alert, GateDecision, Materialization } from "../ledger.ts";
import {
  CHECKS,
  DECISIONS,
  decisionFromRow,
  decisionRow,
  MATERIALIZATIONS,
  materializationFromRow,
} from "../ledger-rows.ts";
import { ALERTS, type AlertRow, alertFromRow } from "../sql-ledger.ts";
import { decodeRow } from "./supabase-codec.ts";

export { ALERTS, CHECKS, DECISIONS, decisionRow, MATERIALIZATIONS };

export function toMaterialization(raw: Record<string, unknown>): Materialization {
  return materializationFromRow(decodeRow(MATERIALIZATIONS, raw));
}

export function toDecision(raw: Record<string, unknown>): GateDecision {
  return decisionFromRow(decodeRow(DECISIONS, raw));
}

export function toAlert(raw: Record<string, unknown>): Alert {
  return alertFromRow(decodeRow<AlertRow>(ALERTS, raw));
}
