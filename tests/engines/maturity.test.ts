import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FinancialRow, fundamentalsMaturity } from "../../engines/index.ts";
import { shuffle } from "./helpers.ts";

const fy = (year: number, over: Partial<FinancialRow> = {}): FinancialRow => ({
  period_type: "FY",
  period_label: String(year),
  period_end_date: `${year}-12-31`,
  revenue: 100,
  net_income: 10,
  free_cash_flow: 8,
  ...over,
});

describe("fundamentalsMaturity (spec §3.9)", () => {
  it("FY 2019–2023 complete → 5, 2019, 2023, established [computed]", () => {
    expect(fundamentalsMaturity([2019, 2020, 2021, 2022, 2023].map((y) => fy(y)))).toEqual({
      fundamentals_years_count: 5,
      fundamentals_first_year: 2019,
      fundamentals_last_year: 2023,
      fgos_maturity: "established",
    });
  });

  it("FY 2017, 2019–2022, and 2023 with null FCF → 4, 2019, 2022, developing [computed]", () => {
    const rows = [
      fy(2017),
      fy(2019),
      fy(2020),
      fy(2021),
      fy(2022),
      fy(2023, { free_cash_flow: null }),
    ];
    expect(fundamentalsMaturity(rows)).toEqual({
      fundamentals_years_count: 4,
      fundamentals_first_year: 2019,
      fundamentals_last_year: 2022,
      fgos_maturity: "developing",
    });
  });

  it("FY 2022–2023 → 2, early [computed]", () => {
    const m = fundamentalsMaturity([fy(2022), fy(2023)]);
    expect(m.fundamentals_years_count).toBe(2);
    expect(m.fgos_maturity).toBe("early");
  });

  it("[] → 0, null, null, early [computed]", () => {
    expect(fundamentalsMaturity([])).toEqual({
      fundamentals_years_count: 0,
      fundamentals_first_year: null,
      fundamentals_last_year: null,
      fgos_maturity: "early",
    });
  });

  it("ignores Q/TTM rows, rows after the as-of date, and duplicate years", () => {
    const rows = [
      fy(2021),
      fy(2022),
      fy(2022, { period_end_date: "2022-06-30" }),
      { ...fy(2023), period_type: "TTM" },
      fy(2024),
    ];
    const m = fundamentalsMaturity(rows, "2023-06-30");
    expect(m.fundamentals_years_count).toBe(2);
    expect(m.fundamentals_last_year).toBe(2022);
  });

  it("walks period end dates, not sorted labels: a label out of date order ends the block", () => {
    // By date: 2023, then a row labelled 2021 ending in 2022, then one labelled 2022 ending
    // in 2021. Sorting the labels would count 2021-2023 as three consecutive years.
    const rows = [
      fy(2023),
      fy(2021, { period_end_date: "2022-12-31" }),
      fy(2022, { period_end_date: "2021-12-31" }),
    ];
    expect(fundamentalsMaturity(rows)).toEqual({
      fundamentals_years_count: 1,
      fundamentals_first_year: 2023,
      fundamentals_last_year: 2023,
      fgos_maturity: "early",
    });
    // The newest period's label is the last year, even when an older period has a later label.
    const changedYearEnd = [fy(2022), fy(2021), fy(2023, { period_end_date: "2020-12-31" })];
    expect(fundamentalsMaturity(changedYearEnd)).toMatchObject({
      fundamentals_years_count: 2,
      fundamentals_first_year: 2021,
      fundamentals_last_year: 2022,
    });
  });

  it("falls back to the end date's year when the label is not a year", () => {
    expect(fundamentalsMaturity([fy(2023, { period_label: null })]).fundamentals_last_year).toBe(
      2023,
    );
  });

  it("property: independent of row order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 2000, max: 2024 }), { maxLength: 15 }),
        fc.integer(),
        (years, seed) => {
          const rows = years.map((y) => fy(y));
          expect(fundamentalsMaturity(shuffle(rows, seed))).toEqual(fundamentalsMaturity(rows));
        },
      ),
    );
  });
});
