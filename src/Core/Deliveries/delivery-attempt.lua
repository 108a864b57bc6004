-- include bounded-log
-- The event's side of an attempt. KEYS: the delivery's attempts, the event's deliveries. ARGV: the attempt, attempts
-- kept per delivery, retention ms, the endpoint id, the delivery's record, its chain ('' for fan-out's). With a third key,
-- the event's fan-out claim, the fan-out is marked done (for the retention) in the same write: the attempt was its last act.
-- The attempt is logged; the record moves to its new status only while the attempt's chain is the live
-- one (1), not once a resend, redrive or recover has replaced it (0: that chain ends here).
bounded_push(KEYS[1], nil, ARGV[1], tonumber(ARGV[2]), nil, ARGV[3])
if KEYS[3] then redis.call('SET', KEYS[3], 'done', 'PX', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local current = redis.call('HGET', KEYS[2], ARGV[4])
if current then
  local chain = cjson.decode(current)['chain']
  if type(chain) ~= 'string' then chain = '' end
  if chain ~= ARGV[6] then return 0 end
end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
