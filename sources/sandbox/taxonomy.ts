/**
 * Fixed reference data of the sandbox: FMP's 11 sectors, FMP-style industry names (each in
 * exactly one sector), the exchanges with their suffixes and currencies, and per-sector
 * business traits that make fundamentals differ by sector the way real ones do.
 */

export const SECTORS = [
  "Basic Materials",
  "Communication Services",
  "Consumer Cyclical",
  "Consumer Defensive",
  "Energy",
  "Financial Services",
  "Healthcare",
  "Industrials",
  "Real Estate",
  "Technology",
  "Utilities",
] as const;

export type Sector = (typeof SECTORS)[number];

/** Industries per sector, named the way FMP names them (some contain commas on purpose). */
export const INDUSTRIES_BY_SECTOR: Record<Sector, readonly string[]> = {
  "Basic Materials": [
    "Agricultural Inputs",
    "Aluminum",
    "Chemicals",
    "Chemicals - Specialty",
    "Construction Materials",
    "Copper",
    "Gold",
    "Industrial Materials",
    "Other Precious Metals",
    "Paper, Lumber & Forest Products",
    "Silver",
    "Steel",
    "Coking Coal",
  ],
  "Communication Services": [
    "Advertising Agencies",
    "Broadcasting",
    "Entertainment",
    "Internet Content & Information",
    "Publishing",
    "Telecommunications Services",
    "Electronic Gaming & Multimedia",
  ],
  "Consumer Cyclical": [
    "Apparel - Footwear & Accessories",
    "Apparel - Manufacturers",
    "Apparel - Retail",
    "Auto - Dealerships",
    "Auto - Manufacturers",
    "Auto - Parts",
    "Auto - Recreational Vehicles",
    "Department Stores",
    "Furnishings, Fixtures & Appliances",
    "Gambling, Resorts & Casinos",
    "Home Improvement",
    "Leisure",
    "Luxury Goods",
    "Packaging & Containers",
    "Personal Products & Services",
    "Residential Construction",
    "Restaurants",
    "Specialty Retail",
    "Travel Lodging",
    "Travel Services",
  ],
  "Consumer Defensive": [
    "Agricultural Farm Products",
    "Beverages - Alcoholic",
    "Beverages - Non-Alcoholic",
    "Beverages - Wineries & Distilleries",
    "Discount Stores",
    "Education & Training Services",
    "Food Confectioners",
    "Food Distribution",
    "Grocery Stores",
    "Household & Personal Products",
    "Packaged Foods",
    "Tobacco",
  ],
  Energy: [
    "Coal",
    "Oil & Gas Drilling",
    "Oil & Gas Energy",
    "Oil & Gas Equipment & Services",
    "Oil & Gas Exploration & Production",
    "Oil & Gas Integrated",
    "Oil & Gas Midstream",
    "Oil & Gas Refining & Marketing",
    "Solar",
    "Uranium",
  ],
  "Financial Services": [
    "Asset Management",
    "Asset Management - Global",
    "Asset Management - Income",
    "Banks",
    "Banks - Diversified",
    "Banks - Regional",
    "Financial - Capital Markets",
    "Financial - Conglomerates",
    "Financial - Credit Services",
    "Financial - Data & Stock Exchanges",
    "Financial - Diversified",
    "Financial - Mortgages",
    "Insurance - Brokers",
    "Insurance - Diversified",
    "Insurance - Life",
    "Insurance - Property & Casualty",
    "Insurance - Reinsurance",
    "Insurance - Specialty",
    "Investment - Banking & Investment Services",
    "Shell Companies",
  ],
  Healthcare: [
    "Biotechnology",
    "Drug Manufacturers - General",
    "Drug Manufacturers - Specialty & Generic",
    "Medical - Care Facilities",
    "Medical - Devices",
    "Medical - Diagnostics & Research",
    "Medical - Distribution",
    "Medical - Equipment & Services",
    "Medical - Healthcare Information Services",
    "Medical - Healthcare Plans",
    "Medical - Instruments & Supplies",
    "Medical - Pharmaceuticals",
    "Medical - Specialties",
  ],
  Industrials: [
    "Aerospace & Defense",
    "Agricultural - Machinery",
    "Airlines, Airports & Air Services",
    "Business Equipment & Supplies",
    "Conglomerates",
    "Construction",
    "Consulting Services",
    "Electrical Equipment & Parts",
    "Engineering & Construction",
    "Environmental Services",
    "General Transportation",
    "Industrial - Distribution",
    "Industrial - Infrastructure Operations",
    "Industrial - Machinery",
    "Industrial - Pollution & Treatment Controls",
    "Industrial - Specialties",
    "Integrated Freight & Logistics",
    "Manufacturing - Metal Fabrication",
    "Manufacturing - Miscellaneous",
    "Manufacturing - Textiles",
    "Manufacturing - Tools & Accessories",
    "Marine Shipping",
    "Railroads",
    "Rental & Leasing Services",
    "Security & Protection Services",
    "Specialty Business Services",
    "Staffing & Employment Services",
    "Trucking",
    "Waste Management",
  ],
  "Real Estate": [
    "REIT - Diversified",
    "REIT - Healthcare Facilities",
    "REIT - Hotel & Motel",
    "REIT - Industrial",
    "REIT - Mortgage",
    "REIT - Office",
    "REIT - Residential",
    "REIT - Retail",
    "REIT - Specialty",
    "Real Estate - Development",
    "Real Estate - Diversified",
    "Real Estate - General",
    "Real Estate - Services",
  ],
  Technology: [
    "Communication Equipment",
    "Computer Hardware",
    "Consumer Electronics",
    "Electronic Components",
    "Hardware, Equipment & Parts",
    "Information Technology Services",
    "Semiconductors",
    "Software - Application",
    "Software - Infrastructure",
    "Software - Services",
    "Technology Distributors",
  ],
  Utilities: [
    "Diversified Utilities",
    "General Utilities",
    "Independent Power Producers",
    "Regulated Electric",
    "Regulated Gas",
    "Regulated Water",
    "Renewable Utilities",
  ],
};

