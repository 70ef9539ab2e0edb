/**
 * A company's books, quarter by quarter. Every cash-flow line moves exactly one balance-sheet
 * account (net income and dividends into retained earnings, capex and depreciation into
 * PP&E, working-capital changes into receivables, inventory and payables, debt issuance into
 * debt, ...), and the opening balance sheet balances, so every quarter's balance sheet
 * balances too. Amounts are kept as integer thousands so the identities hold exactly.
 *
 * The ledger starts at LEDGER_START_FISCAL_YEAR for every company whatever the market's
 * `asOf`, so a statement never changes with the date it is looked at from; only its
 * visibility does.
 */
import { BALANCE_FIGURES, CASH_FLOW_FIGURES, INCOME_FIGURES } from "./columns.ts";
import { type CompanyEconomics, REFERENCE_FISCAL_YEAR } from "./company.ts";
import { ordinalFiscalYear, quarterOrdinal } from "./fiscal.ts";
import { hash2, normalAt, uniformAt } from "./random.ts";
import type { Instrument } from "./universe.ts";

export const LEDGER_START_FISCAL_YEAR = 2012;
const START_ORDINAL = quarterOrdinal(LEDGER_START_FISCAL_YEAR, 1);
/** Growth is measured from the middle of the reference fiscal year. */
const REFERENCE_ORDINAL = REFERENCE_FISCAL_YEAR * 4 + 1.5;

function indexes<T extends string>(names: readonly T[]): Record<T, number> {
  const map = {} as Record<T, number>;
  names.forEach((name, i) => {
    map[name] = i;
  });
  return map;
}

export const INCOME_INDEX = indexes(INCOME_FIGURES);
export const BALANCE_INDEX = indexes(BALANCE_FIGURES);
export const CASH_FLOW_INDEX = indexes(CASH_FLOW_FIGURES);

const I = INCOME_INDEX;
const B = BALANCE_INDEX;
const C = CASH_FLOW_INDEX;

const K = 1000;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Balance-sheet accounts carried from quarter to quarter, in thousands. */
interface Accounts {
  cash: number;
  shortTermInvestments: number;
  receivables: number;
  inventory: number;
  otherCurrentAssets: number;
  ppe: number;
  goodwill: number;
  intangibles: number;
  longTermInvestments: number;
  taxAssets: number;
  otherNonCurrentAssets: number;
  payables: number;
  accrued: number;
  shortTermDebt: number;
  taxPayables: number;
  deferredRevenue: number;
  longTermDebt: number;
  deferredTax: number;
  otherNonCurrentLiabilities: number;
  treasury: number;
  commonStock: number;
  retainedEarnings: number;
  paidInCapital: number;
  otherComprehensive: number;
  shares: number;
}

/** The books after a quarter: enough to resume stepping from there. */
interface LedgerState {
  ordinal: number;
  accounts: Readonly<Accounts>;
}

export class CompanyLedger {
  /** Figures of the quarter last stepped, in FMP units (currency, shares), column order. */
  readonly income = new Float64Array(INCOME_FIGURES.length);
  readonly balance = new Float64Array(BALANCE_FIGURES.length);
  readonly cashFlow = new Float64Array(CASH_FLOW_FIGURES.length);
  /** Ordinal of the quarter last stepped (START_ORDINAL − 1 before the first step). */
  ordinal = START_ORDINAL - 1;

  private readonly acc: Accounts;
  private readonly noiseKey: number;

  private readonly econ: CompanyEconomics;

  /** A ledger before its first quarter, or resumed from a saved state. */
  constructor(instrument: Instrument, econ: CompanyEconomics, from?: LedgerState) {
    this.econ = econ;
    this.noiseKey = hash2(instrument.key, 0x1ed6e7);
    this.acc = from ? { ...from.accounts } : this.openingAccounts();
    if (from) this.ordinal = from.ordinal;
  }

  state(): LedgerState {
    return { ordinal: this.ordinal, accounts: { ...this.acc } };
  }

  static get firstOrdinal(): number {
    return START_ORDINAL;
  }

