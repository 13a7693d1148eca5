-- study.lua — the paper's variables from raw yearbook columns (module
-- "tfp.study"): real GDP and investment, capital stock by perpetual
-- inventory, the controls, the location quotients, and the DEA-Malmquist
-- TFP, TE and EC levels. scripts/paper.lua and the prompt share it:
--   f = require("tfp.study").build(tfp.data("cities"))
local M = {}

-- Roles of the raw columns, and their names in the embedded panel.
M.columns = {
  city = "city", year = "year", region = "region",
  emp_total = "emp_total",                       -- employment in urban units, 10k persons
  emp_transport = "emp_transport",               -- transport, storage and post        (low-end)
  emp_ict = "emp_ict",                           -- information, computer services      (high-end)
  emp_finance = "emp_finance",                   -- finance                             (high-end)
  emp_leasing = "emp_leasing",                   -- leasing and business services      (low-end)
  emp_research = "emp_research",                 -- scientific research, technical services (high-end)
  gdp = "gdp", gdp_index = "gdp_index",          -- nominal GDP; its price index (previous year = 100)
  investment = "inv", inv_price = "inv_price_index",
  va_secondary = "va_secondary", va_tertiary = "va_tertiary",
  budget = "budget_exp", fdi = "fdi", students = "students", population = "population", road = "road_area",
}

M.delta = 0.096   -- depreciation, as the paper (Zhang Jun et al. 2004)

--- The column mapping with `overrides` ({role = "your column"}) applied.
function M.mapping(overrides)
  local c = {}
  for k, v in pairs(M.columns) do c[k] = v end
  for role, name in pairs(overrides or {}) do
    if not M.columns[role] then error("column mapping: unknown role '" .. tostring(role) .. "'", 2) end
    c[role] = name
  end
  return c
end

--- build(f [, overrides [, source]]) -> f with the study's variables added
-- (and the panel declared), plus the Malmquist frame as a second value.
function M.build(f, overrides, source)
  local c = M.mapping(overrides)
  for role, name in pairs(c) do
    if not f:has(name) then
      error(string.format("%s: no column '%s' for %s (map it: %s = \"your column\")",
        source or "data", name, role, role), 0)
    end
  end
  f:panel(c.city, c.year)
  for _, role in ipairs({"city", "year", "region"}) do
    if c[role] ~= role then f[role] = f[c[role]] end
  end

  -- Real values at first-year prices; capital by perpetual inventory.
  local base = f[c.year]:min()
  local function real(values, index)
    return tfp.deflate(f[values], f[index], {data = f, id = c.city, time = c.year, base = base, chained = true})
  end
  f.Y = real(c.gdp, c.gdp_index)
  f.inv_real = real(c.investment, c.inv_price)
  f.K = tfp.capital_stock{data = f, id = c.city, time = c.year, investment = "inv_real", delta = M.delta}
  f.L = f[c.emp_total]

  -- Controls, as the paper defines them (section 3.1).
  f.STR = f[c.va_secondary] / f[c.va_tertiary]     -- industrial structure
  f.GOV = f[c.budget] / f[c.gdp]                    -- government intervention
  f.PGDP = tfp.log(f.Y / f[c.population])           -- development (log real GDP per head)
  f.FDI = f[c.fdi] / f[c.gdp]                       -- foreign investment dependence
  f.H = f[c.students] / f[c.population]             -- human capital
  f.ROAD = f[c.road] / f[c.population]              -- infrastructure (road area per head)
  f.POP = tfp.log(f[c.population])                  -- population size

  -- Location quotients by year, equation (1): all, high-end, low-end.
  local function lq(sectors) return tfp.lq{data = f, sectors = sectors, total = c.emp_total, by = c.year} end
  f.SAGG = lq({c.emp_transport, c.emp_ict, c.emp_finance, c.emp_leasing, c.emp_research})
  f.SAGG_H = lq({c.emp_ict, c.emp_finance, c.emp_research})
  f.SAGG_L = lq({c.emp_transport, c.emp_leasing})

  -- Output-oriented DEA-Malmquist on K, L -> Y, chained into levels
  -- (first year = 1): TFP, TE (technical change), EC (efficiency change).
  local mq = tfp.malmquist{data = f, id = c.city, time = c.year, inputs = {"K", "L"}, outputs = {"Y"},
                           orientation = "output"}
  local row = {}
  local ids, years = mq[c.city], mq[c.year]
  for i = 1, #ids do row[tostring(ids[i]) .. "|" .. years[i]] = i end
  local out = {TFP = {}, TE = {}, EC = {}}
  local src = {TFP = mq.TFP, TE = mq.TECH, EC = mq.EFF}
  local fid, fyear = f[c.city], f[c.year]
  for i = 1, f:nrow() do
    local j = row[tostring(fid[i]) .. "|" .. fyear[i]]
    for k, v in pairs(src) do out[k][i] = j and v[j] end
  end
  for k, v in pairs(out) do f[k] = tfp.vector(v, f:nrow()) end
  return f, mq
end

return M
