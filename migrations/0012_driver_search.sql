-- The drivers list's search (query_api/routes/drivers.py): `q` matches a driver's names,
-- e-mail and phone with ILIKE '%…%', or the plate of one of their vehicles. Under row-level
-- security no index could serve it: ILIKE and && are not leakproof, so PostgreSQL checks the
-- policy before them and never pushes them into an index scan; every search read all the
-- tenant's drivers and vehicles (docs/SCALING.md has the figures, before and after).
--
-- api_driver_search() runs the matching as the owner, with trigram indexes (pg_trgm, a
-- trusted extension that Supabase offers too) and an index on vehicle_ids, and returns the
-- ids of the caller's matching drivers: like every SECURITY DEFINER function here it filters
-- by app.org_id itself (migration 0006). The list query keeps RLS and its keyset order.
-- The searched text is built with || (immutable, so it can be indexed).
-- depends: 0011_history_indexes

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX drivers_search ON drivers USING gin ((
    coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' ||
    coalesce(email, '') || ' ' || coalesce(phone, '')
) gin_trgm_ops);
CREATE INDEX drivers_vehicle_ids ON drivers USING gin (vehicle_ids);
CREATE INDEX uber_vehicles_plate_search ON uber_vehicles USING gin (plate gin_trgm_ops);
CREATE INDEX bolt_vehicles_plate_search ON bolt_vehicles USING gin (plate gin_trgm_ops);

-- The caller's drivers of p_provider whose text or a vehicle's plate matches p_pattern. ROWS
-- 20 tells the planner a search finds a few drivers, so the list fetches them by primary key.
CREATE FUNCTION api_driver_search(p_provider text, p_pattern text)
RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER ROWS 20 SET search_path = public AS $$
    SELECT d.driver_id FROM drivers d
    WHERE d.org_id = nullif(current_setting('app.org_id', true), '')::uuid
      AND d.provider = p_provider
      AND (coalesce(d.first_name, '') || ' ' || coalesce(d.last_name, '') || ' ' ||
           coalesce(d.email, '') || ' ' || coalesce(d.phone, '')) ILIKE p_pattern
    UNION
    SELECT d.driver_id FROM drivers d
    WHERE d.org_id = nullif(current_setting('app.org_id', true), '')::uuid
      AND d.provider = p_provider
      AND d.vehicle_ids && ARRAY(
          SELECT v.vehicle_id FROM uber_vehicles v
          WHERE p_provider = 'uber' AND v.plate ILIKE p_pattern
            AND v.org_id = nullif(current_setting('app.org_id', true), '')::uuid
          UNION ALL
          SELECT v.vehicle_uuid FROM bolt_vehicles v
          WHERE p_provider = 'bolt' AND v.plate ILIKE p_pattern
            AND v.org_id = nullif(current_setting('app.org_id', true), '')::uuid)
$$;
REVOKE ALL ON FUNCTION api_driver_search(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_driver_search(text, text) TO fleet_api;
