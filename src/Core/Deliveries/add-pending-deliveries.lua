-- include pending-deliveries
-- KEYS: the event's deliveries. ARGV: retention ms, then per endpoint its id and its pending record (see add_pending).
return add_pending(KEYS[1], ARGV[1], ARGV, 2)
