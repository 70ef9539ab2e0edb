-- What the columns of the asset tables mean, kept once in the catalog (psql: \d+ <table>;
-- SQL: col_description, obj_description) rather than restated in each asset's module doc.
-- Tables only: the views of old names (prices_daily, company_peers, ...) read the same rows.
-- Comments change no data and no plan; a later migration replaces one with COMMENT ON again.

-- fintra_universe
COMMENT ON TABLE fintra_universe IS
  'Every symbol in FMP''s profile bulk with its classification: latest state, the root of the daily graph (asset fintra_universe).';
COMMENT ON COLUMN fintra_universe.is_active IS
  'False once a full run did not see the symbol in FMP''s profile bulk; the next run that sees it sets it true again. Scoped runs never deactivate.';
COMMENT ON COLUMN fintra_universe.first_seen IS
  'The day of the first run that saw the symbol; never rewritten.';
COMMENT ON COLUMN fintra_universe.last_seen IS
  'The day of the latest run that saw the symbol.';
COMMENT ON COLUMN fintra_universe.exchange IS
  'FMP''s exchangeFullName; exchange_short is its exchange code.';
COMMENT ON COLUMN fintra_universe.instrument_type IS
  'ETF, else ADR, else FUND, else CRYPTO (exchange CRYPTO or CCC), else EQUITY, from FMP''s profile flags.';
COMMENT ON COLUMN fintra_universe.profile_confidence IS
  '1 when the profile has a name, a sector and an industry; 0.5 with a name only; else 0.';
COMMENT ON COLUMN fintra_universe.last_profile_update IS
  'The day of the latest run that wrote the row.';

-- company_profiles
COMMENT ON TABLE company_profiles IS
  'Who each active equity is, from FMP''s profile bulk: latest state, updated when FMP corrects a profile (asset company_profiles).';
COMMENT ON COLUMN company_profiles.employees IS
  'FMP''s fullTimeEmployees, thousands separators read; NULL when missing or beyond the integer range.';
COMMENT ON COLUMN company_profiles.updated_at IS
  'When the run that last wrote the row started.';

-- industry_classification
COMMENT ON TABLE industry_classification IS
  'The industry -> sector taxonomy, built from company_profiles; latest state (asset industry_classification).';
COMMENT ON COLUMN industry_classification.industry_code IS
  'A stable slug of industry_name (''Software - Infrastructure'' -> ''software-infrastructure''), so a reclassified industry keeps its code; asset_industry_map stores it.';
COMMENT ON COLUMN industry_classification.industry_name IS
  'FMP''s industry name: what every other table joins on.';
COMMENT ON COLUMN industry_classification.sector IS
  'One of the 11 FMP sectors: the one with the most profiles in the industry (ties: alphabetical).';
COMMENT ON COLUMN industry_classification.active IS
  'False once no profile names the industry; the row stays.';
COMMENT ON COLUMN industry_classification.tickers IS
  'Profiles naming the industry (under any of the 11 sectors) at the latest full run; 0 once inactive.';

-- asset_industry_map
COMMENT ON TABLE asset_industry_map IS
  'Which industry each active equity belongs to, over time (type-2 history): the row valid on day D has effective_from <= D and effective_to NULL or >= D (asset asset_industry_map).';
COMMENT ON COLUMN asset_industry_map.industry_code IS
  'industry_classification.industry_code of the industry.';
COMMENT ON COLUMN asset_industry_map.effective_from IS
  'First day of the membership: the run day its industry changed, or 1900-01-01 when the ticker was first seen (its earlier industry unknown, assumed the same).';
COMMENT ON COLUMN asset_industry_map.effective_to IS
  'Last day of the membership (the day before the next one starts); NULL while current.';

-- datos_eod
COMMENT ON TABLE datos_eod IS
  'End-of-day prices of every active symbol, SPY included, one row per ticker and trading date; only rows passing the quality gate (volume > 0, every price present, high and low around open and close) (asset datos_eod).';
COMMENT ON COLUMN datos_eod.adj_close IS
  'FMP''s adjusted close (adjClose): what the performance tables read; close is the close as traded.';
COMMENT ON COLUMN datos_eod.volume IS
  'Shares traded that day, rounded; always > 0.';

-- stock_peers
COMMENT ON TABLE stock_peers IS
  'FMP''s peer list per active equity, as pairs of two different active equities (asset stock_peers).';
COMMENT ON COLUMN stock_peers.last_seen IS
  'The day of the latest run that saw the pair; a full run deletes the pairs it did not see.';

