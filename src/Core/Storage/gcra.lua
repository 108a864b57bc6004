-- The generic cell rate algorithm on Redis's own clock (µs), so that any number of hosts share one exact
-- limit whatever their clocks say. A cell holds its theoretical arrival time (TAT). Included by the scripts
-- that keep one (`-- include gcra`): the one cell of a rate limit, and a tenant's two quota cells.

local function gcra_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- The cell's TAT, or now when that is past (an idle cell).
local function gcra_tat(cell, now)
  local tat = tonumber(redis.call('GET', cell) or '0')
  if tat < now then return now end
  return tat
end

-- µs until `cost` cells are free, with a burst `tolerance` (µs): zero or less, free now.
local function gcra_wait(tat, now, interval, tolerance, cost)
  return tat + (cost - 1) * interval - tolerance - now
end

-- Takes `cost` cells: the TAT moves on, and the cell lives until then (and a second more).
local function gcra_take(cell, tat, now, interval, cost)
  local next = tat + interval * cost
  redis.call('SET', cell, string.format('%.0f', next), 'PX', math.ceil((next - now) / 1000) + 1000)
  return next
end
