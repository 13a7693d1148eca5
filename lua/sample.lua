-- sample.lua — module "tfp.sample": the sample report of a study run. Each
-- step records the unit-years it could not use (or had to bridge), with the
-- reason; the report adds the regression sample's own losses (missing
-- variables, lags, singletons) and prints itself by unit id and years.
--
--   local r = Sample.new(source, "city", "year")
--   r:add(unit_code, year, "capital", "no stock: one-year spell", row)
--   r:regressions(f, vars, lags)        -- after the variables are built
--   print(r:text()); r:write("out/sample.txt")
local M = {}
M.__index = M

-- Steps whose entries are notes on rows kept, not losses.
local NOTE_STEPS = {deflating = true}

function M.new(source, id_name, time_name)
  return setmetatable({source = source, id_name = id_name, time_name = time_name, entries = {},
                       dropped_rows = {}, routine = {}}, M)
end

function M:set_units(units, unit_of_row, time_of_row)
  self.units, self.unit_of_row, self.time_of_row = units, unit_of_row, time_of_row
end

--- Record that unit code u, year y met `reason` at `step`; row: the row lost.
function M:add(u, y, step, reason, row)
  self.entries[#self.entries + 1] = {u = u, y = y, step = step, reason = reason}
  if row and not NOTE_STEPS[step] then self.dropped_rows[row] = step .. ": " .. reason end
end

--- The panel's shape: entries, exits, gaps and one-year units.
function M:describe_panel(info)
  local rows_of = {}
  for i, u in ipairs(self.unit_of_row) do
    rows_of[u] = rows_of[u] or {}
    table.insert(rows_of[u], self.time_of_row[i])
  end
  local first, last = math.huge, -math.huge
  for _, ts in pairs(rows_of) do
    table.sort(ts)
    first, last = math.min(first, ts[1]), math.max(last, ts[#ts])
  end
  local late, early, gaps, single = 0, 0, 0, 0
  for _, ts in pairs(rows_of) do
    if ts[1] > first and #ts > 1 then late = late + 1 end
    if ts[#ts] < last and #ts > 1 then early = early + 1 end
    if ts[#ts] - ts[1] + 1 > #ts then gaps = gaps + 1 end
    if #ts == 1 then single = single + 1 end
  end
  self.shape = {n_units = #self.units, n_obs = #self.unit_of_row, first = first, last = last,
                late = late, early = early, gaps = gaps, single = single,
                balanced = info and info.balanced}
end

-- "2003-2005, 2008" from a sorted list of years.
local function ranges(years)
  table.sort(years)
  local out, a, b = {}, nil, nil
  for _, y in ipairs(years) do
    if a and y == b + 1 then b = y
    elseif not (a and y == b) then   -- a repeated year is already in the range
      if a then out[#out + 1] = a == b and tostring(a) or (a .. "-" .. b) end
      a, b = y, y
    end
  end
  if a then out[#out + 1] = a == b and tostring(a) or (a .. "-" .. b) end
  return table.concat(out, ", ")
end
M.ranges = ranges

--- The regression sample: rows of f with every variable in vars and both
-- lags of each variable in lagged; units left with one usable row are
-- singletons. Records the losses not already recorded by an earlier step.
function M:regressions(f, vars, lagged)
  local n = f:nrow()
  local cols, lags = {}, {}
  for k, v in ipairs(vars) do cols[k] = {v, f[v]} end
  for _, v in ipairs(lagged) do
    lags[#lags + 1] = {v, 1, f:lag(v, 1)}
    lags[#lags + 1] = {v, 2, f:lag(v, 2)}
  end
  local usable, why = {}, {}
  local per_unit = {}
  for i = 1, n do
    if self.dropped_rows[i] then
      why[i] = false   -- already reported by its step
    else
      local miss = {}
      for _, c in ipairs(cols) do if c[2][i] == nil then miss[#miss + 1] = c[1] end end
      local nolag = false
      for _, l in ipairs(lags) do
        if l[3][i] == nil then nolag = true end
      end
      if #miss > 0 then
        why[i] = "missing " .. table.concat(miss, ", ")
      elseif nolag then
        why[i] = "lag"
      else
        usable[i] = true
        local u = self.unit_of_row[i]
        per_unit[u] = (per_unit[u] or 0) + 1
      end
    end
  end
    -- Lags missing in the first two years of a unit's run of years (entry,
  -- after a gap) are routine; otherwise a year before has no value.
  local t = self.time_of_row
  local present = {}
  for i = 1, n do
    local key = self.unit_of_row[i] .. "|" .. t[i]
    present[key] = i
  end
  local n_usable, units_used = 0, 0
  for i = 1, n do
    local u = self.unit_of_row[i]
    if why[i] == "lag" then
      local p1, p2 = present[u .. "|" .. (t[i] - 1)], present[u .. "|" .. (t[i] - 2)]
      if not p1 or not p2 then
        self.routine[#self.routine + 1] = {u = u, y = t[i]}
      else
        self:add(u, t[i], "regressions", "no L1/L2 lag: the LQ of " .. (t[i] - 2) .. " or " .. (t[i] - 1)
          .. " is missing")
      end
    elseif why[i] then
      self:add(u, t[i], "regressions", why[i])
    elseif usable[i] then
      if per_unit[u] == 1 then
        self:add(u, t[i], "regressions", "singleton: the unit's only usable year (its city effect absorbs it)")
      else
        n_usable = n_usable + 1
      end
    end
  end
  for _, k in pairs(per_unit) do if k > 1 then units_used = units_used + 1 end end
  self.sample = {n = n_usable, n_units = units_used}
end

local STEP_ORDER = {"panel", "deflating", "capital", "LQ", "Malmquist", "regressions"}

-- Entries grouped by unit, step and reason, years as ranges; sorted by unit.
function M:lines(notes)
  local groups, order = {}, {}
  for _, e in ipairs(self.entries) do
    if (NOTE_STEPS[e.step] or false) == notes then
      local key = e.u .. "\0" .. e.step .. "\0" .. e.reason
      local g = groups[key]
      if not g then
        g = {u = e.u, step = e.step, reason = e.reason, years = {}}
        groups[key] = g
        order[#order + 1] = g
      end
      g.years[#g.years + 1] = e.y
    end
  end
  local rank = {}
  for k, s in ipairs(STEP_ORDER) do rank[s] = k end
  local units = self.units
  table.sort(order, function(a, b)
    if a.u ~= b.u then
      local x, y = units[a.u], units[b.u]
      if type(x) == type(y) then return x < y end
      return tostring(x) < tostring(y)
    end
    if a.step ~= b.step then return (rank[a.step] or 99) < (rank[b.step] or 99) end
    if a.years[1] ~= b.years[1] then return a.years[1] < b.years[1] end
    return a.reason < b.reason
  end)
  local w = #self.id_name
  for _, g in ipairs(order) do w = math.max(w, #tostring(units[g.u])) end
  local out = {}
  for _, g in ipairs(order) do
    out[#out + 1] = string.format("  %-" .. w .. "s  %-12s %-12s %s", tostring(units[g.u]), ranges(g.years),
      g.step, g.reason)
  end
  return out, w
end

--- The report as text; full = true adds the routine losses unit by unit.
function M:text(full)
  local s = self.shape
  local out = {}
  out[#out + 1] = string.format("Sample report — data: %s (unit: %s, time: %s)", self.source, self.id_name,
    self.time_name)
  if s then
    local shape = {}
    local function units(k, one, many) return k .. (k == 1 and " unit " .. one or " units " .. many) end
    if s.late > 0 then shape[#shape + 1] = units(s.late, "enters late", "enter late") end
    if s.early > 0 then shape[#shape + 1] = units(s.early, "exits early", "exit early") end
    if s.gaps > 0 then shape[#shape + 1] = units(s.gaps, "has gaps", "have gaps") end
    if s.single > 0 then shape[#shape + 1] = units(s.single, "has one year", "have one year") end
    out[#out + 1] = string.format("Panel: %d units, %d-%d, %d unit-years; %s", s.n_units, s.first, s.last, s.n_obs,
      #shape == 0 and "balanced" or ("unbalanced: " .. table.concat(shape, ", ")))
  end
  if self.rules then
    out[#out + 1] = ""
    out[#out + 1] = "Rules"
    for _, r in ipairs(self.rules) do
      out[#out + 1] = string.format("  %-12s %s", r[1], (r[2]:gsub("\n", "\n               ")))
    end
  end
  local dropped, w = self:lines(false)
  out[#out + 1] = ""
  if #dropped == 0 then
    out[#out + 1] = "Dropped: nothing beyond the routine losses below."
  else
    out[#out + 1] = string.format("Dropped (%s, years, step, why)", self.id_name)
    for _, l in ipairs(dropped) do out[#out + 1] = l end
  end
  local notes = self:lines(true)
  if #notes > 0 then
    out[#out + 1] = ""
    out[#out + 1] = "Kept with a note (price index bridged)"
    for _, l in ipairs(notes) do out[#out + 1] = l end
  end
  out[#out + 1] = ""
  if #self.routine > 0 then
    local units = {}
    for _, r in ipairs(self.routine) do units[r.u] = true end
    local nu = 0
    for _ in pairs(units) do nu = nu + 1 end
    out[#out + 1] = string.format("Routine: the first two years of each unit's run of years have no L1/L2 lags "
      .. "(the instruments): %d unit-years of %d units%s", #self.routine, nu, full and ":" or
      " (listed in sample.txt)")
    if full then
      local by = {}
      for _, r in ipairs(self.routine) do
        by[r.u] = by[r.u] or {}
        table.insert(by[r.u], r.y)
      end
      local list = {}
      for u, ys in pairs(by) do list[#list + 1] = {u, ys} end
      table.sort(list, function(a, b)
        local x, y = self.units[a[1]], self.units[b[1]]
        if type(x) == type(y) then return x < y end
        return tostring(x) < tostring(y)
      end)
      for _, e in ipairs(list) do
        out[#out + 1] = string.format("  %-" .. (w or 4) .. "s  %s", tostring(self.units[e[1]]), ranges(e[2]))
      end
    end
  end
  if self.sample then
    out[#out + 1] = string.format("Regression sample: %d unit-years of %d units (each model's N is in its table).",
      self.sample.n, self.sample.n_units)
  end
  return table.concat(out, "\n") .. "\n"
end

--- Write the full report to path (a temporary file renamed into place).
function M:write(path)
  local fh = assert(io.open(path .. ".tmp", "w"))
  fh:write(self:text(true))
  fh:close()
  assert(os.rename(path .. ".tmp", path))
end

return M
