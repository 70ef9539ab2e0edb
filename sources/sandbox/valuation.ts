/**
 * TTM ratios, TTM key metrics and the Altman Z / Piotroski scores, as of the market's asOf.
 *
 * Everything derives from the statements the market would serve that day (the last four
 * filed quarters, summed for flows; the latest balance sheet) and the last close on or before
 * asOf, so a pipeline that recomputes a ratio from the statement bulks gets FMP's number
 * back. A ratio with a zero denominator is written as 0, which is what FMP's files do.
 */
import type { CsvValue } from "./csv.ts";
import { filingFor, quarterOrdinal } from "./fiscal.ts";
import {
  BALANCE_INDEX as B,
  CASH_FLOW_INDEX as C,
  INCOME_INDEX as I,
  type LedgerOpener,
} from "./ledger.ts";
import { firstFiscalYear, isFiledBy } from "./statements.ts";
import type { Instrument } from "./universe.ts";

/** The trailing-twelve-month view of one company on asOf. */
interface TtmSnapshot {
  /** Ordinal of the latest filed quarter. */
  latestOrdinal: number;
  /** Sums over the last four quarters (share counts and EPS are the latest quarter's). */
  income: Float64Array;
  cashFlow: Float64Array;
  /** Balance sheet at the latest quarter. */
  balance: Float64Array;
  /** The same one year earlier, when the company had reported that long. */
  previous: { income: Float64Array; cashFlow: Float64Array; balance: Float64Array } | null;
  /** Average receivables, payables and inventory over the year (latest and year-ago). */
  averages: { receivables: number; payables: number; inventory: number };
}

function div(numerator: number, denominator: number): number {
  return denominator === 0 || !Number.isFinite(denominator) ? 0 : numerator / denominator;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Twelve significant digits: enough for a ratio, and free of float noise like ...0000001.
 * Scaling by an exact power of ten and rounding is several times faster than toPrecision.
 */
function ratio(value: number): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  const digits = 11 - Math.floor(Math.log10(Math.abs(value)));
  if (digits <= 0) return Math.round(value);
  const scale = POWERS_OF_TEN[digits];
  return scale === undefined ? Number(value.toPrecision(12)) : Math.round(value * scale) / scale;
}

/** The latest quarter filed on or before asOf (and before delisting), or null. */
function latestFiledOrdinal(instrument: Instrument, asOf: string): number | null {
  const year = Number(asOf.slice(0, 4));
  const month = Number(asOf.slice(5, 7));
  const fiscalYear = month > instrument.fiscalYearEndMonth ? year + 1 : year;
  const floor = quarterOrdinal(firstFiscalYear(instrument), 1);
  for (let k = quarterOrdinal(fiscalYear, 4); k >= floor; k--) {
    if (isFiledBy(instrument, filingFor(instrument, k), asOf)) return k;
  }
  return null;
}

function sumInto(total: Float64Array, quarter: Float64Array): void {
  for (let i = 0; i < total.length; i++) total[i] = (total[i] ?? 0) + (quarter[i] ?? 0);
}

export function ttmSnapshot(
  instrument: Instrument,
  openLedger: LedgerOpener,
  asOf: string,
): TtmSnapshot | undefined {
  if (instrument.type !== "stock") return undefined;
  const latest = latestFiledOrdinal(instrument, asOf);
  const first = quarterOrdinal(firstFiscalYear(instrument), 1);
  if (latest === null || latest - 3 < first) return undefined;
  const hasPrevious = latest - 7 >= first;
  const recordFrom = hasPrevious ? latest - 7 : latest - 3;
  const ledger = openLedger(recordFrom - 1);
  const income = new Float64Array(ledger.income.length);
  const cashFlow = new Float64Array(ledger.cashFlow.length);
  const previousIncome = new Float64Array(ledger.income.length);
  const previousCashFlow = new Float64Array(ledger.cashFlow.length);
  let previousBalance: Float64Array | null = null;
  let latestIncome = ledger.income;
  ledger.runTo(
    latest,
    (l) => {
      if (l.ordinal < recordFrom) return;
      if (l.ordinal > latest - 4) {
        sumInto(income, l.income);
        sumInto(cashFlow, l.cashFlow);
      } else {
        sumInto(previousIncome, l.income);
        sumInto(previousCashFlow, l.cashFlow);
      }
      if (l.ordinal === latest - 4) previousBalance = Float64Array.from(l.balance);
      if (l.ordinal === latest) latestIncome = l.income;
    },
    recordFrom,
  );
  // Per-share counts are not flows: take the latest quarter's.
  for (const name of [
    "eps",
    "epsDiluted",
    "weightedAverageShsOut",
    "weightedAverageShsOutDil",
  ] as const) {
    income[I[name]] = latestIncome[I[name]] ?? 0;
  }
  const balance = Float64Array.from(ledger.balance);
  const prior = previousBalance as Float64Array | null;
  const average = (index: number) =>
    prior === null ? (balance[index] ?? 0) : ((balance[index] ?? 0) + (prior[index] ?? 0)) / 2;
  return {
    latestOrdinal: latest,
    income,
    cashFlow,
    balance,
    previous:
      hasPrevious && prior !== null
        ? { income: previousIncome, cashFlow: previousCashFlow, balance: prior }
        : null,
    averages: {
      receivables: average(B.accountsReceivables),
      payables: average(B.accountPayables),
      inventory: average(B.inventory),
    },
  };
}