  private yearsFromReference(k: number): number {
    return (k - REFERENCE_ORDINAL) / 4;
  }

  private sharesAt(k: number): number {
    return Math.round(
      this.econ.sharesRef * Math.exp(this.econ.shareDrift * this.yearsFromReference(k)),
    );
  }

  private openingAccounts(): Accounts {
    const e = this.econ;
    const k = START_ORDINAL - 1;
    const quarterRevenue = Math.max(
      1,
      e.revenueRefK * Math.exp(e.growth * this.yearsFromReference(k)),
    );
    const annual = 4 * quarterRevenue;
    const costOfRevenue = quarterRevenue * (1 - e.grossMargin);
    const shares = this.sharesAt(k);
    const a: Accounts = {
      cash: Math.round(annual * e.openingCashRatio),
      shortTermInvestments: Math.round(annual * e.shortTermInvestmentRatio),
      receivables: Math.round((quarterRevenue * e.receivableDays) / 91),
      inventory: Math.round((costOfRevenue * e.inventoryDays) / 91),
      otherCurrentAssets: Math.round(quarterRevenue * e.otherCurrentAssetRatio),
      ppe: Math.round((quarterRevenue * e.capexRatio) / e.depreciationRate),
      goodwill: Math.round(annual * e.goodwillRatio),
      intangibles: Math.round(annual * e.intangibleRatio),
      longTermInvestments: Math.round(annual * e.longTermInvestmentRatio),
      taxAssets: Math.round(annual * 0.01),
      otherNonCurrentAssets: Math.round(annual * e.otherNonCurrentAssetRatio),
      payables: Math.round((costOfRevenue * e.payableDays) / 91),
      accrued: Math.round(quarterRevenue * e.accruedRatio),
      shortTermDebt: 0,
      taxPayables: Math.round(quarterRevenue * 0.02),
      deferredRevenue: Math.round(quarterRevenue * e.deferredRevenueRatio),
      longTermDebt: 0,
      deferredTax: Math.round(annual * 0.02),
      otherNonCurrentLiabilities: Math.round(annual * e.otherNonCurrentLiabilityRatio),
      treasury: 0,
      commonStock: Math.max(1, Math.round((shares * 0.01) / K)),
      retainedEarnings: 0,
      paidInCapital: 0,
      otherComprehensive: Math.round(annual * 0.01 * normalAt(this.noiseKey, -1)),
      shares,
    };
    const assets = this.totalAssets(a);
    const debt = this.debtTarget(annual, assets);
    a.shortTermDebt = Math.round(debt * 0.15);
    a.longTermDebt = debt - a.shortTermDebt;
    const liabilities = this.totalLiabilities(a);
    a.paidInCapital = Math.round(assets * 0.35);
    // Retained earnings close the opening balance sheet; they may be negative (a deficit).
    a.retainedEarnings =
      assets - liabilities - a.commonStock - a.paidInCapital - a.treasury - a.otherComprehensive;
    return a;
  }

  /** Debt the company steers toward: its sector's leverage, but never over half its assets. */
  private debtTarget(annualRevenue: number, assets: number): number {
    return Math.round(Math.min(annualRevenue * this.econ.debtRatio, assets * 0.5));
  }

  private totalAssets(a: Accounts): number {
    return (
      a.cash +
      a.shortTermInvestments +
      a.receivables +
      a.inventory +
      a.otherCurrentAssets +
      a.ppe +
      a.goodwill +
      a.intangibles +
      a.longTermInvestments +
      a.taxAssets +
      a.otherNonCurrentAssets
    );
  }

  private totalLiabilities(a: Accounts): number {
    return (
      a.payables +
      a.accrued +
      a.shortTermDebt +
      a.taxPayables +
      a.deferredRevenue +
      a.longTermDebt +
      a.deferredTax +
      a.otherNonCurrentLiabilities
    );
  }