export interface Industry {
  name: string;
  sector: Sector;
}

export const INDUSTRIES: readonly Industry[] = SECTORS.flatMap((sector) =>
  INDUSTRIES_BY_SECTOR[sector].map((name) => ({ name, sector })),
);

/** How common each sector is among listed stocks (roughly the US market's mix). */
export const SECTOR_WEIGHTS: Record<Sector, number> = {
  "Basic Materials": 7,
  "Communication Services": 5,
  "Consumer Cyclical": 10,
  "Consumer Defensive": 6,
  Energy: 6,
  "Financial Services": 14,
  Healthcare: 14,
  Industrials: 12,
  "Real Estate": 7,
  Technology: 14,
  Utilities: 5,
};

/**
 * Business traits per sector: margins, cost structure, capital intensity, leverage,
 * valuation, growth and dividend habits. Ratios are of revenue unless named otherwise.
 */
interface SectorTraits {
  grossMargin: number;
  researchRatio: number;
  sellingRatio: number;
  adminRatio: number;
  capexRatio: number;
  /** Total debt over annual revenue. */
  debtRatio: number;
  /** Median price-to-sales. */
  priceToSales: number;
  /** Mean annual revenue growth (log). */
  growth: number;
  dividendPayerShare: number;
  lossMakerShare: number;
  receivableDays: number;
  inventoryDays: number;
  payableDays: number;
  /** Quarterly revenue seasonality (sums to 4). */
  seasonality: readonly [number, number, number, number];
  /** Loading on the market factor, and the stock's own daily volatility. */
  beta: number;
  idiosyncraticVol: number;
}

const FLAT = [1, 1, 1, 1] as const;

