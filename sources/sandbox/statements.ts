/**
 * Income, balance-sheet and cash-flow statements as FMP's bulk files carry them: one row per
 * company for a (fiscal year, period), keyed by `fiscalYear` (the company's fiscal year) and
 * visible only once filed (filingDate on or before the market's asOf, and before delisting).
 *
 * Quarter rows are the ledger's quarters. An FY row sums the four quarters for flows, takes
 * Q4's balance sheet, averages the share counts, and shares Q4's date and 10-K filing.
 */
import {
  BALANCE_FIGURES,
  CASH_FLOW_FIGURES,
  CASH_FLOW_NON_ADDITIVE,
  INCOME_FIGURES,
  INCOME_NON_ADDITIVE,
} from "./columns.ts";
import type { CsvValue } from "./csv.ts";
import {
  type Filing,
  filingFor,
  type Period,
  periodEndDate,
  type Quarter,
  quarterOrdinal,
} from "./fiscal.ts";
import {
  CASH_FLOW_INDEX,
  type CompanyLedger,
  INCOME_INDEX,
  LEDGER_START_FISCAL_YEAR,
  type LedgerOpener,
} from "./ledger.ts";
import type { Instrument } from "./universe.ts";

export type StatementKind = "income" | "balance" | "cash-flow";

const STATEMENT_FIGURES: Record<StatementKind, readonly string[]> = {
  income: INCOME_FIGURES,
  balance: BALANCE_FIGURES,
  "cash-flow": CASH_FLOW_FIGURES,
};

interface Statement {
  symbol: string;
  /** Period end date (YYYY-MM-DD). */
  date: string;
  fiscalYear: number;
  period: Period;
  reportedCurrency: string;
  cik: string | null;
  filingDate: string;
  acceptedDate: string;
  /** Figures in column order (see STATEMENT_FIGURES). */
  figures: Float64Array;
}

const INCOME_ADDITIVE = INCOME_FIGURES.map((name) => !INCOME_NON_ADDITIVE.includes(name));
const CASH_FLOW_ADDITIVE = CASH_FLOW_FIGURES.map((name) => !CASH_FLOW_NON_ADDITIVE.includes(name));

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** First fiscal year a company reports: the ledger's start, or the year before its IPO. */
export function firstFiscalYear(instrument: Instrument): number {
  return Math.max(LEDGER_START_FISCAL_YEAR, Number(instrument.ipoDate.slice(0, 4)) - 1);
}

/** The cik as the statement files write it: foreign filers get zeros (JPX an empty field). */
function statementCik(instrument: Instrument): string | null {
  if (instrument.cik) return instrument.cik;
  return instrument.exchange.code === "JPX" ? null : "0000000000";
}

/** Whether a statement filed on `filing` can be seen on `asOf`. */
export function isFiledBy(instrument: Instrument, filing: Filing, asOf: string): boolean {
  if (filing.filingDate > asOf) return false;
  return instrument.delistedDate === null || filing.filingDate <= instrument.delistedDate;
}

