-- fintra_sec_documents_read: documents a weekly SEC job fetched and read that gave a ticker
-- no row (fintra_sec_event_signals: an 8-K without a listed item), so no later run fetches
-- them again. Bookkeeping of the SEC assets (the `asset` column), not a published table.
CREATE TABLE IF NOT EXISTS fintra_sec_documents_read (
  asset    text        NOT NULL,
  ticker   text        NOT NULL,
  link     text        NOT NULL,
  outcome  text        NOT NULL,
  read_at  timestamptz NOT NULL,
  PRIMARY KEY (asset, ticker, link)
);
