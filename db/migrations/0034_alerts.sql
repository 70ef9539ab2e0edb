-- Alerts: a condition on one asset for one day (a row count below its threshold, a deadline
-- missed, a run too long, a failure), raised once and resolved once, so a repeated or
-- retried check never pages twice. One row per condition key; raising it again after it was
-- resolved re-opens the same row with fresh figures.
--
-- Raising and resolving are one statement each, in the functions below: every backend calls
-- them (the SQL adapters in a SELECT, the Supabase adapter as an RPC), so the claim is atomic
-- everywhere and its time is the database's now().

CREATE TABLE IF NOT EXISTS fintra_alerts (
  -- The raise that opened the alert (a re-open gives it the id of the raise that re-opened
  -- it), so a delivery note for an earlier opening never stamps the current one.
  id                      text        PRIMARY KEY,
  kind                    text        NOT NULL
                                      CHECK (kind IN ('threshold', 'deadline', 'duration', 'failure')),
  asset                   text        NOT NULL,
  day                     date        NOT NULL,
  metric                  text        NOT NULL,
  status                  text        NOT NULL CHECK (status IN ('open', 'resolved')),
  observed                double precision,
  threshold               double precision,
  message                 text        NOT NULL,
  link                    text        NOT NULL,
  raised_at               timestamptz NOT NULL DEFAULT now(),
  resolved_at             timestamptz,
  delivered_at            timestamptz,
  resolution_delivered_at timestamptz,
  -- The resolve call that resolved it: a retried call recognises its own resolution.
  resolution_id           text,
  CONSTRAINT fintra_alerts_key UNIQUE (kind, asset, day, metric),
  CONSTRAINT fintra_alerts_resolved_at CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);

