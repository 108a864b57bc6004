-- Claims an event's fan-out for a lease, and keeps the event unless it is kept already.
-- KEYS: the fan-out claim, the event. ARGV: lease ms, event JSON, retention ms.
-- 0 claimed (and the event kept unless it was), 1 held by another copy, 2 already fanned out.
if redis.call('SET', KEYS[1], 'claimed', 'NX', 'PX', ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3])
  return 0
end
if redis.call('GET', KEYS[1]) == 'done' then return 2 end
return 1