  /**
   * Steps through quarters until `k` is the last one stepped. Figures are written out only
   * from `recordFrom` on (by default the last quarter, or every quarter with a callback):
   * the books of earlier quarters are kept but not formatted, which is most of the cost.
   */
  runTo(k: number, onQuarter?: (ledger: CompanyLedger) => void, recordFrom?: number): void {
    if (k < this.ordinal) throw new Error("a ledger only moves forward");
    const firstRecorded = recordFrom ?? (onQuarter ? this.ordinal + 1 : k);
    while (this.ordinal < k) {
      this.step(this.ordinal + 1 >= firstRecorded);
      onQuarter?.(this);
    }
  }

  /** Books one quarter; `record` = also write its figures to income/balance/cashFlow. */
  step(record = true): void {
    const e = this.econ;
    const a = this.acc;
    const k = this.ordinal + 1;
    const t = this.yearsFromReference(k);
    const quarterIndex = k % 4;
    const key = hash2(this.noiseKey, k);

    // Income statement.
    const cycle = e.cycleAmplitude * Math.sin((2 * Math.PI * k) / 20 + e.cyclePhase);
    const season = e.seasonality[quarterIndex] ?? 1;
    const revenue = Math.max(
      1,
      Math.round(
        e.revenueRefK * Math.exp(e.growth * t + cycle + 0.035 * normalAt(key, 0)) * season,
      ),
    );
    const costOfRevenue = Math.round(
      revenue * clamp(1 - e.grossMargin + 0.01 * normalAt(key, 1), 0.02, 0.98),
    );
    const grossProfit = revenue - costOfRevenue;
    const research = Math.round(revenue * e.researchRatio * Math.exp(0.05 * normalAt(key, 2)));
    const selling = Math.round(revenue * e.sellingRatio * Math.exp(0.05 * normalAt(key, 3)));
    const admin = Math.round(revenue * e.adminRatio * Math.exp(0.05 * normalAt(key, 4)));
    const otherExpenses = Math.round(revenue * e.otherExpenseRatio);
    const sellingGeneral = selling + admin;
    const operatingExpenses = research + sellingGeneral + otherExpenses;
    const operatingIncome = grossProfit - operatingExpenses;
    const interestExpense = Math.round(((a.shortTermDebt + a.longTermDebt) * e.interestRate) / 4);
    const interestIncome = Math.round(((a.cash + a.shortTermInvestments) * 0.03) / 4);
    const nonOperating = Math.round(revenue * 0.004 * normalAt(key, 5));
    const totalOther = interestIncome - interestExpense + nonOperating;
    const incomeBeforeTax = operatingIncome + totalOther;
    const tax =
      incomeBeforeTax > 0
        ? Math.round(incomeBeforeTax * e.taxRate)
        : Math.round(incomeBeforeTax * 0.05);
    const netIncome = incomeBeforeTax - tax;
    const depreciation = Math.round(a.ppe * e.depreciationRate);
    const amortization = Math.round(a.intangibles * 0.03);
    const depreciationAndAmortization = depreciation + amortization;
    const ebit = incomeBeforeTax + interestExpense;
    const shares = this.sharesAt(k);
    const dilutedShares = Math.round(shares * (1 + e.dilution));

    // Cash flow: operations.
    const deferredTax = tax > 0 ? Math.round(tax * 0.08) : 0;
    const stockCompensation = Math.round(revenue * e.stockCompensationRatio);
    const receivables = Math.round((revenue * e.receivableDays) / 91);
    const inventory = Math.round((costOfRevenue * e.inventoryDays) / 91);
    const payables = Math.round((costOfRevenue * e.payableDays) / 91);
    const accrued = Math.round(revenue * e.accruedRatio);
    const deferredRevenue = Math.round(revenue * e.deferredRevenueRatio);
    const otherCurrentAssets = Math.round(revenue * e.otherCurrentAssetRatio);
    const cfReceivables = -(receivables - a.receivables);
    const cfInventory = -(inventory - a.inventory);
    const cfPayables = payables - a.payables;
    const otherWorkingCapital =
      accrued -
      a.accrued +
      (deferredRevenue - a.deferredRevenue) -
      (otherCurrentAssets - a.otherCurrentAssets);
    const workingCapital = cfReceivables + cfInventory + cfPayables + otherWorkingCapital;
    const otherNonCurrentLiabilities = Math.round(4 * revenue * e.otherNonCurrentLiabilityRatio);
    const otherNonCash = otherNonCurrentLiabilities - a.otherNonCurrentLiabilities;
    const operatingCashFlow =
      netIncome +
      depreciationAndAmortization +
      deferredTax +
      stockCompensation +
      workingCapital +
      otherNonCash;

    // Investing.
    const capex = -Math.round(revenue * e.capexRatio * Math.exp(0.1 * normalAt(key, 6)));
    const acquisitions =
      uniformAt(key, 7) < e.acquisitionProbability
        ? -Math.round(revenue * (0.5 + 1.5 * uniformAt(key, 8)))
        : 0;
    const investmentTarget = Math.round(4 * revenue * e.shortTermInvestmentRatio);
    const churn = e.shortTermInvestmentRatio > 0 ? Math.round(revenue * 0.02) : 0;
    const investmentChange = investmentTarget - a.shortTermInvestments;
    const purchases = -(churn + Math.max(0, investmentChange));
    const sales = churn + Math.max(0, -investmentChange);
    const otherNonCurrentAssets = Math.round(4 * revenue * e.otherNonCurrentAssetRatio);
    const otherInvesting = -(otherNonCurrentAssets - a.otherNonCurrentAssets);
    const investingCashFlow = capex + acquisitions + purchases + sales + otherInvesting;

    // Financing.
    const fiscalYear = ordinalFiscalYear(k);
    let dividends = 0;
    if (e.dividendPerShareRef > 0 && fiscalYear >= e.dividendStartYear) {
      const annualDividend =
        e.dividendPerShareRef * (1 + e.dividendGrowth) ** (fiscalYear - REFERENCE_FISCAL_YEAR);
      dividends = -Math.round((round2(annualDividend / 4) * shares) / K);
    }
    const shareChange = shares - a.shares;
    const pricePerShare = e.priceRef * Math.exp(e.growth * t);
    const repurchased = shareChange < 0 ? -Math.round((-shareChange * pricePerShare) / K) : 0;
    let issuance = shareChange > 0 ? Math.round((shareChange * pricePerShare) / K) : 0;
    const debtBefore = a.shortTermDebt + a.longTermDebt;
    let debtIssuance = Math.round(
      (this.debtTarget(4 * revenue, this.totalAssets(a)) - debtBefore) * 0.25,
    );
    const cashBeforeFunding =
      a.cash +
      operatingCashFlow +
      investingCashFlow +
      dividends +
      repurchased +
      issuance +
      debtIssuance;
    const minimumCash = Math.round(4 * revenue * e.minimumCashRatio);
    const comfortableCash = Math.round(4 * revenue * (e.openingCashRatio + 0.05));
    let buyback = 0;
    if (cashBeforeFunding < minimumCash) {
      // A cash shortfall is funded: loss makers sell shares, the others borrow.
      if (e.lossMaker) issuance += minimumCash - cashBeforeFunding;
      else debtIssuance += minimumCash - cashBeforeFunding;
    } else if (cashBeforeFunding > comfortableCash) {
      // Surplus cash is handed back through buybacks, a quarter of it each quarter, so cash
      // does not pile up over the years and balance-sheet ratios stay plausible.
      buyback = Math.round((cashBeforeFunding - comfortableCash) / 4);
    }
    const totalRepurchased = repurchased - buyback;
    const debtAfter = debtBefore + debtIssuance;
    const shortTermDebt = Math.round(debtAfter * 0.15);
    const longTermDebt = debtAfter - shortTermDebt;
    const shortTermIssuance = shortTermDebt - a.shortTermDebt;
    const longTermIssuance = longTermDebt - a.longTermDebt;
    const netCommonIssuance = issuance + totalRepurchased;
    const financingCashFlow = debtIssuance + netCommonIssuance + dividends;
    const netChangeInCash = operatingCashFlow + investingCashFlow + financingCashFlow;
    const cashAtBeginning = a.cash;

    // Post to the balance sheet: each flow lands in the account it belongs to.
    const goodwillAdded = Math.round(-acquisitions * 0.7);
    a.cash += netChangeInCash;
    a.shortTermInvestments = investmentTarget;
    a.receivables = receivables;
    a.inventory = inventory;
    a.otherCurrentAssets = otherCurrentAssets;
    a.ppe = a.ppe - capex - depreciation;
    a.goodwill += goodwillAdded;
    a.intangibles = a.intangibles - amortization + (-acquisitions - goodwillAdded);
    a.otherNonCurrentAssets = otherNonCurrentAssets;
    a.payables = payables;
    a.accrued = accrued;
    a.deferredRevenue = deferredRevenue;
    a.shortTermDebt = shortTermDebt;
    a.longTermDebt = longTermDebt;
    a.deferredTax += deferredTax;
    a.otherNonCurrentLiabilities = otherNonCurrentLiabilities;
    a.retainedEarnings += netIncome + dividends;
    a.paidInCapital += stockCompensation + issuance;
    a.treasury += totalRepurchased;
    a.shares = shares;
    this.ordinal = k;
    if (!record) return;

    const inc = this.income;
    inc[I.revenue] = revenue * K;
    inc[I.costOfRevenue] = costOfRevenue * K;
    inc[I.grossProfit] = grossProfit * K;
    inc[I.researchAndDevelopmentExpenses] = research * K;
    inc[I.generalAndAdministrativeExpenses] = admin * K;
    inc[I.sellingAndMarketingExpenses] = selling * K;
    inc[I.sellingGeneralAndAdministrativeExpenses] = sellingGeneral * K;
    inc[I.otherExpenses] = otherExpenses * K;
    inc[I.operatingExpenses] = operatingExpenses * K;
    inc[I.costAndExpenses] = (costOfRevenue + operatingExpenses) * K;
    inc[I.netInterestIncome] = (interestIncome - interestExpense) * K;
    inc[I.interestIncome] = interestIncome * K;
    inc[I.interestExpense] = interestExpense * K;
    inc[I.depreciationAndAmortization] = depreciationAndAmortization * K;
    inc[I.ebitda] = (ebit + depreciationAndAmortization) * K;
    inc[I.ebit] = ebit * K;
    inc[I.nonOperatingIncomeExcludingInterest] = nonOperating * K;
    inc[I.operatingIncome] = operatingIncome * K;
    inc[I.totalOtherIncomeExpensesNet] = totalOther * K;
    inc[I.incomeBeforeTax] = incomeBeforeTax * K;
    inc[I.incomeTaxExpense] = tax * K;
    inc[I.netIncomeFromContinuingOperations] = netIncome * K;
    inc[I.netIncomeFromDiscontinuedOperations] = 0;
    inc[I.otherAdjustmentsToNetIncome] = 0;
    inc[I.netIncome] = netIncome * K;
    inc[I.netIncomeDeductions] = 0;
    inc[I.bottomLineNetIncome] = netIncome * K;
    inc[I.eps] = round2((netIncome * K) / shares);
    inc[I.epsDiluted] = round2((netIncome * K) / dilutedShares);
    inc[I.weightedAverageShsOut] = shares;
    inc[I.weightedAverageShsOutDil] = dilutedShares;

    const cf = this.cashFlow;
    cf[C.netIncome] = netIncome * K;
    cf[C.depreciationAndAmortization] = depreciationAndAmortization * K;
    cf[C.deferredIncomeTax] = deferredTax * K;
    cf[C.stockBasedCompensation] = stockCompensation * K;
    cf[C.changeInWorkingCapital] = workingCapital * K;
    cf[C.accountsReceivables] = cfReceivables * K;
    cf[C.inventory] = cfInventory * K;
    cf[C.accountsPayables] = cfPayables * K;
    cf[C.otherWorkingCapital] = otherWorkingCapital * K;
    cf[C.otherNonCashItems] = otherNonCash * K;
    cf[C.netCashProvidedByOperatingActivities] = operatingCashFlow * K;
    cf[C.investmentsInPropertyPlantAndEquipment] = capex * K;
    cf[C.acquisitionsNet] = acquisitions * K;
    cf[C.purchasesOfInvestments] = purchases * K;
    cf[C.salesMaturitiesOfInvestments] = sales * K;
    cf[C.otherInvestingActivities] = otherInvesting * K;
    cf[C.netCashProvidedByInvestingActivities] = investingCashFlow * K;
    cf[C.netDebtIssuance] = debtIssuance * K;
    cf[C.longTermNetDebtIssuance] = longTermIssuance * K;
    cf[C.shortTermNetDebtIssuance] = shortTermIssuance * K;
    cf[C.netStockIssuance] = netCommonIssuance * K;
    cf[C.netCommonStockIssuance] = netCommonIssuance * K;
    cf[C.commonStockIssuance] = issuance * K;
    cf[C.commonStockRepurchased] = totalRepurchased * K;
    cf[C.netPreferredStockIssuance] = 0;
    cf[C.netDividendsPaid] = dividends * K;
    cf[C.commonDividendsPaid] = dividends * K;
    cf[C.preferredDividendsPaid] = 0;
    cf[C.otherFinancingActivities] = 0;
    cf[C.netCashProvidedByFinancingActivities] = financingCashFlow * K;
    cf[C.effectOfForexChangesOnCash] = 0;
    cf[C.netChangeInCash] = netChangeInCash * K;
    cf[C.cashAtEndOfPeriod] = a.cash * K;
    cf[C.cashAtBeginningOfPeriod] = cashAtBeginning * K;
    cf[C.operatingCashFlow] = operatingCashFlow * K;
    cf[C.capitalExpenditure] = capex * K;
    cf[C.freeCashFlow] = (operatingCashFlow + capex) * K;
    cf[C.incomeTaxesPaid] = Math.max(0, tax - deferredTax) * K;
    cf[C.interestPaid] = interestExpense * K;

    this.fillBalance();
  }

