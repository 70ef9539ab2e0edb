/**
 * The static economics of one instrument: its size, growth, cost structure, balance-sheet
 * habits, share count, dividend policy and how its price moves with the market and its
 * sector. Prices and statements both read these traits, which is what keeps a company's
 * valuation multiples plausible: its price, shares and revenue are drawn together.
 */
import { Rng } from "./random.ts";
import { SECTOR_TRAITS } from "./taxonomy.ts";
import type { Instrument } from "./universe.ts";

/** Fiscal year whose figures the size and price draws describe (t = 0 of growth). */
export const REFERENCE_FISCAL_YEAR = 2025;

export interface CompanyEconomics {
  /** Daily log-return loadings and volatility. */
  beta: number;
  sectorLoading: number;
  idiosyncraticVol: number;
  /** Extra daily log drift on top of the market's. */
  drift: number;
  /** Price (local currency) on the price reference date. */
  priceRef: number;
  averageVolume: number;

  /** Quarterly revenue in the reference fiscal year, thousands of local currency. */
  revenueRefK: number;
  growth: number;
  cycleAmplitude: number;
  cyclePhase: number;
  seasonality: readonly [number, number, number, number];
  grossMargin: number;
  researchRatio: number;
  sellingRatio: number;
  adminRatio: number;
  otherExpenseRatio: number;
  taxRate: number;
  stockCompensationRatio: number;
  capexRatio: number;
  /** Quarterly depreciation as a share of net PP&E. */
  depreciationRate: number;
  receivableDays: number;
  inventoryDays: number;
  payableDays: number;
  accruedRatio: number;
  deferredRevenueRatio: number;
  otherCurrentAssetRatio: number;
  otherNonCurrentAssetRatio: number;
  otherNonCurrentLiabilityRatio: number;
  /** Ratios of annual revenue. */
  debtRatio: number;
  minimumCashRatio: number;
  openingCashRatio: number;
  shortTermInvestmentRatio: number;
  longTermInvestmentRatio: number;
  goodwillRatio: number;
  intangibleRatio: number;
  interestRate: number;
  acquisitionProbability: number;
  /** Shares outstanding at the reference year; annual log drift (buybacks < 0). */
  sharesRef: number;
  shareDrift: number;
  dilution: number;
  /** Dividend per share paid in the reference fiscal year (0 for non-payers). */
  dividendPerShareRef: number;
  dividendGrowth: number;
  dividendStartYear: number;
  lossMaker: boolean;
  employees: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Draws an instrument's economics; a pure function of the instrument. */
export function companyEconomics(instrument: Instrument): CompanyEconomics {
  const rng = new Rng(instrument.key ^ 0x0ec0);
  const traits = SECTOR_TRAITS[instrument.sector];
  const perUsd = instrument.exchange.perUsd;
  const isEtf = instrument.type === "etf";

  const lossMaker = !isEtf && rng.chance(traits.lossMakerShare);
  const annualRevenueUsd = clamp(800e6 * Math.exp(1.6 * rng.normal()), 5e6, 400e9);
  const growth = clamp(traits.growth + 0.06 * rng.normal() + (lossMaker ? 0.08 : 0), -0.15, 0.45);
  const priceToSales = traits.priceToSales * Math.exp(0.5 * rng.normal()) * (lossMaker ? 3 : 1);
  const priceRefUsd = clamp(35 * Math.exp(0.9 * rng.normal()), 1.5, 900);
  const marketCapUsd = annualRevenueUsd * priceToSales;
  const sharesRef = Math.max(1_000_000, Math.round(marketCapUsd / priceRefUsd));

  const grossMargin = clamp(traits.grossMargin * Math.exp(0.15 * rng.normal()), 0.05, 0.95);
  let researchRatio = traits.researchRatio * Math.exp(0.2 * rng.normal());
  let sellingRatio = traits.sellingRatio * Math.exp(0.2 * rng.normal());
  const adminRatio = traits.adminRatio * Math.exp(0.2 * rng.normal());
  // A loss maker spends beyond its gross profit: research-heavy in healthcare and tech.
  if (lossMaker) {
    const overspend = grossMargin * rng.between(0.3, 1.5);
    if (traits.researchRatio > 0.05) researchRatio += overspend;
    else sellingRatio += overspend;
  }
  const otherExpenseRatio = Math.max(0, 0.005 + 0.005 * rng.normal());

  const debtRatio = traits.debtRatio * Math.exp(0.5 * rng.normal()) * (rng.chance(0.15) ? 0 : 1);
  const interestRate = clamp(0.045 + 0.015 * rng.normal(), 0.01, 0.12);
  const taxRate = clamp(0.21 + 0.04 * rng.normal(), 0.05, 0.35);
  const operatingMargin =
    grossMargin - researchRatio - sellingRatio - adminRatio - otherExpenseRatio;
  const netMarginEstimate = (operatingMargin - debtRatio * interestRate) * (1 - taxRate);

  const dividendPayer =
    !isEtf && !lossMaker && netMarginEstimate > 0.02 && rng.chance(traits.dividendPayerShare);
  const annualRevenueLocal = annualRevenueUsd * perUsd;
  const payout = rng.between(0.25, 0.7);
  const dividendPerShareRef = dividendPayer
    ? Math.max(0.04, roundCents((payout * netMarginEstimate * annualRevenueLocal) / sharesRef))
    : 0;

  const beta = isEtf
    ? instrument.trackedSector === null
      ? 1
      : traits.beta
    : traits.beta * Math.exp(0.25 * rng.normal());

  return {
    beta,
    sectorLoading: isEtf
      ? instrument.trackedSector === null
        ? 0
        : 1
      : Math.exp(0.25 * rng.normal()),
    idiosyncraticVol: isEtf
      ? 0.0015
      : traits.idiosyncraticVol * Math.exp(0.3 * rng.normal()) * (lossMaker ? 1.4 : 1),
    drift: isEtf ? 0 : (growth - 0.05) / 252 / 2,
    // The benchmark trades near its real level; other prices are drawn.
    priceRef: instrument.symbol === "SPY" ? 590 : roundCents(priceRefUsd * perUsd),
    averageVolume: Math.round(sharesRef * rng.between(0.002, 0.012)),

    revenueRefK: annualRevenueLocal / 4 / 1000,
    growth,
    cycleAmplitude: rng.between(0.02, 0.12),
    cyclePhase: rng.between(0, 2 * Math.PI),
    seasonality: traits.seasonality,
    grossMargin,
    researchRatio,
    sellingRatio,
    adminRatio,
    otherExpenseRatio,
    taxRate,
    stockCompensationRatio: clamp(0.02 * Math.exp(0.6 * rng.normal()), 0, 0.15),
    capexRatio: traits.capexRatio * Math.exp(0.3 * rng.normal()),
    depreciationRate: rng.between(0.02, 0.035),
    receivableDays: traits.receivableDays * Math.exp(0.2 * rng.normal()),
    inventoryDays: traits.inventoryDays * Math.exp(0.2 * rng.normal()),
    payableDays: traits.payableDays * Math.exp(0.2 * rng.normal()),
    accruedRatio: rng.between(0.05, 0.12),
    deferredRevenueRatio:
      traits.researchRatio > 0.1 ? rng.between(0.05, 0.3) : rng.between(0, 0.05),
    otherCurrentAssetRatio: rng.between(0.01, 0.06),
    otherNonCurrentAssetRatio: rng.between(0.02, 0.1),
    otherNonCurrentLiabilityRatio: rng.between(0.02, 0.1),
    debtRatio,
    minimumCashRatio: rng.between(0.03, 0.08),
    openingCashRatio: rng.between(0.05, 0.25),
    shortTermInvestmentRatio: rng.chance(0.5) ? rng.between(0, 0.3) : 0,
    longTermInvestmentRatio: rng.chance(0.4) ? rng.between(0, 0.3) : 0,
    goodwillRatio: rng.chance(0.6) ? rng.between(0.05, 0.6) : 0,
    intangibleRatio: rng.chance(0.5) ? rng.between(0.02, 0.3) : 0,
    interestRate,
    acquisitionProbability: lossMaker ? 0 : rng.between(0, 0.03),
    sharesRef,
    shareDrift: lossMaker ? rng.between(0.02, 0.1) : rng.between(-0.03, 0.02),
    dilution: rng.between(0, 0.02),
    dividendPerShareRef,
    dividendGrowth: rng.between(0, 0.08),
    dividendStartYear: rng.chance(0.7) ? 2000 : rng.int(2013, 2023),
    lossMaker,
    employees: Math.max(5, Math.round(annualRevenueUsd / rng.between(150e3, 700e3))),
  };
}
