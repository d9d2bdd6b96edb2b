-- Indexes matching the API's orderings (query_api/routes/*): a driver's trips in time order.
-- depends: 0004_bolt_read_models

CREATE INDEX bolt_orders_driver_trips ON bolt_orders
    (org_id, driver_uuid, earnings_day, (coalesce(created_at, 'epoch'::timestamptz)),
     order_reference);
CREATE INDEX uber_vehicles_list ON uber_vehicles (org_id, (coalesce(plate, '')), vehicle_id);
CREATE INDEX bolt_vehicles_list ON bolt_vehicles (org_id, (coalesce(plate, '')), vehicle_uuid);