/** Price and market capitalisation on asOf (current shares, as the profile shows them). */
interface Quote {
  price: number;
  marketCap: number;
}

/** Named figures the three feeds share. */
function basics(snap: TtmSnapshot, quote: Quote) {
  const inc = (name: keyof typeof I) => snap.income[I[name]] ?? 0;
  const cf = (name: keyof typeof C) => snap.cashFlow[C[name]] ?? 0;
  const bal = (name: keyof typeof B) => snap.balance[B[name]] ?? 0;
  const shares = inc("weightedAverageShsOut");
  const dilutedShares = inc("weightedAverageShsOutDil");
  const marketCap = quote.marketCap;
  const cash = bal("cashAndCashEquivalents");
  const debt = bal("totalDebt");
  const enterpriseValue = marketCap + debt - cash;
  const capex = cf("capitalExpenditure");
  const dividendsPaid = Math.abs(cf("commonDividendsPaid"));
  return {
    inc,
    cf,
    bal,
    shares,
    dilutedShares,
    marketCap,
    cash,
    debt,
    enterpriseValue,
    revenue: inc("revenue"),
    netIncome: inc("netIncome"),
    ebit: inc("ebit"),
    ebitda: inc("ebitda"),
    operatingCashFlow: cf("operatingCashFlow"),
    freeCashFlow: cf("freeCashFlow"),
    capex,
    dividendsPaid,
    equity: bal("totalStockholdersEquity"),
    totalAssets: bal("totalAssets"),
    totalLiabilities: bal("totalLiabilities"),
    currentAssets: bal("totalCurrentAssets"),
    currentLiabilities: bal("totalCurrentLiabilities"),
    intangibles: bal("goodwillAndIntangibleAssets"),
  };
}

/** Year-over-year growth of TTM net income, in percent, or null when not meaningful. */
function earningsGrowthPercent(snap: TtmSnapshot): number | null {
  if (!snap.previous) return null;
  const before = snap.previous.income[I.netIncome] ?? 0;
  const now = snap.income[I.netIncome] ?? 0;
  if (before <= 0) return null;
  return (now / before - 1) * 100;
}

