-- Claims an event's fan-out for a lease, and keeps the event unless it is kept already.
-- KEYS: the fan-out claim, the event. ARGV: lease ms, event JSON ('' when its publisher kept it), retention ms.
-- 0 claimed (and the event kept unless it was), 1 held by another copy, 2 already fanned out, 3 claimed but the event
-- its publisher said it kept is not there (to be kept by the caller).
if redis.call('SET', KEYS[1], 'claimed', 'NX', 'PX', ARGV[1]) then
  if ARGV[2] == '' then
    if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
    return 3
  end
  redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3])
  return 0
end
if redis.call('GET', KEYS[1]) == 'done' then return 2 end
return 1