export const SECTOR_TRAITS: Record<Sector, SectorTraits> = {
  "Basic Materials": {
    grossMargin: 0.28,
    researchRatio: 0.01,
    sellingRatio: 0.03,
    adminRatio: 0.06,
    capexRatio: 0.08,
    debtRatio: 0.45,
    priceToSales: 1.4,
    growth: 0.03,
    dividendPayerShare: 0.45,
    lossMakerShare: 0.1,
    receivableDays: 45,
    inventoryDays: 70,
    payableDays: 45,
    seasonality: [0.96, 1.04, 1.02, 0.98],
    beta: 1.1,
    idiosyncraticVol: 0.019,
  },
  "Communication Services": {
    grossMargin: 0.55,
    researchRatio: 0.08,
    sellingRatio: 0.12,
    adminRatio: 0.08,
    capexRatio: 0.09,
    debtRatio: 0.7,
    priceToSales: 2.5,
    growth: 0.06,
    dividendPayerShare: 0.3,
    lossMakerShare: 0.15,
    receivableDays: 50,
    inventoryDays: 5,
    payableDays: 40,
    seasonality: [0.95, 0.98, 0.99, 1.08],
    beta: 1.0,
    idiosyncraticVol: 0.018,
  },
  "Consumer Cyclical": {
    grossMargin: 0.36,
    researchRatio: 0.01,
    sellingRatio: 0.14,
    adminRatio: 0.07,
    capexRatio: 0.04,
    debtRatio: 0.35,
    priceToSales: 1.1,
    growth: 0.05,
    dividendPayerShare: 0.35,
    lossMakerShare: 0.12,
    receivableDays: 20,
    inventoryDays: 80,
    payableDays: 50,
    seasonality: [0.92, 0.97, 0.96, 1.15],
    beta: 1.2,
    idiosyncraticVol: 0.02,
  },
  "Consumer Defensive": {
    grossMargin: 0.33,
    researchRatio: 0.01,
    sellingRatio: 0.12,
    adminRatio: 0.06,
    capexRatio: 0.035,
    debtRatio: 0.3,
    priceToSales: 1.3,
    growth: 0.03,
    dividendPayerShare: 0.65,
    lossMakerShare: 0.05,
    receivableDays: 25,
    inventoryDays: 50,
    payableDays: 45,
    seasonality: [0.97, 1.0, 1.0, 1.03],
    beta: 0.6,
    idiosyncraticVol: 0.013,
  },
  Energy: {
    grossMargin: 0.3,
    researchRatio: 0.005,
    sellingRatio: 0.02,
    adminRatio: 0.04,
    capexRatio: 0.14,
    debtRatio: 0.5,
    priceToSales: 1.2,
    growth: 0.02,
    dividendPayerShare: 0.6,
    lossMakerShare: 0.12,
    receivableDays: 40,
    inventoryDays: 25,
    payableDays: 50,
    seasonality: [1.03, 0.97, 0.98, 1.02],
    beta: 1.1,
    idiosyncraticVol: 0.021,
  },
  "Financial Services": {
    grossMargin: 0.62,
    researchRatio: 0,
    sellingRatio: 0.05,
    adminRatio: 0.22,
    capexRatio: 0.02,
    debtRatio: 1.2,
    priceToSales: 2.6,
    growth: 0.05,
    dividendPayerShare: 0.7,
    lossMakerShare: 0.06,
    receivableDays: 60,
    inventoryDays: 0,
    payableDays: 20,
    seasonality: FLAT,
    beta: 1.05,
    idiosyncraticVol: 0.015,
  },
  Healthcare: {
    grossMargin: 0.6,
    researchRatio: 0.16,
    sellingRatio: 0.18,
    adminRatio: 0.1,
    capexRatio: 0.04,
    debtRatio: 0.35,
    priceToSales: 3.8,
    growth: 0.08,
    dividendPayerShare: 0.2,
    lossMakerShare: 0.35,
    receivableDays: 55,
    inventoryDays: 90,
    payableDays: 45,
    seasonality: FLAT,
    beta: 0.9,
    idiosyncraticVol: 0.024,
  },
  Industrials: {
    grossMargin: 0.3,
    researchRatio: 0.02,
    sellingRatio: 0.06,
    adminRatio: 0.07,
    capexRatio: 0.04,
    debtRatio: 0.4,
    priceToSales: 1.6,
    growth: 0.045,
    dividendPayerShare: 0.5,
    lossMakerShare: 0.08,
    receivableDays: 55,
    inventoryDays: 65,
    payableDays: 45,
    seasonality: [0.95, 1.01, 1.0, 1.04],
    beta: 1.05,
    idiosyncraticVol: 0.016,
  },
  "Real Estate": {
    grossMargin: 0.65,
    researchRatio: 0,
    sellingRatio: 0.03,
    adminRatio: 0.1,
    capexRatio: 0.2,
    debtRatio: 3.0,
    priceToSales: 6,
    growth: 0.04,
    dividendPayerShare: 0.85,
    lossMakerShare: 0.1,
    receivableDays: 25,
    inventoryDays: 0,
    payableDays: 30,
    seasonality: FLAT,
    beta: 0.85,
    idiosyncraticVol: 0.015,
  },
  Technology: {
    grossMargin: 0.6,
    researchRatio: 0.15,
    sellingRatio: 0.15,
    adminRatio: 0.08,
    capexRatio: 0.05,
    debtRatio: 0.25,
    priceToSales: 5,
    growth: 0.1,
    dividendPayerShare: 0.2,
    lossMakerShare: 0.2,
    receivableDays: 60,
    inventoryDays: 35,
    payableDays: 45,
    seasonality: [0.95, 0.98, 1.0, 1.07],
    beta: 1.25,
    idiosyncraticVol: 0.022,
  },
  Utilities: {
    grossMargin: 0.42,
    researchRatio: 0,
    sellingRatio: 0.02,
    adminRatio: 0.08,
    capexRatio: 0.22,
    debtRatio: 1.6,
    priceToSales: 2.2,
    growth: 0.03,
    dividendPayerShare: 0.9,
    lossMakerShare: 0.04,
    receivableDays: 40,
    inventoryDays: 20,
    payableDays: 55,
    seasonality: [1.08, 0.93, 1.05, 0.94],
    beta: 0.55,
    idiosyncraticVol: 0.012,
  },
};