/** Figures of one period, regardless of visibility. */
function periodFigures(
  openLedger: LedgerOpener,
  kind: StatementKind,
  fiscalYear: number,
  period: Period,
): Float64Array {
  const pick = (l: CompanyLedger) =>
    kind === "income" ? l.income : kind === "balance" ? l.balance : l.cashFlow;
  if (period !== "FY") {
    const k = quarterOrdinal(fiscalYear, Number(period.slice(1)) as Quarter);
    const ledger = openLedger(k - 1);
    ledger.runTo(k);
    return Float64Array.from(pick(ledger));
  }
  const firstQuarter = quarterOrdinal(fiscalYear, 1);
  const ledger = openLedger(firstQuarter - 1);
  ledger.runTo(firstQuarter - 1);
  if (kind === "balance") {
    ledger.runTo(firstQuarter + 3);
    return Float64Array.from(ledger.balance);
  }
  const total = new Float64Array(
    kind === "income" ? INCOME_FIGURES.length : CASH_FLOW_FIGURES.length,
  );
  const additive = kind === "income" ? INCOME_ADDITIVE : CASH_FLOW_ADDITIVE;
  let shares = 0;
  let dilutedShares = 0;
  let openingCash = 0;
  ledger.runTo(firstQuarter + 3, (l) => {
    const quarter = pick(l);
    for (let i = 0; i < total.length; i++) {
      if (additive[i]) total[i] = (total[i] ?? 0) + (quarter[i] ?? 0);
    }
    shares += l.income[INCOME_INDEX.weightedAverageShsOut] ?? 0;
    dilutedShares += l.income[INCOME_INDEX.weightedAverageShsOutDil] ?? 0;
    if (l.ordinal === firstQuarter)
      openingCash = l.cashFlow[CASH_FLOW_INDEX.cashAtBeginningOfPeriod] ?? 0;
    if (kind === "cash-flow" && l.ordinal === firstQuarter + 3) {
      total[CASH_FLOW_INDEX.cashAtEndOfPeriod] = l.cashFlow[CASH_FLOW_INDEX.cashAtEndOfPeriod] ?? 0;
    }
  });
  if (kind === "income") {
    // Annual share counts are the average of the quarters; annual EPS divides by it.
    const basic = Math.round(shares / 4);
    const diluted = Math.round(dilutedShares / 4);
    const netIncome = total[INCOME_INDEX.netIncome] ?? 0;
    total[INCOME_INDEX.weightedAverageShsOut] = basic;
    total[INCOME_INDEX.weightedAverageShsOutDil] = diluted;
    total[INCOME_INDEX.eps] = round2(netIncome / basic);
    total[INCOME_INDEX.epsDiluted] = round2(netIncome / diluted);
  } else {
    total[CASH_FLOW_INDEX.cashAtBeginningOfPeriod] = openingCash;
  }
  return total;
}

/** One company's statement for a period as seen on `asOf`, or undefined if not filed yet. */
export function companyStatement(
  instrument: Instrument,
  openLedger: LedgerOpener,
  kind: StatementKind,
  fiscalYear: number,
  period: Period,
  asOf: string,
): Statement | undefined {
  if (instrument.type !== "stock" || fiscalYear < firstFiscalYear(instrument)) return undefined;
  const k = quarterOrdinal(fiscalYear, period === "FY" ? 4 : (Number(period.slice(1)) as Quarter));
  const filing = filingFor(instrument, k);
  if (!isFiledBy(instrument, filing, asOf)) return undefined;
  return {
    symbol: instrument.symbol,
    date: periodEndDate(instrument, k),
    fiscalYear,
    period,
    reportedCurrency: instrument.currency,
    cik: statementCik(instrument),
    filingDate: filing.filingDate,
    acceptedDate: filing.acceptedDate,
    figures: periodFigures(openLedger, kind, fiscalYear, period),
  };
}

/** The row as the bulk CSV writes it. */
export function statementRow(statement: Statement): CsvValue[] {
  const row: CsvValue[] = [
    statement.date,
    statement.symbol,
    statement.reportedCurrency,
    statement.cik,
    statement.filingDate,
    statement.acceptedDate,
    String(statement.fiscalYear),
    statement.period,
  ];
  for (const value of statement.figures) row.push(value);
  return row;
}

/** Statement as a plain object keyed by FMP column name (for tests and callers). */
export function statementRecord(
  kind: StatementKind,
  statement: Statement,
): Record<string, string | number | null> {
  const record: Record<string, string | number | null> = {
    date: statement.date,
    symbol: statement.symbol,
    reportedCurrency: statement.reportedCurrency,
    cik: statement.cik,
    filingDate: statement.filingDate,
    acceptedDate: statement.acceptedDate,
    fiscalYear: String(statement.fiscalYear),
    period: statement.period,
  };
  STATEMENT_FIGURES[kind].forEach((name, i) => {
    record[name] = statement.figures[i] ?? null;
  });
  return record;
}
