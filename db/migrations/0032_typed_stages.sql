-- Typed stages: the SQL adapters' staged writes without JSON (issue 11).
--
-- 0031 stages every row as jsonb in one shared table and converts it back at publish, about
-- three times the cost of a plain upsert. Here a run stages each table's rows in a table of
-- its own (UNLOGGED, no index, the target's column types), loaded with COPY, and publishes it
-- with one INSERT ... SELECT in key order. The rows a publish writes are the same: values are
-- parsed by the target columns' own input functions, as jsonb_populate_record did.
--
-- Over Supabase's REST API there is no COPY: the Supabase adapter keeps 0031's jsonb stage
-- and fintra_publish_staged. Both publishes clear the other kind's leftovers of killed runs.
--
-- A stage table holds one run's rows of one table, plus `fintra_staged_in`: the transaction
-- that staged the row, so when a retried step stages a key again its latest copy wins.
-- UNLOGGED: a crash empties it; the publish then finds fewer rows than the run staged and
-- refuses, as in 0031.

CREATE TABLE IF NOT EXISTS fintra_stage_tables (
  run_id      text        NOT NULL,
  table_name  text        NOT NULL,
  -- In the target table's schema.
  stage_table text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, table_name)
);

-- The stage table of p_run_id's rows of p_table, created on the first call, with (at least)
-- p_columns typed as the target's columns. Returns its name, qualified and quoted.
CREATE OR REPLACE FUNCTION fintra_stage_open(
  p_run_id  text,
  p_table   text,
  p_columns text[]
) RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
  target  regclass := to_regclass(quote_ident(p_table));
  nsp     text;
  stage   text;
  created boolean := false;
  col     text;
  typ     text;
BEGIN
  IF target IS NULL THEN
    RAISE EXCEPTION 'stage into %: no such table', p_table USING ERRCODE = '42P01';
  END IF;
  IF coalesce(p_run_id, '') = '' THEN
    RAISE EXCEPTION 'stage into %: a run id is required', p_table;
  END IF;
  SELECT n.nspname INTO nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = target;
  SELECT s.stage_table INTO stage FROM fintra_stage_tables s
   WHERE s.run_id = p_run_id AND s.table_name = p_table;
  IF stage IS NULL THEN
    stage := 'fintra_stage_' || substr(md5(p_run_id || '/' || p_table), 1, 24);
    -- A concurrent first stage of the same run waits here for the other's commit, then
    -- finds its row (and its table).
    INSERT INTO fintra_stage_tables (run_id, table_name, stage_table)
    VALUES (p_run_id, p_table, stage)
    ON CONFLICT (run_id, table_name) DO NOTHING;
    created := FOUND;
    IF created THEN
      SELECT string_agg(format('%I %s', c.col, format_type(a.atttypid, a.atttypmod)), ', '
                        ORDER BY c.ord)
        INTO typ
        FROM unnest(p_columns) WITH ORDINALITY AS c(col, ord)
        JOIN pg_attribute a ON a.attrelid = target AND a.attname = c.col
                           AND a.attnum > 0 AND NOT a.attisdropped;
      EXECUTE format('DROP TABLE IF EXISTS %I.%I', nsp, stage);
      -- No autovacuum: the table lives for one run, and a vacuum holding it would make the
      -- publish's DROP wait.
      EXECUTE format(
        'CREATE UNLOGGED TABLE %I.%I (fintra_staged_in xid8 NOT NULL DEFAULT pg_current_xact_id()%s)
           WITH (autovacuum_enabled = false)',
        nsp, stage, CASE WHEN typ IS NULL THEN '' ELSE ', ' || typ END);
    ELSE
      SELECT s.stage_table INTO stage FROM fintra_stage_tables s
       WHERE s.run_id = p_run_id AND s.table_name = p_table;
    END IF;
  END IF;
  IF to_regclass(format('%I.%I', nsp, stage)) IS NULL THEN
    RAISE EXCEPTION 'stage into %: the stage of run % is gone (its run was cleared as no longer running)',
      p_table, p_run_id;
  END IF;
  FOR col IN
    SELECT c FROM unnest(p_columns) c
     WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = to_regclass(format('%I.%I', nsp, stage))
                          AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped)
  LOOP
    SELECT format_type(a.atttypid, a.atttypmod) INTO typ FROM pg_attribute a
     WHERE a.attrelid = target AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF typ IS NULL THEN
      RAISE EXCEPTION 'stage into %: unknown column %', p_table, col;
    END IF;
    EXECUTE format('ALTER TABLE %I.%I ADD COLUMN %I %s', nsp, stage, col, typ);
  END LOOP;
  RETURN format('%I.%I', nsp, stage);
