-- study.lua — the paper's variables from raw yearbook columns (module
-- "tfp.study"): real GDP and investment, capital stock by perpetual
-- inventory, the controls, the location quotients, and the DEA-Malmquist
-- TFP, TE and EC levels. scripts/paper.lua and the prompt share it:
--   f = require("tfp.study").build(tfp.data("cities"))
--
-- Unbalanced panels (late entry, exit, gaps, one-year units) follow the rules
-- in M.rules, applied step by step; what each step could not use is recorded
-- by unit and year in a sample report (lua/sample.lua), the third value of
-- build.
local Sample = require "tfp.sample"
local O = require "tfp.options"
local M = {}

-- Roles of the raw columns: role, the embedded panel's column, meaning and unit.
M.roles = {
  {"city", "city", "panel unit id (number or text)"},
  {"year", "year", "year (integer)"},
  {"region", "region", "East / Central / West (text, or a labelled .dta variable)"},
  {"emp_total", "emp_total", "employees in urban units, end of year, 10k persons"},
  {"emp_transport", "emp_transport", "transport, storage and post, 10k persons (low-end)"},
  {"emp_ict", "emp_ict", "information transmission, computer services, software, 10k persons (high-end)"},
  {"emp_finance", "emp_finance", "finance, 10k persons (high-end)"},
  {"emp_leasing", "emp_leasing", "leasing and business services, 10k persons (low-end)"},
  {"emp_research", "emp_research", "scientific research and technical services, 10k persons (high-end)"},
  {"gdp", "gdp", "nominal GDP, 100 million yuan, current prices"},
  {"gdp_index", "gdp_index", "GDP price index, previous year = 100"},
  {"investment", "inv", "fixed-asset investment, 100 million yuan, current prices"},
  {"inv_price", "inv_price_index", "fixed-asset investment price index, previous year = 100"},
  {"va_secondary", "va_secondary", "value added of the secondary industry, 100 million yuan"},
  {"va_tertiary", "va_tertiary", "value added of the tertiary industry, 100 million yuan"},
  {"budget", "budget_exp", "general public budget expenditure, 100 million yuan"},
  {"fdi", "fdi", "actually used FDI, 100 million yuan (converted to yuan)"},
  {"students", "students", "students in regular higher education, 10k persons"},
  {"population", "population", "average population, 10k persons"},
  {"road", "road_area", "urban road area, 10k m2"},
}

-- Role -> the embedded panel's column.
M.columns = {}
for _, r in ipairs(M.roles) do M.columns[r[1]] = r[2] end

M.delta = 0.096   -- depreciation, as the paper (Zhang Jun et al. 2004)

-- What each step does with an unbalanced panel (printed in the sample report).
M.rules = {
  {"panel", "a unit-year is a row; duplicate unit-years and missing ids or years are errors naming them"},
  {"deflating", "a unit's price level is chained from the base year (the first year) through its own\n"
    .. "index; a year it lacks (before entry, in a gap) or whose index is missing takes the panel's\n"
    .. "geometric-mean index of that year, so every spell is at base-year prices"},
  {"capital", "perpetual inventory per contiguous spell of years with real investment; each spell\n"
    .. "starts from the Hall-Jones stock I0 / (g + delta); a one-year spell has no growth rate, so no stock"},
  {"LQ", "a row missing a sector or the total has no LQ and is left out of its year's totals\n"
    .. "(--lq-missing unit: the unit is left out of every year's totals)"},
  {"Malmquist", "on the unit-years with K, L and Y; a change needs the unit in the previous year, so\n"
    .. "chains break at gaps; levels restart at 1 in each spell and only each unit's longest spell\n"
    .. "(the earliest of equals) keeps its levels, as levels of different spells are not comparable"},
  {"lags", "L1 and L2 of SAGG are the unit's values one and two years before; never across a gap"},
  {"regressions", "a unit-year needs every variable of the model and both lags; units left with one\n"
    .. "usable year are singletons of the city effect and dropped (as xtivreg2)"},
}

local raise = function(_, _, msg) error(msg, 0) end

