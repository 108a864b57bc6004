-- A log kept newest first and bounded: included by the attempt scripts (`-- include bounded-log`).
-- Pushes `entry` at the head of `list` unless it is there already (a record retried after Redis failed midway),
-- then drops the oldest past `count` entries or, when `bytes` (the list's byte counter) is given, past `limit`
-- bytes — the newest always stays; both live `ttl` ms more. False when the entry was there already.
local function bounded_push(list, bytes, entry, count, limit, ttl)
  if redis.call('LINDEX', list, 0) == entry then
    return false
  end
  local length = redis.call('LPUSH', list, entry)
  if bytes then
    local total = redis.call('INCRBY', bytes, #entry)
    while length > 1 and (length > count or total > limit) do
      total = redis.call('DECRBY', bytes, #redis.call('RPOP', list))
      length = length - 1
    end
    if total < #entry then redis.call('SET', bytes, #entry) end
    redis.call('PEXPIRE', bytes, ttl)
  elseif length > count then
    redis.call('LTRIM', list, 0, count - 1)
  end
  redis.call('PEXPIRE', list, ttl)
  return true
end