END;
$$;

-- Drops the stage tables of p_table's runs that are no longer running, except p_keep's. A
-- stage still locked by a straggler is left for the next publish (never waited on).
CREATE OR REPLACE FUNCTION fintra_stage_clear_stale(p_table text, p_keep text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  target regclass := to_regclass(quote_ident(p_table));
  nsp    text;
  stale  record;
BEGIN
  SELECT n.nspname INTO nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = target;
  FOR stale IN
    SELECT s.run_id, s.stage_table FROM fintra_stage_tables s
     WHERE s.table_name = p_table AND s.run_id IS DISTINCT FROM p_keep
       AND NOT EXISTS (SELECT 1 FROM fintra_materializations m
                        WHERE m.id = s.run_id AND m.status = 'running')
  LOOP
    BEGIN
      IF to_regclass(format('%I.%I', nsp, stale.stage_table)) IS NOT NULL THEN
        EXECUTE format('LOCK TABLE %I.%I IN ACCESS EXCLUSIVE MODE NOWAIT', nsp, stale.stage_table);
        EXECUTE format('DROP TABLE %I.%I', nsp, stale.stage_table);
      END IF;
      DELETE FROM fintra_stage_tables s WHERE s.run_id = stale.run_id AND s.table_name = p_table;
    EXCEPTION WHEN lock_not_available THEN
      NULL;
    END;
  END LOOP;
END;
$$;

-- Publishes p_run_id's typed stage of p_table in one transaction, with 0031's contract:
-- 1. a publish already done returns its first result;
-- 2. refuses unless the stage holds exactly p_staged distinct keys (a key staged again by a
--    retried step counts once: its latest copy wins);
-- 3. deletes the rows of p_table matching p_replace that the run did not stage (p_replace as
--    in 0031; NULL: delete nothing);
-- 4. inserts the staged rows in key order: a plain INSERT first (a fresh partition has no
--    conflicts to look for), and when a key already exists, an upsert on the primary key that
--    leaves unchanged rows alone;
-- 5. drops the run's stage and the stages of this table's runs no longer running (0031's
--    jsonb leftovers of such runs too), and records the result.
-- Returns {"written": staged rows, "changed": rows inserted or updated, "removed": n}.
CREATE OR REPLACE FUNCTION fintra_publish_typed(
  p_run_id  text,
  p_table   text,
  p_columns text[],
  p_staged  bigint,
  p_replace jsonb DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
  target    regclass := to_regclass(quote_ident(p_table));
  nsp       text;
  stage     text;
  keys      text[];
  types     jsonb;
  updatable text[];
  cols      text;
  key_list  text;
  same_key  text;
  staged    bigint := 0;
  superseded bigint := 0;
  changed   bigint;
  removed   bigint := 0;
  filter    text := '';
  cond      record;
  op        record;
  col_type  text;
  conflict  text;
  result    jsonb;
BEGIN
  SELECT p.result INTO result FROM fintra_staged_publishes p
   WHERE p.run_id = p_run_id AND p.table_name = p_table;
  IF FOUND THEN
    RETURN result;
  END IF;
  IF target IS NULL THEN
    RAISE EXCEPTION 'publish into %: no such table', p_table USING ERRCODE = '42P01';
  END IF;
  SELECT n.nspname INTO nsp FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = target;

  SELECT array_agg(a.attname::text ORDER BY k.ord) INTO keys
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = target AND i.indisprimary;
  IF keys IS NULL THEN
    RAISE EXCEPTION 'publish into %: the table has no primary key', p_table;
  END IF;
  SELECT jsonb_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)) INTO types
    FROM pg_attribute a WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped;
  IF EXISTS (SELECT 1 FROM unnest(p_columns || keys) c WHERE NOT types ? c) THEN
    RAISE EXCEPTION 'publish into %: unknown column in %', p_table, p_columns;
  END IF;
  SELECT array_agg(c) INTO updatable FROM unnest(p_columns) c WHERE NOT c = ANY(keys);
  key_list := (SELECT string_agg(format('%I', k), ', ') FROM unnest(keys) k);
  same_key := (SELECT string_agg(format('n.%I = s.%I', k, k), ' AND ') FROM unnest(keys) k);
  cols := (SELECT string_agg(format('%I', c), ', ')
             FROM unnest(keys || coalesce(updatable, '{}')) c);

  SELECT format('%I.%I', nsp, s.stage_table) INTO stage FROM fintra_stage_tables s
   WHERE s.run_id = p_run_id AND s.table_name = p_table;
  IF stage IS NOT NULL AND to_regclass(stage) IS NULL THEN
    stage := NULL;
  END IF;
  IF stage IS NOT NULL THEN
    EXECUTE format('SELECT count(*) FROM %s', stage) INTO staged;
    IF staged <> p_staged OR updatable IS NULL THEN
      -- Keys staged more than once (a retried step): the latest copy wins.
      EXECUTE format(
        'DELETE FROM %1$s s WHERE EXISTS (SELECT 1 FROM %1$s n WHERE %2$s
           AND n.fintra_staged_in > s.fintra_staged_in)', stage, same_key);
      GET DIAGNOSTICS superseded = ROW_COUNT;
      staged := staged - superseded;
    END IF;
  END IF;
  IF staged <> p_staged THEN
    RAISE EXCEPTION 'publish into %: run % has % staged rows, expected %; nothing was published',
      p_table, p_run_id, staged, p_staged;
  END IF;

  IF p_replace IS NOT NULL THEN
    FOR cond IN SELECT key, value FROM jsonb_each(p_replace) LOOP
      col_type := types ->> cond.key;
      IF col_type IS NULL THEN
        RAISE EXCEPTION 'publish into %: no column % to replace on', p_table, cond.key;
      END IF;
      FOR op IN SELECT key, value FROM jsonb_each(cond.value) LOOP
        IF op.key NOT IN ('eq', 'gt', 'gte', 'lt', 'lte', 'in', 'null') THEN
          RAISE EXCEPTION 'publish into %: unknown condition % on %', p_table, op.key, cond.key;
        END IF;
        filter := filter || ' AND ' || CASE op.key
          WHEN 'eq'  THEN format('t.%I = %L::%s', cond.key, op.value #>> '{}', col_type)
          WHEN 'gt'  THEN format('t.%I > %L::%s', cond.key, op.value #>> '{}', col_type)
          WHEN 'gte' THEN format('t.%I >= %L::%s', cond.key, op.value #>> '{}', col_type)
          WHEN 'lt'  THEN format('t.%I < %L::%s', cond.key, op.value #>> '{}', col_type)
          WHEN 'lte' THEN format('t.%I <= %L::%s', cond.key, op.value #>> '{}', col_type)
          WHEN 'in'  THEN format('t.%I = ANY(ARRAY(SELECT jsonb_array_elements_text(%L::jsonb))::%s[])',
                                 cond.key, op.value::text, col_type)
          WHEN 'null' THEN format('t.%I IS %s NULL', cond.key,
                                  CASE WHEN op.value = 'true'::jsonb THEN '' ELSE 'NOT' END)
        END;
      END LOOP;
    END LOOP;
    IF filter = '' THEN
      RAISE EXCEPTION 'publish into %: an empty replace filter would replace the whole table', p_table;
    END IF;
    IF stage IS NULL THEN
      EXECUTE format('DELETE FROM %s AS t WHERE TRUE %s', target, filter);
    ELSE
      EXECUTE format(
        'DELETE FROM %1$s AS t WHERE TRUE %2$s
            AND NOT EXISTS (SELECT 1 FROM %3$s s WHERE %4$s)',
        target, filter, stage,
        (SELECT string_agg(format('s.%I = t.%I', k, k), ' AND ') FROM unnest(keys) k));
    END IF;
    GET DIAGNOSTICS removed = ROW_COUNT;
  END IF;

  changed := 0;
  IF stage IS NOT NULL THEN
    conflict := CASE WHEN updatable IS NULL THEN 'DO NOTHING' ELSE format(
      'DO UPDATE SET %s WHERE (%s, NULL) IS DISTINCT FROM (%s, NULL)',
      (SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ') FROM unnest(updatable) c),
      (SELECT string_agg(format('t.%I', c), ', ') FROM unnest(updatable) c),
      (SELECT string_agg(format('EXCLUDED.%I', c), ', ') FROM unnest(updatable) c)) END;
    BEGIN
      -- A fresh slice: nothing to look up. The first existing key ends the attempt early
      -- (rows come in key order), and the upsert below does the work.
      EXECUTE format('INSERT INTO %s AS t (%s) SELECT %s FROM %s ORDER BY %s',
        target, cols, cols, stage, key_list);
      GET DIAGNOSTICS changed = ROW_COUNT;
    EXCEPTION WHEN unique_violation THEN
      BEGIN
        EXECUTE format('INSERT INTO %s AS t (%s) SELECT %s FROM %s ORDER BY %s ON CONFLICT (%s) %s',
          target, cols, cols, stage, key_list, key_list, conflict);
        GET DIAGNOSTICS changed = ROW_COUNT;
      EXCEPTION WHEN cardinality_violation THEN
        -- A key staged twice in one transaction counted twice: fewer distinct keys than the
        -- run says it staged.
        EXECUTE format('SELECT count(*) FROM (SELECT DISTINCT %s FROM %s) d', key_list, stage)
          INTO staged;
        RAISE EXCEPTION 'publish into %: run % has % staged rows, expected %; nothing was published',
          p_table, p_run_id, staged, p_staged;
      END;
    END;
    EXECUTE format('DROP TABLE %s', stage);
  END IF;

  result := jsonb_build_object('written', staged, 'changed', changed, 'removed', removed);
  DELETE FROM fintra_stage_tables s WHERE s.run_id = p_run_id AND s.table_name = p_table;
  PERFORM fintra_stage_clear_stale(p_table, p_run_id);
  DELETE FROM fintra_staged_rows s
   WHERE s.table_name = p_table AND s.run_id <> p_run_id
     AND NOT EXISTS (SELECT 1 FROM fintra_materializations m
                      WHERE m.id = s.run_id AND m.status = 'running');
  DELETE FROM fintra_staged_publishes p
   WHERE p.table_name = p_table
     AND NOT EXISTS (SELECT 1 FROM fintra_materializations m
                      WHERE m.id = p.run_id AND m.status = 'running');
  INSERT INTO fintra_staged_publishes (run_id, table_name, result) VALUES (p_run_id, p_table, result);
  RETURN result;
END;
$$;

-- Nobody calls these over Supabase's REST API (the SQL adapters connect as the owner).
REVOKE EXECUTE ON FUNCTION fintra_stage_open(text, text, text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION fintra_stage_clear_stale(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION fintra_publish_typed(text, text, text[], bigint, jsonb) FROM PUBLIC;
DO $$
DECLARE
  role text;
BEGIN
  FOREACH role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
      EXECUTE format('REVOKE EXECUTE ON FUNCTION fintra_stage_open(text, text, text[]) FROM %I', role);
      EXECUTE format('REVOKE EXECUTE ON FUNCTION fintra_stage_clear_stale(text, text) FROM %I', role);
      EXECUTE format('REVOKE EXECUTE ON FUNCTION fintra_publish_typed(text, text, text[], bigint, jsonb) FROM %I', role);
      EXECUTE format('REVOKE ALL ON TABLE fintra_stage_tables FROM %I', role);
    END IF;
  END LOOP;
END;
$$;