-- datos_valuacion
COMMENT ON TABLE datos_valuacion IS
  'Each active equity''s TTM multiples for the day from FMP''s TTM ratios and key metrics, priced at the day''s close, with percentiles within its sector. Only the latest trading day is written: FMP''s TTM files describe today (asset datos_valuacion).';
COMMENT ON COLUMN datos_valuacion.denominator_type IS
  'Always ''TTM''.';
COMMENT ON COLUMN datos_valuacion.denominator_period IS
  'Always ''TTM''.';
COMMENT ON COLUMN datos_valuacion.price IS
  'The datos_eod close of valuation_date.';
COMMENT ON COLUMN datos_valuacion.market_cap IS
  'FMP''s TTM key metrics marketCap, as of the day FMP was read.';
COMMENT ON COLUMN datos_valuacion.enterprise_value IS
  'FMP''s TTM key metrics enterprise value, else the TTM ratios''.';
COMMENT ON COLUMN datos_valuacion.ev_ebitda IS
  'FMP''s TTM key metrics EV/EBITDA, else the TTM ratios'' enterprise value multiple.';
COMMENT ON COLUMN datos_valuacion.sector IS
  'fintra_universe.sector when the row was written: the group of the percentiles.';
COMMENT ON COLUMN datos_valuacion.pe_percentile IS
  'Share of the sector''s positive P/E values of the day that are <= this one, x100, rounded; NULL when this P/E is missing or not positive, or the row was first written by a scoped run.';
COMMENT ON COLUMN datos_valuacion.ev_ebitda_percentile IS
  'As pe_percentile, for ev_ebitda.';
COMMENT ON COLUMN datos_valuacion.p_fcf_percentile IS
  'As pe_percentile, for price_to_fcf.';
COMMENT ON COLUMN datos_valuacion.composite_percentile IS
  'Rounded mean of the three percentiles present; NULL when none is.';
COMMENT ON COLUMN datos_valuacion.valuation_status IS
  'Not written by the pipeline: the valuation state is fintra_snapshots.valuation.';

-- datos_valuacion_ttm
COMMENT ON TABLE datos_valuacion_ttm IS
  'A company''s valuation at each quarter end, from exactly 4 consecutive fiscal quarters of datos_financieros and the last close on or before that quarter''s end. Money is in the statements'' reporting currency (asset datos_valuacion_ttm).';
COMMENT ON COLUMN datos_valuacion_ttm.valuation_date IS
  'Period end of the latest of the 4 quarters.';
COMMENT ON COLUMN datos_valuacion_ttm.price IS
  'The latest datos_eod close dated on or before valuation_date and at most 10 days before it (on price_date).';
COMMENT ON COLUMN datos_valuacion_ttm.revenue_ttm IS
  'Summed over the 4 quarters; NULL when any quarter lacks it.';
COMMENT ON COLUMN datos_valuacion_ttm.ebitda_ttm IS
  'Summed over the 4 quarters; NULL when any quarter lacks it.';
COMMENT ON COLUMN datos_valuacion_ttm.net_income_ttm IS
  'Summed over the 4 quarters; NULL when any quarter lacks it.';
COMMENT ON COLUMN datos_valuacion_ttm.free_cash_flow_ttm IS
  'Summed over the 4 quarters; NULL when any quarter lacks it.';
COMMENT ON COLUMN datos_valuacion_ttm.eps_ttm IS
  'net_income_ttm / the latest quarter''s weighted shares (diluted, else basic); never a sum of quarterly EPS.';
COMMENT ON COLUMN datos_valuacion_ttm.net_debt IS
  'Total debt minus cash and equivalents of the latest quarter.';
COMMENT ON COLUMN datos_valuacion_ttm.market_cap IS
  'price x the latest quarter''s weighted shares (diluted, else basic).';
COMMENT ON COLUMN datos_valuacion_ttm.enterprise_value IS
  'market_cap + net_debt.';
COMMENT ON COLUMN datos_valuacion_ttm.pe_ratio IS
  'market_cap / net_income_ttm; NULL unless the denominator is positive (as every multiple of this table).';
COMMENT ON COLUMN datos_valuacion_ttm.quarters_used IS
  'The 4 fiscal quarter labels, oldest first, e.g. ''2025Q2,2025Q3,2025Q4,2026Q1''.';
COMMENT ON COLUMN datos_valuacion_ttm.filing_date IS
  'Latest filing date of the 4 quarters: the row is known from this day on.';
