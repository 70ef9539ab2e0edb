-- stock_peers: peer pairs between active equities (asset stock_peers).
CREATE TABLE IF NOT EXISTS stock_peers (
  ticker       text        NOT NULL,
  peer_ticker  text        NOT NULL,
  source       text        NOT NULL DEFAULT 'fmp_peers_bulk',
  confidence   text        NOT NULL DEFAULT 'market',
  last_seen    date        NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticker, peer_ticker),
  CHECK (ticker <> peer_ticker)
);

-- The names the docs use.
CREATE OR REPLACE VIEW company_peers AS SELECT * FROM stock_peers;
