-- Partition writes that readers never see half-done (issue 10, finding 12).
--
-- A run that writes in several steps stages its rows here, keyed by its materialization id,
-- and publishes them at the end with fintra_publish_staged: one statement, so one
-- transaction on every backend (over Supabase's REST API it is an RPC). Until then no
-- reader of the real table sees any of them; a killed run leaves only staged rows, which
-- the next publish into the same table removes.
--
-- UNLOGGED: staging is scratch space (no WAL, about half the write cost). A crash may empty
-- it; a publish then finds fewer rows than the run staged and refuses, so a lost stage
-- fails the run instead of publishing part of a partition.

CREATE UNLOGGED TABLE IF NOT EXISTS fintra_staged_rows (
  run_id     text        NOT NULL,
  table_name text        NOT NULL,
  -- The row's key as the Store writes it (JSON of the key values): a retried step restages
  -- the same keys instead of adding rows.
  row_key    text        NOT NULL,
  row        jsonb       NOT NULL,
  staged_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, table_name, row_key)
);

-- What each publish did, so a publish retried after a lost answer (a network error over
-- REST) returns the same result instead of failing on a stage it already emptied.
CREATE TABLE IF NOT EXISTS fintra_staged_publishes (
  run_id       text        NOT NULL,
  table_name   text        NOT NULL,
  result       jsonb       NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, table_name)
);

-- Publishes run p_run_id's staged rows of p_table in one transaction:
-- 1. refuses unless exactly p_staged rows are staged (a lost or foreign stage never publishes);
-- 2. deletes the rows of p_table matching p_replace that the run did not stage (p_replace:
--    {"column": {"eq"|"gt"|"gte"|"lt"|"lte": text} | {"in": [text, ...]} | {"null": bool}};
--    NULL: delete nothing);
-- 3. upserts the staged rows (columns p_columns, conflict on the primary key; unchanged
--    rows are not rewritten);
-- 4. clears the run's stage and the stages of runs of this table that are no longer running.
-- Returns {"written": staged rows, "changed": rows inserted or updated, "removed": n}.
CREATE OR REPLACE FUNCTION fintra_publish_staged(
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
  keys      text[];
  types     jsonb;
  updatable text[];
  staged    bigint;
  changed   bigint;
  removed   bigint := 0;
  filter    text := '';
  cond      record;
  op        record;
  col_type  text;
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

  SELECT count(*) INTO staged FROM fintra_staged_rows s
   WHERE s.run_id = p_run_id AND s.table_name = p_table;
  IF staged <> p_staged THEN
    RAISE EXCEPTION 'publish into %: run % has % staged rows, expected %; nothing was published',
      p_table, p_run_id, staged, p_staged;
  END IF;

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

  IF p_replace IS NOT NULL THEN
    FOR cond IN SELECT key, value FROM jsonb_each(p_replace) LOOP
      col_type := types ->> cond.key;
      IF col_type IS NULL THEN
        RAISE EXCEPTION 'publish into %: no column % to replace on', p_table, cond.key;
      END IF;
      FOR op IN SELECT key, value FROM jsonb_each(cond.value) LOOP
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
        IF op.key NOT IN ('eq', 'gt', 'gte', 'lt', 'lte', 'in', 'null') THEN
          RAISE EXCEPTION 'publish into %: unknown condition % on %', p_table, op.key, cond.key;
        END IF;
      END LOOP;
    END LOOP;
    IF filter = '' THEN
      RAISE EXCEPTION 'publish into %: an empty replace filter would replace the whole table', p_table;
    END IF;
    -- The slice's keys minus the staged keys (a set difference: hashed or sorted, linear
    -- at any size, where a correlated NOT EXISTS per row was quadratic), then one join.
    EXECUTE format(
      'WITH gone AS (
         SELECT %2$s FROM %1$s AS t WHERE TRUE %3$s
         EXCEPT
         SELECT %4$s FROM fintra_staged_rows s
           CROSS JOIN LATERAL jsonb_populate_record(NULL::%1$s, s.row) r
          WHERE s.run_id = $1 AND s.table_name = $2)
       DELETE FROM %1$s AS t USING gone g WHERE %5$s',
      target,
      (SELECT string_agg(format('t.%I', k), ', ') FROM unnest(keys) k),
      filter,
      (SELECT string_agg(format('r.%I', k), ', ') FROM unnest(keys) k),
      (SELECT string_agg(format('t.%I = g.%I', k, k), ' AND ') FROM unnest(keys) k))
      USING p_run_id, p_table;
    GET DIAGNOSTICS removed = ROW_COUNT;
  END IF;

  SELECT array_agg(c) INTO updatable FROM unnest(p_columns) c WHERE NOT c = ANY(keys);
  EXECUTE format(
    'INSERT INTO %s AS t (%s)
     SELECT %s FROM fintra_staged_rows s CROSS JOIN LATERAL jsonb_populate_record(NULL::%s, s.row) r
      WHERE s.run_id = $1 AND s.table_name = $2
     ON CONFLICT (%s) %s',
    target,
    (SELECT string_agg(format('%I', c), ', ') FROM unnest(keys || coalesce(updatable, '{}')) c),
    (SELECT string_agg(format('r.%I', c), ', ') FROM unnest(keys || coalesce(updatable, '{}')) c),
    target,
    (SELECT string_agg(format('%I', k), ', ') FROM unnest(keys) k),
    CASE WHEN updatable IS NULL THEN 'DO NOTHING' ELSE format(
      'DO UPDATE SET %s WHERE (%s, NULL) IS DISTINCT FROM (%s, NULL)',
      (SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ') FROM unnest(updatable) c),
      (SELECT string_agg(format('t.%I', c), ', ') FROM unnest(updatable) c),
      (SELECT string_agg(format('EXCLUDED.%I', c), ', ') FROM unnest(updatable) c)) END)
    USING p_run_id, p_table;
  GET DIAGNOSTICS changed = ROW_COUNT;

  result := jsonb_build_object('written', staged, 'changed', changed, 'removed', removed);
  DELETE FROM fintra_staged_rows s WHERE s.run_id = p_run_id AND s.table_name = p_table;
  -- Stages and publish records of this table's finished or killed runs: never read again.
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

-- Over Supabase's REST API only the service role may publish (functions are executable by
-- PUBLIC by default, and Supabase grants its API roles access to new functions).
REVOKE EXECUTE ON FUNCTION fintra_publish_staged(text, text, text[], bigint, jsonb) FROM PUBLIC;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    EXECUTE 'REVOKE EXECUTE ON FUNCTION fintra_publish_staged(text, text, text[], bigint, jsonb) FROM anon';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    EXECUTE 'REVOKE EXECUTE ON FUNCTION fintra_publish_staged(text, text, text[], bigint, jsonb) FROM authenticated';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    EXECUTE 'GRANT EXECUTE ON FUNCTION fintra_publish_staged(text, text, text[], bigint, jsonb) TO service_role';
  END IF;
END;
$$;
