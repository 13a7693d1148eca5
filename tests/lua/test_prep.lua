-- Data preparation from Lua: tfp.lq, tfp.capital_stock, tfp.deflate,
-- tfp.group_mean, the tfp.regions mapping, and the embedded panel.
-- Hand-worked values are in the comments; tolerance 1e-12 (relative) for
-- them and for exact identities.
local check = dofile("lua/check.lua")
local regions = require "tfp.regions"

-- Years 2001 (rows 1-2) and 2002 (rows 3-5); row 4 has a missing sector.
-- 2001: x = 2+3 = 5 of 50 and 1+1 = 2 of 50, X/Y = 7/100:  LQ = 0.1/0.07 = 10/7, 0.04/0.07 = 4/7
-- 2002: x = 8 of 80 and 2 of 40 (row 4 out), X/Y = 10/120: LQ = 0.1*12 = 1.2, 0.05*12 = 0.6
local function emp()
  return tfp.frame{
    {"year", {2001, 2001, 2002, 2002, 2002}},
    {"s1", {2, 1, 4, 1, 1}},
    {"s2", {3, 1, 4, nil, 1}},
    {"total", {50, 50, 80, 20, 40}},
  }
end

check.test("lq divides each row's sector share by its year's share", function()
  local lq = tfp.lq{data = emp(), sectors = {"s1", "s2"}, total = "total", by = "year"}
  check.eq(#lq, 5)
  check.near(lq[1], 10 / 7, 1e-12); check.near(lq[2], 4 / 7, 1e-12)
  check.near(lq[3], 1.2, 1e-12); check.eq(lq[4], nil); check.near(lq[5], 0.6, 1e-12)
end)

check.test("lq with by = false uses the whole sample", function()
  local lq = tfp.lq{data = emp(), sectors = "s1", total = "total", by = false}
  -- one sector: x = 2, 1, 4, 1, 1 of 50, 50, 80, 20, 40 (all complete): X/Y = 9/240
  check.near(lq[1], (2 / 50) / (9 / 240), 1e-12)
  check.near(lq[4], (1 / 20) / (9 / 240), 1e-12)
  lq = tfp.lq{data = emp(), sectors = {"s1", "s2"}, total = "total", by = false}
  check.near(lq[1], 0.1 * 220 / 17, 1e-12)
end)

check.test("lq errors name the option, the column and the row", function()
  local f = emp()
  check.errors(function() tfp.lq{data = f, sectors = {"s1", "nope"}, total = "total", by = false} end,
    "column 'nope' not found")
  check.errors(function() tfp.lq{data = f, total = "total"} end, "option 'sectors'")
  check.errors(function() tfp.lq{data = f, sectors = "s1"} end, "option 'total'")
  check.errors(function() tfp.lq{sectors = "s1", total = "total"} end, "option 'data' (the panel) is required")
  check.errors(function() tfp.lq{data = {}, sectors = "s1", total = "total"} end,
    "option 'data' must be a frame, got a table")
  f.total = tfp.vector{50, 50, 80, 20, 1}
  check.errors(function() tfp.lq{data = f, sectors = {"s1", "s2"}, total = "total", by = false} end,
    "row 5: the sectors sum to 2, more than total 'total' (1)")
end)

-- Unit A: 2001-2003, I = 10, 12, 14.4 (rows 3, 1, 5); unit B: 2010-2011, I = 5, 5 (rows 4, 2).
-- delta 0.1, growth rule: A g = 0.2, K = 10/0.3, 0.9*10/0.3 + 12 = 42, 0.9*42 + 14.4 = 52.2;
-- B g = 0, K = 5/0.1 = 50, 45 + 5 = 50.
local function invest()
  return tfp.frame{
    {"city", {"A", "B", "A", "B", "A"}},
    {"year", {2002, 2011, 2001, 2010, 2003}},
    {"inv_real", {12, 5, 10, 5, 14.4}},
    {"k0", {nil, nil, 100, 7, nil}},
  }
end

check.test("capital_stock accumulates by perpetual inventory on an unsorted frame", function()
  local k = tfp.capital_stock{data = invest(), id = "city", time = "year", investment = "inv_real", delta = 0.1}
  check.near(k[3], 10 / 0.3, 1e-12); check.near(k[1], 42, 1e-12); check.near(k[5], 52.2, 1e-12)
  check.near(k[4], 50, 1e-12); check.near(k[2], 50, 1e-12)
end)

check.test("capital_stock takes the initial stock from a column when asked", function()
  -- A: 100, 90 + 12 = 102, 91.8 + 14.4 = 106.2; B: 7, 6.3 + 5 = 11.3
  local k = tfp.capital_stock{data = invest(), id = "city", time = "year", investment = "inv_real",
                              delta = 0.1, initial = "k0"}
  check.near(k[3], 100, 1e-12); check.near(k[1], 102, 1e-12); check.near(k[5], 106.2, 1e-12)
  check.near(k[4], 7, 1e-12); check.near(k[2], 11.3, 1e-12)
end)

check.test("capital_stock defaults to the paper's delta of 9.6%", function()
  -- B: I = 5 constant, g = 0: K = 5/0.096 in both years
  local k = tfp.capital_stock{data = invest(), id = "city", time = "year", investment = "inv_real"}
  check.near(k[4], 5 / 0.096, 1e-12); check.near(k[2], 5 / 0.096, 1e-12)
end)

check.test("capital_stock names the unit and the years of a gap", function()
  local f = invest()
  f.year = tfp.vector{2002, 2013, 2001, 2010, 2003}
  check.errors(function()
    tfp.capital_stock{data = f, id = "city", time = "year", investment = "inv_real"}
  end, "unit B has a gap in the panel: no rows for 2011-2012 (between 2010 and 2013)")
  check.errors(function()
    tfp.capital_stock{data = invest(), id = "city", time = "year", investment = "inv"}
  end, "column 'inv' not found")
  check.errors(function()
    tfp.capital_stock{data = invest(), id = "city", time = "year", investment = "inv_real", delta = 0}
  end, "delta must be in (0, 1]")
end)

-- Chained (previous year = 100), base 2004: P2003 = 1/1.1, P2005 = 1.05, P2006 = 1.05;
-- nominal 100, 110, 115.5, 126 -> real 110, 110, 110, 120.
check.test("deflate chains a previous-year index from the base year both ways", function()
  local f = tfp.frame{{"year", {2005, 2003, 2006, 2004}}, {"idx", {105, 105, 100, 110}},
                      {"v", {115.5, 100, 126, 110}}}
  local r = tfp.deflate(f.v, f.idx, {data = f, time = "year", base = 2004, chained = true})
  check.near(r[1], 110, 1e-12); check.near(r[2], 110, 1e-12)
  check.near(r[3], 120, 1e-12); check.near(r[4], 110, 1e-12)
  -- column names work too, with data
  r = tfp.deflate("v", "idx", {data = f, time = "year", base = 2004})
  check.near(r[3], 120, 1e-12)
end)

-- Fixed base (2003 = 100): 50, 55, 60.5 over 100, 110, 121 -> 50 each; rebased to 2004 -> 55 each.
check.test("deflate divides by a fixed-base index, rebasing when asked", function()
  local r = tfp.deflate({50, 55, 60.5}, {100, 110, 121}, {chained = false})
  for i = 1, 3 do check.near(r[i], 50, 1e-12) end
  r = tfp.deflate({50, 55, 60.5}, {100, 110, 121}, {chained = false, base = 2004, time = {2003, 2004, 2005}})
  for i = 1, 3 do check.near(r[i], 55, 1e-12) end
end)

check.test("deflate round-trips nominal = real x price level on the embedded panel", function()
  local f = tfp.data("cities", {})
  local real = tfp.deflate(f.gdp, f.gdp_index, {data = f, id = "city", time = "year", base = 2003})
  -- Rebuild the price level by chaining the index in Lua, then nominal / P must equal real.
  local p, worst = {}, 0
  local city, year, index, gdp = f.city, f.year, f.gdp_index, f.gdp   -- each f.x is a copy: once
  for i = 1, f:nrow() do
    local c = city[i]
    p[c] = year[i] == 2003 and 1 or p[c] * index[i] / 100   -- rows are sorted by city, year
    worst = math.max(worst, math.abs(real[i] * p[c] / gdp[i] - 1))
  end
  check.truthy(worst < 1e-12, "relative round-trip error " .. worst .. " < 1e-12")
end)

check.test("deflate errors name the unit, the gap and the base", function()
  local f = tfp.frame{{"city", {"Hefei", "Hefei", "Wuhu", "Wuhu"}}, {"year", {2003, 2004, 2004, 2006}},
                      {"idx", {100, 104, 103, 102}}, {"v", {1, 2, 3, 4}}}
  check.errors(function() tfp.deflate(f.v, f.idx, {data = f, id = "city", time = "year", base = 2003}) end,
    "unit Wuhu has a gap in the panel: no row for 2005 (between 2004 and 2006)")
  check.errors(function()
    tfp.deflate(f.v, f.idx, {data = f, id = "city", time = "year", base = 2003, chained = false})
  end, "unit Wuhu has no row for the base period 2003")
  check.errors(function() tfp.deflate(f.v, f.idx, {data = f, id = "city", time = "year"}) end,
    "needs options 'base' and 'time'")
  check.errors(function() tfp.deflate(f.v, {1, 2}, {chained = false}) end, "4 values but 2 index values")
end)

check.test("group_mean gives each row the mean of its group, skipping missing", function()
  local f = tfp.frame{{"g", {"a", "b", "a", "b", "a"}}, {"x", {1, 10, 3, nil, 8}}}
  local m = tfp.group_mean("x", "g", f)
  check.near(m[1], 4, 1e-12); check.near(m[2], 10, 1e-12); check.near(m[5], 4, 1e-12); check.near(m[4], 10, 1e-12)
end)

check.test("group_mean of values near the largest double is finite", function()
  local m = tfp.group_mean({1e308, 1e308}, {1, 1})
  check.near(m[1], 1e308, 1e-12); check.near(m[2], 1e308, 1e-12)
end)

check.test("a column-name option given as a number raises instead of keeping a dangling name", function()
  local f = tfp.frame{{"1", {1, 1}}, {"t", {1, 2}}, {"i", {1, 2}}}
  check.errors(function() tfp.capital_stock{data = f, id = 1, time = "t", investment = "i"} end,
               "option 'id' must be a column name (a string), got a number")
end)

check.test("regions maps provinces in pinyin, English and Chinese to the three belts", function()
  check.eq(regions.region("Guangdong"), "East")
  check.eq(regions.region("guangdong province"), "East")
  check.eq(regions.region("广东省"), "East")
  check.eq(regions.region("Shanxi"), "Central")
  check.eq(regions.region("Shaanxi"), "West")
  check.eq(regions.region("Inner Mongolia"), "West")
  check.eq(regions.region("内蒙古自治区"), "West")
  check.eq(regions.region("Guangxi Zhuang Autonomous Region"), "West")
  check.eq(regions.region("Xinjiang Uygur Autonomous Region"), "West")
  check.eq(regions.region("Beijing Shi"), "East")
  check.eq(regions.region("Szechwan"), "West")
  local r, err = regions.region("Hong Kong")
  check.eq(r, nil); check.truthy(err:find("unknown province 'Hong Kong'", 1, true), "message names it")
  check.eq(#regions.of_region("East"), 11); check.eq(#regions.of_region("Central"), 8)
  check.eq(#regions.of_region("West"), 12)
end)

check.test("regions.classify names the row of an unknown province", function()
  local v = regions.classify(tfp.vector{"Hebei", "Anhui", nil, "Gansu"})
  check.eq(v[1], "East"); check.eq(v[2], "Central"); check.eq(v[3], nil); check.eq(v[4], "West")
  check.errors(function() regions.classify({"Hebei", "Atlantis"}) end, "row 2: unknown province 'Atlantis'")
end)

check.test("the embedded panel has 261 cities, 101/99/61 by region, 2003-2017 balanced", function()
  local f = tfp.data("cities", {})
  check.eq(f:nrow(), 3915)
  local n = {}
  for _, r in ipairs(regions.REGIONS) do n[r] = #(f:where{region = r, year = 2003}) end
  check.eq(n.East, 101); check.eq(n.Central, 99); check.eq(n.West, 61)
  check.eq(f.year:min(), 2003); check.eq(f.year:max(), 2017)
  local reg, region = regions.classify(f.province), f.region
  for i = 1, f:nrow() do
    if reg[i] ~= region[i] then error("row " .. i .. ": region " .. region[i] .. " but " .. reg[i]) end
  end
  -- strictly positive where DEA and the ratios need it
  for _, c in ipairs{"emp_total", "emp_transport", "emp_ict", "emp_finance", "emp_leasing", "emp_research",
                     "gdp", "gdp_index", "inv", "inv_price_index", "va_secondary", "va_tertiary",
                     "budget_exp", "fdi", "students", "population", "road_area"} do
    check.truthy(f[c]:count() == 3915 and f[c]:min() > 0, c .. " complete and positive")
  end
  local k = tfp.capital_stock{data = f, id = "city", time = "year", investment = "inv"}
  check.truthy(k:min() > 0, "capital stock positive")
end)

check.done()
