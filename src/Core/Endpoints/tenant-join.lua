-- An endpoint joins its tenant's set, within the tenant's endpoint quota. KEYS: the tenant's endpoint set, its version.
-- ARGV: the endpoint id, the quota. 1 joined (and the version moved on), 0 the tenant already has its quota.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
return 1