--- The column mapping with `overrides` ({role = "your column"}) applied.
function M.mapping(overrides)
  local c = {}
  for k, v in pairs(M.columns) do c[k] = v end
  local unknown = {}
  for role, name in pairs(overrides or {}) do
    if not M.columns[role] then unknown[#unknown + 1] = tostring(role)
    elseif type(name) ~= "string" then
      raise = tfp and tfp._raise or raise
      raise("usage", "column map", string.format("role '%s' must name a column (a string), got a %s", role, type(name)))
    else c[role] = name end
  end
  if #unknown > 0 then
    table.sort(unknown)
    local roles = {}
    for i, r in ipairs(M.roles) do roles[i] = r[1] end
    for i, u in ipairs(unknown) do
      local near = O.closest(u, roles)
      unknown[i] = "'" .. u .. "'" .. (near and (" (did you mean '" .. near .. "'?)") or "")
    end
    raise = tfp and tfp._raise or raise
    raise("usage", "column map", "unknown role" .. (#unknown > 1 and "s " or " ") .. table.concat(unknown, ", ")
      .. " (roles: " .. table.concat(roles, ", ") .. ")")
  end
  return c
end

--- A ready map file: one line per role, the embedded panel's column as value.
function M.template()
  local lines = {
    "-- Column map for tfpkit scripts/paper.lua --map FILE: one line per role, role = \"your column\".",
    "-- The values are the embedded panel's columns (data/README.md); replace each with your data's",
    "-- column holding the same thing, in the unit given. Every role must be mapped to a column.",
    "return {",
  }
  local w = 0
  for _, r in ipairs(M.roles) do w = math.max(w, #r[1] + #r[2]) end
  for _, r in ipairs(M.roles) do
    local item = string.format("%s = %q,", r[1], r[2])
    lines[#lines + 1] = "  " .. item .. string.rep(" ", w + 7 - #item) .. "-- " .. r[3]
  end
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n") .. "\n"
end

local NUMERIC_ROLES = {"emp_total", "emp_transport", "emp_ict", "emp_finance", "emp_leasing", "emp_research",
  "gdp", "gdp_index", "investment", "inv_price", "va_secondary", "va_tertiary", "budget", "fdi", "students",
  "population", "road"}

-- Every role's column exists, reported all at once.
local function check_columns(f, c, source)
  local missing, names = {}, f:names()
  for _, r in ipairs(M.roles) do
    local role, col = r[1], c[r[1]]
    if not f:has(col) then
      local near = O.closest(col, names)
      missing[#missing + 1] = string.format("  %-14s no column '%s'%s  -- %s", role, col,
        near and (" (did you mean '" .. near .. "'?)") or "", r[3])
    end
  end
  if #missing > 0 then
    raise("usage", "study", string.format("%s: %d role%s not found in the data; map %s in your --map file "
      .. "(role = \"your column\"; tfpkit scripts/paper.lua --map-template prints a ready one):\n%s",
      source, #missing, #missing > 1 and "s are" or " is", #missing > 1 and "them" or "it",
      table.concat(missing, "\n")))
  end
end

-- Numeric roles read as text: convert when every cell is a number or an NA
-- code; otherwise an error naming the column and the first bad cell's unit and year.
local function check_numeric(f, c, source, na)
  local is_na = {[""] = true}
  for _, s in ipairs(na or {}) do is_na[s] = true end
  local types, bad = f:types(), {}
  local id, year = f[c.city], f[c.year]
  for _, role in ipairs(NUMERIC_ROLES) do
    local col = c[role]
    if types[col] ~= "number" then
      local v, t, first = f[col], {}, nil
      for i = 1, f:nrow() do
        local s = v[i]
        if s ~= nil and not is_na[s] then
          local x = tonumber(s)
          if x == nil and not first then first = i end
          t[i] = x
        end
      end
      if first then
        bad[#bad + 1] = string.format("  column '%s' (%s) is text: unit %s, year %s has '%s'", col, role,
          tostring(id[first]), tostring(year[first]), v[first])
      else
        f[col] = tfp.vector(t, f:nrow())
      end
    end
  end
  if #bad > 0 then
    raise("data", "study", string.format("%s: %d column%s that must hold numbers hold text:\n%s\n"
      .. "If these cells mark missing values, pass them as NA codes: --na \"-,n/a\" "
      .. "(tfp.read_csv(path, {na = {...}}))", source, #bad, #bad > 1 and "s" or "", table.concat(bad, "\n")))
  end
end

-- log(x), where every present x must be positive: an error names the unit and year.
local function positive_log(ctx, x, what)
  for i = 1, #x do
    local v = x[i]
    if v ~= nil and not (v > 0) then   -- luacheck: ignore 581 (NaN is not positive either)
      raise("data", "study", string.format("%s is %s at unit %s, year %s: its log is undefined",
        what, tostring(v), tostring(ctx.id[i]), tostring(ctx.t[i])))
    end
  end
  return tfp.log(x)
end

-- Real values at base-year prices, by the deflating rule above.
local function deflate(ctx, nominal, index, what)
  local n, t = ctx.n, ctx.t
  -- The panel's geometric-mean index of each year.
  local logsum, cnt = {}, {}
  for i = 1, n do
    local x = index[i]
    if x ~= nil then
      if not (x > 0 and x < math.huge) then
        raise("data", "study", string.format("%s is %s at unit %s, year %d: a price index must be positive",
          what, tostring(x), tostring(ctx.id[i]), t[i]))
      end
      logsum[t[i]] = (logsum[t[i]] or 0) + math.log(x)
      cnt[t[i]] = (cnt[t[i]] or 0) + 1
    end
  end
  local function mean_index(y)
    if not cnt[y] then
      raise("data", "study", string.format("no unit has a %s for %d: real values cannot be chained across it", what, y))
    end
    return math.exp(logsum[y] / cnt[y])
  end
  local real = {}
  for u = 1, ctx.n_units do
    local rows, own, has_row = ctx.rows_of[u], {}, {}
    for _, i in ipairs(rows) do own[t[i]] = index[i]; has_row[t[i]] = true end
    local level = {[ctx.base] = 1}
    local lo, hi = t[rows[1]], t[rows[#rows]]
    local p = 1
    for y = ctx.base + 1, hi do
      local x = own[y]
      if x == nil then
        x = mean_index(y)
        if y >= lo then
          ctx.report:add(u, y, "deflating", has_row[y] and (what .. " missing: the panel's mean index used")
            or ("no row (a gap): the " .. what .. " chain crosses it by the panel's mean index"))
        end
      end
      p = p * (x / 100)
      level[y] = p
    end
    p = 1
    for y = ctx.base, lo + 1, -1 do
      local x = own[y]
      if x == nil then x = mean_index(y) end
      p = p / (x / 100)
      level[y - 1] = p
    end
    for _, i in ipairs(rows) do
      local v = nominal[i]
      if v ~= nil then real[i] = v / level[t[i]] end
    end
  end
  return tfp.vector(real, n)
end

-- Capital stock by perpetual inventory per contiguous spell.
local function capital(ctx, inv)
  local k, t, delta = {}, ctx.t, M.delta
  for u = 1, ctx.n_units do
    local spell = {}
    local function close()
      if #spell == 0 then return end
      local a, b = spell[1], spell[#spell]
      local i0, i1, t0, t1 = inv[a], inv[b], t[a], t[b]
      local why
      if #spell < 2 then why = "a one-year spell has no investment growth for the initial stock"
      elseif not (i0 > 0 and i1 > 0) then why = "the spell's first or last investment is 0"
      else
        local g = (i1 / i0) ^ (1 / (t1 - t0)) - 1
        if g + delta <= 0 then why = string.format("investment growth %.3g + delta is not positive", g)
        else
          local kp = i0 / (g + delta)
          k[a] = kp
          for j = 2, #spell do
            kp = (1 - delta) * kp + inv[spell[j]]
            k[spell[j]] = kp
          end
        end
      end
      if why then
        for _, i in ipairs(spell) do ctx.report:add(u, t[i], "capital", "no stock: " .. why, i) end
      end
      spell = {}
    end
    for _, i in ipairs(ctx.rows_of[u]) do
      local x = inv[i]
      if x ~= nil and x < 0 then
        raise("data", "study", string.format("real investment is negative (%g) at unit %s, year %d", x,
          tostring(ctx.id[i]), t[i]))
      end
      if x == nil then
        close()
        ctx.report:add(u, t[i], "capital", "no stock: real investment missing", i)
      else
        if #spell > 0 and t[i] ~= t[spell[#spell]] + 1 then close() end
        spell[#spell + 1] = i
      end
    end
    close()
  end
  return tfp.vector(k, ctx.n)
end

-- Malmquist levels per spell, each unit's longest spell kept.
local function malmquist_levels(ctx, f, c)
  local n = ctx.n
  local ok_rows, why = {}, {}
  local K, L, Y = f.K, f.L, f.Y
  for i = 1, n do
    local miss = {}
    if not (K[i] and K[i] > 0) then miss[#miss + 1] = "K" end
    if not (L[i] and L[i] > 0) then miss[#miss + 1] = "L (" .. c.emp_total .. ")" end
    if not (Y[i] and Y[i] > 0) then miss[#miss + 1] = "Y (" .. c.gdp .. ")" end
    if #miss == 0 then ok_rows[#ok_rows + 1] = i else why[i] = table.concat(miss, ", ") end
  end
  for i = 1, n do
    if why[i] then ctx.report:add(ctx.unit[i], ctx.t[i], "Malmquist", "not in the DEA: no positive " .. why[i], i) end
  end
  local mask = {}
  for i = 1, n do mask[i] = why[i] and 0 or 1 end
  local sub = f:filter(tfp.vector(mask, n))
  local mq = tfp.malmquist{data = sub, id = c.city, time = c.year, inputs = {"K", "L"},
    outputs = {"Y"}, orientation = "output"}
  -- Map Malmquist rows back to f's rows, then chain levels per spell.
  local row_of = {}
  for k, i in ipairs(ok_rows) do row_of[k] = i end
  local sub_row = {}
  local sid, syear = sub[c.city], sub[c.year]
  for k = 1, sub:nrow() do sub_row[tostring(sid[k]) .. "|" .. syear[k]] = row_of[k] end
  local ch = {tfpch = {}, techch = {}, effch = {}}
  local mid, myear = mq[c.city], mq[c.year]
  local mcols = {tfpch = mq.tfpch, techch = mq.techch, effch = mq.effch}
  for k = 1, mq:nrow() do
    local i = sub_row[tostring(mid[k]) .. "|" .. myear[k]]
    for name, v in pairs(mcols) do ch[name][i] = v[k] end
  end
  local lv = {TFP = {}, TE = {}, EC = {}}
  local src = {TFP = "tfpch", TE = "techch", EC = "effch"}
  local t = ctx.t
  for u = 1, ctx.n_units do
    local spells, cur = {}, nil
    for _, i in ipairs(ctx.rows_of[u]) do
      if not why[i] then
        if cur and t[i] == t[cur[#cur]] + 1 and ch.tfpch[i] ~= nil then cur[#cur + 1] = i
        else cur = {i}; spells[#spells + 1] = cur end
      end
    end
    local keep = 1
    for s = 2, #spells do if #spells[s] > #spells[keep] then keep = s end end
    for s, sp in ipairs(spells) do
      if s == keep then
        local l = {TFP = 1, TE = 1, EC = 1}
        for j, i in ipairs(sp) do
          for name, chname in pairs(src) do
            if j > 1 then l[name] = l[name] * ch[chname][i] end
            lv[name][i] = l[name]
          end
        end
      else
        local kept = spells[keep]
        for _, i in ipairs(sp) do
          ctx.report:add(u, t[i], "Malmquist", string.format("chain broken at a gap: kept the longest spell %d-%d",
            t[kept[1]], t[kept[#kept]]), i)
        end
      end
    end
  end
  for name in pairs(src) do f[name] = tfp.vector(lv[name], n) end
  return mq
end

-- Columns of the unit and year in the frame's order, and the rows of each unit by year.
local function panel_context(f, c, report)
  local n = f:nrow()
  local id, year = f[c.city], f[c.year]
  local ctx = {n = n, id = id, year = year, t = year:totable(), report = report}
  local code, units = {}, {}
  local rows_of, unit = {}, {}
  for i = 1, n do
    local key = id[i]
    local u = code[key]
    if not u then
      u = #units + 1
      code[key] = u
      units[u] = key
      rows_of[u] = {}
    end
    unit[i] = u
    table.insert(rows_of[u], i)
  end
  for u = 1, #units do
    table.sort(rows_of[u], function(a, b) return ctx.t[a] < ctx.t[b] end)
  end
  ctx.unit, ctx.units, ctx.rows_of, ctx.n_units = unit, units, rows_of, #units
  ctx.base = year:min()
  report:set_units(units, unit, ctx.t)
  return ctx
end

--- build(f [, overrides [, source [, options]]]) -> f with the study's
-- variables added (and the panel declared), the Malmquist frame, and the
-- sample report (lua/sample.lua). options: na = {codes} (text cells of
-- numeric roles read as missing), lq_missing = "row" | "unit".
function M.build(f, overrides, source, options)
  raise = tfp._raise
  options = options or {}
  source = source or "data"
  local c = M.mapping(overrides)
  check_columns(f, c, source)
  f:panel(c.city, c.year)
  check_numeric(f, c, source, options.na)
  for _, role in ipairs({"city", "year", "region"}) do
    if c[role] ~= role then f[role] = f[c[role]] end
  end
  local report = Sample.new(source, c.city, c.year)
  report.rules = M.rules
  local ctx = panel_context(f, c, report)
  report:describe_panel(f:panel())

  -- Real values at base-year prices; capital by perpetual inventory.
  f.Y = deflate(ctx, f[c.gdp], f[c.gdp_index], "GDP price index")
  f.inv_real = deflate(ctx, f[c.investment], f[c.inv_price], "investment price index")
  f.K = capital(ctx, f.inv_real)
  f.L = f[c.emp_total]

  -- Controls, as the paper defines them (section 3.1).
  f.STR = f[c.va_secondary] / f[c.va_tertiary]     -- industrial structure
  f.GOV = f[c.budget] / f[c.gdp]                    -- government intervention
  f.PGDP = positive_log(ctx, f.Y / f[c.population], "real GDP per head")   -- development
  f.FDI = f[c.fdi] / f[c.gdp]                       -- foreign investment dependence
  f.H = f[c.students] / f[c.population]             -- human capital
  f.ROAD = f[c.road] / f[c.population]              -- infrastructure (road area per head)
  f.POP = positive_log(ctx, f[c.population], "population")   -- population size

  -- Location quotients by year, equation (1): all, high-end, low-end.
  local lq_missing = options.lq_missing or "row"
  local function lq(sectors)
    return tfp.lq{data = f, sectors = sectors, total = c.emp_total, by = c.year, missing = lq_missing}
  end
  f.SAGG = lq({c.emp_transport, c.emp_ict, c.emp_finance, c.emp_leasing, c.emp_research})
  f.SAGG_H = lq({c.emp_ict, c.emp_finance, c.emp_research})
  f.SAGG_L = lq({c.emp_transport, c.emp_leasing})
  local lq_cols = {c.emp_total, c.emp_transport, c.emp_ict, c.emp_finance, c.emp_leasing, c.emp_research}
  local lq_vals = {}
  for k, col in ipairs(lq_cols) do lq_vals[k] = f[col] end
  for i = 1, ctx.n do
    local miss = {}
    for k, col in ipairs(lq_cols) do if lq_vals[k][i] == nil then miss[#miss + 1] = col end end
    if #miss > 0 then
      report:add(ctx.unit[i], ctx.t[i], "LQ", "left out of the year's totals: " .. table.concat(miss, ", ") .. " missing")
    end
  end

  -- Output-oriented DEA-Malmquist on K, L -> Y, chained into levels
  -- (first year of the spell = 1): TFP, TE (technical change), EC (efficiency change).
  local mq = malmquist_levels(ctx, f, c)
  report.ctx = ctx
  return f, mq, report
end

return M