COMMENT ON COLUMN datos_valuacion_ttm.updated_at IS
  'When the run that last changed the row started.';

-- financial_scores
COMMENT ON TABLE financial_scores IS
  'Altman Z and Piotroski F per company and trading date, computed in house and point in time from datos_financieros and datos_eod, with the figures behind them (asset financial_scores).';
COMMENT ON COLUMN financial_scores.altman_z IS
  '1.2 working_capital/total_assets + 1.4 retained_earnings/total_assets + 3.3 ebit/total_assets + 0.6 market_cap/total_liabilities + 1.0 revenue/total_assets, on the inputs period (the 1968 public manufacturers'' weights, for every company); NULL when an input is missing or total assets or liabilities are not positive.';
COMMENT ON COLUMN financial_scores.piotroski_score IS
  'Sum of the nine piotroski_tests, 0-9; NULL unless all nine are known.';
COMMENT ON COLUMN financial_scores.working_capital IS
  'Current assets - current liabilities at the end of the inputs period.';
COMMENT ON COLUMN financial_scores.ebit IS
  'Over the inputs period: a TTM''s 4 quarters summed, or the fiscal year; revenue likewise. The balances (total_assets, total_liabilities, retained_earnings) are at the period end.';
COMMENT ON COLUMN financial_scores.market_cap IS
  'The inputs period''s diluted weighted shares x the close on price_date: Altman''s market value of equity.';
