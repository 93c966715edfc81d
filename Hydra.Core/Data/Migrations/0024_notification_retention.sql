-- Retention of the notification outbox (Hydra:Notifications:Retention) and the sinks page's summary per sink.
-- The pruner deletes old delivered and failed deliveries, then events left without deliveries, in small
-- batches; these partial indexes find them without scanning the outbox.
CREATE INDEX notification_deliveries_delivered ON notification_deliveries (delivered_at) WHERE state = 1;
CREATE INDEX notification_deliveries_gave_up ON notification_deliveries (last_attempt_at) WHERE state = 2;
CREATE INDEX notification_events_fanned_out ON notification_events (created_at) WHERE fanned_out;

-- A sink's newest delivery (ORDER BY id DESC LIMIT 1), and its failed and pending ones counted without
-- reading the delivered ones, which are nearly all of them.
DROP INDEX notification_deliveries_sink;
CREATE INDEX notification_deliveries_sink ON notification_deliveries (sink_id, id);
CREATE INDEX notification_deliveries_open ON notification_deliveries (sink_id) WHERE state <> 1;