export function ratiosTtmRow(symbol: string, snap: TtmSnapshot, quote: Quote): CsvValue[] {
  const x = basics(snap, quote);
  const eps = div(x.netIncome, x.shares);
  const pe = div(x.marketCap, x.netIncome);
  const dilutedPe = div(quote.price, div(x.netIncome, x.dilutedShares));
  const growth = earningsGrowthPercent(snap);
  const peg = growth === null ? 0 : div(pe, growth);
  const dilutedPeg = growth === null ? 0 : div(dilutedPe, growth);
  const interestExpense = x.inc("interestExpense");
  const shortTermDebt = x.bal("shortTermDebt");
  const longTermDebt = x.bal("longTermDebt");
  const values = [
    div(x.inc("grossProfit"), x.revenue),
    div(x.ebit, x.revenue),
    div(x.ebitda, x.revenue),
    div(x.inc("operatingIncome"), x.revenue),
    div(x.inc("incomeBeforeTax"), x.revenue),
    div(x.inc("netIncomeFromContinuingOperations"), x.revenue),
    div(x.netIncome, x.revenue),
    div(x.inc("bottomLineNetIncome"), x.revenue),
    div(x.revenue, snap.averages.receivables),
    div(x.inc("costOfRevenue"), snap.averages.payables),
    div(x.inc("costOfRevenue"), snap.averages.inventory),
    div(x.revenue, x.bal("propertyPlantEquipmentNet")),
    div(x.revenue, x.totalAssets),
    div(x.currentAssets, x.currentLiabilities),
    div(x.bal("cashAndShortTermInvestments") + x.bal("netReceivables"), x.currentLiabilities),
    div(x.netIncome + x.inc("depreciationAndAmortization"), x.totalLiabilities),
    div(x.cash, x.currentLiabilities),
    pe,
    peg,
    // Forward PEG needs analyst estimates the sandbox does not model: a fixed 10% discount.
    peg * 0.9,
    dilutedPe,
    dilutedPeg,
    div(x.marketCap, x.equity),
    div(x.marketCap, x.revenue),
    div(x.marketCap, x.freeCashFlow),
    div(x.marketCap, x.operatingCashFlow),
    div(x.debt, x.totalAssets),
    div(x.debt, x.equity),
    div(x.debt, x.debt + x.equity),
    div(longTermDebt, longTermDebt + x.equity),
    div(x.totalAssets, x.equity),
    div(x.revenue, x.currentAssets - x.currentLiabilities),
    div(x.operatingCashFlow, x.currentLiabilities),
    div(x.operatingCashFlow, x.revenue),
    div(x.freeCashFlow, x.operatingCashFlow),
    div(x.ebitda, interestExpense + shortTermDebt),
    div(x.inc("operatingIncome"), interestExpense),
    div(x.operatingCashFlow, shortTermDebt),
    div(x.operatingCashFlow, x.debt),
    div(x.operatingCashFlow, Math.abs(x.capex)),
    div(x.operatingCashFlow, Math.abs(x.capex) + x.dividendsPaid),
    div(x.dividendsPaid, x.netIncome),
    div(x.dividendsPaid, x.marketCap),
  ].map(ratio);
  const perShare = [
    div(x.revenue, x.shares),
    eps,
    div(interestExpense + x.debt, x.shares),
    div(x.bal("cashAndShortTermInvestments"), x.shares),
    div(x.equity, x.shares),
    div(x.equity - x.intangibles, x.shares),
    div(x.equity, x.shares),
    div(x.operatingCashFlow, x.shares),
    div(x.capex, x.shares),
    div(x.freeCashFlow, x.shares),
    div(x.netIncome, x.inc("incomeBeforeTax")),
    div(x.inc("incomeBeforeTax"), x.ebit),
    div(x.marketCap, x.equity),
    div(x.debt, x.marketCap),
    div(x.inc("incomeTaxExpense"), x.inc("incomeBeforeTax")),
    div(x.enterpriseValue, x.ebitda),
    div(x.dividendsPaid, x.shares),
  ].map(ratio);
  return [symbol, ...values, x.enterpriseValue, ...perShare];
}

export function keyMetricsTtmRow(symbol: string, snap: TtmSnapshot, quote: Quote): CsvValue[] {
  const x = basics(snap, quote);
  const incomeBeforeTax = x.inc("incomeBeforeTax");
  const taxRate = div(x.inc("incomeTaxExpense"), incomeBeforeTax);
  const operatingIncome = x.inc("operatingIncome");
  const investedCapital = x.debt + x.equity;
  const cogs = x.inc("costOfRevenue");
  const eps = div(x.netIncome, x.shares);
  const bookPerShare = div(x.equity, x.shares);
  const graham = eps > 0 && bookPerShare > 0 ? Math.sqrt(22.5 * eps * bookPerShare) : 0;
  const receivableDays = div(snap.averages.receivables, x.revenue) * 365;
  const payableDays = div(snap.averages.payables, cogs) * 365;
  const inventoryDays = div(snap.averages.inventory, cogs) * 365;
  const workingCapital = x.currentAssets - x.currentLiabilities;
  return [
    symbol,
    x.marketCap,
    x.enterpriseValue,
    ...[
      div(x.enterpriseValue, x.revenue),
      div(x.enterpriseValue, x.operatingCashFlow),
      div(x.enterpriseValue, x.freeCashFlow),
      div(x.enterpriseValue, x.ebitda),
      div(x.debt - x.cash, x.ebitda),
      div(x.currentAssets, x.currentLiabilities),
      div(x.operatingCashFlow, x.netIncome),
      graham,
      div(
        x.bal("cashAndShortTermInvestments") +
          0.75 * x.bal("netReceivables") +
          0.5 * x.bal("inventory") -
          x.totalLiabilities,
        x.shares,
      ),
      div(x.netIncome, incomeBeforeTax),
      div(incomeBeforeTax, x.ebit),
    ].map(ratio),
    workingCapital,
    investedCapital,
    ...[
      div(x.netIncome, x.totalAssets),
      div(operatingIncome, x.totalAssets),
      div(x.netIncome, x.totalAssets - x.intangibles),
      div(x.netIncome, x.equity),
      div(operatingIncome * (1 - taxRate), investedCapital),
      div(x.ebit, x.totalAssets - x.currentLiabilities),
      div(x.netIncome, x.marketCap),
      div(x.freeCashFlow, x.marketCap),
      div(Math.abs(x.capex), x.operatingCashFlow),
      div(Math.abs(x.capex), x.inc("depreciationAndAmortization")),
      div(Math.abs(x.capex), x.revenue),
      div(x.inc("sellingGeneralAndAdministrativeExpenses"), x.revenue),
      div(x.inc("researchAndDevelopmentExpenses"), x.revenue),
      div(x.cf("stockBasedCompensation"), x.revenue),
      div(x.intangibles, x.totalAssets),
    ].map(ratio),
    Math.round(snap.averages.receivables),
    Math.round(snap.averages.payables),
    Math.round(snap.averages.inventory),
    ...[
      receivableDays,
      payableDays,
      inventoryDays,
      receivableDays + inventoryDays,
      receivableDays + inventoryDays - payableDays,
    ].map(ratio),
    x.freeCashFlow + x.cf("netDebtIssuance"),
    Math.round(x.freeCashFlow + x.inc("interestExpense") * (1 - taxRate)),
    x.totalAssets - x.intangibles - x.totalLiabilities,
    x.currentAssets - x.totalLiabilities,
  ];
}