-- Listings, newest first: the open alerts (what a person must look at), and everything.
CREATE INDEX IF NOT EXISTS fintra_alerts_open
  ON fintra_alerts (raised_at DESC, id DESC) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS fintra_alerts_raised
  ON fintra_alerts (raised_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS fintra_alerts_asset_day
  ON fintra_alerts (asset, day);

-- Opens the alert of (p_kind, p_asset, p_day, p_metric): inserts it, or re-opens it when it
-- is resolved (fresh figures, raised now, resolution and delivery stamps cleared). Returns
-- the row as JSON when this call opened it, NULL when it is open already. A call repeated
-- after its first attempt committed (a lost answer) finds its own id and returns the row.
CREATE OR REPLACE FUNCTION fintra_raise_alert(
  p_id        text,
  p_kind      text,
  p_asset     text,
  p_day       date,
  p_metric    text,
  p_observed  double precision,
  p_threshold double precision,
  p_message   text,
  p_link      text
) RETURNS jsonb
LANGUAGE sql
AS $$
  WITH raised AS (
    INSERT INTO fintra_alerts AS a
      (id, kind, asset, day, metric, status, observed, threshold, message, link, raised_at)
    VALUES
      (p_id, p_kind, p_asset, p_day, p_metric, 'open', p_observed, p_threshold, p_message, p_link, now())
    ON CONFLICT ON CONSTRAINT fintra_alerts_key DO UPDATE
       SET id = EXCLUDED.id,
           status = 'open',
           observed = EXCLUDED.observed,
           threshold = EXCLUDED.threshold,
           message = EXCLUDED.message,
           link = EXCLUDED.link,
           raised_at = now(),
           resolved_at = NULL,
           delivered_at = NULL,
           resolution_delivered_at = NULL,
           resolution_id = NULL
     WHERE a.status = 'resolved'
    RETURNING a.*
  )
  SELECT to_jsonb(r) FROM raised r
  UNION ALL
  SELECT to_jsonb(a) FROM fintra_alerts a
   WHERE a.id = p_id AND a.status = 'open' AND NOT EXISTS (SELECT 1 FROM raised)
  LIMIT 1
$$;

-- Resolves the open alert of (p_kind, p_asset, p_day, p_metric): resolved now, its message
-- replaced. Returns the row as JSON when this call resolved it, NULL when no alert of that
-- key is open. A call repeated after its first attempt committed finds its own resolution.
CREATE OR REPLACE FUNCTION fintra_resolve_alert(
  p_resolution_id text,
  p_kind          text,
  p_asset         text,
  p_day           date,
  p_metric        text,
  p_message       text
) RETURNS jsonb
LANGUAGE sql
AS $$
  WITH resolved AS (
    UPDATE fintra_alerts a
       SET status = 'resolved', resolved_at = now(), message = p_message,
           resolution_id = p_resolution_id
     WHERE a.kind = p_kind AND a.asset = p_asset AND a.day = p_day AND a.metric = p_metric
       AND a.status = 'open'
    RETURNING a.*
  )
  SELECT to_jsonb(r) FROM resolved r
  UNION ALL
  SELECT to_jsonb(a) FROM fintra_alerts a
   WHERE a.kind = p_kind AND a.asset = p_asset AND a.day = p_day AND a.metric = p_metric
     AND a.status = 'resolved' AND a.resolution_id = p_resolution_id
     AND NOT EXISTS (SELECT 1 FROM resolved)
  LIMIT 1
$$;

-- Over Supabase's REST API only the service role raises and resolves alerts, and only it
-- reads them (functions are executable by PUBLIC by default, and Supabase grants its API
-- roles access to new tables and functions).
REVOKE EXECUTE ON FUNCTION fintra_raise_alert(text, text, text, date, text, double precision, double precision, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION fintra_resolve_alert(text, text, text, date, text, text) FROM PUBLIC;
DO $$
DECLARE
  role text;
BEGIN
  FOREACH role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
      EXECUTE format('REVOKE EXECUTE ON FUNCTION fintra_raise_alert(text, text, text, date, text, double precision, double precision, text, text) FROM %I', role);
      EXECUTE format('REVOKE EXECUTE ON FUNCTION fintra_resolve_alert(text, text, text, date, text, text) FROM %I', role);
      EXECUTE format('REVOKE ALL ON TABLE fintra_alerts FROM %I', role);
    END IF;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    EXECUTE 'GRANT EXECUTE ON FUNCTION fintra_raise_alert(text, text, text, date, text, double precision, double precision, text, text) TO service_role';
    EXECUTE 'GRANT EXECUTE ON FUNCTION fintra_resolve_alert(text, text, text, date, text, text) TO service_role';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE fintra_alerts TO service_role';
  END IF;
END;
$$;

COMMENT ON TABLE fintra_alerts IS
  'Alerts: a condition (kind, metric) on one asset for one day, raised once and resolved once (fintra_raise_alert, fintra_resolve_alert); one row per condition, re-opened in place when raised again after resolving.';
COMMENT ON COLUMN fintra_alerts.id IS
  'The id of the raise that (re-)opened the alert; a re-open replaces it, so a delivery note for an earlier opening stamps nothing.';
COMMENT ON COLUMN fintra_alerts.kind IS
  'threshold (a figure beyond its limit), deadline (not done by a time), duration (a run too long) or failure (a run failed).';
COMMENT ON COLUMN fintra_alerts.day IS
  'The day the condition is about (the run date or partition).';
COMMENT ON COLUMN fintra_alerts.metric IS
  'What was measured (e.g. rows, null_share, hours_late, seconds): with kind, asset and day, the alert''s key.';
COMMENT ON COLUMN fintra_alerts.status IS
  'open until resolved; raising a resolved alert opens it again.';
COMMENT ON COLUMN fintra_alerts.observed IS
  'The figure seen (rows, a share 0..1, hours, seconds); NULL when the condition has none.';
COMMENT ON COLUMN fintra_alerts.threshold IS
  'The figure observed was judged against; NULL when the condition has none.';
COMMENT ON COLUMN fintra_alerts.message IS
  'One line for a person: the raise''s, replaced by the resolution''s once resolved.';
COMMENT ON COLUMN fintra_alerts.link IS
  'Where to look: a page path (/assets/<asset>) or a `fintra why ...` command line.';
COMMENT ON COLUMN fintra_alerts.raised_at IS
  'When the alert was last opened (database time).';
COMMENT ON COLUMN fintra_alerts.resolved_at IS
  'When it was resolved (database time); NULL while open.';
COMMENT ON COLUMN fintra_alerts.delivered_at IS
  'When the raise was delivered (webhook); NULL until it was.';
COMMENT ON COLUMN fintra_alerts.resolution_delivered_at IS
  'When the resolution was delivered (webhook); NULL until it was.';
COMMENT ON COLUMN fintra_alerts.resolution_id IS
  'The resolve call that resolved it, so a retried call recognises its own resolution; NULL while open.';
