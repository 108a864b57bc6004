-- include pending-deliveries
-- Claims an event's fan-out for a lease, keeps the event unless it is kept already, and adds the fan-out's pending
-- deliveries (its one write in the event's slot). KEYS: the fan-out claim, the event, the event's deliveries.
-- ARGV: lease ms, event JSON ('' when its publisher kept it), retention ms, then per endpoint its id and its pending record.
-- Returns { code, then per endpoint what add_pending says } — code 0 claimed (and the event kept unless it was),
-- 1 held by another copy, 2 already fanned out (neither adds anything), 3 claimed but the event its publisher said it
-- kept is not there (to be kept by the caller).
local code = 0
if redis.call('SET', KEYS[1], 'claimed', 'NX', 'PX', ARGV[1]) then
  if ARGV[2] == '' then
    if redis.call('EXISTS', KEYS[2]) == 0 then code = 3 end
  else
    redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3])
  end
else
  if redis.call('GET', KEYS[1]) == 'done' then return { 2 } end
  return { 1 }
end
local result = { code }
if #ARGV >= 4 then
  for _, existing in ipairs(add_pending(KEYS[3], ARGV[3], ARGV, 4)) do result[#result + 1] = existing end
end
return result