/** Piotroski's nine yes/no tests, latest TTM against the year before. */
function piotroskiScore(snap: TtmSnapshot): number {
  const inc = snap.income;
  const bal = snap.balance;
  const netIncome = inc[I.netIncome] ?? 0;
  const assets = bal[B.totalAssets] ?? 0;
  const operatingCashFlow = snap.cashFlow[C.operatingCashFlow] ?? 0;
  let score = 0;
  if (div(netIncome, assets) > 0) score++;
  if (operatingCashFlow > 0) score++;
  if (operatingCashFlow > netIncome) score++;
  const prev = snap.previous;
  if (!prev) return score;
  const pInc = prev.income;
  const pBal = prev.balance;
  const pAssets = pBal[B.totalAssets] ?? 0;
  if (div(netIncome, assets) > div(pInc[I.netIncome] ?? 0, pAssets)) score++;
  if (div(bal[B.longTermDebt] ?? 0, assets) < div(pBal[B.longTermDebt] ?? 0, pAssets)) score++;
  const currentRatio = div(bal[B.totalCurrentAssets] ?? 0, bal[B.totalCurrentLiabilities] ?? 0);
  const pCurrentRatio = div(pBal[B.totalCurrentAssets] ?? 0, pBal[B.totalCurrentLiabilities] ?? 0);
  if (currentRatio > pCurrentRatio) score++;
  if ((inc[I.weightedAverageShsOut] ?? 0) <= (pInc[I.weightedAverageShsOut] ?? 0) / 4) score++; // prior: sum of 4 quarters
  const margin = div(inc[I.grossProfit] ?? 0, inc[I.revenue] ?? 0);
  const pMargin = div(pInc[I.grossProfit] ?? 0, pInc[I.revenue] ?? 0);
  if (margin > pMargin) score++;
  if (div(inc[I.revenue] ?? 0, assets) > div(pInc[I.revenue] ?? 0, pAssets)) score++;
  return score;
}

export function scoresRow(instrument: Instrument, snap: TtmSnapshot, quote: Quote): CsvValue[] {
  const x = basics(snap, quote);
  const workingCapital = x.currentAssets - x.currentLiabilities;
  const retainedEarnings = x.bal("retainedEarnings");
  const altman =
    1.2 * div(workingCapital, x.totalAssets) +
    1.4 * div(retainedEarnings, x.totalAssets) +
    3.3 * div(x.ebit, x.totalAssets) +
    0.6 * div(x.marketCap, x.totalLiabilities) +
    1.0 * div(x.revenue, x.totalAssets);
  return [
    instrument.symbol,
    instrument.currency,
    ratio(altman),
    piotroskiScore(snap),
    workingCapital,
    x.totalAssets,
    retainedEarnings,
    x.ebit,
    x.marketCap,
    x.totalLiabilities,
    x.revenue,
  ];
}
