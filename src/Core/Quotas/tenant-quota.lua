-- include gcra
-- A tenant's event quota: two GCRA cells, events and bytes, taken together or not at all.
-- KEYS: the overrides, the events cell, the bytes cell. ARGV: default events/s, events burst,
-- bytes/s, bytes burst; then the events and bytes asked for. Takes them with a slice more (a tenth
-- of a second's rate, at most a twentieth of the burst) when that fits, else exactly what was asked.
-- Returns {0, extra events, extra bytes} when both cells had room (both are then taken), {µs until
-- they would, quota} when not, {-1, quota, burst} when the request is larger than the whole burst.
local o = redis.call('HMGET', KEYS[1], 'eventsPerSecond', 'eventsBurst', 'bytesPerSecond', 'bytesBurst')
local eventsPerSecond = tonumber(o[1]) or tonumber(ARGV[1])
local eventsBurst = tonumber(o[2]) or tonumber(ARGV[2])
local bytesPerSecond = tonumber(o[3]) or tonumber(ARGV[3])
local bytesBurst = tonumber(o[4]) or tonumber(ARGV[4])
local events = tonumber(ARGV[5])
local bytes = tonumber(ARGV[6])
if events > eventsBurst then return {-1, 'events', eventsBurst} end
if bytes > bytesBurst then return {-1, 'bytes', bytesBurst} end
local eventsInterval = 1000000 / eventsPerSecond
local bytesInterval = 1000000 / bytesPerSecond
local now = gcra_now()
local eventsTat = gcra_tat(KEYS[2], now)
local bytesTat = gcra_tat(KEYS[3], now)
local function waits(e, b)
  return gcra_wait(eventsTat, now, eventsInterval, (eventsBurst - 1) * eventsInterval, e), gcra_wait(bytesTat, now, bytesInterval, (bytesBurst - 1) * bytesInterval, b)
end
local extraEvents = math.floor(math.min(eventsPerSecond / 10, eventsBurst / 20))
local extraBytes = math.floor(math.min(bytesPerSecond / 10, bytesBurst / 20))
local eventsWait, bytesWait = waits(events + extraEvents, bytes + extraBytes)
if eventsWait > 0 or bytesWait > 0 then
  extraEvents, extraBytes = 0, 0
  eventsWait, bytesWait = waits(events, bytes)
  if eventsWait > 0 or bytesWait > 0 then
    if eventsWait >= bytesWait then return {math.ceil(eventsWait), 'events'} end
    return {math.ceil(bytesWait), 'bytes'}
  end
end
gcra_take(KEYS[2], eventsTat, now, eventsInterval, events + extraEvents)
gcra_take(KEYS[3], bytesTat, now, bytesInterval, bytes + extraBytes)
return {0, extraEvents, extraBytes}