  private fillBalance(): void {
    const a = this.acc;
    const bal = this.balance;
    const currentAssets =
      a.cash + a.shortTermInvestments + a.receivables + a.inventory + a.otherCurrentAssets;
    const nonCurrentAssets =
      a.ppe +
      a.goodwill +
      a.intangibles +
      a.longTermInvestments +
      a.taxAssets +
      a.otherNonCurrentAssets;
    const currentLiabilities =
      a.payables + a.accrued + a.shortTermDebt + a.taxPayables + a.deferredRevenue;
    const nonCurrentLiabilities = a.longTermDebt + a.deferredTax + a.otherNonCurrentLiabilities;
    const equity =
      a.treasury + a.commonStock + a.retainedEarnings + a.paidInCapital + a.otherComprehensive;
    const debt = a.shortTermDebt + a.longTermDebt;
    bal[B.cashAndCashEquivalents] = a.cash * K;
    bal[B.shortTermInvestments] = a.shortTermInvestments * K;
    bal[B.cashAndShortTermInvestments] = (a.cash + a.shortTermInvestments) * K;
    bal[B.netReceivables] = a.receivables * K;
    bal[B.accountsReceivables] = a.receivables * K;
    bal[B.otherReceivables] = 0;
    bal[B.inventory] = a.inventory * K;
    bal[B.prepaids] = 0;
    bal[B.otherCurrentAssets] = a.otherCurrentAssets * K;
    bal[B.totalCurrentAssets] = currentAssets * K;
    bal[B.propertyPlantEquipmentNet] = a.ppe * K;
    bal[B.goodwill] = a.goodwill * K;
    bal[B.intangibleAssets] = a.intangibles * K;
    bal[B.goodwillAndIntangibleAssets] = (a.goodwill + a.intangibles) * K;
    bal[B.longTermInvestments] = a.longTermInvestments * K;
    bal[B.taxAssets] = a.taxAssets * K;
    bal[B.otherNonCurrentAssets] = a.otherNonCurrentAssets * K;
    bal[B.totalNonCurrentAssets] = nonCurrentAssets * K;
    bal[B.otherAssets] = 0;
    bal[B.totalAssets] = (currentAssets + nonCurrentAssets) * K;
    bal[B.totalPayables] = a.payables * K;
    bal[B.accountPayables] = a.payables * K;
    bal[B.otherPayables] = 0;
    bal[B.accruedExpenses] = a.accrued * K;
    bal[B.shortTermDebt] = a.shortTermDebt * K;
    bal[B.capitalLeaseObligationsCurrent] = 0;
    bal[B.taxPayables] = a.taxPayables * K;
    bal[B.deferredRevenue] = a.deferredRevenue * K;
    bal[B.otherCurrentLiabilities] = 0;
    bal[B.totalCurrentLiabilities] = currentLiabilities * K;
    bal[B.longTermDebt] = a.longTermDebt * K;
    bal[B.capitalLeaseObligationsNonCurrent] = 0;
    bal[B.deferredRevenueNonCurrent] = 0;
    bal[B.deferredTaxLiabilitiesNonCurrent] = a.deferredTax * K;
    bal[B.otherNonCurrentLiabilities] = a.otherNonCurrentLiabilities * K;
    bal[B.totalNonCurrentLiabilities] = nonCurrentLiabilities * K;
    bal[B.otherLiabilities] = 0;
    bal[B.capitalLeaseObligations] = 0;
    bal[B.totalLiabilities] = (currentLiabilities + nonCurrentLiabilities) * K;
    bal[B.treasuryStock] = a.treasury * K;
    bal[B.preferredStock] = 0;
    bal[B.commonStock] = a.commonStock * K;
    bal[B.retainedEarnings] = a.retainedEarnings * K;
    bal[B.additionalPaidInCapital] = a.paidInCapital * K;
    bal[B.accumulatedOtherComprehensiveIncomeLoss] = a.otherComprehensive * K;
    bal[B.otherTotalStockholdersEquity] = 0;
    bal[B.totalStockholdersEquity] = equity * K;
    bal[B.totalEquity] = equity * K;
    bal[B.minorityInterest] = 0;
    bal[B.totalLiabilitiesAndTotalEquity] =
      (currentLiabilities + nonCurrentLiabilities + equity) * K;
    bal[B.totalInvestments] = (a.shortTermInvestments + a.longTermInvestments) * K;
    bal[B.totalDebt] = debt * K;
    bal[B.netDebt] = (debt - a.cash) * K;
  }
}