export interface Exchange {
  /** FMP's short code (profile `exchange`). */
  code: string;
  fullName: string;
  /** Ticker suffix for non-US listings, e.g. ".L". */
  suffix: string;
  country: string;
  currency: string;
  /** Local-currency units per US dollar, to scale prices and statements. */
  perUsd: number;
  /** Share of stocks listed here. */
  weight: number;
}

export const EXCHANGES: readonly Exchange[] = [
  {
    code: "NASDAQ",
    fullName: "NASDAQ Global Select",
    suffix: "",
    country: "US",
    currency: "USD",
    perUsd: 1,
    weight: 44,
  },
  {
    code: "NYSE",
    fullName: "New York Stock Exchange",
    suffix: "",
    country: "US",
    currency: "USD",
    perUsd: 1,
    weight: 34,
  },
  {
    code: "AMEX",
    fullName: "New York Stock Exchange Arca",
    suffix: "",
    country: "US",
    currency: "USD",
    perUsd: 1,
    weight: 6,
  },
  {
    code: "LSE",
    fullName: "London Stock Exchange",
    suffix: ".L",
    country: "GB",
    currency: "GBP",
    perUsd: 0.8,
    weight: 4,
  },
  {
    code: "TSX",
    fullName: "Toronto Stock Exchange",
    suffix: ".TO",
    country: "CA",
    currency: "CAD",
    perUsd: 1.36,
    weight: 4,
  },
  {
    code: "XETRA",
    fullName: "Deutsche Börse Xetra",
    suffix: ".DE",
    country: "DE",
    currency: "EUR",
    perUsd: 0.92,
    weight: 3,
  },
  {
    code: "NSE",
    fullName: "National Stock Exchange of India",
    suffix: ".NS",
    country: "IN",
    currency: "INR",
    perUsd: 84,
    weight: 3,
  },
  {
    code: "JPX",
    fullName: "Tokyo Stock Exchange",
    suffix: ".T",
    country: "JP",
    currency: "JPY",
    perUsd: 150,
    weight: 2,
  },
];

export function exchangeByCode(code: string): Exchange {
  const exchange = EXCHANGES.find((e) => e.code === code);
  if (!exchange) throw new Error(`unknown sandbox exchange ${code}`);
  return exchange;
}
