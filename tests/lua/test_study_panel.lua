-- The study's rules on small unbalanced panels: tfp.lq's missing-value rule
-- (row: the unit-year leaves its year's totals; unit: the whole unit leaves
-- every year's), and errors that remain name the unit and the year.
local check = dofile("lua/check.lua")
local study = require "tfp.study"

check.test("lq missing = 'row' drops the unit-year from its year's totals, 'unit' the whole unit", function()
  local f = tfp.frame{{"c", {1, 1, 2, 2, 3, 3}}, {"y", {1, 2, 1, 2, 1, 2}}, {"s", {1, 2, 1, nil, 2, 2}},
                      {"t", {10, 10, 10, 10, 10, 10}}}
  f:panel("c", "y")
  local row = tfp.lq{data = f, sectors = "s", total = "t"}
  check.near(row[1], 0.1 / (4 / 30), 1e-12)        -- year 1 totals over all three units
  check.eq(row[4], nil)
  local unit = tfp.lq{data = f, sectors = "s", total = "t", missing = "unit"}
  check.near(unit[1], 0.1 / (3 / 20), 1e-12)       -- unit 2 left out of year 1's totals too
  check.near(unit[3], 0.1 / (3 / 20), 1e-12)       -- its complete year still has an LQ
  check.eq(unit[4], nil)
  check.errors(function() return tfp.lq{data = f, sectors = "s", total = "t", missing = "units"} end,
    "option 'missing': unknown value 'units'")
end)

-- The embedded panel cut to a few cities, with one value changed.
local function small(change)
  local f = tfp.data("cities")
  f = f:filter(f.city:le(12))
  if change then change(f) end
  return f
end

check.test("a negative investment is an error naming the unit and year", function()
  local f = small(function(f)
    local inv = f.inv:totable()
    inv[20] = -1
    f.inv = inv
  end)
  local ok, e = pcall(study.build, f)
  check.truthy(not ok and e.code == "data", tostring(e))
  check.truthy(tostring(e):find("real investment is negative (-0.860899) at unit 2, year 2007", 1, true), tostring(e))
end)

check.test("a duplicate unit-year is an error naming the unit and year", function()
  local f = small(function(f)
    local y = f.year:totable()
    y[2] = 2003
    f.year = y
  end)
  check.errors(function() return study.build(f) end, "2003")
end)

check.test("a one-year unit has no capital stock and is reported, the rest is built", function()
  local f = small()
  f = f:filter(f.city:ne(5):totable() and tfp.vector((function()
    local keep, c, y = {}, f.city, f.year
    for i = 1, f:nrow() do keep[i] = (c[i] ~= 5 or y[i] == 2010) and 1 or 0 end
    return keep
  end)()))
  local g, _, report = study.build(f)
  local k = g.K
  local found = false
  for i = 1, g:nrow() do
    if g.city[i] == 5 then check.eq(k[i], nil); found = true end
  end
  check.truthy(found, "city 5 kept its one row")
  report:regressions(g, {"TFP", "SAGG"}, {"SAGG"})
  local text = report:text()
  check.truthy(text:find("5%s+2010%s+capital%s+no stock: a one%-year spell"), text)
  check.truthy(text:find("unbalanced: 1 unit has one year\n", 1, true), text)
end)

check.test("unknown roles in a map are all named at once", function()
  check.errors(function() return study.mapping{gdpp = "x", cty = "y"} end,
    "unknown roles 'cty' (did you mean 'city'?), 'gdpp' (did you mean 'gdp'?)")
end)

check.done()