COMMENT ON COLUMN financial_scores.source IS
  '''fintra_statements''; rows copied from FMP''s scores bulk before migration 0027 say ''fmp_scores_bulk''.';
COMMENT ON COLUMN financial_scores.inputs_period_type IS
  'TTM or FY: the type of the statement row the scores read (t), the row FGOS scores on score_date.';
COMMENT ON COLUMN financial_scores.inputs_period_label IS
  'Label of t.';
COMMENT ON COLUMN financial_scores.inputs_period_end IS
  'Period end of t.';
COMMENT ON COLUMN financial_scores.prior_period_label IS
  'Label of t-1, the row of t''s type one fiscal year earlier; NULL when there is none filed by score_date.';
COMMENT ON COLUMN financial_scores.filing_date IS
  'Latest filing date of the statement rows used (t, t-1, t-2); never after score_date.';
COMMENT ON COLUMN financial_scores.price_date IS
  'Date of the close used: the latest on or before score_date, at most 10 days old; NULL when none (then no market_cap and no altman_z).';
COMMENT ON COLUMN financial_scores.piotroski_tests IS
  'Each test 1 passed, 0 failed, null unknown. TA is total assets at a period end, so TA(t-1) is the beginning of t''s year; ROA(t) = NI(t) / TA(t-1). roa_positive: ROA(t) > 0; cfo_positive: operating cash flow(t) > 0; roa_improved: ROA(t) > ROA(t-1); accruals: CFO(t) > NI(t); leverage_fell: long-term debt over average assets fell; current_ratio_improved; no_new_shares: basic weighted shares did not grow; gross_margin_improved; asset_turnover_improved: revenue over beginning assets rose. Strict comparisons.';

-- market_state
COMMENT ON TABLE market_state IS
  'The per-ticker cache the UI''s lists read: each ticker''s newest state from fintra_snapshots, with the day''s FGOS ranks (asset market_state).';
COMMENT ON COLUMN market_state.snapshot_date IS
  'The fintra_snapshots day D the row was built from; a run of an older day never overwrites a newer row.';
COMMENT ON COLUMN market_state.price IS
  'The latest close on or before snapshot_date, at most 10 days old, dated last_price_date.';
COMMENT ON COLUMN market_state.change IS
  'price - the close before it.';
COMMENT ON COLUMN market_state.change_percentage IS
  'change / the close before it x 100, in percent.';
COMMENT ON COLUMN market_state.market_cap IS
  'The snapshot''s market cap: the diluted weighted shares of the statement row FGOS scores x price.';
COMMENT ON COLUMN market_state.ytd_return IS
  'The datos_performance YTD return_percent of snapshot_date, in percent.';
COMMENT ON COLUMN market_state.sector IS
  'As the snapshot classified the ticker on snapshot_date: the group of sector_rank.';
COMMENT ON COLUMN market_state.company_name IS
  'From company_profiles, else fintra_universe: their latest state, not that of snapshot_date.';
COMMENT ON COLUMN market_state.country IS
  'From company_profiles, else fintra_universe: their latest state, not that of snapshot_date.';
COMMENT ON COLUMN market_state.valuation_status IS
  'The snapshot valuation''s legacy status: undervalued, fair, overvalued or pending.';
COMMENT ON COLUMN market_state.verdict_text IS
  'The snapshot verdict''s label and drivers as one text; NULL without a verdict.';
COMMENT ON COLUMN market_state.sector_rank IS
  'Competition rank by fgos_score (1 = best; ties share, the next skips) within the sector among snapshot_date''s scored snapshots; NULL without an FGOS score.';
COMMENT ON COLUMN market_state.sector_rank_total IS
  'Scored tickers in the sector on snapshot_date; set also on unranked rows.';
COMMENT ON COLUMN market_state.global_rank IS
  'Competition rank by fgos_score among all of snapshot_date''s scored snapshots; NULL without an FGOS score.';
COMMENT ON COLUMN market_state.global_rank_total IS
  'Scored snapshots of snapshot_date.';

-- datos_performance
COMMENT ON TABLE datos_performance IS
  'Per symbol, trading date and calendar window: return, annualized volatility and max drawdown of adjusted closes (asset datos_performance).';
COMMENT ON COLUMN datos_performance.performance_date IS
  'The trading date D the window ends on; the symbol has a close dated D.';
COMMENT ON COLUMN datos_performance.window_code IS
  'Calendar window ending on performance_date: 1D starts at the previous close, YTD at last year''s final close, months and years by the calendar.';
COMMENT ON COLUMN datos_performance.return_percent IS
  '(P_D / P_start - 1) x 100, on adjusted closes.';
COMMENT ON COLUMN datos_performance.absolute_return IS
  'P_D - P_start, on adjusted closes.';
COMMENT ON COLUMN datos_performance.volatility IS
  'Annualized percent: sample standard deviation of the daily log returns x sqrt(252) x 100; a one-return window (1D) uses |r| x sqrt(252) x 100.';
COMMENT ON COLUMN datos_performance.max_drawdown IS
  'Largest fall from a running peak (the start price included) to a later close, as a positive percent: 35 = fell 35 %; 0 when it never fell.';
COMMENT ON COLUMN datos_performance.start_date IS
  'Date of the start price: the last close on or before the window''s nominal start, at most 5 days before it.';
COMMENT ON COLUMN datos_performance.observations IS
  'Daily returns in the window.';

-- sector_performance, industry_performance
COMMENT ON TABLE sector_performance IS
  'Equal-weighted return of each FMP sector''s constituents per window and trading date, 1D included (asset sector_performance).';
COMMENT ON COLUMN sector_performance.return_percent IS
  'Mean of the constituents'' datos_performance return_percent for the window on performance_date, equal weights, in percent.';
COMMENT ON COLUMN sector_performance.members IS
  'Constituents averaged: equities in the sector on performance_date with the window that day; at least 3.';
COMMENT ON TABLE industry_performance IS
  'Equal-weighted return of each FMP industry''s constituents per window and trading date, 1D included (asset industry_performance).';
COMMENT ON COLUMN industry_performance.industry IS
  'FMP''s industry name (industry_classification.industry_name).';
COMMENT ON COLUMN industry_performance.return_percent IS
  'Mean of the constituents'' datos_performance return_percent for the window on performance_date, equal weights, in percent.';
COMMENT ON COLUMN industry_performance.members IS
  'Constituents averaged: equities in the industry on performance_date with the window that day; at least 3.';

-- performance_windows
COMMENT ON TABLE performance_windows IS
  'Each equity''s return against its sector, its industry and the market (SPY), per window from 1M to 5Y, on a trading date (asset performance_windows).';
COMMENT ON COLUMN performance_windows.benchmark_ticker IS
  'The sector name, the FMP industry name, or SPY, as benchmark_type says.';
COMMENT ON COLUMN performance_windows.asset_return IS
  'The ticker''s datos_performance return_percent, in percent.';
COMMENT ON COLUMN performance_windows.benchmark_return IS
  'The benchmark''s return of as_of_date in percent: its sector_performance or industry_performance row (the ticker among the constituents), or SPY''s datos_performance row.';
COMMENT ON COLUMN performance_windows.alpha IS
  'asset_return - benchmark_return, in percentage points.';
COMMENT ON COLUMN performance_windows.volatility IS
  'The ticker''s, from datos_performance: annualized percent.';
COMMENT ON COLUMN performance_windows.max_drawdown IS
  'The ticker''s, from datos_performance: a positive percent.';

-- sector_pe, industry_pe
COMMENT ON TABLE sector_pe IS
  'P/E of each sector on each trading date from its constituents'' latest TTM valuation known that day (at most 200 days old), keeping P/E in (0, 100] with a positive market cap. p10..p90 by the lower nearest rank: values some constituent has (asset sector_pe).';
COMMENT ON COLUMN sector_pe.pe IS
  'Median P/E of the constituents kept; the mean of the middle two for an even count.';
COMMENT ON COLUMN sector_pe.pe_cap_weighted IS
  'Sum of market cap x P/E / sum of market cap, over the constituents kept.';
COMMENT ON COLUMN sector_pe.constituents IS
  'Constituents kept; a sector with fewer than 3 has no row.';
COMMENT ON TABLE industry_pe IS
  'P/E of each industry on each trading date, computed as sector_pe (asset industry_pe).';
COMMENT ON COLUMN industry_pe.industry IS
  'FMP''s industry name (industry_classification.industry_name); sector is its sector.';
COMMENT ON COLUMN industry_pe.pe IS
  'Median P/E of the constituents kept; the mean of the middle two for an even count.';
COMMENT ON COLUMN industry_pe.pe_cap_weighted IS
  'Sum of market cap x P/E / sum of market cap, over the constituents kept.';
COMMENT ON COLUMN industry_pe.constituents IS
  'Constituents kept; an industry with fewer than 3 has no row.';

-- sector_benchmarks, industry_benchmarks
COMMENT ON TABLE sector_benchmarks IS
  'p10..p90 (lower nearest rank) of the scoring engines'' metrics per sector and per industry on each trading date, from financials and TTM valuations known that day, never that day''s snapshots. WHERE group_type = ''sector'' gives the operations guide''s daily count (asset sector_benchmarks).';
COMMENT ON COLUMN sector_benchmarks.sector IS
  'The sector, or on industry rows (group_type = ''industry'') the industry name, as the engines expect.';
COMMENT ON COLUMN sector_benchmarks.metric IS
  'One of revenue_cagr, earnings_cagr, fcf_cagr, roic, operating_margin, net_margin, fcf_margin, gross_margin, debt_to_equity, interest_coverage (from datos_financieros), pe_ratio, ev_ebitda, price_to_fcf, market_cap (from datos_valuacion_ttm); the figures are in its unit.';
COMMENT ON COLUMN sector_benchmarks.sample_size IS
  'Values in the cleaned sample (finite; multiples > 0, debt/equity >= 0); at least 3.';
COMMENT ON COLUMN sector_benchmarks.confidence IS
  'low under 10 values, medium under 20, else high.';
COMMENT ON COLUMN sector_benchmarks.median IS
  'Low confidence only (= p50); NULL otherwise.';
COMMENT ON COLUMN sector_benchmarks.trimmed_mean IS
  'Low confidence only: the mean without 10 % of the sorted values at each end; NULL otherwise.';
COMMENT ON COLUMN sector_benchmarks.uncertainty_range IS
  'Low confidence only: {p5, p95} of 500 bootstrap means, seeded by the sample so a rerun gives the same range; NULL otherwise.';
COMMENT ON TABLE industry_benchmarks IS
  'p10..p90 (lower nearest rank) of the benchmark metrics per industry on each trading date: the figures of sector_benchmarks'' industry rows, in the table the operations guide counts (asset industry_benchmarks).';
COMMENT ON COLUMN industry_benchmarks.industry IS
  'FMP''s industry name (industry_classification.industry_name); sector is its sector.';
COMMENT ON COLUMN industry_benchmarks.confidence IS
  'low under 10 values, medium under 20, else high.';

-- sector_stats, industry_stats
COMMENT ON TABLE sector_stats IS
  'Mean, standard deviation, median, trimmed mean and count of each benchmark metric per sector on each trading date, over the benchmarks'' cleaned samples, in the metric''s unit (asset sector_stats).';
COMMENT ON COLUMN sector_stats.std_dev IS
  'Sample standard deviation (n - 1).';
COMMENT ON COLUMN sector_stats.median IS
  'The mean of the middle two for an even count.';
COMMENT ON COLUMN sector_stats.trimmed_mean IS
  'Mean without floor(10 %) of the sorted values at each end: no trim under 10 values.';
COMMENT ON TABLE industry_stats IS
  'The statistics of sector_stats per industry (asset industry_stats).';
COMMENT ON COLUMN industry_stats.industry IS
  'FMP''s industry name (industry_classification.industry_name); sector is its sector.';
COMMENT ON COLUMN industry_stats.std_dev IS
  'Sample standard deviation (n - 1).';
COMMENT ON COLUMN industry_stats.median IS
  'The mean of the middle two for an even count.';
COMMENT ON COLUMN industry_stats.trimmed_mean IS
  'Mean without floor(10 %) of the sorted values at each end: no trim under 10 values.';

-- fintra_sec_event_signals
COMMENT ON TABLE fintra_sec_event_signals IS
  'One material corporate event per 8-K filing and ticker, as the filing''s item headings declare it; weekly (asset fintra_sec_event_signals).';
COMMENT ON COLUMN fintra_sec_event_signals.link IS
  'The filing''s primary document the event was read from (FMP''s finalLink).';
COMMENT ON COLUMN fintra_sec_event_signals.filing_date IS
  'EDGAR''s New York clock, stored as an instant.';
COMMENT ON COLUMN fintra_sec_event_signals.accepted_date IS
  'EDGAR''s New York clock, stored as an instant.';
COMMENT ON COLUMN fintra_sec_event_signals.sec_item IS
  'The most material item the filing lists: 1.01, 1.02 and 2.01 before 5.02 before 8.01; ties go to the item found first.';
COMMENT ON COLUMN fintra_sec_event_signals.event_type IS
  'The item''s event: 1.01 material_agreement, 1.02 agreement_termination, 2.01 acquisition_disposition, 5.02 management_change, 8.01 other_event.';
COMMENT ON COLUMN fintra_sec_event_signals.event_category IS
  'SUPPLY_CHAIN (1.01, 1.02), STRATEGIC (2.01), GOVERNANCE (5.02), CORPORATE (8.01).';
COMMENT ON COLUMN fintra_sec_event_signals.updated_at IS
  'The stamp of the run that wrote the row.';

-- fintra_sec_structural_signals
COMMENT ON TABLE fintra_sec_structural_signals IS
  'Structural risk signals per company and fiscal year from the words of its 10-K (Items 1 to 2 and 7, else the whole text); weekly (asset fintra_sec_structural_signals).';
COMMENT ON COLUMN fintra_sec_structural_signals.fiscal_year IS
  'The year the covered fiscal year ends (FMP''s fiscalYear); fiscal_year_basis says how it was found.';
COMMENT ON COLUMN fintra_sec_structural_signals.fiscal_year_basis IS
  '''stated'': the cover page''s "fiscal year ended <date>"; ''filing_date'': the year of the filing date - 105 days.';
