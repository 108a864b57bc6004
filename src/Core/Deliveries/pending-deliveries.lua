-- A new pending delivery of an event per endpoint, unless the endpoint has one already (a fan-out interrupted
-- before it finished). Included by the scripts that add them (`-- include pending-deliveries`): on their own, and
-- with the fan-out's claim. `hash`: the event's deliveries; `args` from `first` on: per endpoint its id and its
-- pending record. Returns, per endpoint, false when the pending record was added, else the record it already had.
local function add_pending(hash, retention, args, first)
  local existing = {}
  for i = first, #args, 2 do
    if redis.call('HSETNX', hash, args[i], args[i + 1]) == 1 then
      existing[#existing + 1] = false
    else
      existing[#existing + 1] = redis.call('HGET', hash, args[i])
    end
  end
  redis.call('PEXPIRE', hash, retention)
  return existing
end
