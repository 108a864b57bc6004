-- Changes the event-type catalog, all of it or nothing. KEYS[1] the catalog hash, KEYS[2] its version.
-- ARGV holds triples: name, what it must be now ('' absent, '*' anything, else the exact JSON), what it becomes ('' deleted).
-- Returns {version, ''} once written, or {0, name} for the first name that is not as expected (nothing written).
for i = 1, #ARGV, 3 do
  local expected = ARGV[i + 1]
  if expected ~= '*' then
    local current = redis.call('HGET', KEYS[1], ARGV[i])
    if (expected == '' and current) or (expected ~= '' and current ~= expected) then
      return {0, ARGV[i]}
    end
  end
end
for i = 1, #ARGV, 3 do
  if ARGV[i + 2] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
  end
end
return {redis.call('INCR', KEYS[2]), ''}