COMMENT ON COLUMN fintra_sec_structural_signals.supplier_concentration IS
  'high on "limited number of suppliers" (up to two words between), "sole/single supplier" or "sole/single source"; low on "multiple suppliers"; else medium.';
COMMENT ON COLUMN fintra_sec_structural_signals.single_source_dependency IS
  'The text says "sole/single supplier" or "sole/single(-)source".';
COMMENT ON COLUMN fintra_sec_structural_signals.purchase_obligations_amount IS
  'In USD: the first dollar amount within 400 characters after "purchase obligations" or "contractual obligations" in Item 7, scaled by a following thousand/million/billion or a preceding "(in millions)"; NULL when none.';
COMMENT ON COLUMN fintra_sec_structural_signals.purchase_obligations_currency IS
  '''USD'' when an amount was read, else NULL.';
COMMENT ON COLUMN fintra_sec_structural_signals.geographic_exposure IS
  'Which of China, EU (or "European Union"), United States, Mexico, Canada the text names as whole words, in that order.';
COMMENT ON COLUMN fintra_sec_structural_signals.environmental_exposure IS
  'high when mining, energy or manufacturing appear, else low.';
COMMENT ON COLUMN fintra_sec_structural_signals.filing_date IS
  'The filing of the 10-K the row was read from (link); a newer 10-K for the year replaces the row.';

-- fintra_sec_documents_read
COMMENT ON TABLE fintra_sec_documents_read IS
  'Documents a weekly SEC asset fetched and read that gave a ticker no row, so no later run fetches them again. Bookkeeping, not a published table.';
COMMENT ON COLUMN fintra_sec_documents_read.asset IS
  'The SEC asset that read the document.';
COMMENT ON COLUMN fintra_sec_documents_read.outcome IS
  'Why the document gave no row, e.g. no_listed_item (an 8-K without a listed item).';