/** Opens a ledger whose last stepped quarter is at or before `before`. */
export type LedgerOpener = (before: number) => CompanyLedger;

/**
 * Saved books of every company at a few ordinals (three years and one year before the
 * market's asOf), so requests for recent periods step a handful of quarters instead of all
 * since 2012. States are pure functions of the company, so caching them cannot change a
 * figure; each costs a few hundred bytes per company.
 */
export class LedgerCheckpoints {
  private readonly ordinals: readonly number[];
  private readonly states: (LedgerState | undefined)[][];

  constructor(instruments: number, ordinals: readonly number[]) {
    this.ordinals = [...ordinals].sort((a, b) => a - b);
    this.states = this.ordinals.map(() => new Array<LedgerState | undefined>(instruments));
  }

  private stateAt(instrument: Instrument, econ: CompanyEconomics, level: number): LedgerState {
    const saved = this.states[level] as (LedgerState | undefined)[];
    let state = saved[instrument.index];
    if (!state) {
      const ledger =
        level === 0
          ? new CompanyLedger(instrument, econ)
          : new CompanyLedger(instrument, econ, this.stateAt(instrument, econ, level - 1));
      ledger.runTo(this.ordinals[level] as number);
      state = ledger.state();
      saved[instrument.index] = state;
    }
    return state;
  }

  open(instrument: Instrument, econ: CompanyEconomics, before: number): CompanyLedger {
    let level = -1;
    for (let i = 0; i < this.ordinals.length; i++) {
      if ((this.ordinals[i] as number) <= before) level = i;
    }
    if (level < 0) return new CompanyLedger(instrument, econ);
    return new CompanyLedger(instrument, econ, this.stateAt(instrument, econ, level));
  }
}
