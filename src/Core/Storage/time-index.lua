-- A time index: a sorted set of members by time (ms), its old entries dropped as new ones come.
-- KEYS[1]: the index. ARGV: the entry's time (ms), the member, how long entries are kept (ms: older than the
-- entry's time by more go), '1' to leave an entry already there where it is, how long the index lives (ms; '' for ever).
-- KEYS[2], when given: a counter in the index's slot read in the same call (a tenant's endpoint version, read as its
-- event is listed), returned instead of 1.
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
else
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[3]))
if ARGV[5] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
if KEYS[2] then return tonumber(redis.call('GET', KEYS[2]) or '0') end
return 1
